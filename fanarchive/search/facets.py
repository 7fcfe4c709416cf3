"""Facets: for every work a search finds, how many carry each tag, per tag type.

Counts are exact over the whole result set (not the page), from the in-memory columns
(search/columns.py): a work counts under each filter tag it is found under, so a
canonical tag's count includes its synonyms and sub tags, as filtering on it would
find. Suggested tags are not counted: a facet says what creators and wranglers gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from fanarchive.search.columns import TAG_KINDS
from fanarchive.search.columns import current as current_columns
from fanarchive.search.service import SearchQuery, matching_rows
from fanarchive.tags.models import DISPLAY_ORDER, Tag, TagType

if TYPE_CHECKING:
    from fanarchive.lib.columns import Audience, WorkColumns

FACET_LIMIT = 30
# How many a "show more" lists; past this, the reader narrows the search.
FACET_MORE_LIMIT = 500
# AO3's sidebar, in its meta block's order. Media tags are not filtered on there.
FACET_TYPES = tuple(DISPLAY_ORDER)


@dataclass(frozen=True)
class FacetCount:
    tag: Tag
    works: int

    @property
    def value(self) -> str:
        """The tag as a filter value (`type:Name`), for include and exclude links."""
        return f"{self.tag.type}:{self.tag.name}"


@dataclass(frozen=True)
class FacetGroup:
    tag_type: str
    """A TagType value."""
    counts: list[FacetCount]
    """Most works first (then by name), at most the limit asked for."""
    total_tags: int
    """How many tags of this type the result set has in all (for "show more")."""

    @property
    def label(self) -> str:
        return TagType(self.tag_type).label

    @property
    def more(self) -> int:
        return self.total_tags - len(self.counts)


def facet_counts(
    query: SearchQuery,
    audience: Audience,
    *,
    limit: int | None = FACET_LIMIT,
    expand: str | None = None,
    columns: WorkColumns | None = None,
    only: tuple[str, ...] = FACET_TYPES,
) -> list[FacetGroup]:
    """Exact per-tag counts over every work `audience` may see that `query` finds; the
    `limit` most common tags of each type (all with None; FACET_MORE_LIMIT of the type
    `expand`).
    `columns`: a snapshot to count from (by default, the current one); `only`: the tag
    types wanted."""
    columns = columns or current_columns()
    tag_ids, works = columns.tag_counts(matching_rows(query, audience, columns))
    kinds = columns.kinds_of(tag_ids)
    chosen: dict[str, tuple[np.ndarray, int]] = {}
    for tag_type in only:
        of_type = np.flatnonzero(kinds == TAG_KINDS[tag_type])
        shown = FACET_MORE_LIMIT if tag_type == expand else limit
        # Most works first; among equals the older tag, so the cut at `shown` is stable.
        order = of_type[np.lexsort((tag_ids[of_type], -works[of_type]))][:shown]
        chosen[tag_type] = (order, len(of_type))
    wanted = np.concatenate([order for order, _ in chosen.values()]) if chosen else []
    tags = Tag.objects.in_bulk([int(tag_ids[index]) for index in wanted])
    groups = []
    for tag_type, (order, total) in chosen.items():
        counts = [
            FacetCount(tags[int(tag_ids[index])], int(works[index]))
            for index in order
            if int(tag_ids[index]) in tags
        ]
        counts.sort(key=lambda count: (-count.works, count.tag.name.casefold()))
        groups.append(FacetGroup(tag_type, counts, total))
    return groups


def fandom_counts(audience: Audience) -> list[FacetCount]:
    """Every fandom with a work `audience` may see, with how many, alphabetically. A
    synonym's works count under its canonical fandom, a sub fandom's also under its
    meta fandom, as filtering on each would find them."""
    [fandoms] = facet_counts(SearchQuery(), audience, limit=None, only=(TagType.FANDOM,))
    return sorted(fandoms.counts, key=lambda count: (count.tag.name.casefold(), count.tag.pk))


def top_fandoms(audience: Audience, limit: int = 10) -> list[FacetCount]:
    """The `limit` fandoms with the most works `audience` may see, most first."""
    [fandoms] = facet_counts(SearchQuery(), audience, limit=limit, only=(TagType.FANDOM,))
    return fandoms.counts
