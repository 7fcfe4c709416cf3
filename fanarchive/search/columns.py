"""The in-memory work columns (lib/columns.py) of this process: loaded from the
database, kept current, and asked in the listing's own terms.

Keeping current
    Whatever changes a work's listing data writes a WorkChange note for it in the same
    transaction: Work saves and deletes (signals), queryset updates (WorkQuerySet.update)
    and filter-row rebuilds (tags.filtering). Before each use this process reads the
    newest note (one indexed row); if it moved, the works named since the last note seen
    are reloaded and their rows replaced. Many changes at once, a rolled-back or pruned
    history, or a first use load everything. Each process of a multi-process server
    keeps its own copy and catches up on its own.

Code that writes works without these paths (bulk_create, raw SQL) calls
`note_changed()` itself.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from django.db import DatabaseError, connection, connections

from fanarchive.lib.columns import Flag, Int32s, Ints, Selection, WorkColumns, WorkRows
from fanarchive.tags.constants import NOT_RATED
from fanarchive.tags.models import Tag, TagType

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from fanarchive.lib.columns import Audience
    from fanarchive.works.listing import WorkFilters

# Reload everything rather than catch up when more works than this changed...
CATCH_UP_LIMIT = 5000
# ...or when more than this share of rows is dead.
DEAD_SHARE = 0.25
# Notes kept for processes that are behind; one further back rebuilds.
NOTES_KEPT = 200_000
FETCH = 20_000
IN_BATCH = 900  # SQLite allows 999 parameters in older builds


# Notes ------------------------------------------------------------------------------


def note_changed(work_ids: Iterable[int]) -> None:
    """Record that these works' listing data may have changed."""
    from fanarchive.search.models import WorkChange

    ids = sorted(set(work_ids))
    if not ids:
        return
    batch = secrets.randbits(62)
    WorkChange.objects.bulk_create(
        [WorkChange(work_id=pk, batch=batch) for pk in ids], batch_size=IN_BATCH
    )
    if random.random() < 0.01:
        _prune()


def _prune() -> None:
    from fanarchive.search.models import WorkChange

    newest = WorkChange.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is not None:
        WorkChange.objects.filter(id__lt=newest - NOTES_KEPT).delete()


def _newest_note() -> tuple[int, int]:
    from fanarchive.search.models import WorkChange

    return WorkChange.objects.order_by("-id").values_list("id", "batch").first() or (0, 0)


def _note_still_there(note: tuple[int, int]) -> bool:
    from fanarchive.search.models import WorkChange

    note_id, batch = note
    return not note_id or WorkChange.objects.filter(id=note_id, batch=batch).exists()


# This process's copy ----------------------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    columns: WorkColumns
    note: tuple[int, int]


_lock = threading.Lock()
_loaded: _Loaded | None = None


def current() -> WorkColumns:
    """The columns as the database has them now."""
    global _loaded
    with _lock:
        note = _newest_note()
        if _loaded is not None and note == _loaded.note:
            return _loaded.columns
        if _loaded is None or not _note_still_there(_loaded.note):
            _loaded = _Loaded(WorkColumns.of(load_rows()), note)
        else:
            _loaded = _Loaded(_caught_up(_loaded), note)
        return _loaded.columns


def warm_in_background() -> threading.Thread:
    """Load the columns in a thread of their own. A server calls this at start so its
    first listing does not wait for the whole load (about 27 s at a million works);
    a request that comes sooner waits for this load, never starts a second."""

    def load() -> None:
        try:
            current()
        except DatabaseError as error:  # not migrated yet, or no database: load on use
            log.warning("listing columns not loaded at start: %s", error)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=load, name="fanarchive-warm-columns", daemon=True)
    thread.start()
    return thread


def forget() -> None:
    """Drop this process's copy (tests; after writing works behind the notes' back)."""
    global _loaded
    with _lock:
        _loaded = None


def _caught_up(loaded: _Loaded) -> WorkColumns:
    from fanarchive.search.models import WorkChange

    notes = WorkChange.objects.filter(id__gt=loaded.note[0]).values_list("work_id", flat=True)
    changed = set(notes[: CATCH_UP_LIMIT * 4].iterator())
    # Work id 0 (search.indexing.EVERY_WORK): the full-text index was rebuilt.
    if len(changed) > CATCH_UP_LIMIT or 0 in changed:
        return WorkColumns.of(load_rows())
    ids = np.fromiter(changed, np.int64)
    columns = loaded.columns.with_rows(load_rows(sorted(changed)), replacing=ids)
    if columns.dead_rows > DEAD_SHARE * columns.rows:
        return WorkColumns.of(load_rows())  # also picks the common tags afresh
    return columns


# Loading ----------------------------------------------------------------------------

_NUMBER_COLUMNS = ("word_count", "hits", "kudos", "bookmarks", "comments", "published", "updated")
_DATE_COLUMNS = {"published", "updated"}
_FLAG_COLUMNS = {
    "posted": Flag.POSTED,
    "hidden_by_admin": Flag.HIDDEN,
    "restricted": Flag.RESTRICTED,
    "complete": Flag.COMPLETE,
    "crossover": Flag.CROSSOVER,
}
# Clamped so a freak counter cannot overflow its column.
_INT32_MAX = 2**31 - 1


def load_rows(work_ids: Sequence[int] | None = None) -> WorkRows:
    """Rows for these works (all works with None), in work id order, read from one
    snapshot of the database where it can give one."""
    from django.db import transaction

    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Only a transaction's first statement may set its isolation; inside a caller's
        # transaction the rows are read as that transaction sees them.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _load_rows(work_ids)


def _load_rows(work_ids: Sequence[int] | None) -> WorkRows:
    ids, numbers, flags, languages = _work_columns(work_ids)
    flags[np.isin(ids, _rated_work_ids(work_ids))] |= np.uint8(Flag.RATED)
    tag_ptr, tag_ids = _given_filter_tags(ids, work_ids)
    suggested = _suggested_filter_tags(work_ids)
    suggested = suggested[np.isin(suggested[:, 0], ids)]
    kinds = _tag_kinds(None if work_ids is None else np.unique(tag_ids))
    return WorkRows(
        work_ids=ids,
        numbers=numbers,
        flags=flags,
        languages=languages,
        tag_ptr=tag_ptr,
        tag_ids=tag_ids,
        suggested_rows=np.searchsorted(ids, suggested[:, 0]).astype(np.int32),
        suggested_tag_ids=suggested[:, 1].astype(np.int32),
        tag_kinds=kinds,
        chapters=_chapters(work_ids),
    )


def _chapters(work_ids: Sequence[int] | None) -> np.ndarray:
    """(chapter id, work id, position) of these works' chapters, read from the
    (work, position) index alone: the rows hold the chapter text."""
    from fanarchive.works.models import Chapter

    table = Chapter._meta.db_table
    found: list[tuple] = []
    for where, params in _where_ids("work_id", work_ids):
        sql = f"SELECT id, work_id, position FROM {table} WHERE {where}"  # noqa: S608
        found.extend(_fetch(sql, params))
    return np.array(found, np.int64).reshape(-1, 3)


TAG_KINDS = {tag_type: number for number, tag_type in enumerate(TagType, start=1)}


def _tag_kinds(tag_ids: np.ndarray | None) -> dict[int, int]:
    """Tag id -> TAG_KINDS number, for these tags (every tag with None)."""
    tags = Tag.objects.order_by().values_list("pk", "type")
    if tag_ids is None:
        return {pk: TAG_KINDS.get(kind, 0) for pk, kind in tags.iterator(FETCH)}
    kinds = {}
    for start in range(0, len(tag_ids), IN_BATCH):
        batch = [int(pk) for pk in tag_ids[start : start + IN_BATCH]]
        kinds.update((pk, TAG_KINDS.get(kind, 0)) for pk, kind in tags.filter(pk__in=batch))
    return kinds


def _days(column: str) -> str:

    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _tag_list(column: str) -> str:

    if connection.vendor == "postgresql":
        return f"string_agg({column}::text, ',')"
    return f"group_concat({column})"


def _where_ids(column: str, work_ids: Sequence[int] | None) -> Iterator[tuple[str, list[int]]]:
    """(condition, parameters) per batch of ids; one that is always true for every work."""
    if work_ids is None:
        yield "1 = 1", []
        return
    for start in range(0, len(work_ids), IN_BATCH):
        batch = list(work_ids[start : start + IN_BATCH])
        yield f"{column} IN ({', '.join(['%s'] * len(batch))})", batch


def _fetch(sql: str, params: list[int]) -> Iterator[tuple]:

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield from rows


def _work_columns(
    work_ids: Sequence[int] | None,
) -> tuple[Ints, dict[str, Int32s], npt.NDArray[np.uint8], list[str]]:
    """Ids, numbers, flags (but RATED) and languages of these works, in id order. The
    flags are summed in SQL and each chunk of rows turned into columns by zip(*rows):
    per-value Python work here was most of a million-work load."""
    from fanarchive.works.models import Work

    table = Work._meta.db_table
    numbers = [_days(name) if name in _DATE_COLUMNS else name for name in _NUMBER_COLUMNS]
    # CASE, not arithmetic on booleans: PostgreSQL has no integer * boolean.
    flags = " + ".join(
        f"CASE WHEN {condition} THEN {int(flag)} ELSE 0 END"
        for condition, flag in [
            *_FLAG_COLUMNS.items(),
            ("posted_chapters = 1", Flag.SINGLE_CHAPTER),
        ]
    )
    selected = ["id", *numbers, f"({flags})", "language"]
    columns: list[list[tuple]] = [[] for _ in selected]
    for where, params in _where_ids("id", work_ids):
        # Columns and table are this module's constants; ids are parameters.
        sql = f"SELECT {', '.join(selected)} FROM {table} WHERE {where} ORDER BY id"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(FETCH * 5):
                for column, values in zip(columns, zip(*chunk, strict=True), strict=True):
                    column.append(values)
    joined = [[value for part in column for value in part] for column in columns]
    ids = np.array(joined[0], np.int64)
    number_columns = {
        name: np.clip(np.array(values, np.int64), -_INT32_MAX, _INT32_MAX).astype(np.int32)
        for name, values in zip(_NUMBER_COLUMNS, joined[1:-2], strict=True)
    }
    flag_column = np.array(joined[-2], np.int64).astype(np.uint8)
    languages = [(language or "").strip().casefold() for language in joined[-1]]
    return ids, number_columns, flag_column, languages


def _rated_work_ids(work_ids: Sequence[int] | None) -> Ints:
    from fanarchive.tags.models import Tag
    from fanarchive.works.models import WorkTag

    sql = (
        f"SELECT DISTINCT wt.work_id FROM {WorkTag._meta.db_table} wt "  # noqa: S608
        f"JOIN {Tag._meta.db_table} t ON t.id = wt.tag_id WHERE t.type = %s AND "
    )
    found: list[tuple] = []
    for where, params in _where_ids("wt.work_id", work_ids):
        found.extend(_fetch(sql + where, [TagType.RATING.value, *params]))
    return np.array([row[0] for row in found], np.int64)


def _given_filter_tags(ids: np.ndarray, work_ids: Sequence[int] | None) -> tuple[Ints, Int32s]:
    """The given filter tags of the works `ids` (sorted) as CSR: one row per work, its
    tag ids as one comma-joined string from the database, parsed by numpy in one go
    (a Python tuple per filter row would cost seconds at a million works)."""
    from fanarchive.tags.models import FilterTagging

    table = FilterTagging._meta.db_table
    lengths = np.zeros(len(ids), np.int64)
    texts: list[str] = []
    for where, params in _where_ids("work_id", work_ids):
        sql = (
            f"SELECT work_id, COUNT(*), {_tag_list('tag_id')} FROM {table} "  # noqa: S608
            f"WHERE suggested = %s AND {where} GROUP BY work_id ORDER BY work_id"
        )
        rows = list(_fetch(sql, [False, *params]))
        if not rows:
            continue
        with_tags = np.array([row[0] for row in rows], np.int64)
        at = np.searchsorted(ids, with_tags)
        # A work written after the works were read has no row: its tags wait for the
        # change note that names it.
        known = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == with_tags)
        lengths[at[known]] = [row[1] for row, keep in zip(rows, known, strict=True) if keep]
        texts.append(",".join(row[2] for row, keep in zip(rows, known, strict=True) if keep))
    tag_ids = _parse_ints(",".join(text for text in texts if text))
    tag_ptr = np.zeros(len(ids) + 1, np.int64)
    np.cumsum(lengths, out=tag_ptr[1:])
    return tag_ptr, tag_ids


def _parse_ints(text: str) -> Int32s:
    if not text:
        return np.zeros(0, np.int32)
    return np.fromstring(text, dtype=np.int32, sep=",")


def _suggested_filter_tags(work_ids: Sequence[int] | None) -> np.ndarray:
    """(work id, tag id) pairs of strong suggested filter rows."""
    from fanarchive.tags.models import FilterTagging

    table = FilterTagging._meta.db_table
    pairs: list[tuple] = []
    for where, params in _where_ids("work_id", work_ids):
        sql = f"SELECT work_id, tag_id FROM {table} WHERE suggested = %s AND {where}"  # noqa: S608
        pairs.extend(_fetch(sql, [True, *params]))
    return np.array(pairs, np.int64).reshape(-1, 2)


# Asking -----------------------------------------------------------------------------


def selection_for(
    filters: WorkFilters, audience: Audience, within: np.ndarray | None = None
) -> Selection | None:
    """The listing's filters as a column selection; None when a named tag does not
    exist, so nothing can match (as works.listing.filter_works decides)."""
    from fanarchive.works.listing import tags_for

    include = []
    for value in filters.tags:
        tags = tags_for(value)
        if not tags:
            return None
        include.append(_filter_ids(tags))
    exclude = [ids for value in filters.excluded if (ids := _filter_ids(tags_for(value)))]
    rating_tags = None
    if filters.ratings:
        ratings = Tag.objects.filter(type=TagType.RATING, name__in=filters.ratings)
        rating_tags = _filter_ids(ratings)
    return Selection(
        audience=audience,
        include=tuple(include),
        exclude=tuple(exclude),
        include_suggested=filters.include_suggested,
        rating_tags=rating_tags,
        unrated=NOT_RATED in filters.ratings,
        complete=filters.complete,
        single_chapter=filters.single_chapter,
        crossover=getattr(filters, "crossover", None),
        language=filters.language,
        ranges=tuple(_range(field, low, high) for field, low, high in filters.ranges),
        within=within,
    )


def _filter_ids(tags: Iterable[Tag]) -> tuple[int, ...]:
    return tuple(sorted({tag.merger_id or tag.pk for tag in tags}))


def _range(field: str, low: object, high: object) -> tuple[str, int | None, int | None]:
    return field, _number(low), _number(high)


def _number(value: object) -> int | None:
    import datetime

    if value is None:
        return None
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    return int(value)  # type: ignore[call-overload]
