"""What the feeds list: works anonymous apps may see, as querysets paged by the database.

Feeds are read by apps that never log in, so everything here is for the PUBLIC audience:
no drafts, no works hidden by an admin, no restricted works. The OPDS catalog also
leaves out adult works unless it was opened at a consenting URL, because an e-reader app
cannot click through the adult notice; `WorkQuerySet.not_adult` is `Work.is_adult` as a query, so
totals and pages are counted by the database with those works already gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.db.models.functions import Lower

from fanarchive.lib.columns import Audience
from fanarchive.lib.text import strip_controls
from fanarchive.search.engines import get_engine
from fanarchive.search.service import SearchQuery, search, text_condition
from fanarchive.tags.models import FilterTagging, Tag, TagType
from fanarchive.works.listing import BLURB_PREFETCH, NEWEST_FIRST, filter_works
from fanarchive.works.models import Series, Work

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fanarchive.works.models import WorkQuerySet

AUDIENCE = Audience.PUBLIC
# The longest search an app may send; the query language needs no more.
MAX_QUERY = 500


@dataclass(frozen=True)
class Page[T]:
    """One page of a list: its items, its number (from 1) and the whole list's size."""

    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def start_index(self) -> int:
        """The 1-based position of the first item (OpenSearch's startIndex)."""
        return (self.number - 1) * self.per_page + 1


def page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _clamped(number: int, total: int, per_page: int) -> int:
    # Past the end shows the last page, as the site's listings do.
    return min(number, max(1, -(-total // per_page)))


def catalog_works(*, adult: bool) -> WorkQuerySet:
    """Every work the catalog may list: public ones, and adult ones only with consent."""
    works = Work.objects.for_audience(AUDIENCE)
    return works if adult else works.not_adult()


def works_page(works: WorkQuerySet, number: int, per_page: int) -> Page[Work]:
    """One page of `works` (already ordered), with their tags, creators and series."""
    total = works.count()
    number = _clamped(number, total, per_page)
    start = (number - 1) * per_page
    items = list(works.prefetch_related(*BLURB_PREFETCH)[start : start + per_page])
    return Page(items, number, per_page, total)


def recent_works(*, adult: bool) -> WorkQuerySet:
    return catalog_works(adult=adult).order_by(*NEWEST_FIRST)


def tag_works(tag: Tag, *, adult: bool) -> WorkQuerySet:
    """Works under `tag` (its synonyms and sub tags included), newest first."""
    return catalog_works(adult=adult).tagged(tag).order_by(*NEWEST_FIRST)


def series_works(series: Series, *, adult: bool) -> WorkQuerySet:
    """The series' works the catalog may list, in reading order."""
    return (
        catalog_works(adult=adult)
        .filter(series_entries__series=series)
        .order_by("series_entries__position", "pk")
    )


@dataclass(frozen=True)
class Counted[T]:
    item: T
    works: int


def _tags_page(tags: Q, *, adult: bool, number: int, per_page: int) -> Page[Counted[Tag]]:
    """Tags matching `tags` that some listed work is found under, with how many, by
    name. Counted as a filter on each would find them: synonyms and sub tags included,
    suggestions not."""
    rows = (
        FilterTagging.objects.filter(suggested=False, work__in=catalog_works(adult=adult))
        .filter(tags)
        .values("tag_id")
        .annotate(works=Count("work_id"))
    )
    total = rows.count()
    number = _clamped(number, total, per_page)
    start = (number - 1) * per_page
    ordered = rows.order_by("tag__type", Lower("tag__name"), "tag_id")[start : start + per_page]
    counts = {row["tag_id"]: row["works"] for row in ordered}
    by_id = Tag.objects.in_bulk(counts)
    items = [Counted(by_id[pk], works) for pk, works in counts.items() if pk in by_id]
    return Page(items, number, per_page, total)


def fandoms_page(*, adult: bool, number: int, per_page: int) -> Page[Counted[Tag]]:
    return _tags_page(Q(tag__type=TagType.FANDOM), adult=adult, number=number, per_page=per_page)


def canonical_tags_page(*, adult: bool, number: int, per_page: int) -> Page[Counted[Tag]]:
    """AO3's common tags, of every type, that listed works carry."""
    return _tags_page(Q(tag__canonical=True), adult=adult, number=number, per_page=per_page)


def series_page(*, adult: bool, number: int, per_page: int) -> Page[Counted[Series]]:
    """Series with at least one listed work, by title; a series whose works may not be
    listed is not listed either."""
    listed = catalog_works(adult=adult)
    series = (
        Series.objects.annotate(
            listed=Count("entries", filter=Q(entries__work__in=listed), distinct=True)
        )
        .filter(listed__gt=0)
        .order_by(Lower("title"), "pk")
    )
    total = series.count()
    number = _clamped(number, total, per_page)
    start = (number - 1) * per_page
    items = [Counted(one, one.listed) for one in series[start : start + per_page]]
    return Page(items, number, per_page, total)


def search_page(text: str, *, adult: bool, number: int, per_page: int) -> Page[Work]:
    """One page of the works the site's search finds for `text` (its query language),
    newest first. With consent this is the site's `search()` itself; without, the same
    text condition and filters in SQL with adult works left out, which `search()` has no
    filter for, so the total counts only what is listed."""
    text = strip_controls(text, " ")[:MAX_QUERY]
    query = SearchQuery(text=text, sort="updated")
    if adult:
        results = search(query, AUDIENCE, limit=per_page, offset=(number - 1) * per_page)
        clamped = _clamped(number, results.total, per_page)
        if clamped != number:
            results = search(query, AUDIENCE, limit=per_page, offset=(clamped - 1) * per_page)
        return Page([hit.work for hit in results.hits], clamped, per_page, results.total)
    found = filter_works(catalog_works(adult=False), query.filters())
    if (condition := text_condition(get_engine(), query.parsed())) is not None:
        found = found.filter(condition)
    return works_page(found, number, per_page)
