"""HTML story files: pages saved from old archives, personal sites, LiveJournal and
Dreamwidth posts, and eFiction "printable" pages (formats.md section 2).

A page is decoded by its own ``<meta charset>`` (or http-equiv, or XML declaration;
latin-1 and ASCII labels read as cp1252, as browsers read them), else by
:func:`fanarchive.lib.textdecode.decode_text`. It is parsed with lxml; scripts, styles,
frames, embeds and form controls go at once (the writer sanitises what is left).

The header
    Labelled fields at the top of the story, in any of the shapes pages use:
    ``<b>Title:</b> value<br>``, ``<strong>Pairing</strong>: A/B``, ``<p>Rating: R</p>``,
    ``<span class="label">Genres:</span>``, a ``<table>`` or ``<dl>`` of label/value
    rows, or ``<br>``-separated ``Label: value`` lines. As otwarchive's story parser
    does, a label is ``Label\\s*:\\s*value`` once inline markup is set aside; every label
    goes through :func:`labels.apply_fields`, so all of plain text's labels work and
    unknown ones stay in ``fields``. The header starts at the first line with a known
    label among the page's opening lines (a title heading, a "by Author" line and short
    lines may come first) and runs over label lines; a line without a label continues
    the field above it when it is in the same block with no blank line between, and a
    label left without a value ("Summary:" alone) takes the block that follows it. The
    header ends at anything else. Header lines, the title heading and the by-line are
    taken out of the page, so the story never repeats them.

The story
    ``.chapter-content`` elements when the page has them (each one a chapter, titled
    by the heading before it); else the entry of a LiveJournal, Dreamwidth or blog post
    (``.entry-content`` and its kin); else the largest block of text once navigation,
    sidebars, comments and footers are gone; else ``<body>``. The text is split into
    chapters by :func:`fanarchive.lib.prose.html_to_chapters` ("Chapter 2: Title" and
    "Part 3" headings). Elements a page marks as notes (``class="notes"``,
    ``class="end notes"``, ``class="summary"``) or paragraphs opening with a notes label
    ("A/N:", "Author's Notes:", "End Notes:") become the chapter's notes, end notes or
    summary when they open or close a chapter; in mid-chapter they stay text. A page
    whose story is one ``<pre>`` block is read as plain text.

Posts
    The entry title (``.entry-title``, ``.subject``...; else ``<title>`` without its
    "journal:" prefix, and without a "Fic:" prefix either way), the poster (``lj:user``,
    ``.ljuser``) as creator when the header names none, the date, the "currents"
    lines (mood, music, location) kept in ``fields``, and the entry tags (a tags
    element, or a "Tags:" line ending the entry) as additional tags unless the header
    gives typed tags (then only in ``fields``, as "Entry tags"). Cut markers are
    unwrapped or removed; comments are never story.

eFiction printable pages (``viewstory.php?action=printable``)
    ``#pagetitle`` gives "Title by Author"; ``.infobox`` the labels (Summary,
    Categories, Characters, Genres, Warnings, Challenges, Series, Chapters, Completed,
    Word count, Read, Published, Updated); the story notes block the work's notes; each
    ``.chaptertitle`` ("Title by Author") starts a chapter whose ``.notes`` blocks
    before and after its ``.chapter`` text are its notes and end notes. ``#archivedat``
    gives the story's address on the archive.

AO3 downloads and FanFicFare HTML have importers of their own: :func:`recognizes`
declines them.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from fanarchive.ingest.importers.labels import Group, apply_fields, group_of, language_from
from fanarchive.ingest.importers.plaintext import parse_text, title_from_file_name
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError, story_text
from fanarchive.lib.html import SCENE_BREAK
from fanarchive.lib.prose import chapter_heading, html_to_chapters, split_chapters, text_to_html
from fanarchive.lib.textdecode import repair

NAME = "html"
VERSION = "1"

EXTENSIONS = (".html", ".htm", ".xhtml")

# Recognising ------------------------------------------------------------------------

_HTML_TAG_NAMES = frozenset(
    {"a", "abbr", "address", "article", "aside", "b", "big", "blockquote", "body", "br",
     "center", "cite", "code", "dd", "del", "div", "dl", "dt", "em", "font", "footer",
     "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "img", "ins",
     "li", "link", "main", "meta", "nav", "ol", "p", "pre", "q", "s", "section", "small",
     "span", "strike", "strong", "style", "sub", "sup", "table", "tbody", "td", "th",
     "thead", "title", "tr", "tt", "u", "ul", "script", "base", "noscript"}
)  # fmt: skip
_PROLOG = re.compile(r"\s*(?:<\?xml[^>]*>|<!--.*?-->|<!doctype[^>]*>)", re.S)
_FIRST_TAG = re.compile(r"<([a-z][a-z0-9]*)[\s/>]")
_STORY_TAG = re.compile(
    r"</?(?:p|br|div|b|i|em|strong|u|span|font|center|blockquote|hr|h[1-6]|a|img|table|"
    r"tr|td|li|ul|ol|pre|sup|sub|small|big)\b"
)
_MIN_FRAGMENT_TAGS = 3
_MIN_TAGS_PER_KCHAR = 1.0


def recognizes(head: bytes, name: str) -> bool:
    """HTML documents and fragments, except AO3 downloads and FanFicFare HTML."""
    text = _head_text(head.removeprefix(codecs.BOM_UTF8))
    if _is_ao3_download(text) or _is_fanficfare(text):
        return False
    rest = text.lstrip("\ufeff \t\r\n")
    doctype = False
    while prolog := _PROLOG.match(rest):
        doctype = doctype or prolog.group(0).lstrip().startswith("<!doctype html")
        rest = rest[prolog.end() :]
    rest = rest.lstrip()
    if (first := _FIRST_TAG.match(rest)) is not None:
        if first[1] not in _HTML_TAG_NAMES:
            # FictionBook, OPF, NCX, RSS...: XML with a few HTML-looking tags inside.
            return False
        if doctype or first[1] in {"html", "head", "body", "meta", "title", "link"}:
            return True
        sample = rest[:8192]
        tags = len(_STORY_TAG.findall(sample))
        if tags >= _MIN_FRAGMENT_TAGS and tags * 1000 >= _MIN_TAGS_PER_KCHAR * len(sample):
            return True
    if doctype:
        return True
    return name.lower().endswith(EXTENSIONS) and bool(_STORY_TAG.search(text[:8192]))


def _head_text(head: bytes) -> str:
    """The head as lower-case text, enough to look for markup: UTF-16 by its mark, else
    one byte a character (every ASCII-compatible encoding agrees on tags)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace").lower()
    return head.decode("latin-1").lower()


def _is_ao3_download(text: str) -> bool:
    posted = "posted originally on the" in text
    preface = 'id="preface"' in text or "id='preface'" in text
    tags = re.search(r"<dl[^>]*class=[\"'][^\"']*\btags\b", text) is not None
    meta = re.search(r"class=[\"']meta\b", text) is not None
    ao3 = "archive of our own" in text or "archiveofourown" in text
    return (posted and (ao3 or preface)) or (preface and (tags or meta))


def _is_fanficfare(text: str) -> bool:
    full_table = re.search(r"<table[^>]*class=[\"']full[\"']", text) is not None
    sections = re.search(r"<a\s+name=[\"']?section\d", text) is not None
    return (full_table and (sections or "<b>" in text)) or (sections and 'name="toctop"' in text)


# Reading ----------------------------------------------------------------------------


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work in an HTML file. Raises ParseError ("empty file", "binary file
    (...)", "undecodable text", "no story text")."""
    data = stream.read()
    work = parse_html(decode_html(data), name)
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.I)
_CHARSET_WINDOW = 8192
# Browsers read pages labelled latin-1 or ASCII as cp1252 (WHATWG Encoding), and the
# pages were written for them: their 0x93 and 0x94 are curly quotes.
_READ_AS_CP1252 = frozenset({"iso8859-1", "ascii", "cp1252"})
_BYTE_ORDER_MARKS = (
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
)


def decode_html(data: bytes) -> str:
    """The page as text: in the encoding it declares when that reads it, else as
    :func:`decode_text` finds it."""
    encoding = declared_encoding(data)
    if encoding is not None and b"\x00" not in data and not data.startswith(_BYTE_ORDER_MARKS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = ""
        if text.strip():
            return repair(text).replace("\r\n", "\n").replace("\r", "\n")
    return story_text(data)


def declared_encoding(data: bytes) -> str | None:
    """The Python codec a page's ``<meta>`` or XML declaration names, if it names one
    that could have written the bytes that name it."""
    window = data[:_CHARSET_WINDOW]
    found = _XML_ENCODING.match(window) or _META_CHARSET.search(window)
    if found is None:
        return None
    try:
        codec = codecs.lookup(found[1].decode("ascii")).name
    except LookupError:
        return None
    if codec in _READ_AS_CP1252:
        return "cp1252"
    # A declaration readable as ASCII cannot be in UTF-16 or UTF-32, whatever it says.
    return None if codec.startswith(("utf-16", "utf-32")) else codec


# Parsing the document ---------------------------------------------------------------

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Never story text, whatever they hold.
_DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
    "embed", "applet", "select", "option", "optgroup", "datalist", "textarea", "button",
    "input", "svg", "math", "canvas", "audio", "video", "link", "meta", "base", "head",
    "title", "lj-embed",
)  # fmt: skip


def _document(text: str) -> HtmlElement:
    text = _NOT_XML_CHARACTERS.sub("", _XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        raise ParseError("empty file")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        raise ParseError("no story text") from None
    # Character references can still put controls in the tree ("&#3;"), and lxml
    # refuses them back when text is moved: they go once, here.
    for node in root.iter():
        for slot in ("text", "tail"):
            value = getattr(node, slot)
            if value and _NOT_XML_CHARACTERS.search(value):
                setattr(node, slot, _NOT_XML_CHARACTERS.sub("", value))
    return root


@dataclass
class _Head:
    """What a page says about itself outside its body."""

    title: str = ""
    author: str = ""
    language: str = ""
    url: str = ""


def _read_head(root: HtmlElement) -> _Head:
    head = _Head()
    if (title := root.find(".//title")) is not None:
        head.title = _normal(title.text_content())
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "author" and not head.author:
            head.author = _normal(meta.get("content") or "")
        if (meta.get("property") or "").lower() == "og:url" and not head.url:
            head.url = _web_url(meta.get("content") or "")
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            head.url = _web_url(link.get("href") or "") or head.url
    head.language = _normal(root.get("lang") or root.get("xml:lang") or "")
    return head


def _web_url(value: str) -> str:
    value = value.strip()
    return value if re.match(r"https?://\S+$", value, re.I) else ""


def parse_html(text: str, name: str) -> ParsedWork:
    """The work in a decoded page; ``name`` is the file path, for the title fallback."""
    root = _document(text)
    head = _read_head(root)
    for element in list(root.iter(*_DROPPED_TAGS)):
        _drop(element)
    _unwrap_cut_markers(root)
    body = root.find("body")
    if body is None:
        body = root
    story = _Story()
    if (page_title := _efiction_page_title(body)) is not None:
        _read_efiction(body, page_title, story)
    elif (entry := _find_entry(body)) is not None:
        _read_entry(body, entry, story, head)
    else:
        _read_page(body, story, name, head.title)
    return story.work(head, name)


@dataclass
class _Story:
    """What a page gives, gathered before it becomes one ParsedWork."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    chapters: list[ParsedChapter] = field(default_factory=list)
    title: str = ""
    """From the page's layout (a heading, an entry title); a Title label wins."""
    creators: list[str] = field(default_factory=list)
    """From the layout (a poster, chapter bylines); added after any header names."""
    fallback_creator: str = ""
    """Used only when nothing else names a creator (a post's poster)."""
    entry_tags: str = ""
    source_url: str = ""
    archive_name: str = ""
    plain: ParsedWork | None = None
    """A page whose story is one <pre> block: read as plain text."""

    def work(self, head: _Head, name: str) -> ParsedWork:
        if self.plain is not None:
            work = self.plain
            work.importer, work.importer_version = NAME, VERSION
            if work.title == title_from_file_name(name):
                # The page's heading or <title> says more than its file name.
                work.title = ""
        else:
            work = ParsedWork(
                title="", chapters=[], importer=NAME, importer_version=VERSION, source_file=name
            )
            pairs = list(self.pairs)
            if self.entry_tags:
                typed = any(group_of(label) in _TYPED_TAG_GROUPS for label, _ in pairs)
                pairs.append(("Entry tags" if typed else "Tags", self.entry_tags))
            apply_fields(work, pairs)
            work.chapters = self.chapters
        # "Series: None" on eFiction pages says there is no series.
        work.series = [s for s in work.series if s.title.lower() not in _NO_SERIES]
        for creator in self.creators:
            if creator not in work.creators:
                work.creators.append(creator)
        if not work.creators:
            fallback = self.fallback_creator or head.author
            work.creators = [fallback] if fallback else []
        work.title = work.title or self.title or head.title or title_from_file_name(name)
        if not work.language and head.language:
            work.language = language_from(head.language)
        work.source_url = work.source_url or self.source_url or head.url
        if self.archive_name:
            work.archive_name = self.archive_name
            work.original_location = self.source_url
        if not work.chapters:
            raise ParseError("no story text")
        return work


_TYPED_TAG_GROUPS = frozenset(
    {Group.FANDOMS, Group.RELATIONSHIPS, Group.CHARACTERS, Group.FREEFORMS}
)
_NO_SERIES = frozenset({"none", "n/a", "no", "-", "nil", ""})


# Text helpers -----------------------------------------------------------------------

_SPACE = re.compile(r"[\s\u00a0\u200b\u202f]+")
_WORD_CHARACTERS = re.compile(r"\W+")


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _tokens(element: HtmlElement) -> set[str]:
    """The words of an element's class and id: "b-singlepost-tags" gives b, singlepost
    and tags."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return set(re.split(r"[^a-z0-9]+", names)) - {""}


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").lower().split())


def _inner_html(element: HtmlElement) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    parts += [lxml.html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts)


def _outer_html(element: HtmlElement) -> str:
    return lxml.html.tostring(element, encoding="unicode", with_tail=False)


def _has_story_text(fragment: str) -> bool:
    return bool(_normal(html.unescape(re.sub(r"<[^>]*>", "", fragment)))) or "<img" in fragment


def _drop(element: HtmlElement) -> None:
    """Remove an element and what it holds; its tail stays in the page."""
    if element.getparent() is not None:
        element.drop_tree()


def _is_element(node: object) -> bool:
    return isinstance(node, HtmlElement) and isinstance(node.tag, str)


# Lines ------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
     "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main",
     "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
     "th", "thead", "tr", "ul", "lj-cut"}
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_MARKUP = frozenset({"b", "strong", "big", "font", "u", "span"})


def _is_centred(element: HtmlElement) -> bool:
    style = re.sub(r"\s", "", (element.get("style") or "").lower())
    return (
        element.tag == "center"
        or (element.get("align") or "").lower() == "center"
        or "text-align:center" in style
    )


_INLINE_WRAPPERS = frozenset({"span", "font", "small", "big", "nobr"})
# Inline elements a label is written in: <b>Title:</b>, <span class="label">.
_LABEL_TAGS = frozenset({"b", "strong", "u", "i", "em", "label"})

Item = tuple[HtmlElement, str] | HtmlElement
"""Part of a line: a text slot (its owner and "text" or "tail") or an inline element."""


@dataclass(eq=False)
class _Line:
    """A run of inline content within one block: a visual line of the page."""

    block: HtmlElement
    items: list[Item] = field(default_factory=list)
    end: HtmlElement | None = None
    """The <br> ending the line, if one does."""
    rule: HtmlElement | None = None
    """An <hr>: a line of its own."""
    pairs: list[_Pair] | None = None
    """A table or definition list of labels and values, taken as one line."""

    def pieces(self) -> list[str | HtmlElement]:
        return [
            (getattr(item[0], item[1]) or "") if isinstance(item, tuple) else item
            for item in self.items
        ]

    @property
    def text(self) -> str:
        return _normal("".join(_piece_text(piece) for piece in self.pieces()))

    @property
    def blank(self) -> bool:
        if self.rule is not None or self.pairs is not None:
            return False
        return not self.text and not any(
            isinstance(p, HtmlElement) and (p.tag == "img" or p.find(".//img") is not None)
            for p in self.pieces()
        )

    @property
    def is_heading(self) -> bool:
        return self.block.tag in _HEADING_TAGS

    @property
    def is_title_like(self) -> bool:
        """A short centred line all in bold or large type: a title on pages that
        predate headings (<center><b><font size="+2">Title</font></b></center>)."""
        pieces = [p for p in self.pieces() if _piece_text(p).strip()]
        if not pieces or len(self.text.split()) > _SHORT_LINE_WORDS:
            return False
        if not all(isinstance(p, HtmlElement) and p.tag in _TITLE_MARKUP for p in pieces):
            return False
        return any(_is_centred(e) for e in (self.block, *self.block.iterancestors()))

    def link_share(self) -> float:
        """How much of the line's words are links ("Index | Next" is all links)."""
        text = _WORD_CHARACTERS.sub("", self.text)
        if not text:
            return 0.0
        links = sum(
            len(_WORD_CHARACTERS.sub("", p.text_content()))
            for p in self.pieces()
            if isinstance(p, HtmlElement) and (p.tag == "a" or p.find(".//a") is not None)
        )
        return links / len(text)


def _piece_text(piece: str | HtmlElement) -> str:
    return piece if isinstance(piece, str) else piece.text_content()


def _piece_html(piece: str | HtmlElement) -> str:
    if isinstance(piece, str):
        return html.escape(piece, quote=False)
    return _outer_html(piece)


def _lays_out_lines(element: HtmlElement, memo: dict[HtmlElement, bool]) -> bool:
    """True for elements read as blocks here: block tags, and inline elements holding
    a <br> or a block (a <font> around a whole header)."""
    if element in memo:
        return memo[element]
    found = element.tag in _BLOCK_TAGS or any(
        child.tag == "br" or (_is_element(child) and _lays_out_lines(child, memo))
        for child in element
    )
    memo[element] = found
    return found


def _lines(root: HtmlElement) -> list[_Line]:
    """The lines of everything under ``root``, in document order. Blank lines are kept
    where the page shows one (two <br> in a row, an empty paragraph)."""
    lines: list[_Line] = []
    memo: dict[HtmlElement, bool] = {}

    def walk(block: HtmlElement) -> None:
        start = len(lines)
        current = _Line(block)

        def finish(end: HtmlElement | None = None) -> None:
            nonlocal current
            current.end = end
            if end is not None or any(
                _piece_text(p).strip() or _is_element(p) for p in current.pieces()
            ):
                lines.append(current)
            current = _Line(block)

        if block.text:
            current.items.append((block, "text"))
        for child in block:
            if not _is_element(child):
                pass
            elif child.tag == "br":
                finish(child)
            elif child.tag == "hr":
                finish()
                lines.append(_Line(block, rule=child))
            elif child.tag == "pre":
                # Preformatted text is laid out by its own newlines: one line here.
                finish()
                lines.append(_Line(block, [child]))
            elif child.tag in {"table", "dl"} and (pairs := _labelled_rows(child)) is not None:
                finish()
                lines.append(_Line(child, pairs=pairs))
            elif _lays_out_lines(child, memo):
                finish()
                walk(child)
            else:
                current.items.append(child)
            if child.tail:
                current.items.append((child, "tail"))
        finish()
        if len(lines) == start and block.tag in {"p", "div"}:
            lines.append(_Line(block))

    walk(root)
    return lines


# Labels -----------------------------------------------------------------------------

# As plain text headers write their keys: "Author's Notes", "Time-Frame", "A/N".
_PLAIN_LABEL = re.compile(r"\s*(?P<label>[^\W\d_][\w '\u2019/().&#+-]{0,49}?)\s*:", re.S)
_MAX_LABEL_WORDS = 6
_MULTILINE_GROUPS = frozenset({Group.SUMMARY, Group.NOTES, Group.END_NOTES})
_LIST_GROUPS = frozenset(
    {Group.FANDOMS, Group.RELATIONSHIPS, Group.CHARACTERS, Group.FREEFORMS, Group.WARNINGS,
     Group.CREATORS}
)  # fmt: skip
_NOTES_GROUPS = frozenset({Group.NOTES, Group.END_NOTES, Group.SUMMARY})
_HAS_BLOCK = re.compile(r"<(?:p|div|blockquote|ul|ol|table|h[1-6]|pre|center|dl)\b", re.I)


@dataclass(eq=False)
class _Pair:
    label: str
    text: str
    html: str
    known: bool


def _is_label_markup(element: HtmlElement) -> bool:
    if element.tag in _LABEL_TAGS or (element.tag == "span" and "label" in _tokens(element)):
        return True
    if element.tag in _INLINE_WRAPPERS and _normal(element.text_content()).endswith(":"):
        # <font color="#600">Rating:</font>: styling around a label and nothing else.
        return _plausible_label(_normal(element.text_content())[:-1].strip())
    # <font><b>Title:</b></font>: a wrapper around nothing but a label.
    children = [child for child in element if _is_element(child)]
    return (
        element.tag in _INLINE_WRAPPERS
        and len(children) == 1
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
        and _is_label_markup(children[0])
    )


def _flatten(pieces: list[str | HtmlElement]) -> list[str | HtmlElement]:
    """The pieces with inline wrappers around labels opened up: in
    ``<span class="item"><b>Mood:</b> tired</span>`` the label is the <b>."""
    flat: list[str | HtmlElement] = []
    for piece in pieces:
        if (
            isinstance(piece, HtmlElement)
            and piece.tag in _INLINE_WRAPPERS
            and not _is_label_markup(piece)
            and any(
                _is_element(inner) and _is_label_markup(inner) for inner in piece.iterdescendants()
            )
        ):
            flat.append(piece.text or "")
            for child in piece:
                if _is_element(child):
                    flat += _flatten([child])
                flat.append(child.tail or "")
        else:
            flat.append(piece)
    return flat


def _plausible_label(label: str) -> bool:
    return (
        0 < len(label) <= 50
        and len(label.split()) <= _MAX_LABEL_WORDS
        and _PLAIN_LABEL.fullmatch(label + ":") is not None
    )


def _label_pairs(line: _Line) -> list[_Pair] | None:
    """The label/value pairs of a label line, None for any other line. A line holds
    more than one pair when further known labels are marked up within it
    (``<span class="label">Chapters:</span> 2 <span class="label">Completed:</span>``)."""
    if line.pairs is not None:
        return line.pairs
    pieces = _flatten(line.pieces())
    start = next((i for i, p in enumerate(pieces) if _piece_text(p).strip()), None)
    if start is None:
        return None
    first = pieces[start]
    if isinstance(first, str):
        match = _PLAIN_LABEL.match(first)
        if match is None:
            return None
        label, after = _normal(match["label"]), first[match.end() :]
        # An unknown word before a colon is a label only with a space after it, so
        # "http://..." and "10:30" are not fields.
        if group_of(label) is None and after[:1] not in {"", " ", "\t", "\n", "\u00a0"}:
            return None
        rest: list[str | HtmlElement] = [after, *pieces[start + 1 :]]
    elif _is_label_markup(first):
        found = _marked_label(first, pieces[start + 1 :], first_on_line=True)
        if found is None:
            return None
        label, rest = found
    else:
        return None
    if not _plausible_label(label):
        return None
    groups: list[tuple[str, list[str | HtmlElement]]] = [(label, [])]
    index = 0
    while index < len(rest):
        piece = rest[index]
        if isinstance(piece, HtmlElement) and _is_label_markup(piece):
            found = _marked_label(piece, rest[index + 1 :], first_on_line=False)
            # A known label, or any with its colon inside the markup ("Themes:"), starts
            # a new pair; <b>never</b> in a summary does not.
            if (
                found is not None
                and _plausible_label(found[0])
                and (group_of(found[0]) is not None or _normal(piece.text_content()).endswith(":"))
            ):
                groups.append((found[0], []))
                rest = found[1]
                index = 0
                continue
        groups[-1][1].append(piece)
        index += 1
    return [_pair(label, value) for label, value in groups]


def _marked_label(
    element: HtmlElement, following: list[str | HtmlElement], *, first_on_line: bool
) -> tuple[str, list[str | HtmlElement]] | None:
    """(label, the pieces after it) for label markup: ``<b>Title:</b>``, ``<b>Title</b>:``
    and, first on a line, ``<b>Title: value</b>``."""
    text = _normal(element.text_content())
    if text.endswith(":") and len(text) > 1:
        return text[:-1].strip(), list(following)
    if following and isinstance(following[0], str) and following[0].lstrip().startswith(":"):
        return text, [following[0].lstrip()[1:], *following[1:]]
    if first_on_line and ":" in text and element.tag in _LABEL_TAGS - {"i", "em"}:
        label, value = text.split(":", 1)
        # <b>Warning: spiders</b> is a label; <b>Dear diary: it boiled</b> is story.
        if group_of(label) is not None:
            return label.strip(), [value, *following]
    return None


def _pair(label: str, value: list[str | HtmlElement]) -> _Pair:
    return _Pair(
        label=label,
        text=_normal("".join(_piece_text(piece) for piece in value)),
        html="".join(_piece_html(piece) for piece in value).strip(),
        known=group_of(label) is not None,
    )


def _labelled_rows(table: HtmlElement) -> list[_Pair] | None:
    """The pairs of a table or definition list of labels and values, or None when it
    is something else (a layout table, a list of terms)."""
    pairs: list[_Pair] = []
    rows = 0
    if table.tag == "dl":
        terms = [child for child in table if _is_element(child) and child.tag in {"dt", "dd"}]
        for term, definition in itertools.pairwise(terms):
            if term.tag == "dt" and definition.tag == "dd":
                rows += 1
                if (pair := _cell_pair(term, definition, marked=True)) is not None:
                    pairs.append(pair)
    else:
        for row in table.iter("tr"):
            if next(row.iterancestors("table"), None) is not table:
                continue
            rows += 1
            cells = [cell for cell in row if _is_element(cell) and cell.tag in {"td", "th"}]
            if len(cells) == 2:
                if (pair := _cell_pair(cells[0], cells[1], cells[0].tag == "th")) is not None:
                    pairs.append(pair)
            elif len(cells) == 1:
                pairs += [p for line in _lines(cells[0]) for p in (_label_pairs(line) or [])]
    known = sum(pair.known for pair in pairs)
    return pairs if known and 2 * len(pairs) >= rows else None


def _cell_pair(label_cell: HtmlElement, value_cell: HtmlElement, marked: bool) -> _Pair | None:
    text = _normal(label_cell.text_content())
    colon = text.endswith(":")
    label = text.rstrip(":").strip()
    if not _plausible_label(label):
        return None
    known = group_of(label) is not None
    if not (known or colon or marked):
        return None
    value_lines = [line.text for line in _lines(value_cell) if line.text]
    return _Pair(label, "\n".join(value_lines), _inner_html(value_cell).strip(), known)


# The header -------------------------------------------------------------------------

_BYLINE = re.compile(
    r"(?:(?:a\s+)?(?:story|fic|ficlet|drabble)\s+)?(?:written\s+)?by\s*:?\s+(?P<name>\S.{0,59})",
    re.I,
)
_MAX_BYLINE_WORDS = 6
_SHORT_LINE_WORDS = 12
_MAX_OPENING_LINES = 40
_MAX_CONTINUATION = 100
"""A line continuing a one-line field ("Characters: Ada,<br>Brin") is short: a longer
one is the story starting without a blank line."""
_MAX_TAKEN_BLOCK = 3000
"""A label without a value takes the block after it only up to this many characters:
more is the story itself."""


@dataclass(eq=False)
class _Field:
    label: str
    texts: list[str]
    htmls: list[str]
    block: HtmlElement
    blocks: list[bool] = field(default_factory=list)
    """Per part: whether it is a whole block (True) or a line (False)."""

    @property
    def group(self) -> Group | None:
        return group_of(self.label)

    @property
    def empty(self) -> bool:
        return not any(self.texts)

    def add(self, text: str, markup: str, whole_block: bool) -> None:
        self.texts.append(text)
        self.htmls.append(markup)
        self.blocks.append(whole_block)

    def value(self) -> str:
        # A table cell's value comes as lines: "Ada<br>Brin" lists two characters.
        texts = [line for text in self.texts for line in text.split("\n") if line]
        group = self.group
        if group in _MULTILINE_GROUPS:
            parts = [
                (markup, whole)
                for text, markup, whole in zip(self.texts, self.htmls, self.blocks, strict=True)
                if text
            ]
            if len(parts) == 1 and "<" not in parts[0][0]:
                return "\n".join(texts)
            # Lines of one block were separated by <br>; blocks are blocks already.
            joined = ""
            for index, (markup, whole) in enumerate(parts):
                if index:
                    joined += "\n" if whole or parts[index - 1][1] else "<br>\n"
                joined += markup
            return joined if _HAS_BLOCK.search(joined) else f"<p>{joined}</p>"
        if group in _LIST_GROUPS:
            joined = ""
            for text in texts:
                if joined:
                    joined += " " if joined[-1] in ",;&/" else ", "
                joined += text
            return joined
        return " ".join(texts)


@dataclass
class _Header:
    fields: list[_Field] = field(default_factory=list)
    title: str = ""
    creators: list[str] = field(default_factory=list)
    taken_lines: list[_Line] = field(default_factory=list)
    taken_blocks: list[HtmlElement] = field(default_factory=list)

    def pairs(self) -> list[tuple[str, str]]:
        bylines = [("by", name) for name in self.creators]
        return bylines + [(f.label, f.value()) for f in self.fields]

    def remove_from_page(self) -> None:
        _remove_lines(self.taken_lines)
        for block in self.taken_blocks:
            _drop(block)


def _heading_label(line: _Line) -> str | None:
    """A heading that is a label alone: <h3>Summary</h3>."""
    if not line.is_heading:
        return None
    text = line.text.rstrip(":").strip()
    return text if _plausible_label(text) and group_of(text) is not None else None


def _is_chapter_heading(line: _Line) -> bool:
    heading = chapter_heading(line.text) if line.text else None
    return heading is not None and heading.number is not None


def _byline(line: _Line) -> str | None:
    match = _BYLINE.fullmatch(line.text)
    if match is None:
        return None
    name = match["name"].strip(" .,;")
    return name if name and len(name.split()) <= _MAX_BYLINE_WORDS else None


def _read_header(lines: list[_Line], page_title: str = "") -> _Header:
    """The page's opening title, by-line and header fields (see the module docstring).
    Nothing is removed from the page yet."""
    header = _Header()
    start: int | None = None
    pending: list[_Line] = []
    headings: list[_Line] = []
    for index, line in enumerate(lines[:_MAX_OPENING_LINES]):
        if line.rule is not None or line.blank:
            continue
        if _is_chapter_heading(line):
            break
        pairs = _label_pairs(line)
        if (pairs and any(pair.known for pair in pairs)) or _heading_label(line):
            start = index
            break
        if (name := _byline(line)) is not None:
            header.creators.append(name)
            header.taken_lines.append(line)
            pending = []
        elif line.is_heading or line.is_title_like:
            headings.append(line)
            pending = []
        elif pairs:
            pending.append(line)
        elif len(line.text.split()) <= _SHORT_LINE_WORDS or line.link_share() >= 0.5:
            pending = []
        else:
            break
    if (title_line := _title_heading(headings, page_title)) is not None:
        header.title = title_line.text
        header.taken_lines.append(title_line)
    if start is None:
        return header
    for line in pending:
        _take_pairs(header, line, _label_pairs(line) or [])
    _read_fields(lines[start:], header)
    return header


def _title_heading(headings: list[_Line], page_title: str) -> _Line | None:
    """The heading that titles the story: of those before it, one the page's <title>
    names, the last such (a site's name comes before a story's title); else the last."""
    named = [line for line in headings if line.text.lower() in page_title.lower()]
    real = [line for line in headings if line.is_heading]
    return (named or real or headings or [None])[-1]


def _within(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return element is ancestor or any(a is ancestor for a in element.iterancestors())


def _take_pairs(header: _Header, line: _Line, pairs: list[_Pair]) -> None:
    for pair in pairs:
        current = _Field(pair.label, [], [], line.block)
        current.add(pair.text, pair.html, whole_block=line.pairs is not None)
        header.fields.append(current)
    header.taken_lines.append(line)


def _read_fields(lines: list[_Line], header: _Header) -> None:
    current: _Field | None = None
    gap = False
    taken_block: HtmlElement | None = None
    for line in lines:
        if taken_block is not None and _within(line.block, taken_block):
            continue
        taken_block = None
        if line.rule is not None:
            if header.fields:
                header.taken_lines.append(line)
            break
        if line.blank:
            gap = True
            continue
        if _is_chapter_heading(line):
            break
        if (label := _heading_label(line)) is not None:
            current = _Field(label, [], [], line.block)
            header.fields.append(current)
            header.taken_lines.append(line)
            gap = False
            continue
        pairs = _label_pairs(line)
        if pairs and (pairs[0].known or _is_label_markup_line(line) or _same_block(current, line)):
            _take_pairs(header, line, pairs)
            current, gap = header.fields[-1], False
            continue
        if current is None or line.is_heading:
            break
        if (
            line.block is current.block
            and (not gap or current.empty)
            and (current.group in _MULTILINE_GROUPS or len(line.text) <= _MAX_CONTINUATION)
        ):
            current.add(line.text, "".join(_piece_html(p) for p in line.pieces()).strip(), False)
            header.taken_lines.append(line)
            gap = False
            continue
        if current.empty and (block := _block_after(current.block, line.block)) is not None:
            current.add(
                "\n".join(inner.text for inner in _lines(block) if inner.text),
                _inner_html(block).strip(),
                True,
            )
            header.taken_blocks.append(block)
            taken_block, gap = block, False
            continue
        break


def _is_label_markup_line(line: _Line) -> bool:
    first = next((p for p in line.pieces() if _piece_text(p).strip()), None)
    return isinstance(first, HtmlElement) and _is_label_markup(first)


def _same_block(current: _Field | None, line: _Line) -> bool:
    return current is not None and current.block is line.block


def _block_after(label_block: HtmlElement, block: HtmlElement) -> HtmlElement | None:
    """The block a value-less label takes: the outermost block holding ``block`` that
    does not hold the label; None when that is too big to be a value."""
    taken = block
    for ancestor in block.iterancestors():
        if _within(label_block, ancestor):
            break
        taken = ancestor
    if _within(label_block, taken) or taken.tag in {"body", "html"}:
        return None
    if len(_normal(taken.text_content())) > _MAX_TAKEN_BLOCK:
        return None
    return taken


def _remove_lines(lines: Iterable[_Line], within: HtmlElement | None = None) -> None:
    """Take lines out of the page, leaving the text around them as it was, and the
    blocks they leave empty (up to ``within``, kept)."""
    elements: list[HtmlElement] = []
    blocks: list[HtmlElement] = []
    for line in lines:
        if line.pairs is not None:
            elements.append(line.block)
            continue
        if line.rule is not None:
            elements.append(line.rule)
            continue
        for item in line.items:
            if isinstance(item, tuple):
                setattr(item[0], item[1], None)
            else:
                elements.append(item)
        if line.end is not None:
            elements.append(line.end)
        blocks.append(line.block)
    for element in elements:
        _drop(element)
    for block in blocks:
        _drop_if_empty(block, within)


def _drop_if_empty(block: HtmlElement, within: HtmlElement | None = None) -> None:
    """Drop a block the removal of its lines left empty, and its emptied ancestors
    below ``within``."""
    while block.getparent() is not None and block.tag not in {"body", "html"}:
        if block is within:
            return
        # Stops at the first text: a header line taken out of a block that holds the
        # whole story must not read the story again for each line.
        has_text = any(piece and not _SPACE.fullmatch(piece) for piece in block.itertext())
        if has_text or block.find(".//img") is not None:
            return
        parent = block.getparent()
        block.drop_tree()
        block = parent


# Pages ------------------------------------------------------------------------------

_BOILERPLATE_TAGS = frozenset({"nav", "aside", "footer", "menu"})
_BOILERPLATE_ROLES = frozenset({"navigation", "complementary", "contentinfo", "search", "banner"})
_BOILERPLATE_TOKENS = frozenset(
    {"nav", "navbar", "navigation", "menu", "sidebar", "sidenav", "sidebox", "footer",
     "breadcrumb", "breadcrumbs", "comments", "comment", "commentlist", "replies", "respond",
     "reviews", "reviewform", "jumpmenu", "pagelinks", "toplink", "share", "sharing",
     "social", "advert", "ads", "banner", "skip", "copyright", "archivedat", "adminoptions",
     "widget", "widgets", "toc", "pagination", "pager"}
)  # fmt: skip
_NOTES_TOKENS = frozenset({"notes", "note", "endnotes", "endnote", "summary", "afterword"})
_BOILERPLATE_SHARE = 0.5
"""An element holding more of the page's text than this is never boilerplate."""


def _strip_boilerplate(body: HtmlElement, keep: Iterable[HtmlElement] = ()) -> None:
    """Remove navigation, sidebars, comments and footers."""
    kept = list(keep)
    total = len(_normal(body.text_content())) or 1
    for element in list(body.iter()):
        if not _is_element(element) or element.getparent() is None or element is body:
            continue
        tokens = _tokens(element)
        marked = (
            element.tag in _BOILERPLATE_TAGS
            or (element.get("role") or "").lower() in _BOILERPLATE_ROLES
            or bool(tokens & _BOILERPLATE_TOKENS)
        )
        if not marked:
            continue
        # <aside class="notes"> and <div class="footer notes"> are the author's.
        if tokens & (_NOTES_TOKENS - {"summary"}) and element.tag != "nav":
            continue
        if any(_within(k, element) for k in kept):
            continue
        if len(_normal(element.text_content())) > _BOILERPLATE_SHARE * total:
            continue
        _drop(element)


def _read_page(body: HtmlElement, story: _Story, name: str, page_title: str) -> None:
    """A page of no particular kind: header at the top, story in ``.chapter-content``
    or the largest block of text."""
    contents = _outermost([e for e in body.iter() if "chapter-content" in _classes(e)])
    _strip_boilerplate(body, keep=contents)
    header = _read_header(_lines(body), page_title)
    header.remove_from_page()
    story.pairs = header.pairs()
    story.title = header.title
    contents = [content for content in contents if _within(content, body)]
    if contents:
        story.chapters = _chapters_of_contents(body, contents, story)
        return
    region = _main_block(body)
    _trim_edges(region)
    if (plain := _pre_text(region)) is not None:
        if not story.pairs and not story.creators:
            story.plain = parse_text(plain, name)
            return
        story.chapters = [
            ParsedChapter(body=text_to_html(text), title=title)
            for title, text in split_chapters(plain)
        ]
        return
    story.chapters = _chapters_of(region)


def _outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    return [
        e for e in elements if not any(_within(e, other) for other in elements if other is not e)
    ]


def _weights(root: HtmlElement) -> dict[HtmlElement, int]:
    """Characters of text under each element, leaving out the text of links."""
    weights: dict[HtmlElement, int] = {}
    for element in reversed(list(root.iter())):
        if not _is_element(element):
            continue
        if element.tag == "a" and element.get("href"):
            weights[element] = 0
            continue
        weight = len((element.text or "").strip())
        for child in element:
            weight += weights.get(child, 0) + len((child.tail or "").strip())
        weights[element] = weight
    return weights


_MAIN_SHARE = 0.6
_SIDE_SHARE = 0.2
_PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "center"}) | _HEADING_TAGS


def _main_block(body: HtmlElement) -> HtmlElement:
    """The largest block of text: from <body>, go down into the container holding most
    of the text while all that is beside it is side matter: containers with a fifth of
    its text or less (a sidebar, a footer, a menu of links). Loose text, a paragraph or
    a container like it (a chapter) beside it keeps us where we are: they are story."""
    weights = _weights(body)
    memo: dict[HtmlElement, bool] = {}

    def is_container(element: HtmlElement) -> bool:
        return element.tag not in _PARAGRAPH_TAGS and any(
            _is_element(inner) and inner.tag != "br" and _lays_out_lines(inner, memo)
            for inner in element.iterdescendants()
        )

    current = body
    while True:
        children = [child for child in current if _is_element(child)]
        if not children or not weights.get(current):
            return current
        heaviest = max(children, key=lambda child: weights.get(child, 0))
        weight = weights.get(heaviest, 0)
        if weight < _MAIN_SHARE * weights[current] or not is_container(heaviest):
            return current
        loose = (current.text or "") + "".join(child.tail or "" for child in children)
        if _WORD_CHARACTERS.sub("", loose):
            return current
        for child in children:
            if child is heaviest or not weights.get(child):
                continue
            if not is_container(child) or (child.tag, child.get("class")) == (
                heaviest.tag,
                heaviest.get("class"),
            ):
                return current
            if weights[child] > _SIDE_SHARE * weight:
                return current
        current = heaviest


def _trim_edges(region: HtmlElement) -> None:
    """Drop the link lines ("Back to index", "Next chapter") before and after the
    story, and blank lines there."""
    lines = _lines(region)
    for ordered in (lines, list(reversed(lines))):
        taken: list[_Line] = []
        for line in ordered:
            if line.blank or line.rule is not None:
                continue
            if line.pairs is None and line.link_share() >= 0.8 and len(line.text) <= 100:
                taken.append(line)
                continue
            break
        _remove_lines(taken)


def _pre_text(region: HtmlElement) -> str | None:
    """The text of a story that is one <pre> block, as text files posted on the web."""
    blocks = list(region.iter("pre"))
    if len(blocks) != 1:
        return None
    text = blocks[0].text_content()
    total = len(_normal(region.text_content()))
    return text if total and len(_normal(text)) >= 0.8 * total else None


def _chapters_of_contents(
    body: HtmlElement, contents: list[HtmlElement], story: _Story
) -> list[ParsedChapter]:
    """Chapters from ``.chapter-content`` elements: each titled by the heading before
    it, with the notes marked around it. Notes before the first heading are the
    work's."""
    elements = list(body.iter())
    order = {element: index for index, element in enumerate(elements)}
    chapters: list[ParsedChapter] = []
    used: list[HtmlElement] = []
    previous_end = -1
    for index, content in enumerate(contents):
        start = order[content]
        end = start + sum(1 for _ in content.iterdescendants())
        following = order[contents[index + 1]] if index + 1 < len(contents) else len(elements)
        before, after = elements[previous_end + 1 : start], elements[end + 1 : following]
        previous_end = end
        headings = [e for e in before if e.tag in _HEADING_TAGS and _normal(e.text_content())]
        heading = headings[-1] if headings else None
        parts = _chapters_of(content)
        if not parts:
            continue
        if title := _chapter_title(heading, several=len(contents) > 1):
            parts[0].title = parts[0].title or title
        for note in _outermost([e for e in before if _note_kind(e) is not None]):
            if any(note is u for u in used):
                continue
            kind, markup = _note_kind(note), _note_html(note)
            if index == 0 and heading is None and kind != "end":
                story.pairs.append(("Summary" if kind == "summary" else "Notes", markup))
            else:
                _attach_note(parts[0], kind or "notes", markup, leading=True)
        next_heading = next((e for e in after if e.tag in _HEADING_TAGS), None)
        for note in _outermost([e for e in after if _note_kind(e) is not None]):
            if next_heading is not None and order[note] > order[next_heading]:
                break
            used.append(note)
            _attach_note(parts[-1], _note_kind(note) or "end", _note_html(note), leading=False)
        chapters += parts
    return chapters


def _chapter_title(heading: HtmlElement | None, *, several: bool) -> str:
    if heading is None:
        return ""
    text = _normal(heading.text_content())
    found = chapter_heading(text)
    if found is not None and found.number is not None:
        return found.title
    return text if several else ""


# Notes ------------------------------------------------------------------------------

_PLACEHOLDER = "data-fanarchive-note"
_PLACEHOLDER_TAG = re.compile(rf'<div {_PLACEHOLDER}="(\d+)"></div>')
_MAX_NOTE_SHARE = 0.5


_NOTE_TAGS = frozenset({"div", "p", "blockquote", "section", "aside"})


def _note_kind(element: HtmlElement) -> str | None:
    """The kind of notes ("notes", "end" or "summary") a page marks an element as."""
    if not _is_element(element) or element.tag not in _NOTE_TAGS:
        return None
    tokens = _tokens(element)
    if tokens & {"endnotes", "endnote", "afterword"} or (
        "end" in tokens and tokens & {"notes", "note"}
    ):
        return "end"
    if tokens & {"notes", "note", "authorsnote", "authornote", "chapternotes"}:
        label = _opening_label(element)
        if label is not None and group_of(label) is Group.END_NOTES:
            return "end"
        return "notes"
    if "summary" in tokens and element.tag != "aside":
        return "summary"
    return None


def _opening_label(element: HtmlElement) -> str | None:
    lines = [line for line in _lines(element) if not line.blank]
    if not lines:
        return None
    if (label := _heading_label(lines[0])) is not None:
        return label
    pairs = _label_pairs(lines[0])
    return pairs[0].label if pairs else None


def _labelled_note_kind(element: HtmlElement) -> str | None:
    """The kind of notes ("notes" or "end") of a paragraph opening with a notes label
    ("A/N:", "End notes:")."""
    if not _is_element(element) or element.tag not in {"p", "div", "blockquote"}:
        return None
    label = _opening_label(element)
    group = group_of(label) if label is not None else None
    if group is Group.NOTES:
        return "notes"
    if group is Group.END_NOTES:
        return "end"
    return None


def _note_html(element: HtmlElement) -> str:
    """A notes element's content without its label ("Notes:", "A/N:"), laid out in
    paragraphs as story text is."""
    lines = [line for line in _lines(element) if not line.blank]
    if lines:
        first = lines[0]
        if _heading_label(first) is not None:
            _remove_lines([first], within=element)
        elif (pairs := _label_pairs(first)) and group_of(pairs[0].label) in _NOTES_GROUPS:
            _strip_label(first)
            _drop_if_empty(first.block, within=element)
    return "\n".join(markup for _, markup in html_to_chapters(_inner_html(element)))


def _strip_label(line: _Line) -> None:
    """Remove the label at the start of a line, keeping its value."""
    for item in line.items:
        if isinstance(item, tuple):
            text = getattr(item[0], item[1]) or ""
            if not text.strip():
                continue
            if (match := _PLAIN_LABEL.match(text)) is not None:
                setattr(item[0], item[1], text[match.end() :].lstrip())
            return
        if not _is_label_markup(item):
            return
        label_text = _normal(item.text_content())
        if label_text.endswith(":"):
            item.tail = (item.tail or "").lstrip()
        elif ":" in label_text:
            # <b>A/N: thanks</b>: the value is inside the markup.
            item.clear(keep_tail=True)
            item.text = label_text.split(":", 1)[1].strip()
            return
        else:
            item.tail = (item.tail or "").lstrip().removeprefix(":").lstrip()
        _drop(item)
        return


def _chapters_of(region: HtmlElement) -> list[ParsedChapter]:
    """The chapters of a story region, with the notes marked in it."""
    total = len(_normal(region.text_content())) or 1
    notes: list[tuple[str, str, str]] = []
    marked = [e for e in region.iter() if _note_kind(e) is not None]
    labelled = [child for child in region if _labelled_note_kind(child) is not None]
    for element in _outermost(marked + labelled):
        if (
            element.getparent() is None
            or len(_normal(element.text_content())) > _MAX_NOTE_SHARE * total
        ):
            continue
        kind = _note_kind(element) or _labelled_note_kind(element) or "notes"
        original = _outer_html(element)
        placeholder = lxml.html.Element("div", {_PLACEHOLDER: str(len(notes))})
        placeholder.tail = element.tail
        element.tail = None
        element.getparent().replace(element, placeholder)
        notes.append((kind, _note_html(element), original))
    chapters: list[ParsedChapter] = []
    for title, markup in html_to_chapters(_inner_html(region)):
        chapter = ParsedChapter(body="", title=title)
        parts = _PLACEHOLDER_TAG.split(markup)
        texts = parts[0::2]
        marks = [int(index) for index in parts[1::2]]
        with_text = [i for i, text in enumerate(texts) if _has_story_text(text)]
        if not with_text:
            continue
        first, last = with_text[0], with_text[-1]
        body = []
        for position, text in enumerate(texts):
            body.append(text)
            if position < len(marks):
                kind, note, original = notes[marks[position]]
                if position < first:
                    _attach_note(chapter, kind, note, leading=True)
                elif position >= last:
                    _attach_note(chapter, kind, note, leading=False)
                else:
                    body.append(original)
        chapter.body = _without_edge_breaks("".join(body))
        chapters.append(chapter)
    return chapters


def _attach_note(chapter: ParsedChapter, kind: str, note: str, *, leading: bool) -> None:
    if not _has_story_text(note):
        return
    if kind == "summary":
        chapter.summary = "\n".join(filter(None, [chapter.summary, note]))
    elif kind == "end" or not leading:
        chapter.end_notes = "\n".join(filter(None, [chapter.end_notes, note]))
    else:
        chapter.notes = "\n".join(filter(None, [chapter.notes, note]))


def _without_edge_breaks(markup: str) -> str:
    """A chapter without scene breaks before its first or after its last paragraph:
    they were the rules around a header or a footer."""
    markup = markup.strip()
    while markup.startswith(SCENE_BREAK):
        markup = markup[len(SCENE_BREAK) :].strip()
    while markup.endswith(SCENE_BREAK):
        markup = markup[: -len(SCENE_BREAK)].strip()
    return markup


# LiveJournal, Dreamwidth and blog posts -----------------------------------------------

_ENTRY_CLASSES = frozenset(
    {"entry-content", "entry_content", "entry-text", "entry_text", "entrytext", "entry-body",
     "entrybody", "b-singlepost-body", "asset-body", "post-content", "post-body"}
)  # fmt: skip
_ENTRY_CONTAINER_TOKENS = frozenset({"entry", "singlepost", "asset", "post", "hentry"})
_ENTRY_TITLE_CLASSES = (
    "entry-title", "b-singlepost-title", "subject", "entry-subject", "asset-name",
    "post-title", "entry-header", "entrysubj",
)  # fmt: skip
_ENTRY_TAG_CLASSES = frozenset(
    {"tag", "tags", "ljtags", "entry-tags", "b-singlepost-tags", "asset-tags", "tags-links",
     "post-tags"}
)  # fmt: skip
_ENTRY_CURRENTS_CLASSES = frozenset(
    {"currents", "metadata", "b-singlepost-currents", "entry-metadata", "ljcurrents"}
)
_ENTRY_DATE_CLASSES = (
    "datetime", "b-singlepost-author-date", "entry-date", "published", "date-header", "date",
)  # fmt: skip
_FIC_PREFIX = re.compile(
    r"^\s*(?:\[\s*(?:fan)?fic(?:let)?\s*\]|(?:new\s+)?(?:fan)?fic(?:let)?\s*[:\-\u2013\u2014])\s*",
    re.I,
)
_TAGS_LABEL = re.compile(r"^\s*(?:entry\s+)?tags\s*:\s*", re.I)


@dataclass
class _Entry:
    content: HtmlElement
    container: HtmlElement


def _find_entry(body: HtmlElement) -> _Entry | None:
    content = next(
        (e for e in body.iter() if _is_element(e) and _classes(e) & _ENTRY_CLASSES), None
    )
    if content is None:
        content = body.find(".//div[@id='entry']")
    if content is None:
        return None
    container = next(
        (a for a in content.iterancestors() if _tokens(a) & _ENTRY_CONTAINER_TOKENS
         or (a.get("id") or "").lower().startswith(("entry", "post"))),
        body,
    )  # fmt: skip
    return _Entry(content, container)


def _read_entry(body: HtmlElement, entry: _Entry, story: _Story, head: _Head) -> None:
    content, container = entry.content, entry.container
    # Without an entry element around the post, look no further than the post's
    # parent: a page's sidebar has tag clouds too.
    parent = content.getparent()
    scope = container if container is not body or parent is None else parent
    story.entry_tags = _entry_tags(scope)
    currents = _entry_currents(scope)
    title = _entry_title(container, content)
    if title is None:
        title = re.sub(r"^[^\s:]{1,40}:\s+", "", head.title)
    date = _entry_date(container, content)
    for table in list(content.iter("table")):
        # The light format's mood and music table, inside the entry.
        if table.getparent() is not None and re.search(
            r"current\s+(?:mood|music|location)\s*:", table.text_content(), re.I
        ):
            currents += _row_pairs(table)
            _drop(table)
    _strip_boilerplate(body, keep=[content])
    poster = _entry_poster(container, content) or _entry_poster(body, content)
    header = _read_header(_lines(content), head.title)
    header.remove_from_page()
    if not story.entry_tags:
        story.entry_tags = _entry_tag_line(content, container if container is not body else None)
    pairs = header.pairs()
    for label, value in currents:
        if _TAGS_LABEL.match(label + ":"):
            story.entry_tags = story.entry_tags or value
        else:
            pairs.append((label, value))
    if date and not any(group_of(label) is Group.PUBLISHED for label, _ in pairs):
        pairs.append(("Posted", date))
    story.pairs = pairs
    story.title = header.title or _FIC_PREFIX.sub("", title).strip()
    story.fallback_creator = poster or ""
    _trim_edges(content)
    story.chapters = _chapters_of(content)


def _entry_title(container: HtmlElement, content: HtmlElement) -> str | None:
    for name in _ENTRY_TITLE_CLASSES:
        for element in container.iter():
            if not _is_element(element) or _within(element, content):
                continue
            if name in _classes(element) or (element.get("id") or "").lower() == name:
                text = _normal(element.text_content())
                if text:
                    _drop(element)
                    return text
    return None


def _entry_tags(container: HtmlElement) -> str:
    found: list[str] = []
    for element in list(container.iter()):
        if not _is_element(element) or element.getparent() is None:
            continue
        if not _classes(element) & _ENTRY_TAG_CLASSES:
            continue
        links = [_normal(a.text_content()) for a in element.iter("a")]
        names = [name for name in links if name]
        if not names:
            text = _TAGS_LABEL.sub("", _normal(element.text_content()))
            names = [name.strip() for name in text.split(",") if name.strip()]
        found += [name for name in names if name not in found]
        _drop(element)
    return ", ".join(found)


def _entry_tag_line(content: HtmlElement, container: HtmlElement | None) -> str:
    """The tags of a post written as a "Tags:" line with no markup of its own: the
    entry's last line, or a line after it in the entry around it. The line is taken
    out of the page."""
    lines = [line for line in _lines(content) if not line.blank]
    candidates = lines[-1:]
    if container is not None:
        candidates += [
            line
            for line in _lines(container)
            if not line.blank and not _within(line.block, content) and line.pairs is None
        ]
    for line in candidates:
        pairs = _label_pairs(line)
        if pairs and _TAGS_LABEL.match(pairs[0].label + ":"):
            _remove_lines([line])
            return pairs[0].text
    return ""


def _entry_currents(container: HtmlElement) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for element in list(container.iter()):
        if not _is_element(element) or element.getparent() is None:
            continue
        if not _classes(element) & _ENTRY_CURRENTS_CLASSES:
            continue
        if element.tag == "table":
            pairs += _row_pairs(element)
        else:
            for line in _lines(element):
                pairs += [(pair.label, pair.text) for pair in _label_pairs(line) or []]
        _drop(element)
    return pairs


def _row_pairs(table: HtmlElement) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for row in table.iter("tr"):
        cells = [cell for cell in row if _is_element(cell) and cell.tag in {"td", "th"}]
        if len(cells) == 2:
            label = _normal(cells[0].text_content()).rstrip(":").strip()
            if label:
                pairs.append((label, _normal(cells[1].text_content())))
        elif len(cells) == 1:
            for line in _lines(cells[0]):
                pairs += [(pair.label, pair.text) for pair in _label_pairs(line) or []]
    return pairs


def _entry_date(container: HtmlElement, content: HtmlElement) -> str:
    for element in container.iter("time"):
        if not _within(element, content) and (stamp := element.get("datetime")):
            return stamp.strip()
    for name in _ENTRY_DATE_CLASSES:
        for element in container.iter():
            if _is_element(element) and not _within(element, content) and name in _classes(element):
                text = _normal(element.text_content())
                if text:
                    return text
    return ""


def _entry_poster(scope: HtmlElement, content: HtmlElement) -> str | None:
    for element in scope.iter():
        if not _is_element(element) or _within(element, content):
            continue
        user = element.get("lj:user") or element.get("data-ljuser")
        if user:
            return user.strip()
        if "ljuser" in _classes(element):
            bold = [b for b in element.iter("b") if _normal(b.text_content())]
            name = _normal((bold[-1] if bold else element).text_content())
            if name:
                return name
    return None


def _unwrap_cut_markers(root: HtmlElement) -> None:
    """LiveJournal cuts: the <lj-cut> tags of a raw post keep their text; the cut
    anchors and "( Read more... )" links of a rendered one go."""
    for element in list(root.iter("lj-cut", "cut")):
        element.drop_tag()
    for element in list(root.iter("lj")):
        # <lj user="name"> names a journal; the name is the text.
        element.text = (element.get("user") or element.get("comm") or "") + (element.text or "")
        element.drop_tag()
    for anchor in list(root.iter("a")):
        if anchor.getparent() is None:
            continue
        name = (anchor.get("name") or anchor.get("id") or "").lower()
        if name.startswith("cutid") and not _normal(anchor.text_content()):
            _drop(anchor)
        elif "#cutid" in (anchor.get("href") or "").lower():
            wrapper = anchor
            for ancestor in anchor.iterancestors():
                rest = _normal(ancestor.text_content()).replace(_normal(anchor.text_content()), "")
                if ancestor.tag in _BLOCK_TAGS - {"span"} and "cuttag" not in _tokens(ancestor):
                    break
                if re.sub(r"[\s()\[\]]", "", rest):
                    break
                wrapper = ancestor
            _drop(wrapper)
    for element in list(root.iter()):
        if (
            _is_element(element)
            and element.getparent() is not None
            and _tokens(element) & {"cuttag", "ljcut"}
            and not _normal(element.text_content())
        ):
            _drop(element)


# eFiction printable pages ------------------------------------------------------------


def _efiction_page_title(body: HtmlElement) -> HtmlElement | None:
    """The "Title by Author" element of an eFiction printable page, None on any other."""
    page_title = body.find(".//*[@id='pagetitle']")
    if page_title is None:
        return None
    marked = any(
        _is_element(e)
        and (_classes(e) & {"chaptertitle", "infobox"} or e.get("id") == "archivedat")
        for e in body.iter()
    )
    return page_title if marked else None


def _read_efiction(body: HtmlElement, page_title: HtmlElement, story: _Story) -> None:
    story.title, story.creators = _title_by_author(page_title)
    _drop(page_title)
    archived = body.find(".//*[@id='archivedat']")
    if archived is not None:
        link = next((a.get("href") for a in archived.iter("a") if a.get("href")), "")
        story.source_url = _web_url(link or "")
        story.archive_name = urlsplit(story.source_url).hostname or ""
    for info in list(body.iter()):
        if _is_element(info) and "infobox" in _classes(info) and info.getparent() is not None:
            header = _Header()
            lines = [line for line in _lines(info) if not line.blank]
            index = next((i for i, line in enumerate(lines) if _label_pairs(line)), None)
            if index is not None:
                _read_fields(lines[index:], header)
            story.pairs += header.pairs()
            _drop(info)
    events = _outermost(
        [
            e
            for e in body.iter()
            if _is_element(e) and _classes(e) & {"chaptertitle", "notes", "chapter"}
        ]
    )
    chapters: list[ParsedChapter] = []
    pending: ParsedChapter | None = None
    """A chapter whose title (and notes) came, waiting for its text."""
    written: list[ParsedChapter] = []
    """The parts of the chapter whose text came last."""
    for element in events:
        classes = _classes(element)
        if "chaptertitle" in classes:
            title, authors = _title_by_author(element)
            pending, written = ParsedChapter(body="", title=title), []
            story.creators += [a for a in authors if a not in story.creators]
        elif "notes" in classes:
            label = _opening_label(element) or "Notes"
            markup = _note_html(element)
            if pending is None and not written:
                story.pairs.append((label, markup))
            elif written:
                _attach_note(written[-1], "end", markup, leading=False)
            elif pending is not None:
                end = group_of(label) is Group.END_NOTES
                _attach_note(pending, "end" if end else "notes", markup, leading=not end)
        elif parts := _chapters_of(element):
            if pending is not None:
                parts[0].title = pending.title or parts[0].title
                parts[0].notes = "\n".join(filter(None, [pending.notes, parts[0].notes]))
                parts[-1].end_notes = "\n".join(
                    filter(None, [pending.end_notes, parts[-1].end_notes])
                )
            chapters += parts
            pending, written = None, parts
    for done in chapters:
        heading = chapter_heading(done.title) if done.title else None
        if heading is not None and heading.number is not None:
            done.title = heading.title
    if len(chapters) == 1 and chapters[0].title == story.title:
        chapters[0].title = ""
    if not chapters:
        # A skin that dropped the chapter blocks: the page is the story.
        _strip_boilerplate(body)
        chapters = _chapters_of(_main_block(body))
    story.chapters = chapters


def _title_by_author(element: HtmlElement) -> tuple[str, list[str]]:
    """("Title", ["Author"]) from "Title by Author", the authors' links if any."""
    text = _normal(element.text_content())
    links = [
        _normal(a.text_content())
        for a in element.iter("a")
        if "viewuser" in (a.get("href") or "") and _normal(a.text_content())
    ]
    match = re.fullmatch(r"(?P<title>.+)\s+by\s+(?P<by>.+)", text, re.S)
    if match is None:
        return text, links
    authors = links or [
        name.strip() for name in re.split(r",|\s+and\s+|\s+&\s+", match["by"]) if name.strip()
    ]
    return match["title"].strip(), authors
