"""Reading a file into works ready to write: parse, then sanitise and count each chapter.

No database and no Django here on purpose: `fanarchive import --jobs N` runs this in
worker processes while the main process writes, and a worker that had to set Django
up would cost more than it saves.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError
from fanarchive.ingest.registry import (
    HEAD_BYTES,
    importable_extensions,
    importer_for_head,
    is_story_archive,
)
from fanarchive.lib import minhash
from fanarchive.lib.html import clean_story_html, sanitize
from fanarchive.lib.safezip import UnsafeArchive, open_zip
from fanarchive.lib.text import chapter_text
from fanarchive.lib.wordcount import count_html_words

log = logging.getLogger(__name__)

DEFAULT_MAX_FILE_BYTES = 200_000_000
"""The largest file (or archive member) read: FANARCHIVE_MAX_FILE_BYTES."""


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
    signature: bytes | None = None
    """The text's MinHash signature (`lib/minhash.py`), to recognise copies of stored
    works; None for a text too short to tell."""

    @property
    def text_bytes(self) -> int:
        return sum(len(chapter.body) for chapter in self.chapters)


@dataclass
class ReadFile:
    """What one file gave: its works, or why it could not be read."""

    file: str
    works: list[ReadyWork] = field(default_factory=list)
    error: str = ""
    origin: str = ""
    """The path that was asked for: the file itself, or the zip archive holding it."""


def prepare(parsed: ParsedWork) -> ReadyWork:
    chapters = [prepare_chapter(chapter) for chapter in parsed.chapters]
    texts = [chapter_text(chapter.body) for chapter in chapters]
    return ReadyWork(parsed, chapters, texts, minhash.signature(texts))


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


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[ReadFile]:
    """What one path on disk gives: its works, or each story in a zip archive of files.
    A failure is returned, never raised, so one bad file costs only itself, in this
    process or in a worker; the works read before it are still written. The file is
    opened, and its format recognised, once."""
    read = ReadFile(str(path), origin=str(path))
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
            stream.seek(0)
            importer = importer_for_head(head, path.name)
            if is_story_archive(head, path.name, importer):
                files = _read_archive(path, stream, max_bytes)
                for member in files:
                    member.origin = read.origin
                return files
            if (size := os.fstat(stream.fileno()).st_size) > max_bytes:
                raise ParseError(_too_large(size, max_bytes))
            _read_works(read, importer.parse(stream, read.file), str(path.resolve()))
    except ParseError as error:
        read.error = str(error)
    except OSError as error:
        read.error = error.strerror or str(error)
    return [read]


def _read_works(read: ReadFile, works: Iterator[ParsedWork], source_file: str) -> None:
    try:
        # A file holding several works (a series book) names each after the first by
        # its place, so a re-import finds each work again instead of one overwriting
        # the other.
        for number, parsed in enumerate(works, start=1):
            parsed.source_file = source_file if number == 1 else f"{source_file}#{number}"
            read.works.append(prepare(parsed))
    except ParseError as error:
        read.error = str(error)
    except Exception as error:  # a bug must cost one file, not the batch
        log.exception("reading %s failed", read.file)
        read.error = f"unexpected error: {type(error).__name__}: {error}"


def _read_archive(path: Path, stream: BinaryIO, max_bytes: int) -> list[ReadFile]:
    """Each importable member of a zip archive, as if it were a file in a folder named
    after the archive. An archive that is damaged or unsafe fails as a whole."""
    try:
        with open_zip(stream) as archive:
            files = []
            for name in archive.names():
                if not _importable_member(name):
                    continue
                read = ReadFile(f"{path}/{name}")
                try:
                    data = archive.read(name, max_bytes)
                except UnsafeArchive as error:
                    read.error = str(error)
                    files.append(read)
                    if "zip bomb" in str(error):
                        break  # the rest of a bomb is not worth opening
                    continue
                importer = importer_for_head(data[:HEAD_BYTES], name)
                source_file = f"{path.resolve()}/{name}"
                _read_works(read, importer.parse(io.BytesIO(data), read.file), source_file)
                files.append(read)
            return files or [ReadFile(str(path), error="no stories in the archive")]
    except UnsafeArchive as error:
        return [ReadFile(str(path), error=str(error))]
    except OSError as error:
        return [ReadFile(str(path), error=error.strerror or str(error))]


def _importable_member(name: str) -> bool:
    parts = name.split("/")
    if name.endswith("/") or any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return False
    return PurePosixPath(name).suffix.lower() in importable_extensions()


def _too_large(size: int, limit: int) -> str:
    return (
        f"file too large ({size / 1e6:,.1f} MB; the limit is {limit / 1e6:,.1f} MB, "
        "set by FANARCHIVE_MAX_FILE_BYTES)"
    )
