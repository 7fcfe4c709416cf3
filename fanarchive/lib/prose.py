"""Story text to structure: chapters, paragraphs, scene breaks, HTML.

Framework-free. Plain text goes through :func:`split_chapters` and :func:`text_to_html`;
a body that is already an HTML fragment goes through :func:`html_to_chapters`. Both
keep every word of the source: a line is either text, a chapter heading (whose title
becomes the chapter's title) or a scene-break marker; nothing else is dropped.

Chapter headings
    A line of its own reading ``Chapter``, ``Chap.``, ``Ch.`` or ``Part``, a number
    (digits, English number words such as ``Twenty-One``, or roman numerals), and
    optionally a separator (``:`` ``.`` ``|`` an en or em dash, or a spaced hyphen or
    tilde) and a title: ``Chapter 2``, ``Chapter Two: Title``, ``CHAPTER III - Title``,
    ``Chapter 12. Title``, ``Part Three: Title``, ``Chapter 3 of 10``. Markdown or
    ASCII decoration around it (``**``, ``~``, ``=``, ``#``, brackets) is ignored.
    Words after the number without a separator make the line prose, not a heading
    ("Part one of the plan was simple."). ``Prologue``, ``Epilogue``, ``Interlude``,
    ``Foreword``, ``Preface`` and ``Afterword`` lines are headings too, titled with the
    whole line, but only in a text that also has numbered headings. A heading with no
    text before the next heading (a part heading straight above a chapter heading, a
    table of contents) does not make an empty chapter: its line is kept as the first
    paragraph of the next chapter, or as the last of the previous one at the end.

Scene breaks
    A line made only of ``* ~ = # _ + -``, dashes, ``• · ° / \\ | < > ^ §`` and similar
    symbols, optionally with ``o O 0 x X`` among them (``* * *``, ``***``, ``~~~``,
    ``---``, ``#``, ``-x-``, ``~*~``, ``+ + +``), or of three or more of those letters
    alone (``oOo``, ``o0o``, ``xXx``). It becomes :data:`SCENE_BREAK`, never a
    paragraph and never a chapter split. Ellipses (``...``) are text.

Paragraphs and line breaks
    Blank lines always end a paragraph. Within a run of lines without blank lines,
    each line break is one of: a join (a space; no space after a word-final hyphen
    or dash), a ``<br>``, or a new paragraph, decided in this order:

    1. the next line is indented more than the run's least-indented line: new
       paragraph (indented paragraphs in text with no blank lines);
    2. the text is hard-wrapped at a width W and the next line's first word would
       not have fitted on this line within W: join (the line was wrapped);
    3. this line is at least 40 characters, ends in a letter, digit, comma,
       semicolon or dash, and the next line starts with a lower-case letter: join
       (a sentence continues; shorter lines like these are more likely verse);
    4. the text separates its paragraphs with blank lines and this line is at most
       120 characters: ``<br>`` (verse, lyrics, letters, lists);
    5. otherwise: new paragraph (text with one paragraph per line).

    W is detected from the lines followed by another line of the same run: the 90th
    percentile of their widths, if it lies between 45 and 120 columns and at least
    half of those lines pass the test of rule 2. Text of long unwrapped lines, verse
    and short texts have no W. A text "separates paragraphs with blank lines" when it
    has at least one blank-line gap per fifteen lines. Leading indentation is never
    part of the output; plain text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum, auto
from html.parser import HTMLParser
from itertools import pairwise
from typing import NamedTuple

from fanarchive.lib.html import SCENE_BREAK

__all__ = [
    "ChapterHeading",
    "balance_html",
    "chapter_heading",
    "has_story_text",
    "html_to_chapters",
    "is_scene_break",
    "parse_number",
    "split_chapters",
    "text_to_html",
]

# En and em dash, written out because they look like hyphens in source.
_DASHES = "\u2013\u2014"

# Numbers ---------------------------------------------------------------------------

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ROMAN = re.compile(r"m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_DIGITS = re.compile(r"[0-9]+")


def parse_number(text: str) -> int | None:
    """The number written as digits, English words up to 999 ("Twenty-One", "one
    hundred and five") or a roman numeral in one case ("XIV", "xiv"), else None."""
    written = text.strip()
    word = written.lower()
    if _DIGITS.fullmatch(word):
        return int(word)
    # One case throughout: "XIV" and "xiv" are numerals, "Mix" and "Liv" are words.
    if word and _ROMAN.fullmatch(word) and written in {word, word.upper()}:
        return _roman_value(word)
    return _number_from_words(word)


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[char] for char in numeral]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def _number_from_words(text: str) -> int | None:
    tokens = [word for word in re.split(r"[\s-]+", text) if word and word != "and"]
    value = 0
    if tokens[:1] == ["hundred"]:
        value, tokens = 100, tokens[1:]
    elif len(tokens) >= 2 and tokens[1] == "hundred" and tokens[0] in _UNITS:
        value, tokens = _UNITS[tokens[0]] * 100, tokens[2:]
    if tokens and tokens[0] in _TENS:
        value += _TENS[tokens.pop(0)]
        if tokens and _UNITS.get(tokens[0], 10) < 10:
            value += _UNITS[tokens.pop(0)]
    elif tokens and tokens[0] in _UNITS:
        value += _UNITS[tokens.pop(0)]
    return value if value and not tokens else None


# Scene breaks ----------------------------------------------------------------------

_MARKER_SYMBOLS = frozenset(f"*~=#_+-{_DASHES}•·°◦○●◆◇♦♥♡❤☆★✦✧✿❀§¤^/\\|<>")
_MARKER_LETTERS = frozenset("oO0xX")
_MARKER_CHARACTERS = _MARKER_SYMBOLS | _MARKER_LETTERS
_MAX_MARKER_LENGTH = 200


def is_scene_break(line: str) -> bool:
    """True for a line that is only a scene-break marker (see the module docstring)."""
    # Asked of every line: most are prose, told apart by their first character without
    # taking the whole line apart.
    if line.lstrip()[:1] not in _MARKER_CHARACTERS:
        return False
    marker = "".join(line.split())
    if not marker or len(marker) > _MAX_MARKER_LENGTH:
        return False
    chars = set(marker)
    if not chars <= _MARKER_CHARACTERS:
        return False
    # Letters alone ("oOo", "xXx") need three to be a marker rather than a word.
    return bool(chars & _MARKER_SYMBOLS) or 3 <= len(marker) <= 20


def has_story_text(text: str) -> bool:
    """True when the text has a line that is neither blank nor a scene-break marker."""
    return any(line.strip() and not is_scene_break(line) for line in text.split("\n"))


# Chapter headings ------------------------------------------------------------------


class ChapterHeading(NamedTuple):
    number: int | None
    """None for a named section (Prologue, Epilogue, ...)."""
    title: str
    """The text after the separator, "" if none; a named section's whole line."""


_MAX_HEADING_LENGTH = 150
_DECORATION = f"*~=#_+-{_DASHES}"
_BRACKETS = re.compile(r"^\[(.*)\]$|^\((.*)\)$")
_LABEL = re.compile(r"(?:chapter|chap\.?|ch\.?|part)\s*(?:#|no\.|number)?\s*(?P<rest>.*)", re.I)
_SEPARATOR = re.compile(rf"\s*[:.|{_DASHES}]+\s*|\s+[-~]+\s*|\s*[-~]+\s+|-{{2,}}")
_NUMBER_OF = re.compile(r"(?P<number>[^\s/]+)\s*(?:/|of)\s*[0-9?]+", re.I)
_NAMED_SECTION = re.compile(
    r"(?:prologue|epilogue|interlude|foreword|preface|afterword)"
    rf"(?:\s*[:.|{_DASHES}].*|\s+[-~].*|\s+\S+)?",
    re.I,
)


def chapter_heading(line: str) -> ChapterHeading | None:
    """The heading a line of its own announces, or None (see the module docstring)."""
    text = _unframe(line)
    if not text or len(text) > _MAX_HEADING_LENGTH:
        return None
    if _NAMED_SECTION.fullmatch(text):
        return ChapterHeading(None, text)
    label = _LABEL.fullmatch(text)
    if label is None:
        return None
    rest = label["rest"]
    if (number := _heading_number(rest)) is not None:
        return ChapterHeading(number, "")
    for separator in _SEPARATOR.finditer(rest):
        number = _heading_number(rest[: separator.start()])
        if number is not None:
            return ChapterHeading(number, _unframe(rest[separator.end() :]))
    return None


def _unframe(line: str) -> str:
    text = _undecorate(line)
    if bracketed := _BRACKETS.match(text):
        text = _undecorate(bracketed[1] or bracketed[2] or "")
    return text


def _undecorate(text: str) -> str:
    """The text without leading and trailing whitespace and decoration characters. Run
    on every line of a story; str.strip is many times faster than an anchored regex."""
    while (stripped := text.strip().strip(_DECORATION)) != text:
        text = stripped
    return text


def _heading_number(text: str) -> int | None:
    # "Chapter 3 of 10" and "Chapter 3/10" number the chapter 3.
    if counted := _NUMBER_OF.fullmatch(text.strip()):
        return parse_number(counted["number"])
    return parse_number(text)


def _heading_finder(texts: Iterable[str]) -> Callable[[str], ChapterHeading | None]:
    """A heading test for one text: named sections count only when the text also has
    numbered headings, so a lone "Epilogue" line in prose stays prose."""
    numbered = any((h := chapter_heading(t)) is not None and h.number is not None for t in texts)

    def heading_of(text: str) -> ChapterHeading | None:
        heading = chapter_heading(text)
        if heading is None or (heading.number is None and not numbered):
            return None
        return heading

    return heading_of


def _group_chapters[T](
    items: Sequence[T],
    heading_of: Callable[[T], ChapterHeading | None],
    has_text: Callable[[Sequence[T]], bool],
) -> list[tuple[str, list[T]]]:
    """Items split at headings into (title, items) chapters. A heading without text
    after it travels, with whatever followed it, into the next chapter as text."""
    sections: list[tuple[str, list[T]]] = [("", [])]
    for item in items:
        heading = heading_of(item)
        if heading is None:
            sections[-1][1].append(item)
        else:
            sections.append((heading.title, [item]))

    prelude = sections[0][1]
    chapters: list[tuple[str, list[T]]] = [("", prelude)] if has_text(prelude) else []
    carried: list[T] = [] if chapters else prelude
    for title, (heading_item, *body) in sections[1:]:
        if has_text(body):
            chapters.append((title, [*carried, *body]))
            carried = []
        else:
            carried += [heading_item, *body]
    if carried and chapters:
        chapters[-1][1].extend(carried)
    elif carried and has_text(carried):
        chapters.append(("", carried))
    return chapters


def split_chapters(text: str) -> list[tuple[str, str]]:
    """(title, text) per chapter; text before the first heading is an untitled first
    chapter when it has any. Heading lines are not part of a chapter's text. An empty
    list when the text has no story text at all."""
    lines = text.split("\n")
    heading_of = _heading_finder(lines)
    chapters = _group_chapters(lines, heading_of, lambda ls: has_story_text("\n".join(ls)))
    return [(title, _trim_blank_lines(chapter)) for title, chapter in chapters]


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


# Paragraphs ------------------------------------------------------------------------

_MIN_WRAP_WIDTH = 45
_MAX_WRAP_WIDTH = 120
_LONG_LINE = 120
_MIN_CONTINUED_LINE = 40
_LINES_PER_BLANK_GAP = 15
_OPEN_ENDING = re.compile(rf"[^\W_]$|[,;\-{_DASHES}]$")
_JOINING_DASH = re.compile(rf"\S[-{_DASHES}]$")


@dataclass(frozen=True)
class _Line:
    raw: str
    """What goes into the HTML: escaped text, or markup as written."""
    text: str
    """What a reader sees, for measuring and matching."""
    width: int
    """Columns the line took in the source, indentation included."""
    indent: int


class _Scene:
    """A scene-break marker among the runs of lines."""


_SCENE = _Scene()


class _Break(Enum):
    JOIN = auto()
    LINE = auto()
    PARAGRAPH = auto()


@dataclass(frozen=True)
class _Layout:
    wrap_width: int | None
    blank_separated: bool


def text_to_html(text: str) -> str:
    """Plain text as an HTML fragment: ``<p>`` per paragraph, ``<br>`` for kept line
    breaks, :data:`SCENE_BREAK` for scene-break lines (rules in the module docstring)."""
    return "\n".join(_render([_plain_line(line) for line in text.split("\n")]))


def _plain_line(line: str) -> _Line | None:
    expanded = line.expandtabs(4).rstrip()
    stripped = expanded.lstrip()
    if not stripped:
        return None
    indent = len(expanded) - len(stripped)
    return _Line(html.escape(stripped, quote=False), stripped, len(expanded), indent)


def _render(lines: Sequence[_Line | None]) -> list[str]:
    runs, blank_gaps = _runs(lines)
    layout = _measure(runs, blank_gaps)
    elements: list[str] = []
    for run in runs:
        if isinstance(run, _Scene):
            elements.append(SCENE_BREAK)
        else:
            elements.extend(_paragraphs(run, layout))
    return elements


def _runs(lines: Sequence[_Line | None]) -> tuple[list[list[_Line] | _Scene], int]:
    """Lines grouped into runs without blank lines, scene breaks on their own; and
    the number of blank-line gaps between text lines."""
    runs: list[list[_Line] | _Scene] = []
    current: list[_Line] = []
    blank_gaps, seen_text, blank_pending = 0, False, False
    for line in lines:
        if line is None or is_scene_break(line.text):
            if current:
                runs.append(current)
                current = []
            if line is None:
                blank_pending = seen_text
            else:
                runs.append(_SCENE)
            continue
        if blank_pending:
            blank_gaps += 1
            blank_pending = False
        seen_text = True
        current.append(line)
    if current:
        runs.append(current)
    return runs, blank_gaps


def _measure(runs: list[list[_Line] | _Scene], blank_gaps: int) -> _Layout:
    text_runs = [run for run in runs if not isinstance(run, _Scene)]
    line_count = sum(len(run) for run in text_runs)
    pairs = [pair for run in text_runs for pair in pairwise(run)]
    return _Layout(
        wrap_width=_wrap_width(pairs),
        blank_separated=blank_gaps > 0 and blank_gaps * _LINES_PER_BLANK_GAP >= line_count,
    )


def _wrap_width(pairs: list[tuple[_Line, _Line]]) -> int | None:
    if len(pairs) < 3:
        return None
    widths = sorted(line.width for line, _ in pairs)
    width = widths[(len(widths) - 1) * 9 // 10]
    if not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return None
    wrapped = sum(_was_wrapped(line, following, width) for line, following in pairs)
    return width if 2 * wrapped >= len(pairs) else None


def _was_wrapped(line: _Line, following: _Line, width: int) -> bool:
    """True when the following line's first word would not have fitted on this line."""
    words = following.text.split(maxsplit=1)
    first_word = words[0] if words else ""
    return line.width + 1 + len(first_word) > width


def _paragraphs(run: list[_Line], layout: _Layout) -> list[str]:
    least_indent = min(line.indent for line in run)
    paragraphs: list[list[str]] = [[run[0].raw]]
    for line, following in pairwise(run):
        kind = _classify(line, following, least_indent, layout)
        if kind is _Break.PARAGRAPH:
            paragraphs.append([following.raw])
        elif kind is _Break.LINE:
            paragraphs[-1] += ["<br>", following.raw]
        else:
            paragraphs[-1] += [_joiner(line, following), following.raw]
    return ["<p>" + "".join(parts) + "</p>" for parts in paragraphs]


def _classify(line: _Line, following: _Line, least_indent: int, layout: _Layout) -> _Break:
    if following.indent > least_indent:
        return _Break.PARAGRAPH
    if layout.wrap_width and _was_wrapped(line, following, layout.wrap_width):
        return _Break.JOIN
    if _continues(line, following):
        return _Break.JOIN
    if layout.blank_separated and len(line.text) <= _LONG_LINE:
        return _Break.LINE
    return _Break.PARAGRAPH


def _continues(line: _Line, following: _Line) -> bool:
    return (
        len(line.text) >= _MIN_CONTINUED_LINE
        and bool(_OPEN_ENDING.search(line.text))
        and following.text[:1].islower()
    )


def _joiner(line: _Line, following: _Line) -> str:
    # "well-" + "known" was one word the wrapper split at its hyphen.
    if _JOINING_DASH.search(line.text) and following.text[:1].isalnum():
        return ""
    return " "


# HTML fragments --------------------------------------------------------------------

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "center", "colgroup", "dd",
     "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
     "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main",
     "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
     "tr", "ul"}
)  # fmt: skip
_LIST_ITEMS = frozenset({"li", "dt", "dd"})
_LISTS = frozenset({"ul", "ol", "dl"})
# Document wrappers a story file sometimes keeps: their tags go, their content stays.
_DOCUMENT_TAGS = frozenset({"html", "body"})
# Elements wrapping a whole story for styling; unwrapped so chapters can be split.
_WRAPPER_TAGS = frozenset({"div", "span", "font", "main", "article", "section"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "center"})
_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*(?:[:-][a-z0-9]+)*")
_BR = re.compile(r"<br\s*/?>[ \t]*\n?", re.I)
_IMAGE = re.compile(r"<img\b", re.I)


@dataclass
class _Node:
    """One top-level element, or loose text, of a fragment; balanced."""

    tag: str | None
    html: str
    start_tag: str = ""
    has_block: bool = False


@dataclass
class _Open:
    tag: str
    start_tag: str


class _Balancer(HTMLParser):
    """Splits an HTML fragment into balanced top-level nodes: stray end tags are
    dropped, unclosed elements closed, and a block start closes an open ``<p>`` as
    HTML does. Text, entities and attributes pass through as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.nodes: list[_Node] = []
        self.left_open: list[str] = []
        self._stack: list[_Open] = []
        self._buffer: list[str] = []
        self._has_block = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, self._start_tag_text(tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS or not _TAG_NAME.fullmatch(tag):
            self._start(tag, self._start_tag_text(tag))
        else:
            self._start(tag, f"<{tag}>")
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if self._in_head or tag in _DOCUMENT_TAGS:
            return
        if all(item.tag != tag for item in self._stack):
            return
        while self._stack:
            item = self._stack.pop()
            self._buffer.append(f"</{item.tag}>")
            if item.tag == tag:
                break
        if not self._stack:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._text(html.escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._text(_one_line(f"<!--{data}-->"))

    def close(self) -> None:
        super().close()
        self.left_open = [item.start_tag for item in self._stack]
        while self._stack:
            self._buffer.append(f"</{self._stack.pop().tag}>")
        self._flush()

    def _start_tag_text(self, tag: str) -> str:
        # Markup never spans lines here: loose text is later laid out line by line.
        return _one_line(self.get_starttag_text() or f"<{tag}>")

    def _start(self, tag: str, start_tag: str) -> None:
        if not _TAG_NAME.fullmatch(tag):
            # "<Title: x>" or "<3 ...>" is text that happens to start with "<".
            self._text(html.escape(start_tag, quote=False))
            return
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        if self._in_head or tag in _DOCUMENT_TAGS:
            return
        if tag in _BLOCK_TAGS:
            self._close_implied(tag)
        if not self._stack:
            self._flush()
            self.nodes.append(_Node(tag, "", start_tag))
        if tag in _BLOCK_TAGS:
            self._has_block = True
        self._buffer.append(start_tag)
        if tag in _VOID_TAGS:
            if not self._stack:
                self._flush()
        else:
            self._stack.append(_Open(tag, start_tag))

    def _close_implied(self, tag: str) -> None:
        # As HTML does: a block closes an open <p>; a list item closes the previous
        # item of the same list, but not one of an enclosing list.
        if tag in _LIST_ITEMS:
            for item in reversed(self._stack):
                if item.tag in _LISTS:
                    break
                if item.tag == tag:
                    self.handle_endtag(tag)
                    break
        if any(item.tag == "p" for item in self._stack):
            self.handle_endtag("p")

    def _text(self, text: str) -> None:
        if self._in_head:
            return
        if self._stack:
            self._buffer.append(text)
        else:
            self.nodes.append(_Node(None, text))

    def _flush(self) -> None:
        if self._buffer and self.nodes and self.nodes[-1].tag is not None:
            node = self.nodes[-1]
            node.html += "".join(self._buffer)
            node.has_block = node.has_block or self._has_block
        self._buffer = []
        self._has_block = False


def _one_line(markup: str) -> str:
    return " ".join(markup.split("\n"))


def _balance(fragment: str) -> tuple[list[_Node], list[str]]:
    parser = _Balancer()
    parser.feed(fragment)
    parser.close()
    return [node for node in parser.nodes if node.html], parser.left_open


def balance_html(fragment: str) -> str:
    """The fragment with every element closed and stray end tags dropped."""
    nodes, _ = _balance(fragment)
    return "".join(node.html for node in nodes)


def _visible_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


@dataclass
class _Piece:
    """A part of an HTML chapter: a heading, a scene break, or content."""

    html: str
    heading: ChapterHeading | None = None
    has_text: bool = False


@dataclass
class _Unit:
    """A top-level block element, or the lines of loose text between blocks."""

    node: _Node | None = None
    lines: list[str] = field(default_factory=list)


def html_to_chapters(fragment: str) -> list[tuple[str, str]]:
    """(title, HTML) per chapter of an HTML story body.

    Top-level blocks whose text is a chapter heading split chapters, as do heading
    lines in loose text. ``<hr>`` and blocks holding only a scene-break marker become
    :data:`SCENE_BREAK`. Loose text and inline markup outside any block (a body with
    no ``<p>``) is laid out like plain text, with ``<br>`` as a line break and a
    double ``<br>`` as a blank line; inline elements left open across paragraphs
    are closed and reopened. A lone wrapper (``<div>``, ``<font>``, ...) around the
    whole body is unwrapped. Every fragment returned is balanced.
    """
    units = _units(_unwrap(_balance(fragment)[0]))
    heading_of = _heading_finder(_candidate_heading_texts(units))
    pieces = [piece for unit in units for piece in _pieces(unit, heading_of)]
    chapters = _group_chapters(
        pieces, lambda piece: piece.heading, lambda ps: any(p.has_text for p in ps)
    )
    return [(title, "\n".join(p.html for p in chapter if p.html)) for title, chapter in chapters]


def _unwrap(nodes: list[_Node]) -> list[_Node]:
    while True:
        solid = [node for node in nodes if node.tag is not None or node.html.strip()]
        if len(solid) != 1 or solid[0].tag not in _WRAPPER_TAGS or not solid[0].has_block:
            return nodes
        wrapper = solid[0]
        inner = wrapper.html[len(wrapper.start_tag) : -len(f"</{wrapper.tag}>")]
        nodes = _balance(inner)[0]


def _units(nodes: list[_Node]) -> list[_Unit]:
    units: list[_Unit] = []
    loose: list[str] = []
    for node in nodes:
        if node.tag in _BLOCK_TAGS or node.has_block:
            if loose:
                units.append(_Unit(lines=_BR.sub("\n", "".join(loose)).split("\n")))
                loose = []
            units.append(_Unit(node=node))
        else:
            loose.append(node.html)
    if loose:
        units.append(_Unit(lines=_BR.sub("\n", "".join(loose)).split("\n")))
    return units


def _candidate_heading_texts(units: list[_Unit]) -> list[str]:
    texts: list[str] = []
    for unit in units:
        if unit.node is not None:
            if unit.node.tag in _HEADING_TAGS:
                texts.append(_visible_text(unit.node.html))
        else:
            texts.extend(_visible_text(line) for line in unit.lines)
    return texts


def _pieces(unit: _Unit, heading_of: Callable[[str], ChapterHeading | None]) -> list[_Piece]:
    if unit.node is not None:
        return [_block_piece(unit.node, heading_of)]
    pieces: list[_Piece] = []
    pending: list[str] = []
    for line in unit.lines:
        text = _visible_text(line)
        heading = heading_of(text) if text else None
        if heading is None:
            pending.append(line)
            continue
        pieces.append(_loose_text_piece(pending))
        pieces.append(_Piece(f"<p>{balance_html(line.strip())}</p>", heading, has_text=True))
        pending = []
    pieces.append(_loose_text_piece(pending))
    return [piece for piece in pieces if piece.html]


def _block_piece(node: _Node, heading_of: Callable[[str], ChapterHeading | None]) -> _Piece:
    if node.tag == "hr":
        return _Piece(SCENE_BREAK)
    text = _visible_text(node.html)
    has_image = bool(_IMAGE.search(node.html))
    if node.tag in _HEADING_TAGS and text and not has_image:
        if (heading := heading_of(text)) is not None:
            return _Piece(node.html, heading, has_text=True)
        if is_scene_break(text):
            return _Piece(SCENE_BREAK)
    return _Piece(node.html, has_text=bool(text) or has_image)


def _loose_text_piece(lines: list[str]) -> _Piece:
    rendered = _render([_markup_line(line) for line in lines])
    elements = _reopen_across_paragraphs(rendered)
    content = "\n".join(elements)
    return _Piece(content, has_text=any(element != SCENE_BREAK for element in elements))


def _markup_line(line: str) -> _Line | None:
    expanded = line.expandtabs(4).rstrip()
    stripped = expanded.lstrip()
    if not stripped:
        return None
    indent = len(expanded) - len(stripped)
    text = html.unescape(_TAG.sub("", stripped))
    return _Line(stripped, text, indent + len(text), indent)


def _reopen_across_paragraphs(elements: list[str]) -> list[str]:
    """Balance each paragraph, reopening inline elements an earlier one left open:
    an ``<i>`` begun in one paragraph and ended three later italicises all four."""
    balanced: list[str] = []
    carried: list[str] = []
    for element in elements:
        if element == SCENE_BREAK:
            balanced.append(element)
            continue
        inner = element.removeprefix("<p>").removesuffix("</p>")
        nodes, carried = _balance("".join(carried) + inner)
        balanced.append("<p>" + "".join(node.html for node in nodes) + "</p>")
    return balanced
