"""Finding works: the search query object and `search()`, the same over either engine.

What a query means
    The text is read by fanarchive.search.query: an AND of clauses, each an OR of terms;
    an excluded term is a clause of its own. Fields: `title:`, `author:`, `summary:` and
    `tag:` match the work's metadata only, `text:` chapter text only, and a term with no
    field matches either.

    A work matches a clause when the clause matches its metadata or any one of its
    chapters, and matches the query when it matches every clause. Each clause is two
    subqueries of work ids (metadata, chapters) that are OR-ed; clauses are AND-ed. So
    `harbour pier` finds a work with "harbour" in its title and "pier" in chapter 3, and
    a phrase must stand within one field or one chapter. An excluded term removes every
    work it matches anywhere in its field (`-zombie`: metadata or any chapter); a query
    of exclusions alone lists every other work. A query with no words at all (`*`, `:`)
    is no text condition: the filters alone decide.

    Tag, rating and suggestion filters are the works index's (works.listing), applied
    first; the text condition narrows what they leave.

Where it is answered: the in-memory listing columns (search/columns.py) decide which
works match, from the filters and from the ids of the works the engine says the words
match; they count the total and pick the page for best match and every listing sort they
hold. Only the title and creator sorts go to the database (`filter_works` and the text
condition in SQL). Either way only one page of works is loaded.

Ranking (`best`): a work's score is its metadata score plus its best chapter's score
(bm25 on SQLite, ts_rank_cd on PostgreSQL; higher is better), from one pass over every
match on each side (`_match_scores`; `_ranked` is the same sum in SQL).

Snippets: about 30 words around the densest run of matches in the best-matching
chapter, every match in <mark> and everything else escaped; with its chapter position
and paragraph (the stored body's p<n>). A work that matched in its metadata only, or an
adult work whose text the reader has not agreed to see, gets a snippet of its summary
(or title) instead, with no chapter or paragraph, or none at all.
"""

from __future__ import annotations

import html
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import reduce
from operator import and_, or_
from typing import TYPE_CHECKING

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from fanarchive.lib.columns import SORT_FIELDS, Audience, Mask, WorkColumns
from fanarchive.lib.text import paragraph_at, strip_controls
from fanarchive.search.columns import current as current_columns
from fanarchive.search.columns import selection_for
from fanarchive.search.engines import (
    MARK_END,
    MARK_START,
    ChapterMatch,
    Engine,
    Side,
    get_engine,
)
from fanarchive.search.query import Query, Term, parse
from fanarchive.works.listing import (
    BLURB_PREFETCH,
    DEFAULT_SORT,
    MAX_TAG_FILTERS,
    SORTS,
    WorkFilters,
    filter_works,
)
from fanarchive.works.models import Work, adult_work_ids

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from fanarchive.works.models import WorkQuerySet

SORT_BEST = "best"
SEARCH_SORTS = (SORT_BEST, *SORTS)
SNIPPET_WORDS = 30
# Words of context a snippet keeps before its first match.
LEAD_WORDS = 8

# Which fields each side of the index can answer; None is a term with no field.
SIDE_FIELDS: dict[Side, frozenset[str | None]] = {
    Side.METADATA: frozenset({None, "title", "author", "summary", "tag"}),
    Side.CHAPTERS: frozenset({None, "text"}),
}

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")


@dataclass(frozen=True)
class SearchQuery:
    """What a reader asked for. `include`/`exclude` are tags written `Name` or
    `type:Name` (as the works index takes them); `ratings` AO3 rating names; `sort` one
    of SEARCH_SORTS, or None for `best` with text and the listing default without."""

    text: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ratings: tuple[str, ...] = ()
    sort: str | None = None
    include_suggested: bool = False
    complete: bool | None = None
    single_chapter: bool = False
    language: str = ""
    ranges: tuple[tuple[str, object, object], ...] = ()
    crossover: bool | None = None
    """As WorkFilters has them: completion, length, language, number and date ranges,
    crossovers (None: either, False: none, True: only crossovers)."""

    def __post_init__(self) -> None:
        if self.sort is not None and self.sort not in SEARCH_SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; one of {', '.join(SEARCH_SORTS)}")

    @classmethod
    def of(cls, filters: WorkFilters, *, text: str = "", sort: str | None = None) -> SearchQuery:
        """The works index's filters as a search. Its sort is `sort`; without one, best
        match for words, or else the listing's sort."""
        return cls(
            text=text,
            include=filters.tags,
            exclude=filters.excluded,
            ratings=filters.ratings,
            sort=sort or (None if text.strip() else filters.sort),
            include_suggested=filters.include_suggested,
            complete=filters.complete,
            single_chapter=filters.single_chapter,
            crossover=filters.crossover,
            language=filters.language,
            ranges=filters.ranges,
        )

    def parsed(self) -> Query:
        return parse(strip_controls(self.text, " "))

    def filters(self) -> WorkFilters:
        return WorkFilters(
            tags=_tag_values(self.include),
            excluded=_tag_values(self.exclude),
            ratings=tuple(strip_controls(rating) for rating in self.ratings),
            sort=self.sort if self.sort in SORTS else DEFAULT_SORT,
            include_suggested=self.include_suggested,
            complete=self.complete,
            single_chapter=self.single_chapter,
            language=self.language,
            ranges=self.ranges,
            crossover=self.crossover,
        )


def _tag_values(values: tuple[str, ...]) -> tuple[str, ...]:
    # No tag name holds a control character, and PostgreSQL refuses NUL in a parameter.
    cleaned = (strip_controls(value).strip() for value in values)
    return tuple(dict.fromkeys(value for value in cleaned if value))[:MAX_TAG_FILTERS]


@dataclass(frozen=True)
class SearchHit:
    work: Work
    rank: float | None
    """The `best` score (higher is better); None without words to rank by."""
    snippet_html: SafeString | None
    chapter_position: int | None
    paragraph: int | None


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit]


def search(
    query: SearchQuery,
    audience: Audience,
    *,
    limit: int = 20,
    offset: int = 0,
    show_adult_snippets: bool = False,
    columns: WorkColumns | None = None,
) -> SearchResults:
    """One page of the works `audience` may see that match `query`, in its order, with
    the total. The in-memory columns find it, except in the title and creator sorts,
    which they do not hold. `columns`: a snapshot to read (by default, the current
    one)."""
    engine = get_engine()
    parsed = query.parsed()
    ranking = ranking_queries(parsed)
    works = Work.objects.for_audience(audience)
    limit, offset = max(0, limit), max(0, offset)
    filters = query.filters()
    by_best_match = bool(ranking) and (query.sort or SORT_BEST) == SORT_BEST
    if by_best_match or filters.sort in SORT_FIELDS:
        columns = columns or current_columns()
        rows = matching_rows(query, audience, columns)
        total = int(np.count_nonzero(rows))
        if by_best_match:
            ranked, best = _best_matches(engine, ranking, columns, rows, limit, offset)
        else:
            page = [int(pk) for pk in columns.top(rows, filters.sort, limit=limit, offset=offset)]
            ranked, best = _scored_page(engine, ranking, columns, page)
        hits = _hits(engine, works, ranked, ranking, show_adult_snippets, best)
        return SearchResults(total, hits)
    found = filter_works(works, filters)
    if (condition := text_condition(engine, parsed)) is not None:
        found = found.filter(condition)
    total = found.count()
    if not total or not limit or offset >= total:
        return SearchResults(total, [])
    ranked = _listed(engine, found, ranking, limit=limit, offset=offset)
    return SearchResults(total, _hits(engine, works, ranked, ranking, show_adult_snippets))


def _best_matches(
    engine: Engine,
    ranking: dict[Side, Query],
    columns: WorkColumns,
    rows: Mask,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, float | None]], dict[int, ChapterMatch]]:
    """One page of `rows` by best match, and the best chapter of each work on it. Works
    of `rows` with no score rank last, at 0."""
    scores, best_chapters = _match_scores(engine, ranking, columns)
    candidates = np.flatnonzero(rows)
    ids = columns.work_ids[candidates]
    ordered = candidates[np.lexsort((-ids, -scores[candidates]))][offset : offset + limit]
    page = [(int(columns.work_ids[row]), float(scores[row])) for row in ordered]
    return page, _best_of(best_chapters, {pk for pk, _ in page})


def _scored_page(
    engine: Engine, ranking: dict[Side, Query], columns: WorkColumns, page: list[int]
) -> tuple[list[tuple[int, float | None]], dict[int, ChapterMatch]]:
    """A page in a listing sort, each work with its score and best chapter, from the
    same single pass over the matches as best match uses."""
    if not ranking or not page:
        return [(pk, None) for pk in page], {}
    scores, best_chapters = _match_scores(engine, ranking, columns)
    rows = columns.row_of[np.array(page, np.int64)]
    ranked = [(pk, float(scores[row])) for pk, row in zip(page, rows, strict=True)]
    return ranked, _best_of(best_chapters, set(page))


def _match_scores(
    engine: Engine, ranking: dict[Side, Query], columns: WorkColumns
) -> tuple[np.ndarray, np.ndarray]:
    """Every row's score (metadata score plus best chapter score, as `_ranked` sums them
    in SQL), and each work's best chapter as rows of (chapter id, work id, position,
    score): one pass over every match on each side."""
    if Side.CHAPTERS in ranking:
        chapter_ids, scores_of_chapters = chapter_scores(engine, ranking[Side.CHAPTERS], columns)
    else:
        chapter_ids, scores_of_chapters = np.zeros(0, np.int64), np.zeros(0, np.float64)
    work_ids, positions = columns.chapters_of(chapter_ids)
    chapters = np.column_stack([chapter_ids, work_ids, positions, scores_of_chapters])
    chapters = chapters.astype(np.float64).reshape(-1, 4)
    chapters = chapters[chapters[:, 1] > 0]  # chapters the columns know
    # Best chapter per work: highest score, then the earlier chapter.
    order = np.lexsort((chapters[:, 2], -chapters[:, 3], chapters[:, 1]))
    chapters = chapters[order]
    first = np.ones(len(chapters), np.bool_)
    first[1:] = chapters[1:, 1] != chapters[:-1, 1]
    best_chapters = chapters[first]
    metadata = np.array(
        engine.metadata_scores(ranking[Side.METADATA]) if Side.METADATA in ranking else [],
        dtype=np.float64,
    ).reshape(-1, 2)
    scores = np.zeros(columns.rows, np.float64)
    for work_ids, values in (
        (best_chapters[:, 1], best_chapters[:, 3]),
        (metadata[:, 0], metadata[:, 1]),
    ):
        ids = work_ids.astype(np.int64)
        known = ids < len(columns.row_of)
        at = columns.row_of[ids[known]]
        np.add.at(scores, at[at >= 0], values[known][at >= 0])
    return scores, best_chapters


def _best_of(best_chapters: np.ndarray, work_ids: set[int]) -> dict[int, ChapterMatch]:
    return {
        int(work_id): ChapterMatch(int(chapter_id), int(work_id), int(position), float(score))
        for chapter_id, work_id, position, score in best_chapters
        if int(work_id) in work_ids
    }


def _remembered[T](
    store: threading.local, key: object, columns: WorkColumns, answer: Callable[[], T]
) -> T:
    """The last answer in this thread to the question `key` on these columns, or a new
    one. Its arrays are read-only: every caller shares them."""
    if getattr(store, "key", None) == key and store.columns is columns:
        return store.answer
    found = answer()
    for array in found if isinstance(found, tuple) else (found,):
        array.flags.writeable = False
    store.key, store.columns, store.answer = key, columns, found
    return found


# A listing page asks for its works and then its facets: the same rows, found once.
_last_rows = threading.local()


def matching_rows(query: SearchQuery, audience: Audience, columns: WorkColumns) -> Mask:
    """The rows of `columns` for works `audience` may see that match `query`: the
    words through the engine's id lists, the rest from the columns. The last answer
    in this thread is kept for the same question on the same columns."""

    def rows() -> Mask:
        text = text_rows(query.parsed(), columns)
        selection = selection_for(query.filters(), audience, text)
        return np.zeros(columns.rows, np.bool_) if selection is None else columns.select(selection)

    return _remembered(_last_rows, (query, audience, id(columns)), columns, rows)


def text_rows(query: Query, columns: WorkColumns) -> Mask | None:
    """The rows whose works the query's words allow (as `text_condition` decides), or
    None when it has no words. Each side's matches come straight from the engine's
    index as ids, so the works table is never scanned."""
    if not query.clauses:
        return None
    engine = get_engine()
    ranking = ranking_queries(query).get(Side.CHAPTERS)
    allowed = np.ones(columns.rows, np.bool_)
    for clause in query.clauses:
        negated = clause[0].negated
        terms = [replace(clause[0], negated=False)] if negated else clause
        found = np.zeros(columns.rows, np.bool_)
        if (sub := _side_query(terms, Side.METADATA, query.raw)) and (
            sql := engine.matching(Side.METADATA, sub)
        ):
            found |= columns.rows_for(_ids(sql.sql, sql.params))
        if sub := _side_query(terms, Side.CHAPTERS, query.raw):
            if sub == ranking:
                # The chapters the page will be scored from (a one-clause query, the
                # commonest kind): one pass over the matches serves both.
                chapter_ids, _ = chapter_scores(engine, sub, columns)
            else:
                chapters = engine.matching_chapters(sub)
                chapter_ids = np.fromiter((row[0] for row in chapters), np.int64, len(chapters))
            found |= columns.rows_for(columns.chapters_of(chapter_ids)[0])
        allowed &= ~found if negated else found
    return allowed


_last_scores = threading.local()


def chapter_scores(
    engine: Engine, query: Query, columns: WorkColumns
) -> tuple[np.ndarray, np.ndarray]:
    """Every chapter matching `query` and its score, as arrays of ids and scores. The
    last answer in this thread is kept for the same question on the same columns: the
    rows a query finds and the scores its page is ranked by come from the same pass."""

    def scores() -> tuple[np.ndarray, np.ndarray]:
        scored = engine.chapter_scores(query)
        return (
            np.fromiter((row[0] for row in scored), np.int64, len(scored)),
            np.fromiter((row[1] for row in scored), np.float64, len(scored)),
        )

    return _remembered(_last_scores, (query, id(columns)), columns, scores)


def _ids(sql: str, params: Sequence[object]) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return np.fromiter((row[0] for row in cursor.fetchall()), np.int64)


# The text condition -------------------------------------------------------------------


def _side_query(terms: Iterable[Term], side: Side, raw: str) -> Query | None:
    """The terms one side can answer, as a one-clause query (an OR), or None."""
    kept = tuple(dict.fromkeys(term for term in terms if term.field in SIDE_FIELDS[side]))
    return Query(clauses=(kept,), raw=raw) if kept else None


def ranking_queries(query: Query) -> dict[Side, Query]:
    """Per side, every positive term OR-ed: what scores, picks chapters and highlights."""
    positive = [term for clause in query.clauses for term in clause if not term.negated]
    return {side: sub for side in Side if (sub := _side_query(positive, side, query.raw))}


def _found_by(engine: Engine, terms: Sequence[Term], raw: str) -> Q:
    """Works where any of `terms` matches, in their metadata or in one chapter."""
    subqueries = [
        sql
        for side in Side
        if (sub := _side_query(terms, side, raw)) and (sql := engine.matching(side, sub))
    ]
    if not subqueries:
        return Q(pk__in=[])  # nothing an engine can match: no work
    return reduce(or_, (Q(pk__in=sql) for sql in subqueries))


def text_condition(engine: Engine, query: Query) -> Q | None:
    """The query as a condition on works, or None when it has no words."""
    conditions = [
        ~_found_by(engine, [replace(clause[0], negated=False)], query.raw)
        if clause[0].negated
        else _found_by(engine, clause, query.raw)
        for clause in query.clauses
    ]
    return reduce(and_, conditions) if conditions else None


# Ranking and the page ---------------------------------------------------------------


def _ranked(
    engine: Engine,
    found: WorkQuerySet,
    ranking: dict[Side, Query],
    *,
    limit: int,
    offset: int = 0,
) -> list[tuple[int, float | None]]:
    """(work id, score) of `found`, best first, one page: scored, ordered and sliced by
    the database."""
    if not ranking:
        return []
    base_sql, base_params = found.order_by().values("pk").query.sql_with_params()
    score_sql, score_params = engine.scores(ranking)
    table = connection.ops.quote_name(Work._meta.db_table)
    # Both fragments are SQL this code wrote (the engine's constants and Django's
    # compiled queryset); every value in them is a parameter.
    sql = (
        f"SELECT w.id, COALESCE(s.score, 0) AS score FROM {table} w "  # noqa: S608
        f"LEFT JOIN ({score_sql}) s ON s.work_id = w.id WHERE w.id IN ({base_sql}) "
        "ORDER BY score DESC, w.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*score_params, *base_params, limit, offset])
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _listed(
    engine: Engine, found: WorkQuerySet, ranking: dict[Side, Query], *, limit: int, offset: int
) -> list[tuple[int, float | None]]:
    """One page in a listing sort (ordered by filter_works), each with its score."""
    ids = list(found.values_list("pk", flat=True)[offset : offset + limit])
    scores = dict(_ranked(engine, found.filter(pk__in=ids), ranking, limit=len(ids)))
    return [(pk, scores.get(pk)) for pk in ids]


def _hits(
    engine: Engine,
    works: WorkQuerySet,
    ranked: list[tuple[int, float | None]],
    ranking: dict[Side, Query],
    show_adult_snippets: bool,
    best: dict[int, ChapterMatch] | None = None,
) -> list[SearchHit]:
    loaded = works.filter(pk__in=[pk for pk, _ in ranked]).prefetch_related(
        *BLURB_PREFETCH, "tags__merger"
    )
    by_id = {work.pk: work for work in loaded}
    page = [by_id[pk] for pk, _ in ranked if pk in by_id]
    snippets = _snippets(engine, page, ranking, show_adult_snippets, best)
    hits = []
    for pk, rank in ranked:
        if pk in by_id:
            found = snippets.get(pk, NO_SNIPPET)
            hits.append(SearchHit(by_id[pk], rank, found.html, found.chapter, found.paragraph))
    return hits


# Snippets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    html: SafeString | None
    chapter: int | None = None
    paragraph: int | None = None


NO_SNIPPET = Snippet(None)


def _snippets(
    engine: Engine,
    works: list[Work],
    ranking: dict[Side, Query],
    show_adult: bool,
    best: dict[int, ChapterMatch] | None,
) -> dict[int, Snippet]:
    snippets: dict[int, Snippet] = {}
    if chapter_query := ranking.get(Side.CHAPTERS):
        snippets = _chapter_snippets(engine, chapter_query, works, show_adult, best)
    rest = [work for work in works if work.pk not in snippets]
    if rest and (metadata_query := ranking.get(Side.METADATA)):
        snippets |= _metadata_snippets(engine, metadata_query, rest)
    return snippets


def _chapter_snippets(
    engine: Engine,
    query: Query,
    works: list[Work],
    show_adult: bool,
    best: dict[int, ChapterMatch] | None,
) -> dict[int, Snippet]:
    matches = best if best is not None else engine.best_chapters(query, [w.pk for w in works])
    # The adult gate: an adult work's text reaches only readers who agreed to see it.
    gated = set() if show_adult else adult_work_ids(works)
    shown = [match for work in works if (match := matches.get(work.pk)) and work.pk not in gated]
    marked = engine.highlight_chapters(query, [match.chapter_id for match in shown])
    snippets = {}
    for match in shown:
        if excerpt := excerpt_of(marked.get(match.chapter_id, "")):
            snippet_html, paragraph = excerpt
            snippets[match.work_id] = Snippet(snippet_html, match.position, paragraph)
    return snippets


def _metadata_snippets(engine: Engine, query: Query, works: list[Work]) -> dict[int, Snippet]:
    snippets = {}
    for work_id, fields in engine.highlight_metadata(query, works).items():
        for text in (fields.summary, fields.title):
            if text and (excerpt := excerpt_of(text)):
                snippets[work_id] = Snippet(excerpt[0])
                break
    return snippets


def excerpt_of(marked: str, size: int = SNIPPET_WORDS) -> tuple[SafeString, int] | None:
    """About `size` words of engine-highlighted text around its densest run of matches,
    as HTML, and the paragraph of the first match shown. None if nothing is marked."""
    plain, marks = _unmark(marked)
    if not marks:
        return None
    words = [match.span() for match in _WORD.finditer(plain)]
    first, last = _best_window(plain, words, marks, size)
    start, end = words[first][0], words[last][1]
    shown = [(max(a, start), min(b, end)) for a, b in marks if a < end and b > start]
    return _render(plain, shown, start, end), paragraph_at(plain, shown[0][0])


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without the engine's marks, and the (start, end) of each marked span."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    position, opened = 0, None
    for piece in _MARKS.split(marked):
        if piece == MARK_START:
            opened = position
        elif piece == MARK_END:
            if opened is not None and position > opened:
                spans.append((opened, position))
            opened = None
        else:
            pieces.append(piece)
            position += len(piece)
    return "".join(pieces), spans


def _best_window(
    plain: str, words: list[tuple[int, int]], marks: list[tuple[int, int]], size: int
) -> tuple[int, int]:
    """The first and last word of the `size`-word window with the most distinct matched
    words (then the most matches; then the earliest), starting a little before a match."""
    starts = [start for start, _ in words]
    mark_words = [max(0, bisect_right(starts, a) - 1) for a, _ in marks]
    texts = [plain[a:b].casefold() for a, b in marks]
    best: tuple[tuple[int, int], int, int] | None = None
    for word in dict.fromkeys(mark_words):
        first = max(0, min(word - LEAD_WORDS, len(words) - size))
        last = min(len(words), first + size) - 1
        low, high = bisect_left(mark_words, first), bisect_right(mark_words, last)
        score = (len(set(texts[low:high])), high - low)
        if best is None or score > best[0]:
            best = (score, first, last)
    assert best is not None
    return best[1], best[2]


def _render(plain: str, marks: list[tuple[int, int]], start: int, end: int) -> SafeString:
    """plain[start:end] as HTML: marks placed as sentinels, the whole escaped, then the
    sentinels made <mark> tags, so nothing from the story can open or close a tag."""
    pieces: list[str] = []
    position = start
    for a, b in marks:
        pieces += [plain[position:a], MARK_START, plain[a:b], MARK_END]
        position = b
    pieces.append(plain[position:end])
    text = html.escape(_SPACE.sub(" ", "".join(pieces)))
    text = text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    lead = "… " if plain[:start].strip() else ""
    tail = " …" if plain[end:].strip() else ""
    return mark_safe(lead + text + tail)  # noqa: S308 -- escaped above; only our <mark> tags
