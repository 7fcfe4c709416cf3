"""Micro-benchmark: the in-memory work columns (fanarchive/lib/columns.py) on a browse.

The search benchmark (bench/search.py) times a browse through the whole app: the
database, the page's works, the facets' tags. This times only what the columns do for
it, on the same synthetic archive (bench/synthetic.py) but without a database, so a
change to the columns can be measured in a minute instead of an hour:

    .venv/bin/python bench/columns.py --works 1000000

A browse is the biggest fandom minus one of the 60 tags most common among its works,
sorted by kudos, top 20, with exact counts of every tag (as bench/search.py plans it).
Per step, p50 / p95 in milliseconds:

    select      WorkColumns.select (what search.service.matching_rows asks);
    top         WorkColumns.top by kudos, 20 rows;
    tag_counts  WorkColumns.tag_counts of the selection (what facets count);
    facet_sort  facets.facet_counts' per-type ordering of those counts;

and the numpy floor of bench/search.py (a CSR array of tag ids, its transpose, and one
bincount) for comparison. Every browse's counts are checked against the floor's.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import FIRST_DAY, LANGUAGE_WEIGHTS, SyntheticArchive
from fanarchive.lib.columns import (
    Audience,
    Flag,
    Selection,
    WorkColumns,
    WorkRows,
)

PAGE = 20
WARMUP = 3
# Synthetic tag i is tag id i + 1, as the benchmark's import numbers them.
TAG_OFFSET = 1
# A share of works hidden by an admin or restricted, so the audience test does work.
HIDDEN_RATE = 0.005
RESTRICTED_RATE = 0.05
TYPES = ("rating", "warning", "category", "fandom", "relationship", "character", "freeform")


def work_rows(archive: SyntheticArchive, seed: int) -> WorkRows:
    """The archive as search.columns.load_rows would read it from the database."""
    n = archive.works
    rng = np.random.default_rng([seed, 7])
    flags = np.full(n, Flag.POSTED | Flag.RATED, np.uint8)
    flags[archive.complete] |= np.uint8(Flag.COMPLETE)
    flags[archive.chapter_counts == 1] |= np.uint8(Flag.SINGLE_CHAPTER)
    flags[archive.second_fandom >= 0] |= np.uint8(Flag.CROSSOVER)
    flags[rng.random(n) < HIDDEN_RATE] |= np.uint8(Flag.HIDDEN)
    flags[rng.random(n) < RESTRICTED_RATE] |= np.uint8(Flag.RESTRICTED)
    epoch = (FIRST_DAY - datetime.date(1970, 1, 1)).days
    numbers = {
        "word_count": archive.word_counts,
        "hits": archive.hits,
        "kudos": archive.kudos,
        "bookmarks": archive.bookmarks,
        "comments": archive.comments,
        "published": archive.published_days + epoch,
        "updated": archive.updated_days + epoch,
    }
    names = list(LANGUAGE_WEIGHTS)
    chapters = archive.chapter_counts
    owners = np.repeat(np.arange(n, dtype=np.int64), chapters)
    starts = np.cumsum(chapters) - chapters
    positions = np.arange(len(owners)) - np.repeat(starts, chapters) + 1
    return WorkRows(
        work_ids=np.arange(1, n + 1, dtype=np.int64),
        numbers={name: values.astype(np.int32) for name, values in numbers.items()},
        flags=flags,
        languages=[names[code] for code in archive.language],
        tag_ptr=archive.tag_indptr.astype(np.int64),
        tag_ids=(archive.tag_ids + TAG_OFFSET).astype(np.int32),
        suggested_rows=np.zeros(0, np.int32),
        suggested_tag_ids=np.zeros(0, np.int32),
        tag_kinds={
            i + TAG_OFFSET: TYPES.index(tag_type) + 1
            for i, tag_type in enumerate(archive.tag_types)
        },
        chapters=np.stack([np.arange(1, len(owners) + 1), owners + 1, positions], axis=1),
    )


def browse_plan(archive: SyntheticArchive, count: int, seed: int) -> tuple[int, list[int]]:
    """(the biggest fandom, an excluded tag per browse), as bench/search.py plans them
    (synthetic tag numbers)."""
    rng = np.random.default_rng([seed, 99])
    counts = np.bincount(archive.tag_ids, minlength=len(archive.tag_names))
    fandoms = counts[archive.fandom_base : archive.character_base]
    biggest = archive.fandom_base + int(np.argmax(fandoms))
    inside = np.bincount(
        archive.tag_ids[_entries_of(archive.tag_indptr, archive.works_with(biggest))],
        minlength=len(archive.tag_names),
    )
    inside[archive.fandom_base : archive.character_base] = 0
    candidates = np.argsort(-inside, kind="stable")[:60]
    excludes = rng.permutation(candidates)
    return biggest, [int(excludes[i % len(excludes)]) for i in range(count)]


def _entries_of(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in a CSR array of the entries of these rows."""
    if not len(rows):
        return np.zeros(0, np.int64)
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1])


class Floor:
    """bench/search.py's NumpyFloor: work -> tags as CSR, tag -> works as its transpose."""

    def __init__(self, archive: SyntheticArchive) -> None:
        self.works = archive.works
        self.indptr = archive.tag_indptr
        self.tags = archive.tag_ids
        self.tag_count = len(archive.tag_names)
        owners = np.repeat(np.arange(self.works, dtype=np.int32), np.diff(self.indptr))
        self.works_by_tag = owners[np.argsort(self.tags, kind="stable")]
        self.tag_ptr = np.zeros(self.tag_count + 1, np.int64)
        np.cumsum(np.bincount(self.tags, minlength=self.tag_count), out=self.tag_ptr[1:])
        self.sort_key = archive.kudos * (1 << 21) + np.arange(self.works)

    def browse(self, include: int, exclude: int) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.works, np.bool_)
        mask[self.works_by_tag[self.tag_ptr[include] : self.tag_ptr[include + 1]]] = True
        mask[self.works_by_tag[self.tag_ptr[exclude] : self.tag_ptr[exclude + 1]]] = False
        rows = np.flatnonzero(mask)
        keys = self.sort_key[rows]
        if len(rows) > PAGE:
            keys = keys[np.argpartition(-keys, PAGE)[:PAGE]]
        page = (np.sort(keys)[::-1] & ((1 << 21) - 1)) + 1
        counts = np.bincount(self.tags[_entries_of(self.indptr, rows)], minlength=self.tag_count)
        return page, counts


def facet_sort(columns: WorkColumns, tag_ids: np.ndarray, works: np.ndarray) -> None:
    """What facets.facet_counts does with the counts before it reads the tags."""
    kinds = columns.kinds_of(tag_ids)
    for kind in range(1, len(TYPES) + 1):
        of_type = np.flatnonzero(kinds == kind)
        of_type[np.lexsort((tag_ids[of_type], -works[of_type]))][:30]


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--churn",
        type=int,
        default=0,
        help="replace this many random works through with_rows first (dead rows)",
    )
    parser.add_argument("--check", action="store_true", help="check every browse, not a few")
    args = parser.parse_args()

    start = time.perf_counter()
    archive = SyntheticArchive(args.works, 0, seed=args.seed)
    rows = work_rows(archive, args.seed)
    print(f"archive: {args.works:,} works, {len(archive.tag_ids):,} filter rows", end=" ")
    print(f"({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    columns = WorkColumns.of(rows)
    build_ms = (time.perf_counter() - start) * 1000
    if args.churn:
        columns = _churned(columns, rows, args.churn, args.seed)
    print(
        f"columns: built in {build_ms / 1000:.1f} s, {columns.nbytes / 1e6:.1f} MB, "
        f"{columns.nbytes / args.works:.1f} bytes/work, {columns.dead_rows:,} dead rows"
    )
    floor = Floor(archive)
    biggest, excludes = browse_plan(archive, args.queries + WARMUP, args.seed)
    del rows
    gc.collect()

    first = 0.0
    steps: dict[str, list[float]] = {
        name: [] for name in ("select", "top", "tag_counts", "facet_sort", "total", "floor")
    }
    for number, exclude in enumerate(excludes):
        selection = Selection(
            audience=Audience.MEMBER,
            include=((biggest + TAG_OFFSET,),),
            exclude=((exclude + TAG_OFFSET,),),
        )
        select_ms, mask = timed(lambda selection=selection: columns.select(selection))
        top_ms, page = timed(lambda mask=mask: columns.top(mask, "kudos", limit=PAGE))
        counts_ms, (tag_ids, works) = timed(lambda mask=mask: columns.tag_counts(mask))
        sort_ms, _ = timed(lambda tag_ids=tag_ids, works=works: facet_sort(columns, tag_ids, works))
        floor_ms, _ = timed(lambda exclude=exclude: floor.browse(biggest, exclude))
        if number < WARMUP or args.check:
            _check(columns, floor, mask, page, tag_ids, works)
        if number == 0:
            first = select_ms + top_ms + counts_ms + sort_ms
        if number < WARMUP:
            continue
        for name, value in (
            ("select", select_ms),
            ("top", top_ms),
            ("tag_counts", counts_ms),
            ("facet_sort", sort_ms),
            ("total", select_ms + top_ms + counts_ms + sort_ms),
            ("floor", floor_ms),
        ):
            steps[name].append(value)
    print(f"browse x {args.queries} (+{WARMUP} warm-up), ms:     p50     p95     max")
    for name, values in steps.items():
        print(
            f"  {name:<12}{percentile(values, 0.5):31.1f} {percentile(values, 0.95):7.1f} "
            f"{max(values):7.1f}"
        )
    print(f"first browse (nothing kept yet): {first:.1f} ms")
    print(
        f"after the browses (counts kept for tag_counts): {columns.nbytes / 1e6:.1f} MB, "
        f"{columns.nbytes / args.works:.1f} bytes/work"
    )
    print(f"(cpus: {os.cpu_count()}, load: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


def _check(
    columns: WorkColumns,
    floor: Floor,
    mask: np.ndarray,
    page: np.ndarray,
    tag_ids: np.ndarray,
    works: np.ndarray,
) -> None:
    """The columns' counts and page must be the floor's over the same works (MEMBER
    leaves out the admin-hidden works, which the floor does not know of)."""
    indexes = np.sort(columns.work_ids[mask] - 1)
    expected = np.bincount(
        floor.tags[_entries_of(floor.indptr, indexes)], minlength=floor.tag_count
    )
    present = np.flatnonzero(expected)
    assert np.array_equal(tag_ids, present + TAG_OFFSET), "tag ids differ"
    assert np.array_equal(works, expected[present]), "counts differ"
    keys = floor.sort_key[indexes]
    best = np.sort(keys)[::-1][:PAGE] & ((1 << 21) - 1)
    assert np.array_equal(page, best + 1), "pages differ"


def _churned(columns: WorkColumns, rows: WorkRows, count: int, seed: int) -> WorkColumns:
    """`count` random works replaced by themselves in batches, as catching up does."""
    rng = np.random.default_rng([seed, 8])
    picked = np.sort(rng.choice(len(rows.work_ids), count, replace=False))
    for batch in np.array_split(picked, max(1, count // 1000)):
        starts, ends = rows.tag_ptr[batch], rows.tag_ptr[batch + 1]
        entries = _entries_of(rows.tag_ptr, batch)
        tag_ptr = np.zeros(len(batch) + 1, np.int64)
        np.cumsum(ends - starts, out=tag_ptr[1:])
        part = WorkRows(
            work_ids=rows.work_ids[batch],
            numbers={name: values[batch] for name, values in rows.numbers.items()},
            flags=rows.flags[batch],
            languages=[rows.languages[i] for i in batch],
            tag_ptr=tag_ptr,
            tag_ids=rows.tag_ids[entries],
            suggested_rows=np.zeros(0, np.int32),
            suggested_tag_ids=np.zeros(0, np.int32),
        )
        columns = columns.with_rows(part, replacing=part.work_ids)
    return columns


if __name__ == "__main__":
    main()
