"""The neutral parsed-work structure every importer yields and the one writer reads.

Framework-free on purpose: importers are plain functions from a byte stream to
ParsedWork objects, testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fanarchive.lib.textdecode import UndecodableText, decode_text


class ParseError(Exception):
    """A file that cannot be imported. The message says why, in words a reader can act on;
    the caller adds the file name."""


def story_text(data: bytes) -> str:
    """The text of a story file's bytes, whatever their encoding; ParseError ("empty
    file", "binary file (...)", "undecodable text") when they hold none."""
    try:
        return decode_text(data)
    except UndecodableText as error:
        raise ParseError(str(error)) from None


@dataclass
class ParsedChapter:
    body: str
    """HTML fragment. The writer sanitises it and numbers its paragraphs."""
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    published: date | None = None


@dataclass
class ParsedSeries:
    title: str
    position: int | None = None
    summary: str = ""
    """HTML fragment or plain text; fills a new series' summary (or an empty one)."""


@dataclass
class CreatorContact:
    """What an old archive knew about an author that readers must never see. Kept,
    privately, so the author can later be found and claim their works."""

    name: str
    """The pen name, as in ``ParsedWork.creators``."""
    email: str = ""
    real_name: str = ""
    website: str = ""
    bio: str = ""


@dataclass
class ParsedReview:
    """A reader's review on the archive a work was rescued from."""

    reviewer: str
    text: str
    """HTML fragment or plain text, as the archive stored it."""
    posted: date | None = None
    chapter: int | None = None
    """1-based position of the chapter reviewed; None for the whole work."""


@dataclass
class ParsedWork:
    title: str
    chapters: list[ParsedChapter]
    importer: str
    importer_version: str
    source_file: str = ""
    """Path of the file (or archive member) the work came from."""
    content_hash: str = ""
    """SHA-256 hex of the bytes this work was read from."""
    creators: list[str] = field(default_factory=list)
    rating: str | None = None
    """An AO3 rating name; None means the source gave none (stored as Not Rated)."""
    warnings: list[str] = field(default_factory=list)
    """AO3 archive warnings only; other warnings belong in freeforms."""
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeforms: list[str] = field(default_factory=list)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    """HTML fragments, sanitised by the writer."""
    language: str = ""
    series: list[ParsedSeries] = field(default_factory=list)
    complete: bool | None = None
    posted: bool | None = None
    """False for a work its source never published (an eFiction story not validated):
    stored as a draft when first imported. None: published."""
    expected_chapters: int | None = None
    published: date | None = None
    updated: date | None = None
    source_url: str = ""
    hits: int | None = None
    kudos: int | None = None
    bookmarks: int | None = None
    comments: int | None = None
    archive_name: str = ""
    """The archive the work was rescued from; the work page says "Imported from NAME"."""
    original_location: str = ""
    """Where the work lived in that archive: its URL there, or its id when the
    archive's address is unknown."""
    contacts: list[CreatorContact] = field(default_factory=list)
    """Private details of the creators; never shown to readers."""
    reviews: list[ParsedReview] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    """Every header field as the source wrote it, including those with no home in the model."""
