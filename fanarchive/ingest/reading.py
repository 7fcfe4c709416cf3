"""Reading a file into works ready to write: parse, then sanitise and count each chapter.

No database and no Django here on purpose: `fanarchive import --jobs N` runs this in
worker processes while the main process writes, and a worker that had to set Django
up would cost more than it saves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError
from fanarchive.ingest.registry import importer_for
from fanarchive.lib.html import clean_story_html, sanitize
from fanarchive.lib.text import chapter_text
from fanarchive.lib.wordcount import count_html_words

log = logging.getLogger(__name__)


@dataclass
class PreparedChapter:
    """A parsed chapter made ready to store: sanitised, numbered, counted."""

    title: str
    summary: str
    notes: str
    end_notes: str
    published: date | None
    body: str
    word_count: int


@dataclass
class ReadyWork:
    """A parsed work with its chapters prepared: all the writer still does is store it."""

    parsed: ParsedWork
    chapters: list[PreparedChapter]
    indexed_texts: list[str]
    """Each chapter's text as the search index holds it, made here rather than by the
    writer: it is the costliest step after parsing."""

    @property
    def text_bytes(self) -> int:
        return sum(len(chapter.body) for chapter in self.chapters)


@dataclass
class ReadFile:
    """What one file gave: its works, or why it could not be read."""

    file: str
    works: list[ReadyWork] = field(default_factory=list)
    error: str = ""


def prepare(parsed: ParsedWork) -> ReadyWork:
    chapters = [prepare_chapter(chapter) for chapter in parsed.chapters]
    return ReadyWork(parsed, chapters, [chapter_text(chapter.body) for chapter in chapters])


def prepare_chapter(chapter: ParsedChapter) -> PreparedChapter:
    body = clean_story_html(chapter.body)
    return PreparedChapter(
        title=chapter.title.strip(),
        summary=sanitize(chapter.summary),
        notes=sanitize(chapter.notes),
        end_notes=sanitize(chapter.end_notes),
        published=chapter.published,
        body=body,
        word_count=count_html_words(body),
    )


def read_file(path: Path) -> ReadFile:
    """Every work in one file, prepared, and the error that stopped it, if one did. A
    failure is returned, never raised, so one bad file costs only itself, in this
    process or in a worker; the works read before it are still written."""
    read = ReadFile(str(path))
    try:
        importer = importer_for(path)
        resolved = str(path.resolve())
        with path.open("rb") as stream:
            for parsed in importer.parse(stream, read.file):
                parsed.source_file = resolved
                read.works.append(prepare(parsed))
    except ParseError as error:
        read.error = str(error)
    except OSError as error:
        read.error = error.strerror or str(error)
    except Exception as error:  # a bug must cost one file, not the batch
        log.exception("reading %s failed", read.file)
        read.error = f"unexpected error: {type(error).__name__}: {error}"
    return read
