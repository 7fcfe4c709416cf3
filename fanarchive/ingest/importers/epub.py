"""E-books: EPUB 2 and 3, and MOBI, AZW3 and PDF through calibre.

An EPUB is read with :mod:`fanarchive.lib.epub` (safely: no entities, no zip bombs)
and handed to the reader that knows where it came from:

1. an AO3 download (:func:`ao3.recognizes_book`): typed tags from the preface inside;
2. a FanFicFare book (``fanficfare.recognizes_book``): its title page and chapters;
3. anything else, read generically from the package metadata and the spine:

   * title: the first ``dc:title`` (the one refined as "main" in EPUB 3);
   * creators: ``dc:creator`` with role "aut" or no role; other roles (illustrator,
     translator, editor) and ``dc:contributor`` are kept in fields;
   * summary: ``dc:description`` (HTML or plain text); language: ``dc:language``;
   * dates: ``dc:date`` with event "publication" or none is the publication date,
     "modification" the update;
   * series: calibre's ``calibre:series``/``calibre:series_index``, or EPUB 3
     ``belongs-to-collection`` with its ``group-position``;
   * ``dc:subject``: additional tags (one subject, one tag, commas and all);
   * publisher, source, identifiers, rights: kept in fields; a source that is a URL
     becomes the work's source URL;
   * chapters: the spine's linear documents, in order, less the navigation
     document, the cover, title and contents pages (by the guide, ``epub:type`` or
     their table-of-contents title) and documents without text. A chapter's title
     is its table-of-contents entry, else its first heading (taken out of the text).
     A document the table of contents does not list continues the chapter before
     it: calibre splits long chapters into several files.

MOBI, AZW3 (both "BOOKMOBI" at byte 60) and PDF ("%PDF-") files are converted to
EPUB with calibre's ``ebook-convert`` when it is installed, then read as above; the
work's content hash is of the original file.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import lxml.html
from lxml import etree

from fanarchive.ingest.importers import ao3, fanficfare
from fanarchive.ingest.importers.labels import Group, apply_fields, apply_names
from fanarchive.ingest.importers.plaintext import title_from_file_name
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError
from fanarchive.lib.calibre import ConversionFailed, ebook_convert
from fanarchive.lib.epub import Epub, EpubError, MetadataItem, open_epub

NAME = "epub"
VERSION = "1"

EXTENSIONS = (".epub", ".mobi", ".azw3", ".azw", ".pdf")

CONVERT_TIMEOUT = 300
"""Seconds calibre may take to convert one book."""
MAX_CONVERTED = 512 * 1024 * 1024

_EPUB_MIMETYPE = b"application/epub+zip"
_ZIP_MAGIC = b"PK\x03\x04"


def _kind(head: bytes) -> str | None:
    """ "EPUB", "MOBI/AZW3" or "PDF" by the file's first bytes, or None."""
    if head.startswith(_ZIP_MAGIC) and _has_epub_mimetype(head):
        return "EPUB"
    if head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return "MOBI/AZW3"
    if head.lstrip(b"\x00\t\r\n ")[:5] == b"%PDF-":
        return "PDF"
    return None


def _has_epub_mimetype(head: bytes) -> bool:
    """Whether the zip's first member is ``mimetype`` saying application/epub+zip, as
    the EPUB container format requires (stored, so the bytes are plain)."""
    if len(head) < 30:
        return False
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    if head[30 : 30 + name_length] != b"mimetype":
        return False
    start = 30 + name_length + extra_length
    return head[start : start + len(_EPUB_MIMETYPE)] == _EPUB_MIMETYPE


def recognizes(head: bytes, name: str) -> bool:
    return _kind(head) is not None


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work in an e-book. Raises ParseError."""
    data = stream.read()
    kind = _kind(data[:4096])
    if kind is None:
        raise ParseError("not an EPUB, MOBI, AZW3 or PDF e-book")
    epub_data = data if kind == "EPUB" else convert_with_calibre(data, kind, name)
    try:
        book = open_epub(io.BytesIO(epub_data))
    except EpubError as error:
        raise ParseError(str(error)) from None
    work = parse_book(book, name)
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


def parse_book(book: Epub, name: str) -> ParsedWork:
    """The work in an opened book, by the first reader that knows it."""
    for reader in (ao3, fanficfare):
        if reader.recognizes_book(book):
            return reader.parse_book(book, name)
    return parse_generic(book, name)


# calibre ------------------------------------------------------------------------------

_SUFFIXES = {"MOBI/AZW3": ".mobi", "PDF": ".pdf"}


def convert_with_calibre(data: bytes, kind: str, name: str) -> bytes:
    """The EPUB calibre's ``ebook-convert`` makes of a MOBI, AZW3 or PDF file.
    Raises ParseError when calibre is missing, fails or takes too long."""
    tool = shutil.which("ebook-convert")
    if tool is None:
        raise ParseError(
            f"{kind} e-books need calibre's ebook-convert; install calibre to import this one"
        )
    suffix = _SUFFIXES[kind]
    if kind == "MOBI/AZW3" and name.lower().endswith((".azw3", ".azw")):
        suffix = ".azw3"
    with tempfile.TemporaryDirectory(prefix="fanarchive-convert-") as folder:
        source = Path(folder) / f"book{suffix}"
        target = Path(folder) / "book.epub"
        source.write_bytes(data)
        try:
            ebook_convert(tool, source, target, timeout=CONVERT_TIMEOUT, what=f"the {kind}")
        except ConversionFailed as error:
            raise ParseError(str(error)) from None
        if target.stat().st_size > MAX_CONVERTED:
            raise ParseError(f"the {kind} converts to an EPUB larger than {MAX_CONVERTED:,} bytes")
        return target.read_bytes()


# The generic reader ------------------------------------------------------------------

_AUTHOR_ROLES = frozenset({"aut", "author", ""})
_SKIPPED_TYPES = frozenset({"cover", "title-page", "titlepage", "toc", "copyright-page", "nav"})
_SKIPPED_TITLES = frozenset(
    {"cover", "title page", "titlepage", "contents", "table of contents", "toc", "copyright"}
)
_HEADINGS = ("h1", "h2", "h3", "h4")
_URL = re.compile(r"https?://\S+", re.I)
_DATE_LABELS = {
    "": "Published",
    "publication": "Published",
    "original-publication": "Published",
    "modification": "Updated",
}


def parse_generic(book: Epub, name: str) -> ParsedWork:
    work = ParsedWork(
        title=_title(book), chapters=[], importer=NAME, importer_version=VERSION, source_file=name
    )
    _apply_metadata(work, book)
    work.chapters = _chapters(book)
    if not work.chapters:
        raise ParseError("no story text in the book")
    work.title = work.title or title_from_file_name(name)
    return work


def _title(book: Epub) -> str:
    titles = [item for item in book.metadata if item.name == "title" and item.value]
    main = next((item for item in titles if item.attributes.get("title-type") == "main"), None)
    return (main or titles[0]).value if titles else ""


def _role(item: MetadataItem) -> str:
    return item.attributes.get("role", "").strip().lower()


def _apply_metadata(work: ParsedWork, book: Epub) -> None:
    pairs: list[tuple[str, str]] = []
    for item in book.metadata:
        if not item.value:
            continue
        if item.name == "title":
            if item.value != work.title:
                pairs.append(("Other title", item.value))
        elif item.name == "creator" and _role(item) in _AUTHOR_ROLES:
            apply_names(work, "Creator", [item.value])
        elif item.name in ("creator", "contributor"):
            role = _role(item)
            pairs.append((f"Contributor ({role})" if role else "Contributor", item.value))
        elif item.name == "description":
            pairs.append(("Description", item.value))
        elif item.name == "language":
            pairs.append(("Language", item.value))
        elif item.name == "date":
            event = item.attributes.get("event", "").lower()
            label = _DATE_LABELS.get(event, f"Date ({event})")
            pairs.append((label, item.value))
        elif item.name == "subject":
            # One subject is one tag, commas and all.
            apply_names(work, "Subject", [item.value], group=Group.FREEFORMS)
        elif item.name == "source":
            pairs.append(
                ("Source" if _URL.fullmatch(item.value) else "Source (not a URL)", item.value)
            )
        else:
            pairs.append((item.name.capitalize(), item.value))
    pairs += _series(book)
    pairs += [(f"Meta {key}", value) for key, value in _kept_meta(book)]
    apply_fields(work, pairs)


def _series(book: Epub) -> list[tuple[str, str]]:
    if series := book.meta.get("calibre:series", "").strip():
        index = book.meta.get("calibre:series_index", "").strip()
        number = re.fullmatch(r"(\d+)(?:\.0*)?", index)
        return [("Series", f"{series} #{number[1]}" if number else series)]
    found = []
    for item in book.meta_items:
        if item.name != "belongs-to-collection" or not item.value:
            continue
        identifier = item.attributes.get("id", "")
        position = book.meta.get(f"group-position#{identifier}", "").strip()
        number = re.fullmatch(r"(\d+)(?:\.0*)?", position)
        found.append(("Series", f"{item.value} #{number[1]}" if number else item.value))
    return found


# Kept in fields: what says something about the story, not about the file.
_KEPT_META = frozenset({"dcterms:modified", "calibre:rating", "calibre:title_sort"})


def _kept_meta(book: Epub) -> list[tuple[str, str]]:
    return [(key, value) for key, value in book.meta.items() if key in _KEPT_META and value]


def _chapters(book: Epub) -> list[ParsedChapter]:
    toc_titles: dict[str, str] = {}
    for title, href in book.toc:
        toc_titles.setdefault(href, title)
    skipped = {href for kind, href in book.guide if kind in _SKIPPED_TYPES}
    chapters: list[ParsedChapter] = []
    for document in book.spine:
        if not document.linear or "nav" in document.properties or document.href in skipped:
            continue
        toc_title = toc_titles.get(document.href, "")
        if " ".join(toc_title.lower().split()) in _SKIPPED_TITLES:
            continue
        try:
            root = document.html()
        except EpubError as error:
            raise ParseError(str(error)) from None
        body = root.find(".//body")
        if body is None or _is_front_matter(body):
            continue
        title, html = _chapter_body(body, toc_title)
        if not html:
            continue
        if chapters and not toc_title and toc_titles and not title:
            # A file the table of contents does not list: the rest of the chapter.
            chapters[-1].body += "\n" + html
        else:
            chapters.append(ParsedChapter(body=html, title=title))
    return chapters


def _epub_type(element: etree._Element) -> set[str]:
    return set((element.get("epub:type") or element.get("type") or "").lower().split())


def _is_front_matter(body: lxml.html.HtmlElement) -> bool:
    """A cover, title or contents page by its ``epub:type``, or a page with no text
    (a cover image)."""
    for element in (body, *body.iterchildren("section", "div")):
        if _epub_type(element) & {"cover", "titlepage", "toc", "copyright-page"}:
            return True
    return not body.text_content().strip()


def _chapter_body(body: lxml.html.HtmlElement, toc_title: str) -> tuple[str, str]:
    """(title, HTML) of a chapter document: its first heading is its title when the
    table of contents gives none, and is taken out of the text when it says the title
    before any text does. A MOBI's headings are paragraphs: a first paragraph saying
    just the table of contents' title is the heading too."""
    for element in list(body.iter("script", "style")):
        element.drop_tree()
    heading = next(body.iter(*_HEADINGS), None)
    if toc_title and (heading is None or not _leads(body, heading)):
        first = next((p for p in body.iter("p") if p.text_content().strip()), None)
        if first is not None and " ".join(first.text_content().split()) == toc_title:
            heading = first
    title = toc_title
    if heading is not None:
        heading_text = " ".join(heading.text_content().split())
        title = title or heading_text
        if heading_text == title and _leads(body, heading):
            heading.drop_tree()
    if not body.text_content().strip() and body.find(".//img") is None:
        return title, ""
    parts = [_escape(body.text or "")]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in body]
    return title, "".join(parts).strip()


def _leads(body: lxml.html.HtmlElement, heading: lxml.html.HtmlElement) -> bool:
    """Whether no text comes before the heading: a heading in mid-chapter stays."""
    ancestors = set(heading.iterancestors())
    for element in body.iter():
        if element is heading:
            return True
        if isinstance(element.tag, str) and (element.text or "").strip():
            return False
        if element not in ancestors and (element.tail or "").strip():
            return False
    return True


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
