"""FanFicFare downloads: the TXT, HTML and EPUB files FanFicFare (PyPI ``fanficfare``)
writes of a story it fetched from a fan fiction site (/work/shared/formats.md,
section 4).

All three carry the same title page: the title, "by" the authors, then labelled
values (FanFicFare's ``titlepage_entries``: Series, Category, Genre, Language,
Characters, Relationships, Status, Published, Updated, Packaged, Rating, Warnings,
Chapters, Words, Publisher, Story URL, Author URL, Summary), then the chapters, each
with its title.

TXT
    Lines end in CRLF and are wrapped at 78 columns, so a long value continues on
    unlabelled lines. The title line(s), a blank line, ``by Author, Author``, the
    ``Label: value`` lines, ``TABLE OF CONTENTS`` with one entry per chapter (only
    for more than one chapter), each chapter as an indented title line and its text,
    and ``End file.``. It is recognised by the title and "by" lines followed by
    FanFicFare's labels ("Packaged:"), or, without a title page, by the table of
    contents after them; a file with neither (one chapter, no title page) looks like
    any plain text and is left to the plain-text importer. The chapter text is what
    the html2text library makes of the chapter's HTML, a light Markdown:
    ``_italics_``, ``**bold**``, ``~~struck~~``, ``* * *`` for a rule, ``> `` before
    quoted lines, two spaces before a line break, backslashes before characters
    Markdown would misread. That is undone here, so the text reads as on the site.
HTML
    ``<h1><a href=STORY>Title</a> by <a class=authorlink>Author</a></h1>``, a
    ``<table class="full">`` of ``<tr><td><b>Label:</b></td><td>value</td></tr>``
    rows, a table of contents, and per chapter ``<a name="section0001"><h2>Title</h2>
    </a>`` followed by the chapter's HTML up to the next such anchor.
EPUB (2 and 3)
    Read through :func:`recognizes_book` and :func:`parse_book`, which the EPUB
    importer calls for a book it has opened. Title, creators, summary, publisher,
    story URL (``dc:source``), language and dates (EPUB 2 only) come from the OPF;
    rating, warnings and counts exist only on ``OEBPS/title_page.xhtml``
    (``<b>Label:</b> value<br/>``, or table rows with ``titlepage_use_table``), which
    also gives every typed list; chapters are ``OEBPS/fileNNNN.xhtml`` with their
    ``<meta name="chaptertitle">``. ``dc:subject`` holds the same lists without
    their types; a subject the title page does not account for becomes an
    additional tag.

Where values go (through :func:`labels.apply_fields`, so the labels mean what they
mean everywhere): Category is the fandom, Genre the additional tags except AO3's
category values (Gen, F/M, ...), which FanFicFare's AO3 adapter also files under
Genre; Relationships, Characters, Rating, Warnings (archive warnings where they match
one), Status (Completed / In-Progress), Series ("Name [2]"), Published, Updated,
Language and Story URL have their own homes; Packaged, Publisher, Author URL, Words,
Chapters and everything else stay in ``fields`` as written. The Publisher (the site)
is the archive the work came from and the story URL its place there.

FanFicFare escapes some values twice (``&amp;amp;`` in ``dc:subject``, list values
fetched already escaped); values are unescaped until they stop changing.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import lxml.html
from lxml import etree

from fanarchive.ingest.importers.labels import Group, apply_fields, apply_names, group_of
from fanarchive.ingest.importers.plaintext import title_from_file_name
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork, ParseError, story_text
from fanarchive.lib.epub import Epub, EpubDocument, EpubError
from fanarchive.lib.html import SCENE_BREAK, html_to_text, looks_like_html
from fanarchive.lib.prose import balance_html, html_to_chapters, is_scene_break
from fanarchive.tags.constants import CATEGORIES

NAME = "fanficfare"
VERSION = "1"

# EPUBs come through the EPUB importer, which asks recognizes_book.
EXTENSIONS = (".txt", ".html", ".htm")

# Labels FanFicFare writes (its defaults.ini ``*_label`` values for the entries a
# title page shows), recognised in TXT even where fanarchive gives them no home.
FANFICFARE_LABELS = frozenset(
    label.lower()
    for label in (
        "Title", "Author", "Author URL", "Author ID", "Story URL", "Story ID", "Summary",
        "Category", "Genre", "Language", "Characters", "Relationships", "Series",
        "Series URL", "Status", "Published", "Updated", "Packaged", "Rating", "Warnings",
        "Chapters", "Words", "Publisher", "Site Abbrev", "Extra Tags", "Downloader Version",
        "File Format", "File Extension", "Fandoms", "Freeform Tags", "AO3 Categories",
        "Collections", "Comments", "Kudos", "Hits", "Bookmarks", "Views", "Reviews",
        "Favorites", "Faves", "Follows", "Notes", "Story Notes", "Disclaimer", "Dedication",
        "Tags", "Total Chapters", "Chapters/Total Chapters", "Content Warnings", "Pairings",
        "Universe", "Size", "Readers", "Likes", "Votes", "Score", "Average Rating",
        "Original Story URL", "Translator", "Translators", "Beta Readers",
    )
)  # fmt: skip

_AO3_CATEGORIES = {"".join(category.lower().split()): category for category in CATEGORIES}
_MULTILINE_GROUPS = frozenset({Group.SUMMARY, Group.NOTES, Group.END_NOTES})
# FanFicFare's default extra tag, put on every download: it says nothing of the story.
_DEFAULT_EXTRA_TAGS = frozenset({"fanfiction"})
_LAST_UPDATE_SUBJECT = re.compile(r"Last Update(?: Year/Month)?: ", re.I)


def recognizes(head: bytes, name: str) -> bool:
    """A FanFicFare HTML or TXT download, by its layout and labels."""
    if head.startswith(b"PK"):  # a zip: EPUBs reach parse_book through the EPUB importer
        return False
    return _recognizes_html(head) or _recognizes_txt(head)


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work of a FanFicFare HTML or TXT file. Raises ParseError."""
    data = stream.read()
    text = story_text(data)
    head = data[:65536]
    if _recognizes_html(head):
        work = parse_html(text, name)
    elif _recognizes_txt(head):
        work = parse_txt(text, name)
    else:
        raise ParseError("not a FanFicFare download: no FanFicFare title page found")
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


# Values -----------------------------------------------------------------------------

_DOUBLE_ESCAPE = re.compile(r"&amp;(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def plain(value: str) -> str:
    """A value as a reader sees it: entities unescaped however often FanFicFare escaped
    them, whitespace collapsed."""
    for _ in range(4):
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    return " ".join(value.split())


def _single_escaped(fragment: str) -> str:
    """An HTML fragment with doubly escaped entities (``&amp;amp;``) escaped once."""
    for _ in range(4):
        fixed = _DOUBLE_ESCAPE.sub(r"&\1", fragment)
        if fixed == fragment:
            break
        fragment = fixed
    return fragment


def _is_multiline(label: str) -> bool:
    return group_of(label) in _MULTILINE_GROUPS


@dataclass
class _Entry:
    """A labelled value of a title page: its text and, for HTML title pages, its markup."""

    label: str
    text: str
    markup: str = ""
    link: str = ""
    """The first link in the value (the series page, an author page)."""

    def value(self) -> str:
        """The value to apply: prose (a summary) keeps its markup; the rest is text."""
        if _is_multiline(self.label) and self.markup and looks_like_html(self.markup):
            return _single_escaped(self.markup.strip())
        if _is_multiline(self.label):
            return html.unescape(self.text).strip()
        return plain(self.text)


def _new_work(title: str, name: str) -> ParsedWork:
    work = ParsedWork(
        title=title, chapters=[], importer=NAME, importer_version=VERSION, source_file=name
    )
    work.fields.append(("Title", title))
    return work


def _apply(work: ParsedWork, creators: list[str], entries: Iterable[_Entry]) -> None:
    """Creators and the labelled values into ``work``, then what is particular to
    FanFicFare's way with them."""
    if names := [plain(creator) for creator in creators if plain(creator)]:
        apply_names(work, "Author", names)
    pairs: list[tuple[str, str]] = []
    for entry in entries:
        pairs.append((entry.label, entry.value()))
        if entry.link and group_of(entry.label) == Group.SERIES:
            pairs.append(("Series URL", entry.link))
    apply_fields(work, pairs)
    _move_categories(work)
    publisher = next((value for key, value in work.fields if key.lower() == "publisher"), "")
    work.archive_name = work.archive_name or publisher
    work.original_location = work.original_location or work.source_url


def _move_categories(work: ParsedWork) -> None:
    """AO3's categories among the genres (FanFicFare's AO3 adapter files them there)
    are categories, not additional tags."""
    for tag in list(work.freeforms):
        category = _AO3_CATEGORIES.get("".join(tag.lower().split()))
        if category is not None:
            work.freeforms.remove(tag)
            if category not in work.categories:
                work.categories.append(category)


def _require_chapters(work: ParsedWork) -> ParsedWork:
    if not work.chapters:
        raise ParseError("no chapters found after the FanFicFare title page")
    work.title = work.title or title_from_file_name(work.source_file)
    return work


# Chapter HTML -----------------------------------------------------------------------

_MARKER_TOKEN = re.compile(r"[\W_]+")


def _words(fragment: str) -> list[str]:
    return [word for word in html_to_text(fragment).split() if not _MARKER_TOKEN.fullmatch(word)]


def chapter_body(fragment: str) -> str:
    """A chapter's HTML laid out as fanarchive stores chapters: paragraphs for loose
    text, scene breaks for rules. FanFicFare already split the chapters, so when the
    layout would split this one again at a heading in its text (and drop the heading
    line), the fragment is kept as written instead, balanced."""
    fragment = _single_escaped(fragment)
    laid_out = html_to_chapters(fragment)
    if len(laid_out) == 1 and _words(laid_out[0][1]) == _words(fragment):
        return laid_out[0][1]
    return balance_html(fragment).strip()


def _inner_html(element: lxml.html.HtmlElement) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(_outer_html(child) for child in element)
    return "".join(parts)


def _outer_html(element: lxml.html.HtmlElement) -> str:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return html.escape(element.tail or "", quote=False)
    return etree.tostring(element, method="html", encoding="unicode", with_tail=True)


def _text_of(element: lxml.html.HtmlElement) -> str:
    return element.text_content() if isinstance(element.tag, str) else ""


# Title pages ------------------------------------------------------------------------

_LABEL = re.compile(r"\s*(?P<label>[^:<>\n]{1,60}?)\s*:\s*")


def _label_of(element: lxml.html.HtmlElement) -> str | None:
    """The label a ``<b>Label:</b>`` element holds, or None."""
    if not isinstance(element.tag, str) or element.tag not in {"b", "strong"}:
        return None
    match = _LABEL.fullmatch(element.text_content())
    return match["label"] if match else None


def _first_link(elements: Iterable[lxml.html.HtmlElement]) -> str:
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        for link in element.iter("a"):
            if link.get("href"):
                return link.get("href", "")
    return ""


def _entry_after(
    label: str, start: lxml.html.HtmlElement, rest: list[lxml.html.HtmlElement]
) -> _Entry:
    """The entry whose ``<b>Label:</b>`` is ``start``, its value the tail of ``start``
    and the elements in ``rest``."""
    while rest and isinstance(rest[-1].tag, str) and rest[-1].tag == "br":
        rest = rest[:-1]
    text = (start.tail or "") + "".join(_text_of(e) + (e.tail or "") for e in rest)
    markup = html.escape(start.tail or "", quote=False) + "".join(_outer_html(e) for e in rest)
    return _Entry(label, text, markup, _first_link(rest))


def _table_entries(table: lxml.html.HtmlElement) -> list[_Entry]:
    entries = []
    for row in table.iter("tr"):
        cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in {"td", "th"}]
        if not cells:
            continue
        bold = next((child for child in cells[0] if _label_of(child) is not None), None)
        if bold is None:
            continue
        label = _label_of(bold) or ""
        if len(cells) >= 2:
            value = cells[1]
            entries.append(
                _Entry(label, value.text_content(), _inner_html(value), _first_link([value]))
            )
        else:  # a wide entry: <td colspan="2"><b>Label:</b> value</td>
            siblings = list(bold.itersiblings())
            entries.append(_entry_after(label, bold, siblings))
    return entries


def _line_entries(container: lxml.html.HtmlElement) -> list[_Entry]:
    """``<b>Label:</b> value<br/>`` entries of an element, in order."""
    entries: list[_Entry] = []
    current: tuple[str, lxml.html.HtmlElement, list[lxml.html.HtmlElement]] | None = None
    previous: lxml.html.HtmlElement | None = None
    for child in container:
        label = _label_of(child)
        starts = label is not None and (
            previous is None or (isinstance(previous.tag, str) and previous.tag == "br")
        )
        if starts and label is not None:
            if current is not None:
                entries.append(_entry_after(*current))
            current = (label, child, [])
        elif current is not None:
            current[2].append(child)
        if isinstance(child.tag, str):
            previous = child
    if current is not None:
        entries.append(_entry_after(*current))
    return entries


def title_page_entries(root: lxml.html.HtmlElement) -> list[_Entry]:
    """The labelled values of a FanFicFare title page: rows of its table when it has
    one, else the ``<b>Label:</b> value<br/>`` lines of the element holding them."""
    for table in root.iter("table"):
        if entries := _table_entries(table):
            return entries
    holders: list[lxml.html.HtmlElement] = []
    for bold in root.iter("b", "strong"):
        parent = bold.getparent()
        if _label_of(bold) is not None and parent is not None and parent not in holders:
            holders.append(parent)
    for holder in holders:
        if entries := _line_entries(holder):
            return entries
    return []


def _heading_parts(heading: lxml.html.HtmlElement) -> tuple[str, list[str], str, list[str]]:
    """(title, creators, story URL, author URLs) of ``<a href=URL>Title</a> by
    <a class=authorlink>Author</a>, ...`` in a title heading."""
    links = list(heading.iter("a"))
    authors = [link for link in links if "authorlink" in (link.get("class") or "").split()]
    if links and links[0] not in authors:
        title = links[0].text_content()
        story_url = links[0].get("href", "")
    else:
        story_url = ""
        text = heading.text_content()
        title = text.rsplit(" by ", 1)[0] if " by " in text else text
    if authors:
        creators = [link.text_content() for link in authors]
    else:
        text = heading.text_content()
        by = text.rsplit(" by ", 1)[1] if " by " in text else ""
        creators = [name for name in (part.strip() for part in by.split(", ")) if name]
    author_urls = [link.get("href", "") for link in authors if link.get("href")]
    return plain(title), [plain(c) for c in creators], story_url, author_urls


def _with_missing(entries: list[_Entry], extra: Iterable[tuple[str, str]]) -> list[_Entry]:
    """``entries`` and, after them, each extra (label, value) whose label they lack."""
    have = {entry.label.lower() for entry in entries}
    added = [_Entry(label, value) for label, value in extra if value and label.lower() not in have]
    return entries + added


# HTML -------------------------------------------------------------------------------

_HTML_HEAD_MARKS = re.compile(
    rb'<a\s+name\s*=\s*["\']?(?:section\d{4}|TOCTOP)["\']?\s*>\s*<h2'
    rb'|<table\s+class\s*=\s*["\']?full["\']?\s*>\s*<tr>\s*<td>\s*<b>[^<>:]{1,60}:</b>\s*</td>',
    re.I,
)


def _recognizes_html(head: bytes) -> bool:
    return b"<h1" in head.lower() and bool(_HTML_HEAD_MARKS.search(head))


_SECTION = re.compile(r"section\d+")


def parse_html(text: str, name: str) -> ParsedWork:
    """The work in a FanFicFare HTML file's decoded text."""
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise ParseError(f"unreadable HTML ({error})") from None
    heading = next(root.iter("h1"), None)
    if heading is None:
        raise ParseError("no <h1> title on the FanFicFare title page")
    title, creators, story_url, author_urls = _heading_parts(heading)
    work = _new_work(title, name)
    table = next((t for t in root.iter("table") if "full" in (t.get("class") or "").split()), None)
    entries = _table_entries(table) if table is not None else []
    extra = [("Story URL", story_url), ("Author URL", ", ".join(author_urls))]
    _apply(work, creators, _with_missing(entries, extra))
    work.chapters = _html_chapters(root)
    return _require_chapters(work)


def _html_chapters(root: lxml.html.HtmlElement) -> list[ParsedChapter]:
    anchors = [a for a in root.iter("a") if _SECTION.fullmatch(a.get("name") or "")]
    if not anchors:
        return []
    parent = anchors[0].getparent()
    if parent is None:
        return []
    chapters: list[ParsedChapter] = []
    current: tuple[str, list[str]] | None = None
    for child in parent:
        if child in anchors:
            if current is not None:
                chapters.append(_chapter(*current))
            current = (plain(child.text_content()), [html.escape(child.tail or "", quote=False)])
        elif current is not None:
            current[1].append(_outer_html(child))
    if current is not None:
        chapters.append(_chapter(*current))
    return chapters


def _chapter(title: str, parts: list[str]) -> ParsedChapter:
    return ParsedChapter(body=chapter_body("".join(parts)), title=title)


# TXT --------------------------------------------------------------------------------

_TXT_PACKAGED = re.compile(r"^Packaged: \S", re.M)
_TXT_TOC = re.compile(r"^TABLE OF CONTENTS[ \t]*$", re.M)
_TXT_SITE = re.compile(r"^(?:Story URL|Publisher): \S", re.M)
_TXT_LABEL = re.compile(r"(?P<label>[A-Za-z][A-Za-z0-9 '()/.&-]{0,40}?):(?:\s+(?P<value>.*))?")
# FanFicFare indents a chapter title with a tab, which wrapping turns into 8 spaces.
_HEADING_INDENT = re.compile(r"(?:\t| {8})\S")
_END_FILE = "End file."
TOC_LINE = "TABLE OF CONTENTS"


def _txt_head(head: bytes) -> str:
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _recognizes_txt(head: bytes) -> bool:
    """The title and "by" lines, then FanFicFare's labels ("Packaged:", or "Story
    URL:" or "Publisher:" beside a table of contents), or, for a download without a
    title page, its table of contents straight after the "by" line."""
    text = _txt_head(head)
    lines = text.split("\n", 60)[:60]
    after_by = _after_title_and_by(lines)
    if after_by is None:
        return False
    by_end, next_text = after_by
    # FanFicFare leaves four blank lines there; a hand-made contents list, fewer.
    if next_text - by_end >= 3 and next_text < len(lines) and lines[next_text].strip() == TOC_LINE:
        return True
    return bool(_TXT_PACKAGED.search(text) or (_TXT_TOC.search(text) and _TXT_SITE.search(text)))


def _after_title_and_by(lines: list[str]) -> tuple[int, int] | None:
    """Where the "by" lines end and the text goes on after the blank lines that
    follow, when the text starts with blank lines, a title of at most six lines,
    blank lines and "by Author"; else None."""
    index = _skip_blank(lines, 0)
    title, index = _block(lines, index)
    index = _skip_blank(lines, index)
    if not 0 < len(title) <= 6 or index >= len(lines) or not lines[index].startswith("by "):
        return None
    _, index = _block(lines, index)
    return index, _skip_blank(lines, index)


def parse_txt(text: str, name: str) -> ParsedWork:
    """The work in a FanFicFare TXT file's decoded text (LF line endings)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    index = _skip_blank(lines, 0)
    title_lines, index = _block(lines, index)
    index = _skip_blank(lines, index)
    by_lines, index = _block(lines, index)
    if not title_lines or not by_lines or not by_lines[0].startswith("by "):
        raise ParseError("no title and 'by' line at the top of the FanFicFare text")
    title = plain(" ".join(title_lines))
    creators = [author for author in " ".join(by_lines)[3:].split(", ") if author.strip()]
    work = _new_work(title, name)

    header, index = _txt_header(lines, index)
    _apply(work, creators, header)

    toc: list[str] = []
    index = _skip_blank(lines, index)
    if index < len(lines) and lines[index].strip() == TOC_LINE:
        toc, index = _txt_toc(lines, index + 1)
    work.chapters = [
        ParsedChapter(body=markdown_to_html(body), title=plain(heading))
        for heading, body in _txt_chapters(lines[index:], toc)
    ]
    work.chapters = [chapter for chapter in work.chapters if chapter.body or chapter.title]
    return _require_chapters(work)


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _block(lines: list[str], index: int) -> tuple[list[str], int]:
    """The non-blank lines from ``index`` on, and the index after them."""
    start = index
    while index < len(lines) and lines[index].strip():
        index += 1
    return [line.strip() for line in lines[start:index]], index


def _starts_entry(label: str, current: _Entry | None) -> bool:
    """Whether ``Label: value`` begins a new entry. A wrapped summary may run onto a
    line like "Part two: ...", so inside prose only FanFicFare's own labels count."""
    if label.lower() in FANFICFARE_LABELS:
        return True
    inside_prose = current is not None and _is_multiline(current.label)
    return not inside_prose and group_of(label) is not None


def _txt_header(lines: list[str], index: int) -> tuple[list[_Entry], int]:
    """The labelled entries after the "by" line, up to the table of contents, the
    three blank lines that end FanFicFare's title page, or a chapter title."""
    entries: list[_Entry] = []
    pieces: list[list[str]] = []
    blank_run = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            blank_run += 1
            index += 1
            continue
        if stripped == TOC_LINE or (entries and blank_run >= 3):
            break
        if _HEADING_INDENT.match(line) and (blank_run >= 2 or not entries):
            break  # a chapter title: a story of one chapter has no table of contents
        match = _TXT_LABEL.fullmatch(stripped)
        if match and _starts_entry(match["label"], entries[-1] if entries else None):
            entries.append(_Entry(match["label"], ""))
            pieces.append([match["value"] or ""])
        elif entries:
            # A blank line inside a value (between a summary's paragraphs) stays one.
            pieces[-1].extend([""] * min(blank_run, 1) + [stripped])
        else:
            break  # no title page: the story starts here
        blank_run = 0
        index += 1
    for entry, value_lines in zip(entries, pieces, strict=True):
        entry.text = _joined(value_lines, multiline=_is_multiline(entry.label))
    return entries, index


def _joined(lines: list[str], *, multiline: bool) -> str:
    """A wrapped value's lines joined; prose keeps its paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    texts = [" ".join(paragraph) for paragraph in paragraphs if paragraph]
    return ("\n\n" if multiline else " ").join(texts)


def _txt_toc(lines: list[str], index: int) -> tuple[list[str], int]:
    """The chapter titles of the table of contents (an entry may wrap onto more
    lines; entries are one blank line apart, the list ends at two or more)."""
    index = _skip_blank(lines, index)
    titles: list[str] = []
    while index < len(lines) and lines[index].strip():
        if _HEADING_INDENT.match(lines[index]):
            break
        entry, index = _block(lines, index)
        titles.append(" ".join(entry))
        after = _skip_blank(lines, index)
        if after - index >= 2:
            index = after
            break
        index = after
    return titles, index


def _normal(text: str) -> str:
    return " ".join(text.split())


def _txt_chapters(lines: list[str], toc: list[str]) -> list[tuple[str, str]]:
    """(title, text) per chapter: a chapter starts at its indented title line(s), one
    of the titles of the table of contents still to come or, without a table, any
    indented line after two blank lines. ``End file.`` closes the last."""
    chapters: list[tuple[str, list[str]]] = []
    expected = [_normal(title) for title in toc]
    index, blank_run = 0, 2
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            blank_run += 1
            index += 1
            if chapters:
                chapters[-1][1].append("")
            continue
        heading, after = _heading_at(lines, index, expected, blank_run)
        if heading is not None:
            # A chapter FanFicFare got no text for is listed but not written.
            if heading in expected:
                del expected[: expected.index(heading) + 1]
            chapters.append((heading, []))
            index = after
        else:
            if not chapters:
                chapters.append(("", []))
            chapters[-1][1].append(line)
            index += 1
        blank_run = 0
    if chapters:
        last_lines = chapters[-1][1]
        while last_lines and not last_lines[-1].strip():
            last_lines.pop()
        if last_lines and last_lines[-1].strip() == _END_FILE:
            last_lines.pop()
    return [(title, "\n".join(body).strip("\n")) for title, body in chapters]


def _heading_at(
    lines: list[str], index: int, expected: list[str], blank_run: int
) -> tuple[str | None, int]:
    """The chapter title at ``index`` and the index after it, or (None, index)."""
    if not _HEADING_INDENT.match(lines[index]):
        return None, index
    block, after = _block(lines, index)
    if not expected:
        return (_normal(" ".join(block)), after) if blank_run >= 2 else (None, index)
    # A long title wraps onto unindented lines: try the block's first lines in turn.
    for count in range(len(block), 0, -1):
        text = _normal(" ".join(block[:count]))
        if text in expected:
            return text, index + count
    return None, index


# html2text's Markdown, undone -------------------------------------------------------

_QUOTE_PREFIX = re.compile(r"^\s*>\s?")
_ATX_HEADING = re.compile(r"(?P<level>#{1,6})\s+(?P<text>.+?)(?:\s+#+)?\s*")
_LINK = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<url>(?:https?|mailto):[^)\s]+)\)")
# Spans are bounded so a paragraph full of lone marks stays linear to scan.
_STRONG = re.compile(r"\*\*(?=\S)(.{1,2000}?)(?<=\S)\*\*", re.S)
_EMPHASIS = re.compile(r"(?<![\w\\])_(?=\S)(.{1,2000}?)(?<=\S)_(?!\w)", re.S)
_STRIKE = re.compile(r"~~(?=\S)(.{1,2000}?)(?<=\S)~~", re.S)
# html2text puts a space between a closing emphasis mark and the punctuation after
# it ("_gone_ ,"); the HTML had none.
_SPACE_BEFORE_PUNCTUATION = re.compile("(</(?:i|b|s)>) (?=[,;:'\"\u2019\u201d\u2026])")
_BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def markdown_to_html(text: str) -> str:
    """A TXT chapter's html2text output as HTML: paragraphs at blank lines, wrapped
    lines joined, two trailing spaces as ``<br>``, ``* * *`` as a scene break,
    ``> `` lines as a blockquote, emphasis, links and escapes as the HTML had them."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    elements = [_markdown_block(block) for block in blocks if block]
    return "\n".join(element for element in elements if element)


def _markdown_block(lines: list[str]) -> str:
    if len(lines) == 1 and is_scene_break(lines[0]):
        return SCENE_BREAK
    if all(_QUOTE_PREFIX.match(line) for line in lines):
        inner = [_QUOTE_PREFIX.sub("", line, count=1) for line in lines]
        if any(part.strip() for part in inner):
            return f"<blockquote>{markdown_to_html(chr(10).join(inner))}</blockquote>"
    if len(lines) == 1 and (heading := _ATX_HEADING.fullmatch(lines[0].strip())):
        level = len(heading["level"])
        return f"<h{level}>{_inline(heading['text'])}</h{level}>"
    text = ""
    for line in lines:
        text += line.strip() + ("\n" if line.endswith("  ") else " ")
    rendered = _inline(text.strip()).replace("\n", "<br>\n")
    return f"<p>{rendered}</p>"


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = _LINK.sub(lambda m: f'<a href="{html.escape(m["url"])}">{m["text"]}</a>', escaped)
    escaped = _STRONG.sub(r"<b>\1</b>", escaped)
    escaped = _EMPHASIS.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    escaped = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", escaped)
    return _BACKSLASH_ESCAPE.sub(r"\1", escaped)


# EPUB -------------------------------------------------------------------------------

_CHAPTER_FILE = re.compile(r"file\d+\.x?html?", re.I)
_FRONT_MATTER = frozenset({"title_page.xhtml", "toc_page.xhtml", "log_page.xhtml", "cover.xhtml"})
_FANFICFARE_MARKS = ("fanficfare", "fanficdownloader")


def recognizes_book(book: Epub) -> bool:
    """A book FanFicFare made: its contributor or identifier says so, or its first
    chapter file carries FanFicFare's chapter title marks."""
    named = book.values("contributor") + book.values("identifier")
    if any(mark in value.lower() for value in named for mark in _FANFICFARE_MARKS):
        return True
    first = next((doc for doc in book.spine if _is_chapter_file(doc)), None)
    if first is None:
        return False
    try:
        text = first.text()
    except EpubError:
        return False
    return "fff_chapter_title" in text or 'name="chaptertitle"' in text


def parse_book(book: Epub, name: str) -> ParsedWork:
    """The work in a FanFicFare EPUB the EPUB importer opened. Raises ParseError."""
    try:
        return _parse_book(book, name)
    except EpubError as error:
        raise ParseError(str(error)) from None


def _is_chapter_file(doc: EpubDocument) -> bool:
    return bool(_CHAPTER_FILE.fullmatch(posixpath.basename(doc.href)))


def _parse_book(book: Epub, name: str) -> ParsedWork:
    title_doc = next(
        (doc for doc in book.spine if posixpath.basename(doc.href) == "title_page.xhtml"), None
    )
    title_root = title_doc.html() if title_doc is not None else None
    entries = title_page_entries(title_root) if title_root is not None else []
    heading = next(title_root.iter("h3", "h1", "h2"), None) if title_root is not None else None
    page_title, page_creators, story_url, author_urls = (
        _heading_parts(heading) if heading is not None else ("", [], "", [])
    )

    title = plain(book.first("title")) or page_title
    creators = [plain(value) for value in book.values("creator") if value.strip()]
    work = _new_work(title, name)
    dates = {
        item.attributes.get("event", "").lower(): item.value
        for item in book.metadata
        if item.name == "date"
    }
    extra = [
        ("Series", _calibre_series(book)),
        ("Language", book.first("language")),
        ("Published", dates.get("publication", "")),
        ("Updated", dates.get("modification", "")),
        ("Packaged", dates.get("creation", "")),
        ("Publisher", book.first("publisher")),
        ("Story URL", book.first("source") or story_url),
        ("Author URL", ", ".join(author_urls)),
        ("Summary", book.first("description")),
    ]
    _apply(work, creators or page_creators, _with_missing(entries, extra))
    for subject in book.values("subject"):
        work.fields.append(("Subject", subject))
    _apply_subjects(work, book.values("subject"), entries)

    work.chapters = _book_chapters(book)
    return _require_chapters(work)


def _calibre_series(book: Epub) -> str:
    name = book.meta.get("calibre:series", "")
    index = book.meta.get("calibre:series_index", "")
    try:
        position = int(float(index))
    except ValueError:
        return name
    return f"{name} [{position}]" if name and position > 0 else name


def _apply_subjects(work: ParsedWork, subjects: list[str], entries: list[_Entry]) -> None:
    """Subjects the title page does not account for: the status when nothing else
    gave one, else additional tags (categories among them as categories). The date
    subjects and FanFicFare's default extra tag are only kept in ``fields``."""
    known = {
        _normal(item).lower()
        for entry in entries
        for item in [plain(entry.text), *plain(entry.text).split(", ")]
    }
    tags = []
    for subject in (plain(value) for value in subjects):
        lowered = subject.lower()
        if not subject or lowered in known or _LAST_UPDATE_SUBJECT.match(subject):
            continue
        if lowered in {"completed", "complete", "in-progress"}:
            if work.complete is None:
                work.complete = lowered != "in-progress"
            continue
        if lowered not in _DEFAULT_EXTRA_TAGS:
            tags.append(subject)
    for tag in tags:
        if tag not in work.freeforms:
            work.freeforms.append(tag)
    _move_categories(work)


def _book_chapters(book: Epub) -> list[ParsedChapter]:
    documents = [doc for doc in book.spine if _is_chapter_file(doc)]
    if not documents:
        documents = [
            doc
            for doc in book.spine
            if doc.linear
            and "nav" not in doc.properties
            and posixpath.basename(doc.href) not in _FRONT_MATTER
        ]
    toc_titles = {href: title for title, href in reversed(book.toc)}
    return [_book_chapter(doc, toc_titles.get(doc.href, "")) for doc in documents]


def _book_chapter(doc: EpubDocument, toc_title: str) -> ParsedChapter:
    root = doc.html()
    meta_title = next(
        (
            meta.get("content", "")
            for meta in root.iter("meta")
            if (meta.get("name") or "").lower() == "chaptertitle"
        ),
        "",
    )
    body = root.find(".//body")
    if body is None:
        body = root
    heading = next(
        (
            element
            for element in body.iter("h1", "h2", "h3", "h4")
            if "fff_chapter_title" in (element.get("class") or "").split()
        ),
        None,
    )
    fragment = _inner_html(body)
    heading_title = ""
    if heading is not None:
        heading_title = heading.text_content()
        # Cut from the markup rather than the tree: lxml refuses to rejoin text that
        # holds characters XML does not allow, which tag soup may.
        markup = etree.tostring(heading, method="html", encoding="unicode", with_tail=False)
        fragment = fragment.replace(markup, "", 1)
    title = plain(meta_title) or plain(heading_title) or plain(toc_title)
    return ParsedChapter(body=chapter_body(fragment), title=title)
