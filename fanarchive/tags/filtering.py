"""Which works a tag filter matches: the one resolution every page and filter uses.

A filter on a tag means its canonical tag, every synonym of it, and every sub tag
below it (transitively), with their synonyms. That answer is materialised per work in
FilterTagging, refreshed here; `works_under` reads it. Whether a work is a crossover
depends on the same wrangling, so `Work.crossover` is refreshed here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from fanarchive.core.rows import insert_rows
from fanarchive.search.columns import note_changed
from fanarchive.search.indexing import index_works_metadata
from fanarchive.tags.models import (
    FilterTagging,
    MetaTagging,
    SuggestedTag,
    SuggestionStatus,
    Tag,
    TagType,
    meta_closure,
)

BATCH = 1000


def works_under(tag: Tag, *, include_suggested: bool = False) -> QuerySet[FilterTagging]:
    """Work ids a filter on `tag` matches, as a subquery: given and accepted tags, and
    with `include_suggested` also pending suggestions above the threshold."""
    rows = FilterTagging.objects.filter(tag_id=tag.merger_id or tag.pk)
    if not include_suggested:
        rows = rows.filter(suggested=False)
    return rows.values("work_id")


def works_under_any(tags: Iterable[Tag], *, include_suggested: bool) -> QuerySet[FilterTagging]:
    ids = {tag.merger_id or tag.pk for tag in tags}
    rows = FilterTagging.objects.filter(tag_id__in=ids)
    if not include_suggested:
        rows = rows.filter(suggested=False)
    return rows.values("work_id")


def strong_suggestions() -> Q:
    return Q(status=SuggestionStatus.PENDING, confidence__gte=settings.SUGGESTION_THRESHOLD)


def refresh_work_filters(work_ids: Iterable[int]) -> None:
    """Rebuild the filter rows and the crossover flag of these works from their tags,
    suggestions and the current wrangling."""
    closure = meta_closure()
    for batch in _batches(sorted(set(work_ids))):
        rows: dict[tuple[int, int], bool] = {}
        fandoms: defaultdict[int, set[int]] = defaultdict(set)
        given = Tag.objects.filter(taggings__work_id__in=batch).values_list(
            "taggings__work_id", "pk", "merger_id", "type"
        )
        for work_id, tag_id, merger_id, tag_type in given:
            for filter_id in _filter_ids(merger_id or tag_id, closure):
                rows[work_id, filter_id] = False
            # Given fandoms only, as AO3 reads a work's fandoms: a suggestion may keep
            # a work from a reader, never make it a crossover.
            if tag_type == TagType.FANDOM:
                fandoms[work_id].add(merger_id or tag_id)
        suggested = SuggestedTag.objects.filter(strong_suggestions(), work_id__in=batch)
        for work_id, tag_id, merger_id in suggested.values_list(
            "work_id", "tag_id", "tag__merger_id"
        ):
            for filter_id in _filter_ids(merger_id or tag_id, closure):
                rows.setdefault((work_id, filter_id), True)
        with transaction.atomic():
            FilterTagging.objects.filter(work_id__in=batch).delete()
            insert_rows(
                FilterTagging,
                ("work", "tag", "suggested"),
                [(work, tag, suggested) for (work, tag), suggested in rows.items()],
            )
            index_works_metadata(batch)  # tag names are searchable text: follow the wrangling
            note_changed(batch)  # for the in-memory listing columns
            crossovers = {work_id for work_id, ids in fandoms.items() if is_crossover(ids, closure)}
            _store_crossovers(batch, crossovers)


def refresh_filters_for(tag_ids: Iterable[int]) -> int:
    """Rebuild the filter rows (and crossover flags) of every work a wrangling change
    to these tags can move (`works_moved_by`). Returns how many works were refreshed."""
    work_ids = works_moved_by(tag_ids)
    refresh_work_filters(work_ids)
    return len(work_ids)


def works_moved_by(tag_ids: Iterable[int]) -> set[int]:
    """The works whose filter rows a change to these tags can move: works tagged (or
    suggested) with them, their synonyms or tags below them. Read before a tag is
    deleted: the links that say so go with it."""
    affected = set(tag_ids)
    affected |= set(Tag.objects.filter(merger_id__in=affected).values_list("pk", flat=True))
    below = _sub_tags(affected)
    affected |= below | set(Tag.objects.filter(merger_id__in=below).values_list("pk", flat=True))
    work_ids = set(
        Tag.objects.filter(pk__in=affected).values_list("taggings__work_id", flat=True)
    ) | set(SuggestedTag.objects.filter(tag_id__in=affected).values_list("work_id", flat=True))
    work_ids.discard(None)
    return work_ids


def is_crossover(fandom_ids: Collection[int], closure: dict[int, set[int]]) -> bool:
    """AO3's rule (otwarchive, app/models/concerns/fandom_crossover.rb): a work is a
    crossover when no one of its fandoms is related to all the others, two fandoms
    being related when their groups (each fandom with all its meta tags, transitively)
    share a tag. `fandom_ids` are canonical: a synonym already replaced by its canonical
    tag, so a fandom and its synonym are one fandom. One fandom or none is never a
    crossover. `closure` is `meta_closure()`."""
    distinct = set(fandom_ids)
    if len(distinct) <= 1:
        return False
    groups = [_filter_ids(fandom_id, closure) for fandom_id in distinct]
    return not any(all(group & other for other in groups) for group in groups)


def _store_crossovers(batch: list[int], crossovers: set[int]) -> None:
    """Set `Work.crossover` for the works of `batch`: one UPDATE per value, touching
    only the rows whose flag changes."""
    # Late import: works.models imports this module.
    from fanarchive.works.models import Work

    in_batch = Work.objects.filter(pk__in=batch)
    in_batch.filter(pk__in=crossovers, crossover=False).update(crossover=True)
    in_batch.filter(crossover=True).exclude(pk__in=crossovers).update(crossover=False)


def _filter_ids(canonical_id: int, closure: dict[int, set[int]]) -> set[int]:
    return {canonical_id, *closure.get(canonical_id, ())}


def _sub_tags(tag_ids: set[int]) -> set[int]:
    below: set[int] = set()
    frontier = set(tag_ids)
    while frontier:
        found = set(
            MetaTagging.objects.filter(meta_tag_id__in=frontier).values_list(
                "sub_tag_id", flat=True
            )
        )
        frontier = found - below
        below |= found
    return below


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
