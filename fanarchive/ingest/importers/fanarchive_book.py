"""fanarchive's own downloads, EPUB and single-file HTML, read back exactly.

Both are written from one preface and chapter markup (`templates/downloads/epub/`)
whose every value carries a `data-fanarchive` mark, so this reader needs no guessing:

* a work's preface is `<section data-fanarchive-work="ID">`; inside it, each field is
  an element with `data-fanarchive="NAME"` (title, creator, tags of a type, language,
  series, published, updated, complete, chapters, kudos, hits, bookmarks, comments,
  source-url, archive, location, summary, notes), its value in `data-fanarchive-value`
  or, for HTML fields, its content;
* each chapter is `<section data-fanarchive-chapter="N">` with chapter-title, summary,
  notes, end-notes and body; a work's end notes `<section data-fanarchive-end="ID">`.

A series book holds several prefaces, each followed by its work's chapters: each
becomes its own ParsedWork. The downloads made HTML5 of obsolete markup and of links
and images a book cannot hold (`downloads/formats/_markup.py`), leaving `data-fa-*`
marks: they are undone here, so the story's HTML is what was stored.

Recognised by the first 64 KiB: an EPUB whose package document (stored uncompressed,
first after the container) declares the `fanarchive:` prefix, or an HTML file whose
head has `<meta name="generator" content="fanarchive">`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import lxml.html
from lxml.html import HtmlElement

from fanarchive.ingest.importers.html import decode_html
from fanarchive.ingest.parsed import ParsedChapter, ParsedSeries, ParsedWork, ParseError
from fanarchive.lib.epub import EpubError, open_epub, parse_html_document

NAME = "fanarchive"
VERSION = "1"
EXTENSIONS = (".epub", ".html", ".htm")

NAMESPACE = "https://fanarchive.example/ns/book#"
"""The `fanarchive:` prefix of the EPUB package's typed-tag metadata."""
GENERATOR = "fanarchive"

# The marks the downloads leave (see the module docstring).
FIELD = "data-fanarchive"
VALUE = "data-fanarchive-value"
TAG_TYPE = "data-fanarchive-type"
WORK = "data-fanarchive-work"
CHAPTER = "data-fanarchive-chapter"
END = "data-fanarchive-end"
ATTR_WAS = "data-fa-was"
ATTR_ALIGN = "data-fa-align"
ATTR_NAME = "data-fa-name"
ATTR_HREF = "data-fa-href"
ATTR_IMAGE = "data-fa-img-"

_EPUB_HEAD = re.compile(rb"prefix=\"[^\"]*fanarchive: " + re.escape(NAMESPACE.encode()))
_HTML_HEAD = re.compile(
    rb"<meta\s+name=\"generator\"\s+content=\"" + GENERATOR.encode() + rb"\"", re.I
)
_ZIP_MAGIC = b"PK\x03\x04"

# ParsedWork's list for each tag type; rating is one name.
_TAG_LISTS = {
    "warning": "warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "freeform": "freeforms",
}


def recognizes(head: bytes, name: str) -> bool:
    if head.startswith(_ZIP_MAGIC):
        return _EPUB_HEAD.search(head) is not None
    return _HTML_HEAD.search(head[:8192]) is not None


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """Each work of the book: one, or every part of a series. Raises ParseError."""
    data = stream.read()
    if data.startswith(_ZIP_MAGIC):
        roots = _epub_documents(data)
    else:
        roots = iter([parse_html_document(decode_html(data), "the file")])
    works = list(works_in(roots, name))
    if not works:
        raise ParseError("no fanarchive work in the book")
    for number, work in enumerate(works, start=1):
        # Each part of a series book is its own work: the writer tells stored works
        # by their hash, so the parts' hashes differ (and stay the same on re-import).
        part = b"" if len(works) == 1 else f"#{number}".encode()
        work.content_hash = hashlib.sha256(data + part).hexdigest()
        yield work


def _epub_documents(data: bytes) -> Iterator[HtmlElement]:
    try:
        book = open_epub(io.BytesIO(data))
        for document in book.spine:
            if "nav" not in document.properties:
                yield document.html()
    except EpubError as error:
        raise ParseError(str(error)) from None


def works_in(roots: Iterable[HtmlElement], name: str) -> Iterator[ParsedWork]:
    """The works of documents in reading order: a preface starts a work, the chapters
    and end notes after it are its own."""
    work: ParsedWork | None = None
    for root in roots:
        for section in root.iter("section"):
            if section.get(WORK) is not None:
                if work is not None:
                    yield _finished(work)
                work = _preface(section, name)
            elif work is None:
                continue
            elif section.get(CHAPTER) is not None:
                work.chapters.append(_chapter(section))
            elif section.get(END) is not None:
                work.end_notes = _html_field(section, "end-notes")
    if work is not None:
        yield _finished(work)


def _finished(work: ParsedWork) -> ParsedWork:
    if not work.chapters:
        raise ParseError(f"the book holds no chapters of “{work.title}”")
    return work


def _fields(section: HtmlElement, name: str) -> list[HtmlElement]:
    """The elements marked `name` in a section, outside sections nested in it."""
    return [
        element
        for element in section.iter()
        if isinstance(element.tag, str) and element.get(FIELD) == name
    ]


def _field(section: HtmlElement, name: str) -> HtmlElement | None:
    return next(iter(_fields(section, name)), None)


def _value(section: HtmlElement, name: str) -> str:
    element = _field(section, name)
    return "" if element is None else (element.get(VALUE) or "")


def _text(section: HtmlElement, name: str) -> str:
    element = _field(section, name)
    return "" if element is None else element.text_content()


def _html_field(section: HtmlElement, name: str) -> str:
    element = _field(section, name)
    return "" if element is None else restore_markup(element)


def _number(section: HtmlElement, name: str) -> int | None:
    value = _value(section, name)
    return int(value) if value.isdigit() else None


def _date(section: HtmlElement, name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(_value(section, name))
    except ValueError:
        return None


def _preface(section: HtmlElement, name: str) -> ParsedWork:
    work = ParsedWork(
        title=_text(section, "title"),
        chapters=[],
        importer=NAME,
        importer_version=VERSION,
        source_file=name,
    )
    work.creators = [element.text_content() for element in _fields(section, "creator")]
    for group in _fields(section, "tags"):
        tag_type = group.get(TAG_TYPE, "")
        names = [element.text_content() for element in _fields(group, "tag")]
        if tag_type == "rating":
            work.rating = names[0] if names else None
        elif tag_type in _TAG_LISTS:
            getattr(work, _TAG_LISTS[tag_type]).extend(names)
    work.language = _value(section, "language")
    for element in _fields(section, "series"):
        position = element.get(VALUE, "")
        title = _text(element, "series-title")
        work.series.append(ParsedSeries(title, int(position) if position.isdigit() else None))
    work.published = _date(section, "published")
    work.updated = _date(section, "updated")
    complete = _value(section, "complete")
    work.complete = {"true": True, "false": False}.get(complete)
    expected = _value(section, "chapters")
    work.expected_chapters = int(expected) if expected.isdigit() else None
    work.kudos = _number(section, "kudos")
    work.hits = _number(section, "hits")
    work.bookmarks = _number(section, "bookmarks")
    work.comments = _number(section, "comments")
    work.source_url = _value(section, "source-url")
    work.archive_name = _value(section, "archive")
    work.original_location = _value(section, "location")
    work.summary = _html_field(section, "summary")
    work.notes = _html_field(section, "notes")
    work.fields = [("Archive", work.archive_name), ("Location", work.original_location)]
    return work


def _chapter(section: HtmlElement) -> ParsedChapter:
    return ParsedChapter(
        body=_html_field(section, "body"),
        title=_text(section, "chapter-title"),
        summary=_html_field(section, "summary"),
        notes=_html_field(section, "notes"),
        end_notes=_html_field(section, "end-notes"),
    )


# Undoing the downloads' HTML5 changes ------------------------------------------------


def restore_markup(container: HtmlElement) -> str:
    """The inner HTML of `container` as the archive stored it: obsolete elements,
    alignments, anchors, links and images back as they were."""
    for element in list(container.iter()):
        if element is container or not isinstance(element.tag, str):
            continue
        was = element.attrib.pop(ATTR_WAS, None)
        if was == "img":
            _restore_image(element)
            continue
        if was is not None:
            element.tag = was
            element.attrib.pop("style", None)
        if (align := element.attrib.pop(ATTR_ALIGN, None)) is not None:
            element.attrib.pop("style", None)
            element.set("align", align)
        if (anchor := element.attrib.pop(ATTR_NAME, None)) is not None:
            element.set("name", anchor)
        if (href := element.attrib.pop(ATTR_HREF, None)) is not None:
            element.set("href", href)
    parts = [_escape(container.text or "")]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in container]
    return "".join(parts).strip()


def _restore_image(element: HtmlElement) -> None:
    attributes = {
        key.removeprefix(ATTR_IMAGE): value
        for key, value in element.attrib.items()
        if key.startswith(ATTR_IMAGE)
    }
    tail = element.tail
    for child in list(element):
        element.remove(child)
    element.attrib.clear()
    element.tag = "img"
    element.text = None
    element.tail = tail
    for key, value in attributes.items():
        element.set(key, value)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
