"""Archive of Our Own downloads: the HTML file, and EPUBs made from it.

AO3's "Download HTML" (otwarchive ``app/views/downloads/``; /work/shared/formats.md
section 3) is one page:

* ``div#preface``: ``p.message`` ("Posted originally on the Archive of Our Own at
  URL"), then ``dl.tags`` of ``<dt>Label:</dt><dd>...</dd>`` pairs: the typed tags
  (Rating, Archive Warning(s), Category/Categories, Fandom(s), Relationship(s),
  Character(s), Additional Tags: one ``<a>`` per tag, so a tag may hold a comma),
  Language, Series ("Part N of NAME", several joined by commas), Collections and
  Stats ("Published: ... Updated|Completed: ... Words: ... Chapters: 3/?"); then the
  ``h1`` title, ``div.byline``, and "Summary" and "Notes" paragraphs each followed by
  a ``blockquote.userstuff``.
* ``div#chapters``: a work of several chapters has, per chapter, a ``div.meta`` with
  ``h2.heading`` ("Chapter 2: Title" or "Chapter 2"), "Chapter Summary" and "Chapter
  Notes" blockquotes, the text in a ``div.userstuff`` between ``<!--chapter
  content-->`` markers, and a "Chapter End Notes" blockquote. A one-chapter work has
  only the ``div.userstuff``.
* ``div#afterword``: the work's "End Notes" and a request to comment.

Labels changed over the years (singular before plural, "Notes" before "Chapter
Notes", Words before Chapters): the reader goes by what each element says, not by
its position. The same reader takes AO3's EPUB, MOBI, AZW3 and PDF files, which are
calibre conversions of that page: calibre splits it into several documents, renames
most classes ("calibre3") and may drop the comments, so the page is put back together
from the spine and read by structure: a ``dl`` of ``dt``/``dd`` is the tag list, a
paragraph saying only "Summary" labels the blockquote after it, a heading "Chapter
N" opens a chapter, and what is none of these inside a chapter is its text. Typed
tags come from the preface; the OPF's ``dc:subject`` list has lost their types.

Every preface field lands in ``ParsedWork.fields`` as AO3 wrote it (through
:mod:`labels`), collections, words and related works included.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import lxml.html
from lxml import etree

from fanarchive.ingest.importers.labels import apply_fields, apply_names, date_from
from fanarchive.ingest.importers.plaintext import title_from_file_name
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError, story_text
from fanarchive.lib.epub import Epub, EpubError, parse_html_document

NAME = "ao3"
VERSION = "1"

EXTENSIONS = (".html", ".htm")

_SIGNATURE = re.compile(rb"posted\s+originally\s+on\s+the", re.I)
_PREFACE = re.compile(rb"""id\s*=\s*["']?preface\b""", re.I)
_ARCHIVE = re.compile(rb"archive\s+of\s+our\s+own", re.I)
_TAGS_LIST = re.compile(rb"""<dl\b[^>]*class\s*=\s*["']?tags\b""", re.I)


def recognizes(head: bytes, name: str) -> bool:
    """An AO3 download: the preface's "Posted originally on the ..." message, with
    the preface or the archive's name; or a preface holding a ``dl.tags``."""
    # E-books (EPUB, MOBI, PDF) may hold the preface too: the EPUB importer reads them.
    if head.startswith((b"PK", b"%PDF")) or head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return False
    has_preface = bool(_PREFACE.search(head))
    if _SIGNATURE.search(head):
        return has_preface or bool(_ARCHIVE.search(head))
    return has_preface and bool(_TAGS_LIST.search(head))


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work in an AO3 HTML download. Raises ParseError."""
    data = stream.read()
    text = story_text(data)
    try:
        root = parse_html_document(text, "the page")
    except EpubError as error:
        raise ParseError(str(error)) from None
    work = _new_work(name)
    _Reader(work).read(_body(root))
    _finish(work)
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


# EPUBs made from the download -------------------------------------------------------

_PUBLISHER = "archive of our own"


def recognizes_book(book: Epub) -> bool:
    """An AO3 EPUB: published by the Archive of Our Own, or opening with AO3's preface."""
    if any(_PUBLISHER in value.lower() for value in book.values("publisher")):
        return True
    for document in book.spine[:3]:
        try:
            data = document.data()
        except EpubError:
            return False
        if _SIGNATURE.search(data) and (_PREFACE.search(data) or _ARCHIVE.search(data)):
            return True
    return False


def parse_book(book: Epub, name: str) -> ParsedWork:
    """The work in an AO3 EPUB (``content_hash`` is left to the caller, which read
    the bytes). Raises ParseError."""
    body = lxml.html.Element("body")
    try:
        for document in book.spine:
            if document.linear and "nav" not in document.properties:
                _append_body(body, document.html())
    except EpubError as error:
        raise ParseError(str(error)) from None
    work = _new_work(name)
    _Reader(work).read(body)
    _fill_from_opf(work, book)
    _finish(work)
    return work


def _append_body(target: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> None:
    body = _body(root)
    if body.text and body.text.strip():
        paragraph = lxml.html.Element("p")
        paragraph.text = body.text
        target.append(paragraph)
    for child in list(body):
        target.append(child)


def _fill_from_opf(work: ParsedWork, book: Epub) -> None:
    """What the preface did not give, from the OPF (never its untyped subjects)."""
    pairs: list[tuple[str, str]] = []
    if not work.title:
        work.title = book.first("title")
    if not work.creators and (creators := book.values("creator")):
        apply_names(work, "Creator", creators)
    if not work.summary and (description := book.first("description")):
        pairs.append(("Summary", description))
    if not work.language and (language := book.first("language")):
        pairs.append(("Language", language))
    if not work.series and (series := book.meta.get("calibre:series")):
        index = book.meta.get("calibre:series_index", "")
        position = index.split(".")[0] if index.replace(".", "", 1).isdigit() else ""
        pairs.append(("Series", f"{series} #{position}" if position else series))
    if not work.source_url:
        for value in [*book.values("source"), *book.values("identifier")]:
            if "/works/" in value:
                pairs.append(("URL", value))
                break
    if pairs:
        apply_fields(work, pairs)


# The page ----------------------------------------------------------------------------


def _new_work(name: str) -> ParsedWork:
    return ParsedWork(
        title="", chapters=[], importer=NAME, importer_version=VERSION, source_file=name
    )


def _body(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = root.find(".//body")
    return body if body is not None else root


def _finish(work: ParsedWork) -> None:
    if not work.chapters:
        raise ParseError("no story text in the AO3 download")
    work.title = work.title or title_from_file_name(work.source_file)


def _classes(element: etree._Element) -> set[str]:
    # calibre numbers the classes it keeps ("userstuff2"): compare without the digits.
    return {name.rstrip("0123456789") for name in (element.get("class") or "").split()}


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _label(element: etree._Element) -> str:
    return _text(element).rstrip(":").strip().lower()


def _inner_html(element: etree._Element) -> str:
    parts = [_escape(element.text or "")]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts).strip()


def _outer_html(element: etree._Element) -> str:
    clone = copy.copy(element)
    clone.tail = None
    return lxml.html.tostring(clone, encoding="unicode").strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_CONTAINER_IDS = re.compile(r"preface|chapters|afterword|endnotes\d*|chapter-\d+")
_CONTAINER_CLASSES = frozenset({"meta", "group", "preface", "afterword", "chapter", "chapters"})
_WRAPPER_TAGS = frozenset({"div", "section", "article", "main", "body", "span", "center"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "meta", "link"})

# What a label paragraph says, and what the blockquote after it is, by where it stands.
_WORK_LABELS = {"summary": "summary", "notes": "notes", "note": "notes", "end notes": "end_notes"}
_CHAPTER_LABELS = {
    "chapter summary": "summary",
    "summary": "summary",
    "summary for the chapter": "summary",
    "chapter notes": "notes",
    "notes": "notes",
    "notes for the chapter": "notes",
    "chapter end notes": "end_notes",
    "end notes": "end_notes",
}
_ALL_LABELS = frozenset(_WORK_LABELS) | frozenset(_CHAPTER_LABELS)

_CHAPTER_HEADING = re.compile(r"chapter\s+(?P<number>\d+)(?:\s*[:.]\s*(?P<title>.*))?", re.I | re.S)
_SERIES_PART = re.compile(r"part\s+(?P<position>\d+)\s+of\s*$", re.I)
_SERIES_TEXT = re.compile(
    r"part\s+(?P<position>\d+)\s+of\s+(?P<name>.+?)(?=,\s*part\s+\d+\s+of\s|$)", re.I
)
_STATS = re.compile(
    r"(?P<key>Published|Updated|Completed|Words|Chapters|Comments|Kudos|Bookmarks|Hits)"
    r"\s*:\s*(?P<value>[^\s:]+)",
    re.I,
)
_TAG_LABELS = frozenset(
    {"rating", "ratings", "archive warning", "archive warnings", "warning", "warnings",
     "category", "categories", "fandom", "fandoms", "relationship", "relationships",
     "character", "characters", "additional tag", "additional tags", "freeform",
     "freeforms", "collection", "collections"}
)  # fmt: skip


@dataclass
class _Reader:
    """Walks the page's blocks in document order, knowing which part it is in."""

    work: ParsedWork
    part: str = "start"
    """start, preface, chapters or afterword."""
    chapter: ParsedChapter | None = None
    label: str = ""
    """The label paragraph the next blockquote belongs to."""
    previous: str = ""
    """What the last block was ("title", "label", "quote", ...)."""
    marked: bool = False
    """The current chapter has ``<!--chapter content-->`` markers."""
    inside_markers: bool = False
    body: list[str] = field(default_factory=list)
    fields: list[tuple[str, str | list[str]]] = field(default_factory=list)
    """Labelled values in page order: a string, or the names of a tag list."""

    def read(self, body: etree._Element) -> None:
        self._walk(body)
        self._close_chapter()
        for key, value in self.fields:
            if isinstance(value, list):
                apply_names(self.work, key, value)
            else:
                apply_fields(self.work, [(key, value)])

    # Structure --------------------------------------------------------------------

    def _walk(self, parent: etree._Element) -> None:
        for child in parent:
            if child.tag is etree.Comment:
                self._comment(child.text or "")
            elif not isinstance(child.tag, str) or child.tag in _SKIPPED_TAGS:
                continue
            elif self._is_container(child):
                self._enter(child)
                if child.text and child.text.strip():
                    self._loose_text(child.text)
                self._walk(child)
            else:
                self._block(child)
            if child.tail and child.tail.strip() and self._collecting():
                self._loose_text(child.tail)

    def _is_container(self, element: etree._Element) -> bool:
        if element.tag not in _WRAPPER_TAGS:
            return False
        if _CONTAINER_IDS.fullmatch(element.get("id") or ""):
            return True
        classes = _classes(element)
        if "userstuff" in classes:
            return False
        if classes & _CONTAINER_CLASSES:
            return True
        return _has_landmark(element)

    def _enter(self, element: etree._Element) -> None:
        identifier = element.get("id") or ""
        if identifier == "preface":
            self.part = "preface"
        elif identifier == "chapters":
            self._start_chapters()
        elif identifier == "afterword":
            self._close_chapter()
            self.part = "afterword"

    def _comment(self, text: str) -> None:
        marker = " ".join(text.split()).lower()
        if marker == "chapter content":
            self._start_chapters()
            if self.chapter is None:
                self._open_chapter("")
            self.marked = self.inside_markers = True
        elif marker == "/chapter content":
            self.inside_markers = False

    # Blocks ------------------------------------------------------------------------

    def _block(self, element: etree._Element) -> None:
        tag = element.tag
        label = _label(element)
        kind = "content"
        if self.part in ("start", "preface") and _is_message(element):
            self.part = "preface"
            self._message(element)
            kind = "message"
        elif self.part == "afterword" and _is_message(element):
            kind = "message"
        elif tag == "dl" and self.part in ("start", "preface") and element.find("dt") is not None:
            self.part = "preface"
            self._tags(element)
            kind = "tags"
        elif tag == "h1" and self.part in ("start", "preface") and not self.work.title:
            self.part = "preface"
            self.work.title = _text(element)
            kind = "title"
        elif self._is_byline(element):
            self._byline(element)
            kind = "byline"
        elif tag in ("h2", "h3") and label in ("preface", "afterword"):
            if label == "afterword":
                self._close_chapter()
                self.part = "afterword"
            else:
                self.part = "preface"
            kind = "section"
        elif tag in ("h2", "h3") and (match := _chapter_heading(element)) is not None:
            self._start_chapters()
            self._open_chapter((match["title"] or "").strip())
            kind = "heading"
        elif tag in ("p", "div", "h3", "h4", "h5", "h6", "b", "strong") and label in _ALL_LABELS:
            self.label = label
            kind = "label"
        elif tag == "blockquote" and self.label:
            self._quote(element)
            kind = "quote"
        elif _is_endnote_link(element):
            kind = "link"
        elif self.part in ("start", "preface") and tag in ("ul", "ol") and self.work.title:
            self.fields.append(("Related Works", _text(element)))
            kind = "related"
        elif self.part == "afterword":
            if tag == "dl" or _text(element):
                self.fields.append(("Related Works", _text(element)))
            kind = "related"
        elif self.part == "start":
            kind = "ignored"
        else:
            self._content(element)
        if kind != "label":
            self.label = "" if kind != "quote" else self.label
        self.previous = kind

    def _message(self, element: etree._Element) -> None:
        text = _text(element)
        bold = element.find(".//b")
        if bold is not None:
            self.fields.append(("Title", _text(bold)))
            text = text.removeprefix(_text(bold)).strip()
        links = [link.get("href", "") for link in element.iter("a") if link.get("href")]
        url = next((href for href in reversed(links) if "/works/" in href), "")
        url = url or (links[-1] if len(links) > 1 else "")
        self.fields.append(("Posted originally", text))
        if url:
            self.fields.append(("URL", url))

    def _tags(self, element: etree._Element) -> None:
        key = ""
        for child in element:
            if child.tag == "dt":
                key = _text(child).rstrip(":").strip()
            elif child.tag == "dd" and key:
                self._tag_field(key, child)

    def _tag_field(self, key: str, value: etree._Element) -> None:
        normal = " ".join(key.lower().split())
        links = [_text(link) for link in value.iter("a")]
        if normal in _TAG_LABELS:
            self.fields.append((key, links or [name.strip() for name in _text(value).split(",")]))
        elif normal == "series":
            self._series(value)
        elif normal == "stats":
            self._stats(_text(value))
        else:
            self.fields.append((key, _text(value)))

    def _series(self, value: etree._Element) -> None:
        found: list[tuple[str, str]] = []
        for link in value.iter("a"):
            previous = link.getprevious()
            before = (previous.tail if previous is not None else link.getparent().text) or ""
            if match := _SERIES_PART.search(before):
                found.append((match["position"], _text(link)))
        if not found:
            found = [
                (m["position"], m["name"].strip()) for m in _SERIES_TEXT.finditer(_text(value))
            ]
        self.fields += [("Series", f"Part {position} of {name}") for position, name in found]

    def _stats(self, text: str) -> None:
        for match in _STATS.finditer(text):
            key, value = match["key"].capitalize(), match["value"]
            self.fields.append((key, value))
            # AO3 writes "Updated" for a work in progress and "Completed" for a
            # finished one; a total of "?" is a work in progress too.
            if key == "Completed":
                self.work.complete = True
                self.work.updated = self.work.updated or date_from(value)
            elif key == "Updated" or (key == "Chapters" and value.endswith("?")):
                self.work.complete = False

    def _is_byline(self, element: etree._Element) -> bool:
        if "byline" in _classes(element):
            return True
        return self.previous == "title" and _text(element).lower().startswith("by ")

    def _byline(self, element: etree._Element) -> None:
        text = _text(element)
        if self.chapter is not None and self.part == "chapters":
            self.fields.append((f"Chapter {len(self.work.chapters) + 1} byline", text))
            return
        names = [_pseud(_text(link)) for link in element.iter("a")]
        if not names:
            # "by Anonymous": no links.
            names = [re.sub(r"^by\s+", "", text, flags=re.I)]
        # "Byline" (no label group) keeps the names as AO3 wrote them, logins too.
        self.fields.append(("Creator", names))
        self.fields.append(("Byline", re.sub(r"^by\s+", "", text, flags=re.I)))

    def _quote(self, element: etree._Element) -> None:
        html = _inner_html(element)
        if not html:
            return
        if self.part == "chapters" and self.chapter is not None:
            attribute = _CHAPTER_LABELS.get(self.label)
            if attribute:
                joined = "\n".join(filter(None, [getattr(self.chapter, attribute), html]))
                setattr(self.chapter, attribute, joined)
            return
        if self.part == "afterword" and self.label in ("end notes", "notes"):
            self.fields.append(("End Notes", html))
        elif self.part != "afterword" and self.label in _WORK_LABELS:
            self.fields.append((self.label.title(), html))

    # Chapters -----------------------------------------------------------------------

    def _collecting(self) -> bool:
        return self.part == "chapters" and (not self.marked or self.inside_markers)

    def _start_chapters(self) -> None:
        if self.part != "chapters":
            self.part = "chapters"

    def _open_chapter(self, title: str) -> None:
        self._close_chapter()
        self.chapter = ParsedChapter(body="", title=title)
        self.marked = self.inside_markers = False

    def _close_chapter(self) -> None:
        if self.chapter is None and self.body:
            self.chapter = ParsedChapter(body="")
        if self.chapter is not None:
            self.chapter.body = "\n".join(self.body)
            self.work.chapters.append(self.chapter)
        self.chapter, self.body = None, []

    def _content(self, element: etree._Element) -> None:
        if self.part == "preface":
            # Text after the preface in a book whose chapter ids calibre dropped.
            self.part = "chapters"
        if not self._collecting():
            return
        if self.chapter is None:
            self.chapter = ParsedChapter(body="")
        html = _inner_html(element) if "userstuff" in _classes(element) else _outer_html(element)
        if html:
            self.body.append(html)

    def _loose_text(self, text: str) -> None:
        if self._collecting() and text.strip():
            if self.chapter is None:
                self.chapter = ParsedChapter(body="")
            self.body.append(f"<p>{_escape(text.strip())}</p>")


def _pseud(text: str) -> str:
    # A byline links "Pseud (login)" when the pseud is not the login; AO3 allows no
    # parentheses in either, so the pseud is what comes before them.
    match = re.fullmatch(r"(?P<pseud>[^()]+?)\s*\((?P<login>[^()]+)\)", text)
    return match["pseud"] if match else text


def _chapter_heading(element: etree._Element) -> re.Match[str] | None:
    classes = _classes(element)
    if "toc-heading" in classes and not _CHAPTER_HEADING.fullmatch(_text(element)):
        return None
    return _CHAPTER_HEADING.fullmatch(_text(element))


def _is_message(element: etree._Element) -> bool:
    if element.tag not in ("p", "div"):
        return False
    if "message" in _classes(element):
        return True
    text = _text(element).lower()
    return text.startswith(("posted originally on the", "please drop by the")) or (
        "posted originally on the" in text and len(text) < 400
    )


def _is_endnote_link(element: etree._Element) -> bool:
    if "endnote-link" in _classes(element):
        return True
    return _text(element).lower().startswith("see the end of the ") and len(_text(element)) < 80


def _has_landmark(element: etree._Element) -> bool:
    """Whether a wrapper without a telling class holds parts of AO3's page (so it is
    walked into) rather than being story text."""
    for descendant in element.iterdescendants():
        if descendant.tag is etree.Comment:
            if " ".join((descendant.text or "").split()).lower() in (
                "chapter content",
                "/chapter content",
            ):
                return True
            continue
        if not isinstance(descendant.tag, str):
            continue
        tag = descendant.tag
        if tag == "h1" or (tag == "dl" and descendant.find("dt") is not None):
            return True
        if tag in ("h2", "h3") and (
            _chapter_heading(descendant) is not None
            or _label(descendant) in ("preface", "afterword")
        ):
            return True
        if tag == "p" and (_is_message(descendant) or _label(descendant) in _ALL_LABELS):
            following = descendant.getnext()
            if _is_message(descendant) or (following is not None and following.tag == "blockquote"):
                return True
    return False
