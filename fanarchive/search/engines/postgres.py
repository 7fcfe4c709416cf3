"""PostgreSQL full-text search: tsvectors in WorkDocument and ChapterDocument, GIN-indexed.

The text search configuration `fanarchive` (migration 0002) is English stemming with
`unaccent` in front of it for words with non-ASCII letters, so "cafe" finds "café".
A work's document weighs its title A, creators B, tags C and summary D; a `title:` term
is a lexeme limited to label A, and so on. Rows of deleted works and chapters go with
them (foreign keys cascade); writes come from fanarchive.search.indexing.

PostgreSQL stores no text in a tsvector, so highlighting reads the text again (the same
functions indexing used) and marks it with ts_headline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.db import OperationalError, connection, models, transaction
from django.db.models.expressions import RawSQL

from fanarchive.lib.text import chapter_text, one_line, summary_text
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
from fanarchive.search.query import (
    FIELDS,
    MAX_TERM_CHARS,
    Query,
    Term,
    _is_word_char,
    normalise,
    tsquery,
)

if TYPE_CHECKING:
    from fanarchive.works.models import Work

METADATA_WEIGHTS = {"title": "A", "author": "B", "tag": "C", "summary": "D", "text": "ABCD"}
# A chapter's tsvector carries no labels; every field may match it (the service sends
# only unfielded and `text:` terms here).
CHAPTER_WEIGHTS = dict.fromkeys(FIELDS, "ABCD")
# ts_rank_cd normalisation for chapters: 1 divides by 1 + log(length), 32 maps the rank
# into [0, 1), so a long chapter repeating a word does not outweigh a title match.
CHAPTER_RANK_NORMALISATION = 1 | 32
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
# A tsvector is at most 1 MB. Text that would pass that (a chapter of unusual words far
# longer than AO3 allows) is indexed by its first this-many characters only.
TSVECTOR_SAFE_CHARS = 100_000
PROGRAM_LIMIT_EXCEEDED = "54000"

UPSERT_WORK = """
    INSERT INTO search_workdocument (work_id, document) VALUES (
        %s,
        setweight(to_tsvector('fanarchive', %s), 'A')
        || setweight(to_tsvector('fanarchive', %s), 'B')
        || setweight(to_tsvector('fanarchive', %s), 'C')
        || setweight(to_tsvector('fanarchive', %s), 'D')
    )
    ON CONFLICT (work_id) DO UPDATE SET document = EXCLUDED.document
"""
UPSERT_CHAPTER = """
    INSERT INTO search_chapterdocument (chapter_id, work_id, position, document)
    VALUES (%s, %s, %s, to_tsvector('fanarchive', %s))
    ON CONFLICT (chapter_id) DO UPDATE SET
        work_id = EXCLUDED.work_id, position = EXCLUDED.position, document = EXCLUDED.document
"""
METADATA_SCORES = (
    "SELECT work_id, ts_rank_cd(document, to_tsquery('fanarchive', %s)) AS score "
    "FROM search_workdocument WHERE document @@ to_tsquery('fanarchive', %s)"
)
CHAPTER_SCORES = (
    "SELECT work_id, MAX(ts_rank_cd(document, to_tsquery('fanarchive', %s), %s)) AS score "
    "FROM search_chapterdocument WHERE document @@ to_tsquery('fanarchive', %s) "
    "GROUP BY work_id"
)
HEADLINES = (
    "SELECT ts_headline('fanarchive', t.text, to_tsquery('fanarchive', %s), %s) "
    "FROM unnest(%s::text[]) WITH ORDINALITY AS t(text, n) ORDER BY t.n"
)

Row = tuple[object, ...]


def _by_index(sql: str, params: list[object]) -> list[Row]:
    """Rows of a query on a document table, through its GIN index. The documents live
    in TOAST, so the planner prices a sequential scan at the size of the small main
    table and picks it; then every document is detoasted: 0.5 s for one rare word at
    36,000 chapters, against milliseconds through the index."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _words(text: str) -> str:
    """The words as the query language splits them, for to_tsvector. PostgreSQL's own
    parser reads "Spike/Willow" as a file path and text after a literal "<script>" as
    markup; splitting the same way as queries do keeps documents and queries alike.

    Line by line, so that the ASCII lines (most of a story, even one with curly quotes
    in its dialogue) take `_ascii_words`: `normalise` over a whole chapter was most of
    the time writing it. No word spans a line, and no normalisation crosses one."""
    lines = (
        _ascii_words(line) if line.isascii() else _reference_words(line)
        for line in text.split("\n")
    )
    return " ".join(filter(None, lines))


def _reference_words(text: str) -> str:
    return " ".join(normalise(text))


# An ASCII character as `normalise` sees it: itself if part of words, else a space.
_ASCII_SEPARATORS = bytes(c if _is_word_char(chr(c)) else ord(" ") for c in range(256))


def _ascii_words(text: str) -> str:
    """`_reference_words` of ASCII text, at C speed: NFKC and the curly apostrophes
    leave ASCII alone, case folding is lower-casing, and every ASCII run of word
    characters is a word once stripped of apostrophes at its edges and cut to length."""
    runs = text.lower().encode("ascii").translate(_ASCII_SEPARATORS).split()
    joined = b" ".join(runs)
    plain = (
        b" '" not in joined
        and b"' " not in joined
        and not joined.startswith(b"'")
        and not joined.endswith(b"'")
        and max(map(len, runs), default=0) <= MAX_TERM_CHARS
    )
    if not plain:  # apostrophes at the edges of a run (quotes, plurals), or a long run
        words = (run.strip(b"'")[:MAX_TERM_CHARS].rstrip(b"'") for run in runs)
        joined = b" ".join(filter(None, words))
    return joined.decode("ascii")


class PostgresEngine:
    def write_works(self, docs: Sequence[WorkText]) -> None:
        rows = [(d.work_id, *map(_words, (d.title, d.creators, d.tags, d.summary))) for d in docs]
        _write(UPSERT_WORK, rows, lambda row: (row[0], *map(_shortened, row[1:])))

    def write_chapters(self, docs: Sequence[ChapterText]) -> None:
        rows = [(d.chapter_id, d.work_id, d.position, _words(d.text)) for d in docs]
        _write(UPSERT_CHAPTER, rows, lambda row: (*row[:3], _shortened(row[3])))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_chapterdocument")
            cursor.execute("DELETE FROM search_workdocument")

    def prune(self) -> None:
        """Nothing to do: foreign keys keep the documents in step with deletes."""

    def matching(self, side: Side, query: Query) -> RawSQL | None:
        if side is Side.METADATA:
            table, expression = "search_workdocument", tsquery(query, weights=METADATA_WEIGHTS)
        else:
            table, expression = "search_chapterdocument", tsquery(query, weights=CHAPTER_WEIGHTS)
        if expression is None:
            return None
        # The table is one of two constants; the reader's words are the one parameter.
        sql = f"SELECT work_id FROM {table} WHERE document @@ to_tsquery('fanarchive', %s)"  # noqa: S608
        return RawSQL(sql, [expression], output_field=models.BigIntegerField())  # noqa: S611

    def scores(self, sides: dict[Side, Query]) -> tuple[str, list[object]]:
        arms: list[str] = []
        params: list[object] = []
        if (query := sides.get(Side.METADATA)) and (
            expression := tsquery(query, weights=METADATA_WEIGHTS)
        ):
            arms.append(METADATA_SCORES)
            params += [expression, expression]
        if (query := sides.get(Side.CHAPTERS)) and (
            expression := tsquery(query, weights=CHAPTER_WEIGHTS)
        ):
            arms.append(CHAPTER_SCORES)
            params += [expression, CHAPTER_RANK_NORMALISATION, expression]
        if not arms:
            return "SELECT NULL::bigint AS work_id, 0.0 AS score WHERE false", []
        union = " UNION ALL ".join(arms)  # of the constants above
        sql = f"SELECT work_id, SUM(score) AS score FROM ({union}) AS side_scores GROUP BY work_id"  # noqa: S608
        return sql, params

    def metadata_scores(self, query: Query) -> list[tuple[int, float]]:
        if (expression := tsquery(query, weights=METADATA_WEIGHTS)) is None:
            return []
        return _by_index(METADATA_SCORES, [expression, expression])

    def chapter_scores(self, query: Query) -> list[tuple[int, float]]:
        if (expression := tsquery(query, weights=CHAPTER_WEIGHTS)) is None:
            return []
        return _by_index(
            "SELECT chapter_id, ts_rank_cd(document, to_tsquery('fanarchive', %s), %s) "
            "FROM search_chapterdocument WHERE document @@ to_tsquery('fanarchive', %s)",
            [expression, CHAPTER_RANK_NORMALISATION, expression],
        )

    def matching_chapters(self, query: Query) -> list[tuple[int]]:
        if (expression := tsquery(query, weights=CHAPTER_WEIGHTS)) is None:
            return []
        return _by_index(
            "SELECT chapter_id FROM search_chapterdocument "
            "WHERE document @@ to_tsquery('fanarchive', %s)",
            [expression],
        )

    def best_chapters(self, query: Query, work_ids: Sequence[int]) -> dict[int, ChapterMatch]:
        expression = tsquery(query, weights=CHAPTER_WEIGHTS)
        if expression is None or not work_ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT chapter_id, work_id, position, "
                "ts_rank_cd(document, to_tsquery('fanarchive', %s), %s) "
                "FROM search_chapterdocument "
                "WHERE work_id = ANY(%s) AND document @@ to_tsquery('fanarchive', %s)",
                [expression, CHAPTER_RANK_NORMALISATION, list(work_ids), expression],
            )
            return best_per_work([ChapterMatch(*row) for row in cursor.fetchall()])

    def highlight_chapters(self, query: Query, chapter_ids: Sequence[int]) -> dict[int, str]:
        from fanarchive.works.models import Chapter

        expression = tsquery(query, weights=CHAPTER_WEIGHTS)
        if expression is None or not chapter_ids:
            return {}
        bodies = dict(Chapter.objects.filter(pk__in=chapter_ids).values_list("pk", "body"))
        marked = _headlines(expression, [chapter_text(body) for body in bodies.values()])
        return dict(zip(bodies, marked, strict=True))

    def highlight_metadata(self, query: Query, works: Sequence[Work]) -> dict[int, MarkedMetadata]:
        summaries = _highlight_field(query, "summary", [summary_text(w.summary) for w in works])
        titles = _highlight_field(query, "title", [one_line(w.title) for w in works])
        return {
            work.pk: MarkedMetadata(if_marked(summary), if_marked(title))
            for work, summary, title in zip(works, summaries, titles, strict=True)
        }


def _highlight_field(query: Query, field: str, texts: list[str]) -> list[str | None]:
    """`texts` marked where the query's terms for this field (or for no field) match:
    ts_headline knows no weight labels, so a `title:` term must not mark a summary."""
    terms = [
        Term(term.words)
        for clause in query.clauses
        for term in clause
        if not term.negated and term.field in (None, field)
    ]
    column_query = Query(clauses=(tuple(dict.fromkeys(terms)),), raw=query.raw) if terms else None
    expression = column_query and tsquery(column_query, weights=CHAPTER_WEIGHTS)
    if not expression or not texts:
        return [None] * len(texts)
    return list(_headlines(expression, texts))


def _headlines(expression: str, texts: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(HEADLINES, [expression, HEADLINE_OPTIONS, texts])
        return [row[0] for row in cursor.fetchall()]


def _write(sql: str, rows: list[Row], shorten: Callable[[Row], Row]) -> None:
    """executemany in a savepoint; if a document is too big for a tsvector, write the
    rows one by one and shorten only the ones PostgreSQL refuses."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    except OperationalError as error:
        if not _too_long(error):
            raise
        for row in rows:
            _write_one(sql, row, shorten)


def _write_one(sql: str, row: Row, shorten: Callable[[Row], Row]) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, row)
    except OperationalError as error:
        if not _too_long(error):
            raise
        with connection.cursor() as cursor:
            cursor.execute(sql, shorten(row))


def _too_long(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == PROGRAM_LIMIT_EXCEEDED


def _shortened(value: object) -> object:
    return value[:TSVECTOR_SAFE_CHARS] if isinstance(value, str) else value
