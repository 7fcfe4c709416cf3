"""Works of every visibility for the API tests, stored through the real writer (so they
are indexed as on import), and tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from fanarchive.api.models import ApiToken
from fanarchive.search.tests.stories import store
from fanarchive.tags.constants import EXPLICIT, GENERAL, TEEN
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_user

# Original text, one distinct word per work, so a search tells them apart.
OPEN_TEXT = "<p>The ferryman counted lanterns along the canal until dawn.</p>"
ADULT_TEXT = "<p>Behind the velvet curtain the duchess whispered moonquartz secrets.</p>"
RESTRICTED_TEXT = "<p>Only members may read about the heronfeather treaty.</p>"
DRAFT_TEXT = "<p>An unfinished page about the saltmarsh bellringer.</p>"
HIDDEN_TEXT = "<p>A hidden page about the glassblower's quarrel.</p>"


@dataclass
class Archive:
    open: Work
    adult: Work
    restricted: Work
    draft: Work
    hidden: Work

    @property
    def unseen(self) -> list[Work]:
        """What an anonymous reader may never learn of."""
        return [self.restricted, self.draft, self.hidden]


@pytest.fixture
def archive(db) -> Archive:
    return make_archive()


def make_archive() -> Archive:
    open_work = store(
        "Lanterns on the Canal",
        OPEN_TEXT,
        "<p>A second chapter with the ferryman asleep.</p>",
        creators=["tillerwright"],
        fandoms=["Canal Tales"],
        characters=["The Ferryman"],
        freeforms=["Night Walks"],
        summary="<p>A quiet night on the water.</p>",
        notes="<p>Written on a train.</p>",
    )
    adult = store(
        "The Velvet Curtain",
        ADULT_TEXT,
        creators=["duskquill"],
        rating=EXPLICIT,
        fandoms=["Canal Tales"],
        summary="<p>A summary anyone may read.</p>",
        notes="<p>Secret notes of an adult work.</p>",
    )
    restricted = store(
        "The Heronfeather Treaty",
        RESTRICTED_TEXT,
        rating=TEEN,
        fandoms=["Secret Fandom Restricted"],
    )
    draft = store("Saltmarsh Bells", DRAFT_TEXT, fandoms=["Secret Fandom Draft"], posted=False)
    hidden = store("The Glassblower", HIDDEN_TEXT, fandoms=["Secret Fandom Hidden"])
    Work.objects.filter(pk=restricted.pk).update(restricted=True)
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    for work in (restricted, hidden):
        work.refresh_from_db()
    assert open_work.rating == GENERAL
    return Archive(open_work, adult, restricted, draft, hidden)


@pytest.fixture
def writer_token(db) -> str:
    return make_writer_token()


def make_writer_token(username: str = "importer") -> str:
    """A token of an account that is not staff but may write (api.write_works)."""
    user = make_user(username)
    user.user_permissions.add(Permission.objects.get(codename="write_works"))
    return ApiToken.issue(user, "tests")[1]


@pytest.fixture
def reader_token(db) -> str:
    """A token of a plain member: reads as that member, may not write."""
    return ApiToken.issue(make_user("member"), "reading")[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
