"""Plain-text stories: an optional header of ``key: value`` lines, then the story.

The format is /work/shared/formats.md section 1; the rules as users see them are in
docs/cli.md, "Plain-text stories". In short:

* A header is recognised only when the first non-blank line is a known key and a
  colon. It ends at the first blank line (or at a separator line such as ``-----``).
  A line starting with whitespace, or without a ``key:`` of its own, continues the
  previous value. Every header line lands in ``fields`` as written, known or not.
* Without a header, a first line of at most 120 characters followed by a blank line
  is the title; otherwise, and when a header has no title, the file name gives it.
* The story is an HTML fragment when it uses HTML tags, else plain text; both are
  split into chapters and laid out by :mod:`fanarchive.lib.prose`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO

from fanarchive.ingest.importers.labels import Field, apply_header, group_of
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError, story_text
from fanarchive.lib.html import html_to_text, looks_like_html
from fanarchive.lib.prose import (
    chapter_heading,
    has_story_text,
    html_to_chapters,
    is_scene_break,
    split_chapters,
    text_to_html,
)

NAME = "plaintext"
VERSION = "1"

EXTENSIONS = (".txt", ".text")

MAX_TITLE_LINE = 120


def recognizes(head: bytes, name: str) -> bool:
    """Any file may be plain text; the registry asks this importer last."""
    return True


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work in a plain-text file. Raises ParseError, its message without the
    file name: "empty file", "binary file (...)", "undecodable text", "no story text
    after the header", "no story text after the title line" or "no story text"."""
    data = stream.read()
    text = story_text(data)
    work = parse_text(text, name)
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


def parse_text(text: str, name: str) -> ParsedWork:
    """The work in decoded text; ``name`` is the file path, for the title fallback."""
    lines = _without_leading_blank_lines(text.split("\n"))
    work = ParsedWork(
        title="", chapters=[], importer=NAME, importer_version=VERSION, source_file=name
    )
    if (header := _split_header(lines)) is not None:
        header_lines, body_lines = header
        apply_header(work, _read_fields(header_lines))
        missing = "no story text after the header"
    elif (titled := _split_title_line(lines)) is not None:
        work.title, body_lines = titled
        missing = "no story text after the title line"
    else:
        body_lines, missing = lines, "no story text"
    work.title = work.title or title_from_file_name(name)
    work.chapters = _chapters("\n".join(body_lines))
    if not work.chapters:
        raise ParseError(missing)
    return work


def title_from_file_name(name: str) -> str:
    """The title a file name suggests: both the_lost_ledger.txt and the-lost-ledger.txt
    give "the lost ledger"; hyphens stay when the name has spaces or underscores."""
    stem = PurePosixPath(name.replace("\\", "/")).stem
    title = stem.replace("_", " ")
    if " " not in title:
        title = title.replace("-", " ")
    return " ".join(title.split())


def _without_leading_blank_lines(lines: list[str]) -> list[str]:
    start = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    return lines[start:]


def _chapters(body: str) -> list[ParsedChapter]:
    if not has_story_text(body):
        return []
    if looks_like_html(body):
        pairs = html_to_chapters(body)
    else:
        pairs = [(title, text_to_html(text)) for title, text in split_chapters(body)]
    return [ParsedChapter(body=html, title=title) for title, html in pairs]


# The title line ---------------------------------------------------------------------

_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# A first line that opens a paragraph or breaks lines is story, not a title.
_PARAGRAPH_MARKUP = re.compile(r"<(p|div|br|blockquote)\b", re.I)


def _split_title_line(lines: list[str]) -> tuple[str, list[str]] | None:
    """(title, the lines after it) when the first line is a title line. A file of one
    short line is a title with no story, not a one-line story."""
    if not lines:
        return None
    first, rest = lines[0].strip(), lines[1:]
    if len(first) > MAX_TITLE_LINE or (rest and rest[0].strip()):
        return None
    if chapter_heading(first) is not None or is_scene_break(first):
        return None
    if _ANY_TAG.search(first):
        if _PARAGRAPH_MARKUP.search(first):
            return None
        first = " ".join(html_to_text(first).split())
    return (first, rest) if first else None


# The header -------------------------------------------------------------------------

# Keys may hold apostrophes, straight or curly ("Author's Notes").
_FIELD_LINE = re.compile(r"(?P<key>[^\W\d_][\w '\u2019/().&#+-]{0,49}?)\s*:(?P<rest>.*)")


def _field_line(line: str) -> tuple[str, str] | None:
    """(key, value) of a ``key: value`` line. An unknown key needs a space or the end
    of the line after its colon, so "http://..." and "10:30" are not fields."""
    match = _FIELD_LINE.fullmatch(line)
    if match is None:
        return None
    key, rest = match["key"].strip(), match["rest"]
    if group_of(key) is None and not (rest == "" or rest[0].isspace()):
        return None
    return key, rest.strip()


def _split_header(lines: list[str]) -> tuple[list[str], list[str]] | None:
    if not lines or (first := _field_line(lines[0])) is None or group_of(first[0]) is None:
        return None
    for index, line in enumerate(lines):
        # A separator line under a header ends it as a blank line would: files
        # often rule the header off from the story without leaving a blank line.
        if not line.strip() or is_scene_break(line):
            return lines[:index], lines[index + 1 :]
    return lines, []


def _read_fields(lines: list[str]) -> list[Field]:
    fields: list[Field] = []
    for line in lines:
        parsed = None if line[:1].isspace() else _field_line(line)
        if parsed is not None:
            key, value = parsed
            fields.append(Field(key, [value], group_of(key)))
        elif fields:
            fields[-1].lines.append(line.strip())
    return fields
