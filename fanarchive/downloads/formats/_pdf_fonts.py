"""Fonts for the PDF download: DejaVu (Latin, Greek, Cyrillic and much more, embedded)
and, for Chinese, Japanese and Korean, ReportLab's standard CID fonts.

A PDF shows only the glyphs of the fonts it names, so text is cut into runs, each set in
a font that has its characters: DejaVu Serif for the text, DejaVu Sans for what the serif
lacks (Arabic, Hebrew, Armenian, Georgian, many symbols), and a CID font for CJK. The CID
fonts are the Adobe-Asian fonts every PDF reader knows by name; they are not embedded
(none ships with Debian's ReportLab, and nothing may be downloaded), so the reader's
viewer draws them. ReportLab does not shape text: Arabic letters show unjoined and
right-to-left lines read left to right. The EPUB and HTML downloads have no such limit.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

# Debian's fonts-dejavu-core; other systems keep the same files elsewhere.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts/dejavu"),
)
SERIF = "FaSerif"
SANS = "FaSans"
MONO = "FaMono"
_FAMILIES = {
    SERIF: ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic"),
    SANS: ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"),
    MONO: (
        "DejaVuSansMono",
        "DejaVuSansMono-Bold",
        "DejaVuSansMono-Oblique",
        "DejaVuSansMono-BoldOblique",
    ),
}
_STYLES = ("", "-Bold", "-Italic", "-BoldItalic")

# The Adobe-Asian CID fonts, by script (Han by the book's language).
CHINESE_SIMPLIFIED = "STSong-Light"
CHINESE_TRADITIONAL = "MSung-Light"
JAPANESE = "HeiseiMin-W3"
KOREAN = "HYSMyeongJo-Medium"


class FontsMissing(RuntimeError):
    pass


def font_dir() -> Path | None:
    return next((d for d in FONT_DIRS if (d / "DejaVuSerif.ttf").is_file()), None)


@functools.cache
def register() -> None:
    """Register the families once per process (ReportLab's registry is global)."""
    directory = font_dir()
    if directory is None:
        raise FontsMissing("the DejaVu fonts are not installed (apt-get install fonts-dejavu-core)")
    for family, files in _FAMILIES.items():
        for style, filename in zip(_STYLES, files, strict=True):
            pdfmetrics.registerFont(TTFont(family + style, str(directory / f"{filename}.ttf")))
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, family + "-Bold")
        addMapping(family, 0, 1, family + "-Italic")
        addMapping(family, 1, 1, family + "-BoldItalic")
    for name in (CHINESE_SIMPLIFIED, CHINESE_TRADITIONAL, JAPANESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        # No bold or italic of their own: <b> and <i> around CJK keep the regular face.
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)


@functools.cache
def _covered(family: str) -> frozenset[int]:
    register()
    font = pdfmetrics.getFont(family)
    return frozenset(font.face.charToGlyph)


def _is_cjk(code: int) -> bool:
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def has_cjk(text: str) -> bool:
    return not text.isascii() and any(_is_cjk(ord(char)) for char in text)


def cjk_font(code: int, language: str) -> str:
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return KOREAN
    if 0x3040 <= code <= 0x30FF:
        return JAPANESE
    language = language.lower()
    if language.startswith("ja"):
        return JAPANESE
    if language.startswith("ko"):
        return KOREAN
    if language.startswith("zh") and any(t in language for t in ("hant", "tw", "hk", "mo")):
        return CHINESE_TRADITIONAL
    return CHINESE_SIMPLIFIED


def _font_for(char: str, language: str) -> str:
    code = ord(char)
    if code in _covered(SERIF) or char.isspace():
        return SERIF
    if code in _covered(SANS):
        return SANS
    if _is_cjk(code):
        return cjk_font(code, language)
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return SERIF  # a combining mark stays with the letter before it
    return SERIF  # nothing here has it: the serif's missing-glyph box


def markup(text: str, language: str = "en") -> str:
    """`text` as ReportLab paragraph markup: escaped, and each run of characters the
    serif lacks set in a font that has them."""
    if text.isascii():
        return escape(text)
    parts: list[str] = []
    run: list[str] = []
    current = SERIF
    for char in text:
        font = _font_for(char, language)
        if font != current and run:
            parts.append(_run(current, "".join(run)))
            run = []
        current = font
        run.append(char)
    if run:
        parts.append(_run(current, "".join(run)))
    return "".join(parts)


def _run(font: str, text: str) -> str:
    if font == SERIF:
        return escape(text)
    return f'<font face="{font}">{escape(text)}</font>'
