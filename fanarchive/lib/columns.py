"""Works as columns in memory: what listings filter, sort and count by, without SQL.

A browse of the biggest fandom in a million works, with exact counts of every tag in the
result, is a few passes over numpy arrays here; the same in SQL is a scan and a
GROUP BY over millions of filter rows (docs/performance.md). Each work is one row:

- its filter tags (canonical tags and their meta tags, as FilterTagging holds them).
  The DENSE_TAGS most common tags (ratings, warnings, categories, the big fandoms) are
  each a bitmap over the rows (bit `row % 64` of word `row // 64`); the rest a CSR
  matrix (`tag_ptr[row]:tag_ptr[row + 1]` slices `tag_ids`), and the biggest of those
  also a posting list (the rows under them, ascending). A filter on a common tag is
  then one pass over a bit per work; on a rarer one a walk of its posting list, or for
  the rarest a scan of the short CSR array. Counting the tags of a set of rows is an
  AND and a popcount per bitmap, and one gather of the rows' CSR slices;
- its strong suggested filter tags as (row, tag id) pairs, usually few;
- a few numbers (counters; dates as days since 1970) and bit flags.

About 40 bytes per work, 4 per uncommon filter tag and up to POSTING_BYTES_PER_ROW for
the posting lists: 70 to 100 bytes per work on an AO3-like archive. A changed work's
row is marked dead and a new row appended; rows are never edited in place, so a reader
holding an older `WorkColumns` is never disturbed.

Framework-free: fanarchive.search.columns loads this from the database and keeps it
current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from functools import cached_property
from itertools import pairwise

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]

DENSE_TAGS = 64
# Posting lists cost 4 bytes a row under their tag, on top of the CSR entry. All of them
# would add about 24 bytes a work on an AO3-like archive, a quarter more than the rest;
# the biggest uncommon tags (a big fandom's main characters and pairings, the common
# tropes: what readers filter on) get them until this many bytes a row are spent, and
# a filter on the long tail of small tags scans the CSR array (a millisecond or two a
# million works) instead.
POSTING_BYTES_PER_ROW = 8
# Rows' CSR slices are gathered and counted about this many entries at a time, so the
# temporaries stay a few megabytes however many rows are counted.
_GATHER_ENTRIES = 1 << 20
# How many dense tags' CSR counts tag_counts keeps (WorkColumns._base_counts): at most
# 8 bytes a tag each, so a few MB at most on a million works.
_BASES_KEPT = 8
# Bitmap words are little-endian whatever the machine, so a uint8 view of them is the
# rows in order, as np.packbits(bitorder="little") makes and np.unpackbits reads them.
_WORD = np.dtype("<u8")
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


def _offsets(values: Ints) -> npt.NDArray[np.integer]:
    """CSR offsets as uint32 while they fit: 4 bytes a work less."""
    return values.astype(np.uint32) if values[-1] < 2**32 else values


@dataclass(frozen=True)
class WorkColumns:
    work_ids: Ints = field(default_factory=lambda: _empty(np.int64))
    live: Mask = field(default_factory=lambda: _empty(np.bool_))
    numbers: dict[str, Int32s] = field(default_factory=dict)
    flags: npt.NDArray[np.uint8] = field(default_factory=lambda: _empty(np.uint8))
    language_codes: npt.NDArray[np.uint16] = field(default_factory=lambda: _empty(np.uint16))
    language_names: tuple[str, ...] = ()
    dense_tags: Int32s = field(default_factory=lambda: _empty(np.int32))
    """Tag id of each row of `dense_bits`."""
    dense_bits: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros((0, 0), _WORD))
    """A bitmap of the rows under each dense tag: bit `row % 64` of word `row // 64`.
    Tag by tag rather than a word of tags per row: counting a tag over a set of rows is
    then an AND and a popcount of 64 rows at a time, whatever the set's size."""
    tag_ptr: npt.NDArray[np.integer] = field(default_factory=lambda: np.zeros(1, np.uint32))
    """CSR offsets into `tag_ids`: uint32 while they fit (4 bytes a work less), else
    int64."""
    tag_ids: Int32s = field(default_factory=lambda: _empty(np.int32))
    """The uncommon filter tags of each row (CSR)."""
    posting_tags: Int32s = field(default_factory=lambda: _empty(np.int32))
    """The uncommon tags with a posting list, ascending (see POSTING_BYTES_PER_ROW)."""
    posting_ptr: Ints = field(default_factory=lambda: np.zeros(1, np.int64))
    postings: Int32s = field(default_factory=lambda: _empty(np.int32))
    """The rows under each of `posting_tags` (`posting_ptr[i]:posting_ptr[i + 1]`),
    ascending, dead rows among them."""
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
    _bases: dict[int, tuple[Int32s, Int32s]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Dense tag -> its rows' CSR counts (`_base_counts`), least recently used first."""

    @classmethod
    def of(cls, rows: WorkRows) -> WorkColumns:
        """Columns for these rows, the DENSE_TAGS most common of their tags as bitmaps,
        and posting lists for the next most common (POSTING_BYTES_PER_ROW)."""
        counts = np.bincount(rows.tag_ids) if len(rows.tag_ids) else _empty(np.int64)
        by_count = np.argsort(-counts, kind="stable")
        by_count = by_count[counts[by_count] > 0]
        dense = np.sort(by_count[:DENSE_TAGS]).astype(np.int32)
        rest = by_count[DENSE_TAGS:]
        budget = POSTING_BYTES_PER_ROW * len(rows.work_ids) // 4
        posted = rest[: np.searchsorted(np.cumsum(counts[rest]), budget, side="right")]
        return cls(
            dense_tags=dense,
            dense_bits=np.zeros((len(dense), 0), _WORD),
            posting_tags=np.sort(posted).astype(np.int32),
            posting_ptr=np.zeros(len(posted) + 1, np.int64),
        ).with_rows(rows, replacing=rows.work_ids)

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
        dense_bits, entry_rows, tag_ids = self._split(rows, start)
        tag_ptr = np.zeros(len(rows.work_ids) + 1, np.int64)
        np.cumsum(np.bincount(entry_rows, minlength=len(rows.work_ids)), out=tag_ptr[1:])
        posting_ptr, postings = self._posted(entry_rows + start, tag_ids)
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
            dense_bits=dense_bits,
            tag_ptr=_offsets(np.concatenate([self.tag_ptr, int(self.tag_ptr[-1]) + tag_ptr[1:]])),
            tag_ids=np.concatenate([self.tag_ids, tag_ids]),
            posting_tags=self.posting_tags,
            posting_ptr=posting_ptr,
            postings=postings,
            suggested_rows=np.concatenate(
                [self.suggested_rows, rows.suggested_rows + np.int32(start)]
            ),
            suggested_tag_ids=np.concatenate([self.suggested_tag_ids, rows.suggested_tag_ids]),
            row_of=row_of,
            tag_kinds=tag_kinds,
            chapter_work=chapter_work,
            chapter_position=chapter_position,
        )

    def _split(self, rows: WorkRows, start: int) -> tuple[npt.NDArray[np.uint64], Ints, Int32s]:
        """The bitmaps with the rows' dense tags added (the rows numbered from
        `start`), and the row (within `rows`) and tag id of each of their other tags."""
        lengths = np.diff(rows.tag_ptr)
        entry_rows = np.repeat(np.arange(len(lengths)), lengths)
        bit = np.searchsorted(self.dense_tags, rows.tag_ids)
        is_dense = bit < len(self.dense_tags)
        is_dense[is_dense] = self.dense_tags[bit[is_dense]] == rows.tag_ids[is_dense]
        words = -(-(start + len(lengths)) // 64)
        bits = np.zeros((len(self.dense_tags), words), _WORD)
        bits[:, : self.dense_bits.shape[1]] = self.dense_bits
        at = entry_rows[is_dense] + start
        np.bitwise_or.at(
            bits.reshape(-1),
            bit[is_dense] * words + at // 64,
            np.left_shift(np.uint64(1), (at % 64).astype(np.uint64)),
        )
        return bits, entry_rows[~is_dense], rows.tag_ids[~is_dense]

    def _posted(self, entry_rows: Ints, tag_ids: Int32s) -> tuple[Ints, Int32s]:
        """`posting_ptr` and `postings` with these (row, tag) entries added. The rows
        are new, after every row the lists hold, so each goes at the end of its tag's
        list, in row order."""
        slot = np.searchsorted(self.posting_tags, tag_ids)
        posted = slot < len(self.posting_tags)
        posted[posted] = self.posting_tags[slot[posted]] == tag_ids[posted]
        slot, entry_rows = slot[posted], entry_rows[posted]
        order = np.argsort(slot, kind="stable")
        postings = np.insert(
            self.postings, self.posting_ptr[slot[order] + 1], entry_rows[order].astype(np.int32)
        )
        added = np.zeros(len(self.posting_ptr), np.int64)
        np.cumsum(np.bincount(slot, minlength=len(self.posting_tags)), out=added[1:])
        return self.posting_ptr + added, postings

    def _rows_of(self, work_ids: Ints) -> Ints:
        known = work_ids[(work_ids >= 0) & (work_ids < len(self.row_of))]
        rows = self.row_of[known]
        return rows[rows >= 0].astype(np.int64)

    @property
    def rows(self) -> int:
        return len(self.work_ids)

    @property
    def dead_rows(self) -> int:
        return int(len(self.live) - np.count_nonzero(self.live))

    @property
    def nbytes(self) -> int:
        """Bytes held, counts kept for tag_counts among them."""
        arrays = [
            self.work_ids,
            self.live,
            self.flags,
            self.language_codes,
            self.dense_bits,
            self.tag_ptr,
            self.tag_ids,
            self.posting_tags,
            self.posting_ptr,
            self.postings,
            self.suggested_rows,
            self.suggested_tag_ids,
            self.row_of,
            self.tag_kinds,
            self.chapter_work,
            self.chapter_position,
            *self.numbers.values(),
            *(array for kept in list(self._bases.values()) for array in kept),
        ]
        return sum(array.nbytes for array in arrays)

    # Asking -------------------------------------------------------------------------

    def under_any(self, tag_ids: Iterable[int], *, include_suggested: bool) -> Mask:
        """Rows under any of these filter tags (given or accepted; and strong
        suggestions with `include_suggested`)."""
        wanted = np.unique(np.fromiter(tag_ids, np.int32))
        if not len(wanted):
            return np.zeros(self.rows, np.bool_)
        dense = np.isin(self.dense_tags, wanted)
        if dense.any():
            found = self._unpacked(np.bitwise_or.reduce(self.dense_bits[dense], axis=0))
        else:
            found = np.zeros(self.rows, np.bool_)
        sparse = wanted[~np.isin(wanted, self.dense_tags)]
        slot = np.searchsorted(self.posting_tags, sparse)
        posted = slot < len(self.posting_tags)
        posted[posted] = self.posting_tags[slot[posted]] == sparse[posted]
        for index in slot[posted]:
            found[self.postings[self.posting_ptr[index] : self.posting_ptr[index + 1]]] = True
        scanned = sparse[~posted]
        if len(scanned):
            hits = (
                self.tag_ids == scanned[0] if len(scanned) == 1 else np.isin(self.tag_ids, scanned)
            )
            entries = np.flatnonzero(hits).astype(self.tag_ptr.dtype)
            found[np.searchsorted(self.tag_ptr, entries, side="right") - 1] = True
        if include_suggested and len(self.suggested_tag_ids):
            found[self.suggested_rows[np.isin(self.suggested_tag_ids, wanted)]] = True
        return found

    def _unpacked(self, words: npt.NDArray[np.uint64]) -> Mask:
        """A bitmap as a row mask."""
        return np.unpackbits(words.view(np.uint8), count=self.rows, bitorder="little").view(
            np.bool_
        )

    def _packed(self, mask: Mask) -> npt.NDArray[np.uint64]:
        """A row mask as a bitmap the size of `dense_bits`' rows."""
        packed = np.zeros(self.dense_bits.shape[1] * 8, np.uint8)
        packed[: -(-self.rows // 8)] = np.packbits(mask, bitorder="little")
        return packed.view(_WORD)

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
        return (self.flags & np.uint8(Flag.POSTED | hidden)) == Flag.POSTED

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
        values = self.numbers[SORT_FIELDS[sort]][rows]
        if end < len(rows):
            # Only rows with at least the end-th greatest value can be on the page: the
            # exact keys are made for those alone (more than `end` of them on ties).
            least = np.partition(values, len(values) - end)[len(values) - end]
            keep = values >= least
            rows, values = rows[keep], values[keep]
        shifted = (values.astype(np.int64) + _KEY_SHIFT).astype(np.uint64)
        keys = (shifted << _ID_BITS) | self.work_ids[rows].astype(np.uint64)
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
        """(tag ids, works) for every filter tag on at least one live row of `mask`,
        counting given and accepted tags (not suggestions)."""
        mask = mask & self.live
        packed = self._packed(mask)
        dense = np.bitwise_count(np.bitwise_and(self.dense_bits, packed)).sum(
            axis=1, dtype=np.int64
        )
        sparse = self._csr_counts(mask, packed, dense)
        counts = np.zeros(max(len(sparse), int(self.dense_tags.max(initial=-1)) + 1), np.int64)
        counts[: len(sparse)] = sparse
        counts[self.dense_tags] += dense
        present = np.flatnonzero(counts)
        return present.astype(np.int64), counts[present]

    def _csr_counts(
        self, mask: Mask, packed: npt.NDArray[np.uint64], dense: Ints
    ) -> npt.NDArray[np.int64]:
        """How many rows of `mask` are under each tag of the CSR part (by tag id, as
        long as `_tag_span`). That costs a gather of every row's CSR slice, so of the
        fewest rows that tell: `mask`'s own; or, counted once for all rows or for a
        dense tag's rows (a fandom browsed, say) that hold `mask`, those counts less the
        counts of the rows of that set not in `mask`."""
        chosen = int(np.count_nonzero(mask))
        # Under a dense tag on as many rows of `mask` as `mask` has: a set holding it.
        holding = np.flatnonzero(dense == chosen)
        base = int(holding[np.argmin(self._dense_sizes[holding])]) if len(holding) else -1
        outside = int(self._dense_sizes[base]) - chosen if base >= 0 else self.rows
        if self.rows - chosen < min(chosen, outside):
            return self._tag_totals - self._gathered(np.flatnonzero(~mask))
        if outside < chosen:
            rest = self._unpacked(np.bitwise_and(self.dense_bits[base], ~packed))
            return self._base_counts(base) - self._gathered(np.flatnonzero(rest))
        return self._gathered(np.flatnonzero(mask))

    def _gathered(self, rows: Ints) -> npt.NDArray[np.int64]:
        """How many of `rows` are under each tag of the CSR part (by tag id, as long as
        `_tag_span`)."""
        counts = np.zeros(self._tag_span, np.int64)
        ends = np.cumsum(self.tag_ptr[rows + 1] - self.tag_ptr[rows].astype(np.int64))
        total = int(ends[-1]) if len(ends) else 0
        cuts = [0, *np.searchsorted(ends, np.arange(_GATHER_ENTRIES, total, _GATHER_ENTRIES))]
        for low, high in pairwise([*cuts, len(rows)]):
            entries = self._entries(rows[low:high])
            counts += np.bincount(np.take(self.tag_ids, entries), minlength=len(counts))
        return counts

    def _base_counts(self, bit: int) -> npt.NDArray[np.int64]:
        """`_gathered` of every row (dead ones too) under dense tag `bit`, kept for the
        next count within it. The few last asked for are kept, as (tag id, rows) of
        the tags present: a fandom's works carry a small part of all tags."""
        # Without a lock: each step is one dict operation, which threads cannot tear;
        # at worst two threads count the same base, or one more base is kept a while.
        kept = self._bases.pop(bit, None)
        if kept is None:
            counts = self._gathered(np.flatnonzero(self._unpacked(self.dense_bits[bit])))
            present = np.flatnonzero(counts)
            kept = present.astype(np.int32), counts[present].astype(np.int32)
        self._bases[bit] = kept
        for stale in list(self._bases)[:-_BASES_KEPT]:
            self._bases.pop(stale, None)
        counts = np.zeros(self._tag_span, np.int64)
        counts[kept[0]] = kept[1]
        return counts

    @cached_property
    def _dense_sizes(self) -> Ints:
        """How many rows, dead ones too, are under each dense tag."""
        return np.bitwise_count(self.dense_bits).sum(axis=1, dtype=np.int64)

    def _entries(self, rows: Ints) -> Ints:
        """Where in `tag_ids` the tags of these rows are."""
        starts = self.tag_ptr[rows].astype(np.int64)
        lengths = self.tag_ptr[rows + 1] - starts
        ends = np.cumsum(lengths)
        if not len(ends) or not ends[-1]:
            return _empty(np.int64)
        # Entry k of the gathered tags is entry k - (the gathered before its row) of its
        # row's slice.
        return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1])

    @cached_property
    def _tag_totals(self) -> Ints:
        """How many rows, dead ones too, are under each tag of the CSR part."""
        return np.bincount(self.tag_ids, minlength=self._tag_span)

    @cached_property
    def _tag_span(self) -> int:
        """One more than the greatest tag id of the CSR part: the length of counts."""
        return int(self.tag_ids.max(initial=-1)) + 1
