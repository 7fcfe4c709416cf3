"""Works as columns in memory: what listings filter, sort and count by, without SQL.

A browse of the biggest fandom in a million works, with exact counts of every tag in the
result, is a few passes over numpy arrays here; the same in SQL is a scan and a
GROUP BY over millions of filter rows (docs/performance.md). Each work is one row:

- its filter tags (canonical tags and their meta tags, as FilterTagging holds them).
  The DENSE_TAGS most common tags (ratings, warnings, categories, the big fandoms) are
  bits of one uint64 per row; the rest a CSR matrix (`tag_ptr[row]:tag_ptr[row + 1]`
  slices `tag_ids`). A filter on a common tag is then one pass over a bit per work, and
  on a rare one a scan of the short CSR array;
- its strong suggested filter tags as (row, tag id) pairs, usually few;
- a few numbers (counters; dates as days since 1970) and bit flags.

About 40 bytes per work plus 4 per uncommon filter tag: 60 to 70 bytes per work on an
AO3-like archive. A changed work's row is marked dead and a new row appended; rows are
never edited in place, so a reader holding an older `WorkColumns` is never disturbed.

Framework-free: fanarchive.search.columns loads this from the database and keeps it
current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]

DENSE_TAGS = 64
# Listing sorts the columns serve: each is its field descending, then id descending.
SORT_FIELDS = {
    "updated": "updated",
    "posted": "published",
    "words": "word_count",
    "hits": "hits",
    "kudos": "kudos",
    "bookmarks": "bookmarks",
    "comments": "comments",
}
# Dates before 1970 are negative days; shifted so every sort key is a non-negative
# number that packs above a 32-bit work id in one uint64.
_KEY_SHIFT = 1 << 31
_ID_BITS = np.uint64(32)


class Flag(IntFlag):
    POSTED = 1
    HIDDEN = 2
    RESTRICTED = 4
    COMPLETE = 8
    SINGLE_CHAPTER = 16
    CROSSOVER = 32
    RATED = 64
    """Has a rating tag at all: "Not Rated" also finds works with none."""


class Audience(IntEnum):
    """Who is looking: what works.models.WorkQuerySet.for_audience lets each see."""

    PUBLIC = 0
    """Posted, not hidden, not restricted."""
    MEMBER = 1
    """Posted, not hidden: a logged-in reader, or the operator's command line."""
    STAFF = 2
    """Everything."""


@dataclass(frozen=True)
class WorkRows:
    """Rows for some works, as a load from the database yields them."""

    work_ids: Ints
    numbers: dict[str, Int32s]
    flags: npt.NDArray[np.uint8]
    languages: Sequence[str]
    """Each work's language, casefolded."""
    tag_ptr: Ints
    tag_ids: Int32s
    """Every given filter tag of each row (CSR, sliced by tag_ptr)."""
    suggested_rows: Int32s
    """Row (index into work_ids) of each strong suggested filter tag."""
    suggested_tag_ids: Int32s
    tag_kinds: dict[int, int] = field(default_factory=dict)
    """Tag id -> a small number for its type, for at least every tag of these rows."""
    chapters: Ints = field(default_factory=lambda: np.zeros((0, 3), np.int64))
    """(chapter id, work id, position) of every chapter of these works."""


@dataclass(frozen=True)
class Selection:
    """What a listing asks of the columns. Tag groups are filter tag ids (canonical):
    a work must be under some tag of every `include` group and under no tag of any
    `exclude` group."""

    audience: Audience = Audience.PUBLIC
    include: tuple[tuple[int, ...], ...] = ()
    exclude: tuple[tuple[int, ...], ...] = ()
    include_suggested: bool = False
    rating_tags: tuple[int, ...] | None = None
    """None: no rating filter. Otherwise works under any of these tags..."""
    unrated: bool = False
    """...or, with `unrated`, works with no rating tag at all."""
    complete: bool | None = None
    single_chapter: bool = False
    crossover: bool | None = None
    language: str = ""
    ranges: tuple[tuple[str, int | None, int | None], ...] = ()
    """(number field, low, high), both inclusive; dates as days since 1970."""
    within: Mask | None = None
    """Only these rows (a full-text match, say), or None for no such condition."""


def _empty(dtype: type) -> npt.NDArray:
    return np.zeros(0, dtype)


@dataclass(frozen=True)
class WorkColumns:
    work_ids: Ints = field(default_factory=lambda: _empty(np.int64))
    live: Mask = field(default_factory=lambda: _empty(np.bool_))
    numbers: dict[str, Int32s] = field(default_factory=dict)
    flags: npt.NDArray[np.uint8] = field(default_factory=lambda: _empty(np.uint8))
    language_codes: npt.NDArray[np.uint16] = field(default_factory=lambda: _empty(np.uint16))
    language_names: tuple[str, ...] = ()
    dense_tags: Int32s = field(default_factory=lambda: _empty(np.int32))
    """Tag id of each bit of `dense_bits`."""
    dense_bits: npt.NDArray[np.uint64] = field(default_factory=lambda: _empty(np.uint64))
    tag_ptr: Ints = field(default_factory=lambda: np.zeros(1, np.int64))
    tag_ids: Int32s = field(default_factory=lambda: _empty(np.int32))
    """The uncommon filter tags of each row (CSR)."""
    suggested_rows: Int32s = field(default_factory=lambda: _empty(np.int32))
    suggested_tag_ids: Int32s = field(default_factory=lambda: _empty(np.int32))
    row_of: Int32s = field(default_factory=lambda: _empty(np.int32))
    """Work id -> its live row, or -1."""
    tag_kinds: npt.NDArray[np.uint8] = field(default_factory=lambda: _empty(np.uint8))
    """Tag id -> its type's number (WorkRows.tag_kinds), 0 if unknown."""
    chapter_work: Int32s = field(default_factory=lambda: _empty(np.int32))
    """Chapter id -> its work's id (0 if unknown): the full-text index names chapters,
    and reading a work id from it would read the chapter's text."""
    chapter_position: npt.NDArray[np.uint32] = field(default_factory=lambda: _empty(np.uint32))

    @classmethod
    def of(cls, rows: WorkRows) -> WorkColumns:
        """Columns for these rows, the DENSE_TAGS most common of their tags as bits."""
        counts = np.bincount(rows.tag_ids) if len(rows.tag_ids) else _empty(np.int64)
        common = np.argsort(-counts, kind="stable")[:DENSE_TAGS]
        dense = np.sort(common[counts[common] > 0]).astype(np.int32)
        return cls(dense_tags=dense).with_rows(rows, replacing=rows.work_ids)

    # Keeping current ----------------------------------------------------------------

    def with_rows(self, rows: WorkRows, *, replacing: Ints) -> WorkColumns:
        """A copy where the works in `replacing` are what `rows` says: their old rows
        dead and `rows` appended (a work in `replacing` missing from `rows` was
        deleted)."""
        names = list(self.language_names)
        known = {name: code for code, name in enumerate(names)}
        codes = np.empty(len(rows.languages), np.uint16)
        for index, language in enumerate(rows.languages):
            if (code := known.get(language)) is None:
                code = known[language] = len(names)
                names.append(language)
            codes[index] = code
        start = len(self.work_ids)
        killed = self._rows_of(replacing)
        live = self.live.copy()
        live[killed] = False
        work_ids = np.concatenate([self.work_ids, rows.work_ids])
        row_of = np.full(max(int(work_ids.max(initial=-1)) + 1, len(self.row_of)), -1, np.int32)
        row_of[: len(self.row_of)] = self.row_of
        row_of[self.work_ids[killed]] = -1
        row_of[rows.work_ids] = np.arange(start, start + len(rows.work_ids), dtype=np.int32)
        bits, tag_ptr, tag_ids = self._split(rows)
        kinds_ids = np.fromiter(rows.tag_kinds, np.int64, len(rows.tag_kinds))
        tag_kinds = np.zeros(max(int(kinds_ids.max(initial=-1)) + 1, len(self.tag_kinds)), np.uint8)
        tag_kinds[: len(self.tag_kinds)] = self.tag_kinds
        tag_kinds[kinds_ids] = np.fromiter(rows.tag_kinds.values(), np.uint8, len(kinds_ids))
        chapter_ids = rows.chapters[:, 0]
        size = max(int(chapter_ids.max(initial=-1)) + 1, len(self.chapter_work))
        chapter_work = np.zeros(size, np.int32)
        chapter_work[: len(self.chapter_work)] = self.chapter_work
        chapter_work[chapter_ids] = rows.chapters[:, 1]
        chapter_position = np.zeros(size, np.uint32)
        chapter_position[: len(self.chapter_position)] = self.chapter_position
        chapter_position[chapter_ids] = rows.chapters[:, 2]
        return WorkColumns(
            work_ids=work_ids,
            live=np.concatenate([live, np.ones(len(rows.work_ids), np.bool_)]),
            numbers={
                name: np.concatenate([self.numbers.get(name, _empty(np.int32)), values])
                for name, values in rows.numbers.items()
            },
            flags=np.concatenate([self.flags, rows.flags]),
            language_codes=np.concatenate([self.language_codes, codes]),
            language_names=tuple(names),
            dense_tags=self.dense_tags,
            dense_bits=np.concatenate([self.dense_bits, bits]),
            tag_ptr=np.concatenate([self.tag_ptr, self.tag_ptr[-1] + tag_ptr[1:]]),
            tag_ids=np.concatenate([self.tag_ids, tag_ids]),
            suggested_rows=np.concatenate(
                [self.suggested_rows, rows.suggested_rows + np.int32(start)]
            ),
            suggested_tag_ids=np.concatenate([self.suggested_tag_ids, rows.suggested_tag_ids]),
            row_of=row_of,
            tag_kinds=tag_kinds,
            chapter_work=chapter_work,
            chapter_position=chapter_position,
        )

    def _split(self, rows: WorkRows) -> tuple[npt.NDArray[np.uint64], Ints, Int32s]:
        """The rows' tags as dense bits and the CSR of the rest."""
        lengths = np.diff(rows.tag_ptr)
        entry_rows = np.repeat(np.arange(len(lengths)), lengths)
        bit = np.searchsorted(self.dense_tags, rows.tag_ids)
        is_dense = bit < len(self.dense_tags)
        is_dense[is_dense] = self.dense_tags[bit[is_dense]] == rows.tag_ids[is_dense]
        bits = np.zeros(len(lengths), np.uint64)
        np.bitwise_or.at(
            bits, entry_rows[is_dense], np.left_shift(np.uint64(1), bit[is_dense].astype(np.uint64))
        )
        sparse_lengths = np.bincount(entry_rows[~is_dense], minlength=len(lengths))
        tag_ptr = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(sparse_lengths, out=tag_ptr[1:])
        return bits, tag_ptr, rows.tag_ids[~is_dense]

    def _rows_of(self, work_ids: Ints) -> Ints:
        known = work_ids[(work_ids >= 0) & (work_ids < len(self.row_of))]
        rows = self.row_of[known]
        return rows[rows >= 0].astype(np.int64)

    @property
    def _bits(self) -> range:
        return range(len(self.dense_tags))

    @property
    def rows(self) -> int:
        return len(self.work_ids)

    @property
    def dead_rows(self) -> int:
        return int(len(self.live) - np.count_nonzero(self.live))

    @property
    def nbytes(self) -> int:
        arrays = [
            self.work_ids,
            self.live,
            self.flags,
            self.language_codes,
            self.dense_bits,
            self.tag_ptr,
            self.tag_ids,
            self.suggested_rows,
            self.suggested_tag_ids,
            self.row_of,
            self.tag_kinds,
            self.chapter_work,
            self.chapter_position,
            *self.numbers.values(),
        ]
        return sum(array.nbytes for array in arrays)

    # Asking -------------------------------------------------------------------------

    def under_any(self, tag_ids: Iterable[int], *, include_suggested: bool) -> Mask:
        """Rows under any of these filter tags (given or accepted; and strong
        suggestions with `include_suggested`)."""
        wanted = np.unique(np.fromiter(tag_ids, np.int32))
        found = np.zeros(self.rows, np.bool_)
        if not len(wanted):
            return found
        dense = np.isin(self.dense_tags, wanted)
        if dense.any():
            bits = np.uint64(0)
            for bit in np.flatnonzero(dense):
                bits |= np.uint64(1) << np.uint64(bit)
            found |= (self.dense_bits & bits) != 0
        sparse = wanted[~np.isin(wanted, self.dense_tags)]
        if len(sparse):
            hits = self.tag_ids == sparse[0] if len(sparse) == 1 else np.isin(self.tag_ids, sparse)
            found[np.searchsorted(self.tag_ptr, np.flatnonzero(hits), side="right") - 1] = True
        if include_suggested and len(self.suggested_tag_ids):
            found[self.suggested_rows[np.isin(self.suggested_tag_ids, wanted)]] = True
        return found

    def select(self, selection: Selection) -> Mask:
        """The rows a listing shows: live, visible to its audience, and matching."""
        mask = self.live & self._visible(selection.audience)
        flags = self.flags
        for group in selection.include:
            mask &= self.under_any(group, include_suggested=selection.include_suggested)
        for group in selection.exclude:
            mask &= ~self.under_any(group, include_suggested=True)
        if selection.rating_tags is not None:
            rated = self.under_any(
                selection.rating_tags, include_suggested=selection.include_suggested
            )
            if selection.unrated:
                rated |= (flags & Flag.RATED) == 0
            mask &= rated
        if selection.complete is not None:
            mask &= ((flags & Flag.COMPLETE) != 0) == selection.complete
        if selection.single_chapter:
            mask &= (flags & Flag.SINGLE_CHAPTER) != 0
        if selection.crossover is not None:
            mask &= ((flags & Flag.CROSSOVER) != 0) == selection.crossover
        if selection.language:
            mask &= self._language_is(selection.language.casefold())
        for name, low, high in selection.ranges:
            values = self.numbers[name]
            if low is not None:
                mask &= values >= low
            if high is not None:
                mask &= values <= high
        if selection.within is not None:
            mask &= selection.within
        return mask

    def _visible(self, audience: Audience) -> Mask:
        if audience == Audience.STAFF:
            return np.ones(self.rows, np.bool_)
        hidden = Flag.HIDDEN | (Flag.RESTRICTED if audience == Audience.PUBLIC else 0)
        return (self.flags & Flag.POSTED != 0) & (self.flags & hidden == 0)

    def _language_is(self, language: str) -> Mask:
        codes = [code for code, name in enumerate(self.language_names) if name == language]
        return np.isin(self.language_codes, codes)

    def chapters_of(self, chapter_ids: Ints) -> tuple[Ints, Ints]:
        """(work id, position) of each chapter; work id 0 for a chapter not known."""
        known = chapter_ids < len(self.chapter_work)
        works = np.zeros(len(chapter_ids), np.int64)
        positions = np.zeros(len(chapter_ids), np.int64)
        works[known] = self.chapter_work[chapter_ids[known]]
        positions[known] = self.chapter_position[chapter_ids[known]]
        return works, positions

    def rows_for(self, work_ids: Ints) -> Mask:
        """The live rows of these works."""
        found = np.zeros(self.rows, np.bool_)
        found[self._rows_of(work_ids)] = True
        return found

    def top(self, mask: Mask, sort: str, *, limit: int, offset: int = 0) -> Ints:
        """Work ids of rows `offset` to `offset + limit` of `mask` in `sort` order
        (its field descending, then work id descending, as the SQL listing orders)."""
        rows = np.flatnonzero(mask)
        end = min(len(rows), offset + limit)
        if offset >= end:
            return _empty(np.int64)
        values = self.numbers[SORT_FIELDS[sort]][rows].astype(np.int64) + _KEY_SHIFT
        keys = (values.astype(np.uint64) << _ID_BITS) | self.work_ids[rows].astype(np.uint64)
        if end < len(keys):
            keys = keys[np.argpartition(keys, len(keys) - end)[len(keys) - end :]]
        ordered = np.sort(keys)[::-1][offset:end]
        return (ordered & np.uint64(0xFFFFFFFF)).astype(np.int64)

    def kinds_of(self, tag_ids: Ints) -> npt.NDArray[np.uint8]:
        known = np.zeros(len(tag_ids), np.uint8)
        inside = tag_ids < len(self.tag_kinds)
        known[inside] = self.tag_kinds[tag_ids[inside]]
        return known

    def tag_counts(self, mask: Mask) -> tuple[Ints, Ints]:
        """(tag ids, works) for every filter tag on at least one row of `mask`, counting
        given and accepted tags (not suggestions)."""
        entries = np.repeat(mask, np.diff(self.tag_ptr))
        sparse = np.bincount(self.tag_ids[entries])
        chosen = self.dense_bits[mask]
        dense = np.array(
            [np.count_nonzero(chosen & (np.uint64(1) << np.uint64(bit))) for bit in self._bits],
            np.int64,
        )
        counts = np.zeros(max(len(sparse), int(self.dense_tags.max(initial=-1)) + 1), np.int64)
        counts[: len(sparse)] = sparse
        counts[self.dense_tags] += dense
        present = np.flatnonzero(counts)
        return present.astype(np.int64), counts[present]
