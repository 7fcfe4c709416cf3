"""Works for the search tests, stored through the real writer (so indexing runs exactly
as on import), and a short way to search them."""

from __future__ import annotations

import hashlib
from typing import Any

from fanarchive.ingest.parsed import ParsedChapter, ParsedWork
from fanarchive.ingest.writer import write_work
from fanarchive.lib.columns import Audience
from fanarchive.search.service import SearchQuery, SearchResults, search
from fanarchive.tags.constants import GENERAL
from fanarchive.works.models import Work


def store(title: str, *chapters: str, source: str = "", **fields: Any) -> Work:
    """Import a work: `chapters` are body HTML fragments; `fields` are ParsedWork's.
    Rated General Audiences unless a rating is given. Importing again with the same
    `source` (default: from the title) updates the work."""
    fields.setdefault("rating", GENERAL)
    parsed = ParsedWork(
        title=title,
        chapters=[ParsedChapter(body=body) for body in chapters or ("<p>Nothing happens.</p>",)],
        importer="test",
        importer_version="1",
        source_file=source or f"stories/{title}.txt",
        **fields,
    )
    parsed.content_hash = hashlib.sha256(repr(parsed).encode()).hexdigest()
    # Search tests give many works one text on purpose, to tell them apart by metadata.
    return write_work(parsed, keep_duplicates=True).work


def run(
    text: str = "", *, limit: int = 20, offset: int = 0, adult: bool = True, **query: Any
) -> SearchResults:
    return search(
        SearchQuery(text=text, **query),
        Audience.STAFF,
        limit=limit,
        offset=offset,
        show_adult_snippets=adult,
    )


def titles(text: str = "", **options: Any) -> list[str]:
    """Titles found, in result order."""
    return [hit.work.title for hit in run(text, **options).hits]


def found(text: str = "", **options: Any) -> set[str]:
    return set(titles(text, **options))
