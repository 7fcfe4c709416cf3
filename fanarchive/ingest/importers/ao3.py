"""Archive of Our Own downloads: the HTML file, and the e-books calibre makes of it.

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
its position.

The same reader takes AO3's EPUB, AZW3, MOBI and PDF downloads, and the e-books
readers make of the HTML themselves: all are calibre conversions of that page
(otwarchive ``app/models/download_writer.rb``; the e-book importer turns MOBI, AZW3
and PDF back into EPUB with calibre first). What a conversion keeps, as checked
against real calibre output (``tests/fixtures/ao3/make_calibre_books.py``):

* the HTML is first saved with ``web2disk``, which drops the comments, so an AO3
  e-book never has the ``<!--chapter content-->`` markers;
* calibre renames classes after their computed style, reusing any original name of
  the same style: every paragraph may become ``p.message``, a ``dl.tags`` a
  ``dl.message``, ``h2.heading`` an ``h2.toc-heading``, the byline ``div.calibre1``.
  Class names in a book therefore mean nothing and are dropped before reading,
  after the styles' bold and italic spans (MOBI writes ``<b>`` as ``span.bold``)
  are turned back into ``<b>`` and ``<i>``;
* EPUB and AZW3 keep the elements, split into several documents at the chapter
  headings (``div#chapters`` and ``div#preface`` opening again in each);
* MOBI flattens everything into paragraphs: headings become bold paragraphs, the
  tag list "Rating:" paragraphs each followed by its value (a paragraph, or nested
  blockquotes for a plain conversion), blockquotes lose their paragraphs;
* PDF keeps paragraphs only: a heading may share its paragraph with what follows it
  ("**Chapter 1: Title** Chapter Summary"), the summary and notes are plain
  paragraphs after their label, a link may swallow the comma after a tag, and a
  line of the message may wrap into a paragraph of its own;
* conversions add a cover page and a generated table of contents (both left out:
  the guide names them) and, for PDF, a "Document Outline".

So in a book the page is put back together from the spine and read by structure
alone: a ``dl`` of ``dt``/``dd``, or a preface paragraph saying only "Rating:" and
the block after it, is the tag list; a paragraph saying only "Summary" labels the
blockquote (or, in a PDF, the paragraph) after it; a heading or bold line "Chapter
N" opens a chapter, "Preface" and "Afterword" the parts; and what is none of these
inside a chapter is its text. AO3's ``--chapter`` XPath picks its own headings
only, so where the table of contents lists chapter (or preface and afterword)
headings, only those listed count: a "Chapter 2" the author wrote into the text
stays text. A reader's own conversion keeps the content markers, between which all
is text. Typed tags come from the preface; the OPF's ``dc:subject`` list has lost
their types (and split the tags at their commas), and its one ``dc:creator`` joins
every byline with ", ".

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
    # Both rules need "posted" or "preface": a substring test spares most files the
    # case-insensitive regex scans of 64 KiB.
    lowered = head.lower()
    if b"preface" not in lowered and b"posted" not in lowered:
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


# E-books made from the download -----------------------------------------------------

_PUBLISHER = "archive of our own"
# Pages calibre adds: the cover (or title page holding it) and the generated contents.
_ADDED_PAGES = frozenset({"cover", "title-page", "titlepage", "toc"})
# calibre's author when it was given none.
_NO_AUTHOR = frozenset({"unknown", ""})


def recognizes_book(book: Epub) -> bool:
    """An AO3 e-book: published by the Archive of Our Own, or opening with AO3's
    preface (a conversion a reader made of the HTML download names no publisher)."""
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
    """The work in an AO3 e-book, as calibre converted it (``content_hash`` is left to
    the caller, which read the bytes). Raises ParseError."""
    body = lxml.html.Element("body")
    added = {href for kind, href in book.guide if kind in _ADDED_PAGES}
    contents: dict[str, list[str]] = {}
    for title, href in book.toc:
        contents.setdefault(href, []).append(title)
    marked: set[str] = set()
    try:
        styles = _Styles.of(book)
        for document in book.spine:
            page = document.linear and "nav" not in document.properties
            if page and document.href not in added:
                root = document.html()
                marked |= _mark_listed_headings(root, contents.get(document.href, []))
                _append_body(body, root)
    except EpubError as error:
        raise ParseError(str(error)) from None
    styles.restore(body)
    work = _new_work(name)
    _Reader(work, book=True, listed=frozenset(marked)).read(body)
    _fill_from_opf(work, book)
    _finish(work)
    return work


_LISTED = "data-fanarchive-listed"
_HEADING_LINES = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote")


def _mark_listed_headings(root: lxml.html.HtmlElement, titles: list[str]) -> set[str]:
    """Mark the headings of a document that the book's table of contents lists
    ("chapter", or "section" for the preface and afterword); say which kinds it
    lists. AO3 has calibre list only its own headings, so a "Chapter 2" the author
    wrote into the text is then no chapter of the work."""
    kinds: set[str] = set()
    for title in titles:
        if _CHAPTER_HEADING.fullmatch(title):
            kind = "chapter"
        elif title.lower() in ("preface", "afterword"):
            kind = "section"
        else:
            continue
        found = None
        for element in _body(root).iter(*_HEADING_LINES):
            if element.get(_LISTED):
                continue
            text = _text(element)
            # A PDF's heading may share its paragraph with what follows it.
            if text == title or (element.tag == "p" and text.startswith(title + " ")):
                # The innermost of nested matches (a MOBI's blockquote in a blockquote).
                if found is not None and found not in set(element.iterancestors()):
                    break
                found = element
        if found is not None:
            found.set(_LISTED, kind)
            kinds.add(kind)
    return kinds


def _append_body(target: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> None:
    body = _body(root)
    if body.text and body.text.strip():
        paragraph = lxml.html.Element("p")
        paragraph.text = body.text
        target.append(paragraph)
    for child in list(body):
        target.append(child)


@dataclass
class _Styles:
    """Which class names the book's stylesheets make bold or italic."""

    bold: set[str] = field(default_factory=set)
    italic: set[str] = field(default_factory=set)

    _RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
    _CLASS = re.compile(r"(?:[a-z0-9]+)?\.([\w-]+)", re.I)
    _BOLD = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)\b", re.I)
    _ITALIC = re.compile(r"font-style\s*:\s*(?:italic|oblique)\b", re.I)

    @classmethod
    def of(cls, book: Epub) -> _Styles:
        styles = cls()
        for item in book.manifest:
            if item.media_type != "text/css":
                continue
            try:
                css = book.read(item.href, limit=4 * 1024 * 1024).decode("utf-8", "replace")
            except EpubError:
                # A missing or oversized stylesheet costs bold headings, not text.
                continue
            for selectors, declarations in cls._RULE.findall(css):
                names = [
                    match[1]
                    for selector in selectors.split(",")
                    if (match := cls._CLASS.fullmatch(selector.strip()))
                ]
                if cls._BOLD.search(declarations):
                    styles.bold.update(names)
                if cls._ITALIC.search(declarations):
                    styles.italic.update(names)
        return styles

    def restore(self, body: lxml.html.HtmlElement) -> None:
        """Turn styled spans back into ``<b>`` and ``<i>`` and drop every class: in a
        calibre book they name styles, not AO3's parts of the page."""
        for element in body.iter():
            if not isinstance(element.tag, str) or "class" not in element.attrib:
                continue
            names = set(element.attrib.pop("class").split())
            if element.tag == "span":
                if names & self.bold:
                    element.tag = "b"
                elif names & self.italic:
                    element.tag = "i"


def _fill_from_opf(work: ParsedWork, book: Epub) -> None:
    """What the preface did not give, from the OPF (never its untyped subjects)."""
    pairs: list[tuple[str, str]] = []
    if not work.title:
        work.title = book.first("title")
    # AO3 passes calibre every byline joined by ", " (pseuds hold no commas), which
    # calibre keeps as one author.
    creators = [
        _pseud(name.strip())
        for value in book.values("creator")
        for name in value.split(",")
        if name.strip().lower() not in _NO_AUTHOR
    ]
    if not work.creators and creators:
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


def _names(value: etree._Element) -> list[str]:
    # A PDF's link may take in the comma and space after its tag ("F/M, "), or the
    # comma before the next one; AO3's separators are never part of a name.
    return [name for link in value.iter("a") if (name := _text(link).strip(" ,"))]


_CONTAINER_IDS = re.compile(r"preface|chapters|afterword|endnotes\d*|chapter-\d+")
_CONTAINER_CLASSES = frozenset({"meta", "group", "preface", "afterword", "chapter", "chapters"})
_WRAPPER_TAGS = frozenset({"div", "section", "article", "main", "body", "span", "center"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "meta", "link"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "dl", "table", "pre", "hr", "h1", "h2", "h3", "h4",
     "h5", "h6", "center", "section", "article"}
)  # fmt: skip
_BOLD_TAGS = ("b", "strong")

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
_POSTED = re.compile(r"(?P<posted>\d+)\s*/")
_TAG_LABELS = frozenset(
    {"rating", "ratings", "archive warning", "archive warnings", "warning", "warnings",
     "category", "categories", "fandom", "fandoms", "relationship", "relationships",
     "character", "characters", "additional tag", "additional tags", "freeform",
     "freeforms", "collection", "collections"}
)  # fmt: skip
# The labels of the preface's tag list: in a MOBI or PDF each is a paragraph of its own.
_LIST_LABELS = _TAG_LABELS | {"language", "series", "stats"}
_RELATED = ("inspired by ", "a translation of ", "translation into ")
_CONTENTS_TITLES = frozenset({"table of contents", "contents", "document outline"})
_URL_LINE = re.compile(r"(?:https?://|www\.)\S+?\.?", re.I)


@dataclass
class _Reader:
    """Walks the page's blocks in document order, knowing which part it is in."""

    work: ParsedWork
    book: bool = False
    """Reading a calibre conversion, whose class names mean nothing."""
    listed: frozenset[str] = frozenset()
    """The kinds of heading ("chapter", "section") the book's table of contents lists:
    of those kinds, only the listed headings count."""
    part: str = "start"
    """start, preface, chapters or afterword."""
    chapter: ParsedChapter | None = None
    label: str = ""
    """The label paragraph the next blockquote belongs to."""
    quoted: str = ""
    """The label of the blockquote just read (a PDF may continue it)."""
    key: str = ""
    """A tag list label ("Rating:") standing as a paragraph; its value is the next block."""
    previous: str = ""
    """What the last block was ("title", "label", "quote", ...)."""
    posted: int = 0
    """The posted chapters the preface's Stats give (0: not given)."""
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
            elif not self.inside_markers and self._is_container(child):
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
        if (split := self._split_heading(element)) is not None:
            # A PDF's heading sharing its paragraph with what follows: two blocks.
            for part in split:
                self._block(part)
            return
        kind = self._kind(element)
        if kind == "empty":
            # calibre's page-break and spacing blocks stand between nothing.
            return
        if kind not in ("quote", "more"):
            self.quoted = ""
        if kind != "label":
            # A label names one blockquote: what follows it is no longer labelled.
            self.label = ""
        if kind != "key":
            self.key = ""
        self.previous = kind

    def _kind(self, element: etree._Element) -> str:
        """Read one block; say what it was."""
        tag = element.tag
        text = _text(element)
        if not text and tag != "hr" and element.find(".//img") is None:
            return "empty"
        if self.inside_markers:
            # Between AO3's chapter content markers all is the story's.
            return self._content(element)
        # The text is read once: a chapter's block may be long.
        label = text.rstrip(":").strip().lower()
        in_preface = self.part in ("start", "preface")
        bold_line = len(text) < 200 and _is_bold_line(element, text)
        heading = tag in ("h1", "h2", "h3", "h4") or bold_line
        if in_preface and _is_message(element, text):
            self.part = "preface"
            self._message(element)
            return "message"
        if self.previous == "message" and self._message_continues(element, text):
            return "message"
        if self.part == "afterword" and _is_message(element, text):
            return "message"
        if tag == "dl" and in_preface and element.find("dt") is not None:
            self.part = "preface"
            self._tags(element)
            return "tags"
        if in_preface and tag in ("p", "div") and text.endswith(":") and label in _LIST_LABELS:
            self.part = "preface"
            self.key = text.rstrip(":").strip()
            return "key"
        if self.previous == "key" and self.key and in_preface:
            self._tag_field(self.key, element)
            return "tags"
        if heading and label in ("preface", "afterword") and self._counts(element, "section"):
            if label == "afterword":
                self._close_chapter()
                self.part = "afterword"
            else:
                self.part = "preface"
            return "section"
        if (
            heading
            and (match := _chapter_heading(element, text))
            and self._counts(element, "chapter")
        ):
            self._start_chapters()
            self._open_chapter((match["title"] or "").strip())
            return "heading"
        if (tag == "h1" or bold_line) and in_preface and label not in _ALL_LABELS:
            if not self.work.title:
                self.part = "preface"
                self.work.title = text
                return "title"
            if text == self.work.title:
                return "title"
        if self._is_byline(element, text):
            self._byline(element)
            return "byline"
        if (
            label in _ALL_LABELS
            and (tag in ("p", "div", "h3", "h4", "h5", "h6", "b", "strong") or _is_line(element))
            and not self._is_story_line(label)
        ):
            self.label = label
            return "label"
        if _is_endnote_link(element, text):
            return "link"
        if tag == "blockquote" and self.label:
            self._quote(element)
            self.quoted = self.label
            return "quote"
        if self.previous == "label" and tag in ("p", "div"):
            # A PDF keeps a summary or note as a plain paragraph after its label.
            self._quote(element)
            self.quoted = self.label
            return "quote"
        if in_preface and self.work.title and self._is_related(element, text):
            self.fields.append(("Related Works", text))
            return "related"
        if self._more_of_the_preface(element, text):
            return "more"
        if self.part == "afterword":
            if _is_contents(element, label):
                return "contents"
            if text:
                self.fields.append(("Related Works", text))
            return "related"
        if self.part == "start":
            return "ignored"
        return self._content(element)

    def _counts(self, heading: etree._Element, kind: str) -> bool:
        """Whether a heading of this kind is one of AO3's: any, unless the table of
        contents lists the headings of that kind."""
        return kind not in self.listed or heading.get(_LISTED) == kind

    def _is_story_line(self, label: str) -> bool:
        """Whether a line saying "Notes" is the story's own: in a book, whose chapter
        text is not marked off, a summary or notes label after the chapter's text has
        begun (end notes follow the text)."""
        return (
            self.book
            and self.part == "chapters"
            and bool(self.body)
            and _CHAPTER_LABELS.get(label) != "end_notes"
        )

    def _split_heading(self, element: etree._Element) -> list[etree._Element] | None:
        """A paragraph opening with a bold heading and going on with more ("**Chapter
        1: Title** Chapter Summary", "**Title** by creator"), as two paragraphs; None
        for any other block."""
        if not self.book or element.tag not in ("p", "div"):
            return None
        split = _split_bold_lead(element)
        if split is None:
            return None
        lead, rest = split
        if element.get(_LISTED):
            lead.set(_LISTED, element.get(_LISTED))
        title = _text(lead)
        is_heading = title.lower() in ("preface", "afterword") or _chapter_heading(lead)
        is_title = self.part in ("start", "preface") and _text(rest).lower().startswith("by ")
        return [lead, rest] if is_heading or is_title else None

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

    def _message_continues(self, element: etree._Element, text: str) -> bool:
        """A line of the message that a PDF put in a paragraph of its own: the work's
        address in the preface, the end of the request to comment in the afterword."""
        if element.tag not in ("p", "div") or not text:
            return False
        if self.part == "afterword":
            return len(text) < 100 and _label(element) not in _ALL_LABELS
        if self.part != "preface" or not _URL_LINE.fullmatch(text):
            return False
        links = [link.get("href", "") for link in element.iter("a")]
        url = next((href for href in links if "/works/" in href), "")
        if url and not any(key == "URL" for key, _ in self.fields):
            self.fields.append(("URL", url))
        return True

    def _tags(self, element: etree._Element) -> None:
        key = ""
        for child in element:
            if child.tag == "dt":
                key = _text(child).rstrip(":").strip()
            elif child.tag == "dd" and key:
                self._tag_field(key, child)

    def _tag_field(self, key: str, value: etree._Element) -> None:
        normal = " ".join(key.lower().split())
        if normal in _TAG_LABELS:
            names = _names(value) or [name.strip() for name in _text(value).split(",")]
            self.fields.append((key, names))
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
        in_text = [(m["position"], m["name"].strip()) for m in _SERIES_TEXT.finditer(_text(value))]
        if len(in_text) > len(found):
            # No links, or a PDF's link that took in the next "Part N of" too.
            found = in_text
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
            if key == "Chapters" and (posted := _POSTED.match(value)):
                self.posted = int(posted["posted"])

    def _is_byline(self, element: etree._Element, text: str) -> bool:
        if "byline" in _classes(element):
            return True
        if not text.lower().startswith("by "):
            return False
        if self.previous == "title":
            return True
        # Without the title just before: a line of links to creators, in the preface,
        # or after a chapter's heading (a chapter by other creators than the work).
        links_users = any("/users/" in link.get("href", "") for link in element.iter("a"))
        return links_users and (self.part in ("start", "preface") or self.previous == "heading")

    def _byline(self, element: etree._Element) -> None:
        text = _text(element)
        if self.chapter is not None and self.part == "chapters":
            self.fields.append((f"Chapter {len(self.work.chapters) + 1} byline", text))
            return
        names = [_pseud(_text(link).strip(" ,")) for link in element.iter("a")]
        names = [name for name in names if name]
        if not names:
            # "by Anonymous": no links.
            names = [re.sub(r"^by\s+", "", text, flags=re.I)]
        # "Byline" (no label group) keeps the names as AO3 wrote them, logins too.
        self.fields.append(("Creator", names))
        self.fields.append(("Byline", re.sub(r"^by\s+", "", text, flags=re.I)))

    def _quote(self, element: etree._Element) -> None:
        html = _quoted_html(element)
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

    def _more_of_the_preface(self, element: etree._Element, text: str) -> bool:
        """Another paragraph of a summary or note that a PDF wrote as plain paragraphs
        (in a work of several chapters, where the preface ends at a chapter heading)."""
        if self.part != "preface" or self.posted < 2 or self.previous not in ("quote", "more"):
            return False
        key = self.quoted.title() if self.quoted in _WORK_LABELS else ""
        if element.tag not in ("p", "div") or not key or not text:
            return False
        for index in range(len(self.fields) - 1, -1, -1):
            if self.fields[index][0] == key:
                self.fields[index] = (key, f"{self.fields[index][1]}\n{_quoted_html(element)}")
                return True
        return False

    def _is_related(self, element: etree._Element, text: str) -> bool:
        """AO3's list of related works ("Inspired by ...", translations); in a PDF a
        paragraph of its own."""
        if element.tag in ("ul", "ol"):
            return self.part in ("start", "preface")
        return element.tag in ("p", "div") and text.lower().startswith(_RELATED)

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

    def _content(self, element: etree._Element) -> str:
        if self.part == "preface":
            if element.tag == "hr":
                return "empty"
            # Text after the preface: a one-chapter work's, which has no heading.
            self.part = "chapters"
        if not self._collecting():
            return "content"
        if self.chapter is None:
            self.chapter = ParsedChapter(body="")
        unwrap = "userstuff" in _classes(element) or (self.book and element.tag == "div")
        html = _inner_html(element) if unwrap else _outer_html(element)
        if html:
            self.body.append(html)
        return "content"

    def _loose_text(self, text: str) -> None:
        if self._collecting() and text.strip():
            if self.chapter is None:
                self.chapter = ParsedChapter(body="")
            self.body.append(f"<p>{_escape(text.strip())}</p>")


def _quoted_html(element: etree._Element) -> str:
    """The HTML of a summary or note: a blockquote's content, in a paragraph when it
    is bare text (as a MOBI leaves it); any other block whole."""
    if element.tag != "blockquote":
        return _outer_html(element)
    # A MOBI nests a blockquote in another for each indent.
    while len(element) == 1 and element[0].tag == "blockquote" and not _has_own_text(element):
        element = element[0]
    html = _inner_html(element)
    if html and not any(
        isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element
    ):
        return f"<p>{html}</p>"
    return html


def _has_own_text(element: etree._Element) -> bool:
    return bool((element.text or "").strip()) or any(
        (child.tail or "").strip() for child in element
    )


def _pseud(text: str) -> str:
    # A byline links "Pseud (login)" when the pseud is not the login; AO3 allows no
    # parentheses in either, so the pseud is what comes before them.
    match = re.fullmatch(r"(?P<pseud>[^()]+?)\s*\((?P<login>[^()]+)\)", text)
    return match["pseud"] if match else text


def _chapter_heading(element: etree._Element, text: str | None = None) -> re.Match[str] | None:
    return _CHAPTER_HEADING.fullmatch(_text(element) if text is None else text)


def _is_bold_line(element: etree._Element, text: str | None = None) -> bool:
    """A paragraph all of whose text is bold: a heading, once a MOBI or PDF has made
    paragraphs of the headings."""
    if element.tag not in ("p", "div", "blockquote") or not (text or _text(element)):
        return False
    if next(element.iter(*_BOLD_TAGS), None) is None or not _is_line(element):
        return False
    clone = copy.deepcopy(element)
    for bold in list(clone.iter(*_BOLD_TAGS)):
        if bold is not clone:
            bold.drop_tree()
    return not _text(clone)


def _is_line(element: etree._Element) -> bool:
    """A paragraph, or what a MOBI made of one: a blockquote (nested or not) of text."""
    if element.tag in ("p", "div"):
        return True
    return element.tag == "blockquote" and not any(
        isinstance(node.tag, str) and node.tag in _BLOCK_TAGS and node.tag != "blockquote"
        for node in element.iterdescendants()
    )


def _split_bold_lead(
    element: etree._Element,
) -> tuple[lxml.html.HtmlElement, lxml.html.HtmlElement] | None:
    """(a paragraph of the leading bold, a paragraph of the rest) of a paragraph that
    opens with bold text and goes on; None otherwise."""
    if (element.text or "").strip():
        return None
    children = list(element)
    bold = next((child for child in children if child.tag in _BOLD_TAGS), None)
    if bold is None or not _text(bold):
        return None
    following = children[children.index(bold) + 1 :]
    # Only empty anchors (a PDF's bookmark targets) may come before the heading.
    for child in children[: children.index(bold)]:
        if child.tag != "a" or _text(child) or (child.tail or "").strip():
            return None
    lead = lxml.html.Element("p")
    lead.append(copy.deepcopy(bold))
    lead[-1].tail = None
    rest = lxml.html.Element("p")
    rest.text = (bold.tail or "").lstrip()
    for child in following:
        rest.append(copy.deepcopy(child))
    if not _text(rest):
        return None
    return lead, rest


def _is_message(element: etree._Element, text: str | None = None) -> bool:
    if element.tag not in ("p", "div"):
        return False
    if "message" in _classes(element):
        return True
    text = (_text(element) if text is None else text).lower()
    return text.startswith(("posted originally on the", "please drop by the")) or (
        "posted originally on the" in text and len(text) < 400
    )


def _is_endnote_link(element: etree._Element, text: str | None = None) -> bool:
    if "endnote-link" in _classes(element):
        return True
    text = _text(element) if text is None else text
    return len(text) < 80 and text.lower().startswith("see the end of the ")


def _is_contents(element: etree._Element, label: str) -> bool:
    """A table of contents calibre generated: its heading, or a list of links that all
    point inside the book."""
    if label in _CONTENTS_TITLES:
        return True
    if element.tag not in ("ul", "ol"):
        return False
    links = [link.get("href", "") for link in element.iter("a")]
    return bool(links) and not any("://" in href for href in links)


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
        if tag == "p":
            text = _text(descendant)
            if _CHAPTER_HEADING.fullmatch(text) and _is_bold_line(descendant, text):
                return True
            if _is_message(descendant, text):
                return True
            if text.rstrip(":").strip().lower() in _ALL_LABELS:
                following = descendant.getnext()
                if following is not None and following.tag == "blockquote":
                    return True
    return False
