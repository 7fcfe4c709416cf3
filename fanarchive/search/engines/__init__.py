"""The two full-text engines behind search, chosen by the configured database.

SQLite keeps its text in FTS5 tables (`sqlite.py`), PostgreSQL keeps tsvectors in the
WorkDocument and ChapterDocument tables (`postgres.py`). Both answer the same questions,
so the service above them is written once:

- which works match a query, as a subquery of work ids (`matching`);
- how well each work matches, as rows of (work_id, score), higher is better (`scores`);
- which chapter of a work matches best (`best_chapters`);
- the text of a chapter, a summary or a title with every match marked (`highlight_*`).

A query reaches an engine already split by the service into its metadata side (fields
title, author, summary, tag and unfielded words) or its chapter side (field text and
unfielded words): an engine never decides what a field means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from django.db import connection

if TYPE_CHECKING:
    from django.db.models.expressions import RawSQL

    from fanarchive.search.query import Query
    from fanarchive.works.models import Work

# Marks around each match in highlighted text. Control characters never occur in indexed
# text (indexing replaces them), so they cannot be confused with story text, and HTML
# escaping leaves them alone.
MARK_START = "\x02"
MARK_END = "\x03"


class Side(StrEnum):
    METADATA = "metadata"
    CHAPTERS = "chapters"


@dataclass(frozen=True)
class WorkText:
    """What search reads of a work's metadata, as plain text."""

    work_id: int
    title: str
    creators: str
    summary: str
    tags: str


@dataclass(frozen=True)
class ChapterText:
    chapter_id: int
    work_id: int
    position: int
    text: str


@dataclass(frozen=True)
class ChapterMatch:
    chapter_id: int
    work_id: int
    position: int
    score: float


@dataclass(frozen=True)
class MarkedMetadata:
    """A work's summary and title with the metadata query's matches marked (None when the
    engine found nothing to mark there)."""

    summary: str | None
    title: str | None


class Engine(Protocol):
    def write_works(self, docs: Sequence[WorkText]) -> None: ...

    def write_chapters(self, docs: Sequence[ChapterText]) -> None: ...

    def clear(self) -> None: ...

    def prune(self) -> None: ...

    def matching(self, side: Side, query: Query) -> RawSQL | None: ...

    def scores(self, sides: dict[Side, Query]) -> tuple[str, list[object]]: ...

    def best_chapters(self, query: Query, work_ids: Sequence[int]) -> dict[int, ChapterMatch]: ...

    def metadata_scores(self, query: Query) -> list[tuple[int, float]]:
        """(work id, score) of every work whose metadata matches."""
        ...

    def chapter_scores(self, query: Query) -> list[tuple[int, float]]:
        """(chapter id, score) of every matching chapter."""
        ...

    def matching_chapters(self, query: Query) -> list[tuple[int]]:
        """The ids of every matching chapter."""
        ...

    def highlight_chapters(self, query: Query, chapter_ids: Sequence[int]) -> dict[int, str]: ...

    def highlight_metadata(
        self, query: Query, works: Sequence[Work]
    ) -> dict[int, MarkedMetadata]: ...


def if_marked(text: str | None) -> str | None:
    return text if text and MARK_START in text else None


def best_per_work(matches: Sequence[ChapterMatch]) -> dict[int, ChapterMatch]:
    """The highest-scoring chapter of each work; the earlier chapter on a tie."""
    best: dict[int, ChapterMatch] = {}
    for match in sorted(matches, key=lambda m: (-m.score, m.position)):
        best.setdefault(match.work_id, match)
    return best


def get_engine() -> Engine:
    """The engine of the default database."""
    if connection.vendor == "sqlite":
        from fanarchive.search.engines.sqlite import SqliteEngine

        return SqliteEngine()
    if connection.vendor == "postgresql":
        from fanarchive.search.engines.postgres import PostgresEngine

        return PostgresEngine()
    raise NotImplementedError(f"search supports SQLite and PostgreSQL, not {connection.vendor}")
