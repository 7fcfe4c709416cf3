"""Listings of works: the works index's filters and sorts, pagination, fandom counts.

Plain functions over querysets, so the pages, and later the API, list works alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import OrderBy, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Lower
from django.http import QueryDict

from fanarchive.lib.text import strip_controls
from fanarchive.tags.constants import NOT_RATED, RATINGS
from fanarchive.tags.filtering import works_under_any
from fanarchive.tags.lookup import parse_tag
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import Work, WorkCreator, WorkQuerySet, WorkTag

# What a blurb reads; prefetched so a page of blurbs costs a fixed number of queries.
BLURB_PREFETCH = ("tags", "creator_links__creator", "series_entries__series")

DEFAULT_SORT = "updated"
# AO3 sorts by creator on the first credited name.
FIRST_CREATOR = Subquery(
    WorkCreator.objects.filter(work=OuterRef("pk")).order_by("position").values("creator__name")[:1]
)
SORTS: dict[str, tuple[str, tuple[str | OrderBy, ...]]] = {
    "updated": ("Date Updated", ("-updated", "-id")),
    "posted": ("Date Posted", ("-published", "-id")),
    "words": ("Word Count", ("-word_count", "-id")),
    "title": ("Title", (Lower("title").asc(), "id")),
    "creator": ("Creator", (Lower(FIRST_CREATOR).asc(nulls_last=True), "id")),
    "hits": ("Hits", ("-hits", "-id")),
    "kudos": ("Kudos", ("-kudos", "-id")),
    "bookmarks": ("Bookmarks", ("-bookmarks", "-id")),
    "comments": ("Comments", ("-comments", "-id")),
}
NEWEST_FIRST = SORTS[DEFAULT_SORT][1]
# Each tag filter is a query and a subquery; a URL may not ask for more than this.
MAX_TAG_FILTERS = 20


# Range filters: the query parameters `<name>_from` and `<name>_to` (the command line's
# `--<name>-from`, `--<name>-to`), the field they bound, and how a bound is read (on the
# site a bad bound is ignored, never an error).
NUMBER_RANGES = {
    "words": "word_count",
    "hits": "hits",
    "kudos": "kudos",
    "comments": "comments",
    "bookmarks": "bookmarks",
}
DATE_RANGES = {"posted": "published", "updated": "updated"}
RANGE_SIDES = ("from", "to")
# The ranges as the filter sidebar lists them, AO3's order.
RANGE_LABELS = (
    ("words", "Words"),
    ("kudos", "Kudos"),
    ("hits", "Hits"),
    ("comments", "Comments"),
    ("bookmarks", "Bookmarks"),
    ("updated", "Updated"),
    ("posted", "Posted"),
)
COMPLETION = {"complete": True, "wip": False}
# AO3's crossover choice: the `crossover` parameter's values and what `Work.crossover`
# must be (None: either). Any other value includes crossovers, as "include" does.
CROSSOVER: dict[str, bool | None] = {"include": None, "exclude": False, "only": True}


def _number(value: str | None) -> int | None:
    value = (value or "").replace(",", "").strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def range_bound(name: str, value: str | None) -> int | datetime.date | None:
    """A bound of the range `name` (a key of NUMBER_RANGES or DATE_RANGES) as written:
    a whole number, commas allowed, or a YYYY-MM-DD date. None when it is not one."""
    return _date(value) if name in DATE_RANGES else _number(value)


def ranges_from(query: Mapping[str, str]) -> tuple[tuple[str, object, object], ...]:
    """(field, low, high) for every range `query` bounds on at least one side; `query`
    holds `<name>_from` and `<name>_to` values (a QueryDict, or any mapping)."""
    ranges = []
    for name, field in (NUMBER_RANGES | DATE_RANGES).items():
        low, high = (range_bound(name, query.get(f"{name}_{side}")) for side in RANGE_SIDES)
        if low is not None or high is not None:
            ranges.append((field, low, high))
    return tuple(ranges)


@dataclass(frozen=True)
class WorkFilters:
    """What the reader asked the works index for.

    `tags` are written `Name` or `type:Name` (type as in TagType's values, e.g.
    `fandom:Buffy the Vampire Slayer`); a work must have every one of them.
    `ratings` are AO3 rating names; a work must have one of them. Tags past
    MAX_TAG_FILTERS are ignored.
    """

    tags: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    sort: str = DEFAULT_SORT
    include_suggested: bool = False
    complete: bool | None = None
    single_chapter: bool = False
    language: str = ""
    ranges: tuple[tuple[str, object, object], ...] = ()
    crossover: bool | None = None
    """None: crossovers or not; False: no crossovers; True: crossovers only."""

    @classmethod
    def from_query(cls, query: QueryDict) -> WorkFilters:
        tags = dict.fromkeys(value.strip() for value in query.getlist("tag") if value.strip())
        excluded = dict.fromkeys(v.strip() for v in query.getlist("exclude") if v.strip())
        asked = set(query.getlist("rating"))
        sort = query.get("sort", DEFAULT_SORT)
        return cls(
            tags=tuple(tags)[:MAX_TAG_FILTERS],
            excluded=tuple(excluded)[:MAX_TAG_FILTERS],
            ratings=tuple(rating for rating in RATINGS if rating in asked),
            sort=sort if sort in SORTS else DEFAULT_SORT,
            include_suggested=query.get("suggested") == "1",
            complete=COMPLETION.get(query.get("complete", "")),
            single_chapter=query.get("single_chapter") == "1",
            language=query.get("language", "").strip()[:35],
            ranges=ranges_from(query),
            crossover=CROSSOVER.get(query.get("crossover", "")),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.tags
            or self.excluded
            or self.ratings
            or self.include_suggested
            or self.complete is not None
            or self.single_chapter
            or self.language
            or self.ranges
            or self.crossover is not None
        )

    @property
    def tag_names(self) -> list[str]:
        """The tags asked for, without their types: for headings."""
        return [parse_tag(value)[1] for value in self.tags]


def tags_for(value: str) -> list[Tag]:
    """The tags a filter value names: of that name (and type, if given; names compare
    case-insensitively)."""
    tag_type, name = parse_tag(value)
    # LOWER on both sides, so the database folds case alike and the index serves it.
    tags = Tag.objects.alias(lower_name=Lower("name")).filter(lower_name=Lower(Value(name)))
    if tag_type:
        tags = tags.filter(type=tag_type)
    return list(tags)


def rated(ratings: tuple[str, ...], *, include_suggested: bool = False) -> Q:
    """Works with any of these ratings (or a synonym of one). "Not Rated" also finds
    works with no rating at all, as `Work.rating` shows them."""
    rating_tags = Tag.objects.filter(type=TagType.RATING, name__in=ratings)
    q = Q(pk__in=works_under_any(rating_tags, include_suggested=include_suggested))
    if NOT_RATED in ratings:
        q |= ~Q(pk__in=WorkTag.objects.filter(tag__type=TagType.RATING).values("work_id"))
    return q


def filter_works(works: WorkQuerySet, filters: WorkFilters) -> WorkQuerySet:
    """`works` narrowed and ordered as `filters` asks. A tag that does not exist matches
    no work. Included tags match given and accepted tags (and suggestions when asked);
    excluded tags also match suggestions above the threshold, which may protect a
    reader but never expose one."""
    include_suggested = filters.include_suggested
    for value in filters.tags:
        tags = tags_for(value)
        if not tags:
            return works.none()
        works = works.filter(pk__in=works_under_any(tags, include_suggested=include_suggested))
    for value in filters.excluded:
        works = works.exclude(pk__in=works_under_any(tags_for(value), include_suggested=True))
    if filters.ratings:
        works = works.filter(rated(filters.ratings, include_suggested=include_suggested))
    return _narrowed(works, filters).order_by(*SORTS[filters.sort][1])


def _narrowed(works: WorkQuerySet, filters: WorkFilters) -> WorkQuerySet:
    """Completion, crossovers, length, language and the range filters (AO3's "More
    Options")."""
    if filters.complete is not None:
        works = works.filter(complete=filters.complete)
    if filters.crossover is not None:
        works = works.filter(crossover=filters.crossover)
    if filters.single_chapter:
        works = works.filter(posted_chapters=1)
    if language := strip_controls(filters.language):
        works = works.filter(language__iexact=language)
    for field, low, high in filters.ranges:
        if low is not None:
            works = works.filter(**{f"{field}__gte": low})
        if high is not None:
            works = works.filter(**{f"{field}__lte": high})
    return works


def paginate(works: QuerySet[Work], page_number: str | None) -> dict[str, Any]:
    """Template context for one page of `works`: `page_obj` and `page_range` (page
    numbers with ellipses). A page past the end shows the last page; one that is not a
    number shows the first."""
    paginator = Paginator(works, settings.WORKS_PER_PAGE)
    page = paginator.get_page(page_number)
    return {
        "page_obj": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
    }
