"""What feeds and the OPDS catalog must never show: restricted works, drafts and hidden
works anywhere; adult works anywhere in the plain catalog."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from lxml import etree

from fanarchive.feeds.tests.conftest import NS
from fanarchive.tags.constants import EXPLICIT, GENERAL, TEEN
from fanarchive.tags.models import TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db

SERIES = "The Tide Cycle"
FANDOM = "Original Work"
FREEFORM = "Lighthouses"


def shared(title: str, **fields: object) -> Work:
    """A work in the fandom, tag, series and search every other one is in, so a leak
    would show on every list."""
    return make_work(
        title,
        fandoms=(FANDOM,),
        freeforms=(FREEFORM,),
        series=[(SERIES, fields.pop("position", 1))],
        summary="<p>A lighthouse story.</p>",
        chapters=("<p>Secret chapter words.</p>",),
        **fields,
    )


@pytest.fixture
def archive() -> dict[str, Work]:
    lighthouses = make_tag(TagType.FREEFORM, FREEFORM)
    lighthouses.make_canonical()
    make_tag(TagType.FANDOM, FANDOM).make_canonical()
    works = {
        "public": shared("Open Harbour", position=1, rating=TEEN),
        "adult": shared("Adult Harbour", position=2, rating=EXPLICIT),
        "restricted": shared("Restricted Harbour", position=3, restricted=True),
        "draft": shared("Draft Harbour", position=4, posted=False),
        "hidden": shared("Hidden Harbour", position=5, hidden_by_admin=True),
    }
    return works


def everything(fetch, *, adult: bool) -> list[etree._Element]:
    """Every document the catalog reaches from its root by following its links
    (navigation, acquisition feeds, every page) and the search for the shared words."""
    start = "/opds/?view_adult=true" if adult else "/opds/"
    seen: dict[str, etree._Element] = {}
    queue = [start, ("/opds/search/?view_adult=true&q=lighthouse" if adult else
                     "/opds/search/?q=lighthouse")]  # fmt: skip
    while queue:
        url = queue.pop()
        key = urlsplit(url)._replace(scheme="", netloc="").geturl()
        if key in seen:
            continue
        seen[key] = feed = fetch(url, "application/atom+xml;profile=opds-catalog")
        for link in feed.iter(f"{{{NS['atom']}}}link"):
            if "profile=opds-catalog" in (link.get("type") or "") and "{" not in link.get("href"):
                queue.append(link.get("href"))
    return list(seen.values())


def text_of(feeds: list[etree._Element]) -> str:
    return "\n".join(etree.tostring(feed, encoding="unicode") for feed in feeds)


@override_settings(WORKS_PER_PAGE=1)
def test_the_plain_catalog_lists_only_public_works_that_are_not_adult(fetch, archive):
    documents = everything(fetch, adult=False)
    assert len(documents) > 8  # root, recent, fandoms, tags, series, their works, pages
    shown = text_of(documents)
    assert "Open Harbour" in shown
    for hidden in ("Adult Harbour", "Restricted Harbour", "Draft Harbour", "Hidden Harbour"):
        assert hidden not in shown
    assert "Secret chapter words" not in shown
    assert "view_adult" not in shown
    # Totals and pages count what is listed, not what was left out.
    for feed in documents:
        total = feed.findtext("opensearch:totalResults", namespaces=NS)
        if total is not None and feed.findall(
            "atom:entry/atom:link[@rel='http://opds-spec.org/acquisition']", NS
        ):
            assert total == "1"
            assert not feed.findall("atom:link[@rel='next']", NS)


@override_settings(WORKS_PER_PAGE=1)
def test_the_consenting_catalog_adds_adult_works_and_nothing_else(fetch, archive):
    documents = everything(fetch, adult=True)
    shown = text_of(documents)
    assert "Open Harbour" in shown
    assert "Adult Harbour" in shown
    for hidden in ("Restricted Harbour", "Draft Harbour", "Hidden Harbour"):
        assert hidden not in shown
    for feed in documents:
        for link in feed.iter(f"{{{NS['atom']}}}link"):
            query = parse_qs(urlsplit(link.get("href")).query)
            assert query.get("view_adult") == ["true"], link.get("href")


@pytest.mark.parametrize("hidden", ["restricted", "draft", "hidden"])
def test_a_hidden_works_tag_and_series_are_not_listed_either(fetch, hidden):
    make_work("Only One", fandoms=("Secret Fandom",), series=[("Secret Series", 1)],
              **{"restricted": {"restricted": True}, "draft": {"posted": False},
                 "hidden": {"hidden_by_admin": True}}[hidden])  # fmt: skip
    for url in ("/opds/fandoms/", "/opds/series/", "/opds/tags/"):
        for adult in ("", "?view_adult=true"):
            shown = etree.tostring(fetch(url + adult, "application/atom+xml"), encoding="unicode")
            assert "Secret" not in shown


def test_atom_feeds_never_show_restricted_drafts_or_hidden_works(fetch, archive):
    lighthouses = make_tag(TagType.FREEFORM, FREEFORM)
    fandom = make_tag(TagType.FANDOM, FANDOM)
    for url in ("/feeds/works.atom", f"/feeds/tags/{lighthouses.pk}.atom",
                f"/feeds/tags/{fandom.pk}.atom"):  # fmt: skip
        shown = etree.tostring(fetch(url), encoding="unicode")
        assert "Open Harbour" in shown
        assert "Adult Harbour" in shown  # as AO3's feeds: metadata and summary only
        for hidden in ("Restricted Harbour", "Draft Harbour", "Hidden Harbour"):
            assert hidden not in shown
        assert "Secret chapter words" not in shown


def test_a_search_counts_only_the_works_it_lists(fetch):
    for n in range(3):
        make_work(f"Harbour {n}", rating=GENERAL, updated=datetime.date(2024, 1, 1 + n))
        make_work(f"Harbour Adult {n}", rating=EXPLICIT, updated=datetime.date(2024, 2, 1 + n))
    plain = fetch("/opds/search/?q=harbour", "application/atom+xml")
    assert plain.findtext("opensearch:totalResults", namespaces=NS) == "3"
    consenting = fetch("/opds/search/?q=harbour&view_adult=true", "application/atom+xml")
    assert consenting.findtext("opensearch:totalResults", namespaces=NS) == "6"
