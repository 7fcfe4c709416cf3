"""SQLite FTS5: two full-text tables that store their text, so highlight() can mark it.

    search_work_fts(title, creators, summary, tags)          rowid = work id
    search_chapter_fts(body, work_id UNINDEXED, position UNINDEXED)   rowid = chapter id

Both use the tokenizer `porter unicode61 remove_diacritics 2` (English stemming,
diacritics folded). Rows follow deletes through triggers on the works tables (created
by migration 0002 and checked after every migrate, since SQLite drops a table's triggers
when Django rebuilds the table), and writes through fanarchive.search.indexing.

Lists of ids go in as one JSON parameter (`json_each`), so no SQL is ever assembled
from values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models.expressions import RawSQL

from fanarchive.search.engines import (
    MARK_END,
    MARK_START,
    ChapterMatch,
    ChapterText,
    MarkedMetadata,
    Side,
    WorkText,
    best_per_work,
    if_marked,
)
from fanarchive.search.query import FIELDS, Query, fts5_match

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from fanarchive.works.models import Work

# Field -> FTS5 column. The metadata side never sees `text:` terms (the service routes
# them to chapters), but fts5_match wants every field mapped.
METADATA_COLUMNS = {
    "title": "title",
    "author": "creators",
    "summary": "summary",
    "tag": "tags",
    "text": "title creators summary tags",
}
CHAPTER_COLUMNS = dict.fromkeys(FIELDS, "body")
MARKS = (MARK_START, MARK_END)
# Scores read FTS5's `rank` column, bm25 by default: an auxiliary function such as bm25()
# cannot be called inside an aggregate, the column can. Metadata columns are weighted
# title, creators, summary, tags to rank as PostgreSQL's labels do (A title, B creators,
# C tags, D summary). bm25 is lower-is-better: negated, so every engine's score is
# higher-is-better.
METADATA_SCORES = (
    "SELECT rowid AS work_id, -rank AS score FROM search_work_fts "
    "WHERE search_work_fts MATCH %s AND rank MATCH 'bm25(10.0, 5.0, 2.0, 3.0)'"
)
CHAPTER_SCORES = (
    "SELECT work_id, MAX(-rank) AS score "
    "FROM search_chapter_fts WHERE search_chapter_fts MATCH %s GROUP BY work_id"
)

TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS search_work_fts_delete AFTER DELETE ON works_work "
    "BEGIN DELETE FROM search_work_fts WHERE rowid = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_chapter_fts_delete AFTER DELETE ON works_chapter "
    "BEGIN DELETE FROM search_chapter_fts WHERE rowid = OLD.id; END",
)


def ensure_triggers(db: BaseDatabaseWrapper) -> None:
    """(Re)create the delete triggers if the FTS tables exist but the triggers do not."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('search_work_fts', 'search_chapter_fts')"
        )
        if cursor.fetchone()[0] == 2:
            for statement in TRIGGERS:
                cursor.execute(statement)


def _ids(ids: Sequence[int]) -> str:
    return json.dumps([int(pk) for pk in ids])


class SqliteEngine:
    def write_works(self, docs: Sequence[WorkText]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_work_fts WHERE rowid IN (SELECT value FROM json_each(%s))",
                [_ids([doc.work_id for doc in docs])],
            )
            cursor.executemany(
                "INSERT INTO search_work_fts (rowid, title, creators, summary, tags) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(d.work_id, d.title, d.creators, d.summary, d.tags) for d in docs],
            )

    def write_chapters(self, docs: Sequence[ChapterText]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_chapter_fts WHERE rowid IN (SELECT value FROM json_each(%s))",
                [_ids([doc.chapter_id for doc in docs])],
            )
            cursor.executemany(
                "INSERT INTO search_chapter_fts (rowid, body, work_id, position) "
                "VALUES (%s, %s, %s, %s)",
                [(d.chapter_id, d.text, d.work_id, d.position) for d in docs],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_work_fts")
            cursor.execute("DELETE FROM search_chapter_fts")

    def prune(self) -> None:
        """Drop rows of works and chapters that no longer exist (the triggers normally
        see to that; a restored or hand-edited database may need it)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_work_fts WHERE rowid NOT IN (SELECT id FROM works_work)"
            )
            cursor.execute(
                "DELETE FROM search_chapter_fts WHERE rowid NOT IN (SELECT id FROM works_chapter)"
            )

    def matching(self, side: Side, query: Query) -> RawSQL | None:
        if side is Side.METADATA:
            sql = "SELECT rowid FROM search_work_fts WHERE search_work_fts MATCH %s"
            expression = fts5_match(query, METADATA_COLUMNS)
        else:
            sql = "SELECT work_id FROM search_chapter_fts WHERE search_chapter_fts MATCH %s"
            expression = fts5_match(query, CHAPTER_COLUMNS)
        if expression is None:
            return None
        # The SQL is one of two constants; the reader's words are its one parameter.
        return RawSQL(sql, [expression], output_field=models.BigIntegerField())  # noqa: S611

    def scores(self, sides: dict[Side, Query]) -> tuple[str, list[object]]:
        arms: list[str] = []
        params: list[object] = []
        if (query := sides.get(Side.METADATA)) and (
            expression := fts5_match(query, METADATA_COLUMNS)
        ):
            arms.append(METADATA_SCORES)
            params.append(expression)
        if (query := sides.get(Side.CHAPTERS)) and (
            expression := fts5_match(query, CHAPTER_COLUMNS)
        ):
            arms.append(CHAPTER_SCORES)
            params.append(expression)
        if not arms:
            return "SELECT NULL AS work_id, 0.0 AS score WHERE 0", []
        union = " UNION ALL ".join(arms)  # of the constants above
        return f"SELECT work_id, SUM(score) AS score FROM ({union}) GROUP BY work_id", params  # noqa: S608

    def metadata_scores(self, query: Query) -> list[tuple[int, float]]:
        if (expression := fts5_match(query, METADATA_COLUMNS)) is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(METADATA_SCORES, [expression])
            return cursor.fetchall()

    # Only rowids and ranks: reading an unindexed column (work_id) would read each
    # matching chapter's whole text from the table's content.
    def chapter_scores(self, query: Query) -> list[tuple[int, float]]:
        if (expression := fts5_match(query, CHAPTER_COLUMNS)) is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -rank FROM search_chapter_fts WHERE search_chapter_fts MATCH %s",
                [expression],
            )
            return cursor.fetchall()

    def matching_chapters(self, query: Query) -> list[tuple[int]]:
        if (expression := fts5_match(query, CHAPTER_COLUMNS)) is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_chapter_fts WHERE search_chapter_fts MATCH %s",
                [expression],
            )
            return cursor.fetchall()

    def best_chapters(self, query: Query, work_ids: Sequence[int]) -> dict[int, ChapterMatch]:
        expression = fts5_match(query, CHAPTER_COLUMNS)
        if expression is None or not work_ids:
            return {}
        # One pass over the matches, filtered on the (unindexed) work_id. Narrowing by
        # rowid instead would look each chapter up separately, and bm25 then recounts
        # every phrase's documents at each lookup: far slower on a large archive.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, work_id, position, -rank FROM search_chapter_fts "
                "WHERE search_chapter_fts MATCH %s "
                "AND work_id IN (SELECT value FROM json_each(%s))",
                [expression, _ids(work_ids)],
            )
            matches = [ChapterMatch(*row) for row in cursor.fetchall()]
        return best_per_work(matches)

    def highlight_chapters(self, query: Query, chapter_ids: Sequence[int]) -> dict[int, str]:
        expression = fts5_match(query, CHAPTER_COLUMNS)
        if expression is None or not chapter_ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, highlight(search_chapter_fts, 0, %s, %s) FROM search_chapter_fts "
                "WHERE search_chapter_fts MATCH %s AND rowid IN (SELECT value FROM json_each(%s))",
                [*MARKS, expression, _ids(chapter_ids)],
            )
            return dict(cursor.fetchall())

    def highlight_metadata(self, query: Query, works: Sequence[Work]) -> dict[int, MarkedMetadata]:
        expression = fts5_match(query, METADATA_COLUMNS)
        if expression is None or not works:
            return {}
        # Columns 2 and 0: summary and title. FTS5 marks only what matched in that column.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, highlight(search_work_fts, 2, %s, %s), "
                "highlight(search_work_fts, 0, %s, %s) FROM search_work_fts "
                "WHERE search_work_fts MATCH %s AND rowid IN (SELECT value FROM json_each(%s))",
                [*MARKS, *MARKS, expression, _ids([work.pk for work in works])],
            )
            return {
                work_id: MarkedMetadata(if_marked(summary), if_marked(title))
                for work_id, summary, title in cursor.fetchall()
            }
