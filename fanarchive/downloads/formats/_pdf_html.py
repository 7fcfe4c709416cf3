"""Stored story HTML as ReportLab flowables.

Stored HTML is already sanitised (`lib/html.sanitize`); here it is parsed again with lxml
and rebuilt element by element into ReportLab's own paragraph markup, every text node
escaped, so nothing in a story reaches ReportLab's markup parser except what this module
writes. Elements outside the sanitiser's list are read as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import lxml.html
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.xpreformatted import XPreformatted

from fanarchive.downloads.formats._pdf_fonts import MONO, SANS, SERIF, has_cjk, markup
from fanarchive.lib.html import is_allowed_link

_BLOCKS = frozenset(
    {
        "p", "div", "center", "address", "figure", "figcaption", "caption", "blockquote",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol", "li", "dl", "dt", "dd", "pre",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "section", "article", "aside",
        "header", "footer", "main", "nav",
    }
)  # fmt: skip
_INLINE: dict[str, tuple[str, str]] = {
    "em": ("<i>", "</i>"),
    "i": ("<i>", "</i>"),
    "cite": ("<i>", "</i>"),
    "dfn": ("<i>", "</i>"),
    "var": ("<i>", "</i>"),
    "strong": ("<b>", "</b>"),
    "b": ("<b>", "</b>"),
    "u": ("<u>", "</u>"),
    "ins": ("<u>", "</u>"),
    "s": ("<strike>", "</strike>"),
    "strike": ("<strike>", "</strike>"),
    "del": ("<strike>", "</strike>"),
    "sup": ("<super>", "</super>"),
    "sub": ("<sub>", "</sub>"),
    "small": ('<font size="-1.5">', "</font>"),
    "big": ('<font size="+2">', "</font>"),
    "code": (f'<font face="{MONO}">', "</font>"),
    "tt": (f'<font face="{MONO}">', "</font>"),
    "kbd": (f'<font face="{MONO}">', "</font>"),
    "samp": (f'<font face="{MONO}">', "</font>"),
    "q": ("\u201c", "\u201d"),
}
_ALIGN = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER, "justify": TA_JUSTIFY}
# A table whose row holds more text than this might not fit on a page, which ReportLab
# cannot split: such a table is set as paragraphs, cell after cell, instead.
_TABLE_ROW_LIMIT = 1200
LINK_COLOUR = "#1f4e79"


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    headings: tuple[ParagraphStyle, ...]
    """Headings inside story text, h1 to h6: smaller than the book's own."""
    pre: ParagraphStyle
    indent: float


def make_styles(size: float = 10.5) -> Styles:
    leading = size * 1.4
    body = ParagraphStyle(
        "fa-body",
        fontName=SERIF,
        bulletFontName=SERIF,
        fontSize=size,
        leading=leading,
        spaceAfter=leading * 0.5,
        alignment=TA_LEFT,
        splitLongWords=1,
    )
    headings = tuple(
        ParagraphStyle(
            f"fa-story-h{level}",
            parent=body,
            fontName=SANS,
            fontSize=size * scale,
            leading=size * scale * 1.3,
            spaceBefore=leading * 0.6,
            spaceAfter=leading * 0.4,
            keepWithNext=1,
        )
        for level, scale in enumerate((1.45, 1.3, 1.15, 1.05, 1.0, 0.95), start=1)
    )
    pre = ParagraphStyle(
        "fa-pre", parent=body, fontName=MONO, fontSize=size * 0.85, leading=size * 1.15
    )
    return Styles(body=body, headings=headings, pre=pre, indent=size * 1.8)


class Converter:
    """Turns sanitised HTML fragments into flowables for one book."""

    def __init__(self, styles: Styles, language: str) -> None:
        self.styles = styles
        self.language = language
        self._derived: dict[tuple[str, object, ...], ParagraphStyle] = {}
        self._bullet: str | None = None
        self._keep_space = False

    # Public --------------------------------------------------------------------------

    def flowables(self, fragment: str, style: ParagraphStyle | None = None) -> list[Flowable]:
        if not fragment or not fragment.strip():
            return []
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        out: list[Flowable] = []
        self._blocks(root, style or self.styles.body, out)
        return out

    def text(self, text: str) -> str:
        """Plain text (a title, a tag) as paragraph markup."""
        return markup(text, self.language)

    def paragraph(self, text_markup: str, style: ParagraphStyle) -> Paragraph:
        """A paragraph of markup this module made, CJK text allowed to break anywhere."""
        if has_cjk(text_markup):
            style = self._style(style, "cjk", wordWrap="CJK")
        return Paragraph(text_markup, style)

    # Blocks --------------------------------------------------------------------------

    def _blocks(self, element: lxml.html.HtmlElement, style: ParagraphStyle, out: list) -> None:
        buffer = [self._escaped(element.text)]
        for child in element:
            tag = _tag(child)
            if tag in _BLOCKS:
                self._flush(buffer, style, out)
                buffer = []
                self._block(child, tag, style, out)
            else:
                buffer.append(self._inline(child))
            buffer.append(self._escaped(child.tail))
        self._flush(buffer, style, out)

    def _flush(self, buffer: list[str], style: ParagraphStyle, out: list) -> None:
        text = "".join(buffer).strip()
        if not text:
            return
        bullet, self._bullet = self._bullet, None
        if bullet is not None:
            out.append(Paragraph(text, style, bulletText=bullet))
        else:
            out.append(self.paragraph(text, style))

    def _block(
        self, element: lxml.html.HtmlElement, tag: str, style: ParagraphStyle, out: list
    ) -> None:
        style = self._aligned(element, style, center=tag == "center")
        if tag == "hr":
            out.append(
                HRFlowable(
                    width="30%",
                    thickness=0.6,
                    color=colors.grey,
                    spaceBefore=style.leading * 0.6,
                    spaceAfter=style.leading * 1.1,
                    hAlign="CENTER",
                )
            )
        elif tag[0] == "h" and tag[1:].isdigit():
            heading = self.styles.headings[int(tag[1]) - 1]
            self._blocks(element, self._style(heading, "align", alignment=style.alignment), out)
        elif tag == "blockquote":
            indent = self.styles.indent
            quoted = self._style(
                style,
                "quote",
                leftIndent=style.leftIndent + indent,
                rightIndent=style.rightIndent + indent * 0.5,
            )
            self._blocks(element, quoted, out)
        elif tag in ("ul", "ol"):
            self._list(element, tag, style, out)
        elif tag == "dt":
            self._blocks(element, self._style(style, "dt", fontName=SERIF + "-Bold"), out)
        elif tag == "dd":
            self._blocks(
                element,
                self._style(style, "dd", leftIndent=style.leftIndent + self.styles.indent),
                out,
            )
        elif tag == "pre":
            pre = self._style(self.styles.pre, "pre", leftIndent=style.leftIndent)
            self._keep_space = True
            try:
                out.append(XPreformatted(self._inner(element), pre))
            finally:
                self._keep_space = False
        elif tag == "table":
            self._table(element, style, out)
        else:
            self._blocks(element, style, out)

    def _list(
        self, element: lxml.html.HtmlElement, tag: str, style: ParagraphStyle, out: list
    ) -> None:
        indent = self.styles.indent
        item_style = self._style(
            style,
            "li",
            leftIndent=style.leftIndent + indent,
            bulletIndent=style.leftIndent + indent * 0.3,
            spaceAfter=style.spaceAfter * 0.4,
        )
        number = _start(element)
        kind = element.get("type", "1") if tag == "ol" else ""
        buffer: list[str] = []
        for child in element:
            if _tag(child) != "li":
                buffer.append(self._inline(child) + self._escaped(child.tail))
                continue
            self._flush(buffer, item_style, out)
            buffer = []
            self._bullet = _marker(number, kind) if tag == "ol" else "\u2022"
            number += 1
            self._blocks(child, item_style, out)
            self._bullet = None
        self._flush(buffer, item_style, out)

    def _table(self, element: lxml.html.HtmlElement, style: ParagraphStyle, out: list) -> None:
        rows: list[list[lxml.html.HtmlElement]] = []
        for row in element.iter("tr"):
            cells = [cell for cell in row if _tag(cell) in ("td", "th")]
            if cells:
                rows.append(cells)
        for caption in element.iter("caption"):
            self._blocks(caption, self._style(style, "caption", alignment=TA_CENTER), out)
        if not rows:
            return
        long_row = max(sum(len(cell.text_content()) for cell in row) for row in rows)
        if long_row > _TABLE_ROW_LIMIT:
            for row in rows:
                for cell in row:
                    self._blocks(cell, style, out)
            return
        columns = max(len(row) for row in rows)
        cell_style = self._style(style, "cell", leftIndent=0, rightIndent=0, spaceAfter=0)
        head_style = self._style(cell_style, "th", fontName=SERIF + "-Bold")
        data = []
        for row in rows:
            cells: list[list[Flowable] | str] = []
            for cell in row:
                content: list[Flowable] = []
                self._blocks(cell, head_style if _tag(cell) == "th" else cell_style, content)
                cells.append(content or "")
            cells += [""] * (columns - len(cells))
            data.append(cells)
        table = Table(data, hAlign="LEFT", splitByRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        out.append(table)
        out.append(Spacer(1, style.spaceAfter))

    # Inline --------------------------------------------------------------------------

    def _inner(self, element: lxml.html.HtmlElement) -> str:
        parts = [self._escaped(element.text)]
        for child in element:
            parts.append(self._inline(child))
            parts.append(self._escaped(child.tail))
        return "".join(parts)

    def _inline(self, element: lxml.html.HtmlElement) -> str:
        if not isinstance(element.tag, str):
            return ""  # a comment: sanitising removed them already
        tag = _tag(element)
        if tag == "br":
            return "<br/>"
        if tag == "img":
            alt = (element.get("alt") or "").strip()
            return self._escaped(f"[image: {alt}]" if alt else "[image]")
        inner = self._inner(element)
        if tag in _INLINE:
            start, end = _INLINE[tag]
            return f"{start}{inner}{end}" if inner else ""
        if tag == "a":
            href = element.get("href") or ""
            if inner and is_allowed_link(href):
                target = quoteattr(href.strip())
                return f"<a href={target} color={quoteattr(LINK_COLOUR)}>{inner}</a>"
            return inner
        if tag in _BLOCKS:
            # A block inside an inline element (loose HTML): a line of its own.
            return f"<br/>{inner}<br/>" if inner else ""
        return inner

    def _escaped(self, text: str | None) -> str:
        if not text:
            return ""
        return markup(text if self._keep_space else _WHITESPACE.sub(" ", text), self.language)

    # Styles --------------------------------------------------------------------------

    def _aligned(
        self, element: lxml.html.HtmlElement, style: ParagraphStyle, *, center: bool
    ) -> ParagraphStyle:
        align = _ALIGN.get((element.get("align") or "").strip().lower())
        if center:
            align = TA_CENTER
        if align is None or align == style.alignment:
            return style
        return self._style(style, "align", alignment=align)

    def _style(self, base: ParagraphStyle, why: str, **changes: object) -> ParagraphStyle:
        key = (base.name, why, *sorted(changes.items()))
        style = self._derived.get(key)
        if style is None:
            style = ParagraphStyle(f"{base.name}+{why}{len(self._derived)}", parent=base, **changes)
            self._derived[key] = style
        return style


_WHITESPACE = re.compile(r"[\t\n\r\f ]+")


def _tag(element: object) -> str:
    tag = getattr(element, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


def _start(element: lxml.html.HtmlElement) -> int:
    try:
        return int(element.get("start", "1"))
    except ValueError:
        return 1


def _marker(number: int, kind: str) -> str:
    if kind in ("a", "A") and 1 <= number <= 26:
        letter = chr(ord("a") + number - 1)
        return (letter.upper() if kind == "A" else letter) + "."
    if kind in ("i", "I") and 1 <= number <= 39:
        numeral = _roman(number)
        return (numeral.upper() if kind == "I" else numeral) + "."
    return f"{number}."


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out += letters
            number -= value
    return out
