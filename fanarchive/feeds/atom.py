"""Atom feeds of works: the whole archive's and each tag's, newest first.

Django's syndication framework writes them. Like AO3's tag feeds they list adult works
too, with their metadata and summary: a feed never carries chapter text, so there is
nothing behind the adult gate in it. Restricted works, drafts and hidden works are never
in a feed: feed readers do not log in.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from fanarchive.feeds.catalog import AUDIENCE
from fanarchive.feeds.identity import work_entry_id
from fanarchive.tags.models import Tag
from fanarchive.works.listing import BLURB_PREFETCH, NEWEST_FIRST
from fanarchive.works.models import Work

if TYPE_CHECKING:
    from xml.sax.saxutils import XMLGenerator

    from fanarchive.works.models import WorkQuerySet

# How many works a feed holds; readers poll, so the newest are what they need.
FEED_ITEMS = 25
ANONYMOUS = "Anonymous"


class WorksAtomFeed(Atom1Feed):
    """Atom 1.0 with every creator of a work as an author (Django writes only one)."""

    def add_item_elements(self, handler: XMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        for name in item.get("more_authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


class WorksFeed(Feed):
    """Works added or updated, newest first: the whole archive's."""

    feed_type = WorksAtomFeed

    def title(self, obj: Any = None) -> str:
        return f"{settings.SITE_NAME}: recently updated works"

    def subtitle(self, obj: Any = None) -> str:
        return f"Works added or updated on {settings.SITE_NAME}, newest first."

    def link(self, obj: Any = None) -> str:
        return reverse("works:index")

    def feed_works(self, obj: Any) -> WorkQuerySet:
        return Work.objects.for_audience(AUDIENCE)

    def items(self, obj: Any = None) -> list[Work]:
        works = self.feed_works(obj).order_by(*NEWEST_FIRST).prefetch_related(*BLURB_PREFETCH)
        return list(works[:FEED_ITEMS])

    def item_title(self, item: Work) -> str:
        return item.title

    def item_link(self, item: Work) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Work) -> str:
        return work_entry_id(item)

    item_guid_is_permalink = False

    def item_description(self, item: Work) -> str:
        # The template escapes everything but the summary, stored sanitised.
        return render_to_string("feeds/entry_summary.html", {"work": item})

    def item_author_name(self, item: Work) -> str:
        names = _names(item)
        return names[0] if names else ANONYMOUS

    def item_pubdate(self, item: Work) -> datetime.datetime:
        return _midnight(item.published)

    def item_updateddate(self, item: Work) -> datetime.datetime:
        return item.modified

    def item_categories(self, item: Work) -> list[str]:
        return [tag.name for tag in sorted(item.tags.all(), key=lambda tag: (tag.type, tag.name))]

    def item_extra_kwargs(self, item: Work) -> dict[str, Any]:
        return {"more_authors": _names(item)[1:]}


def _names(work: Work) -> list[str]:
    return [link.creator.name for link in work.creator_links.all()]


class TagWorksFeed(WorksFeed):
    """Works under one tag (its synonyms and sub tags included), newest first."""

    def get_object(self, request: HttpRequest, tag_id: int) -> Tag:
        return get_object_or_404(Tag, pk=tag_id)

    def title(self, obj: Tag) -> str:
        return f"{obj.name} works on {settings.SITE_NAME}"

    def subtitle(self, obj: Tag) -> str:
        return f"Works tagged {obj.name} ({obj.type_label}), newest first."

    def link(self, obj: Tag) -> str:
        return obj.get_absolute_url()

    def feed_works(self, obj: Tag) -> WorkQuerySet:
        return super().feed_works(obj).tagged(obj)


works_feed = WorksFeed()
tag_feed = TagWorksFeed()
