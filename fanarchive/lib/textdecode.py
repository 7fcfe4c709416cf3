"""Bytes of a story file to text: encodings, mojibake, line endings.

Story files come from twenty years of archives and editors: UTF-8 with and without a
byte-order mark, UTF-16 from Windows tools, cp1252 and latin-1 from old Western sites,
KOI8-R or Shift-JIS from elsewhere, and UTF-8 that some tool once read as cp1252 and
wrote back (``â€™`` for a curly apostrophe). :func:`decode_text` turns all of them into
clean text, and refuses, with a reason, bytes that are no text at all.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
import numpy as np
from charset_normalizer import from_bytes

from fanarchive.lib.codepoints import code_points


class UndecodableText(ValueError):
    """Bytes that are not a text file. The message says why, without the file name."""


# Longest marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

# (magic bytes, offset, what the file looks like). Checked in order: EPUB before ZIP.
_MAGIC: list[tuple[bytes, int, str]] = [
    (b"mimetypeapplication/epub+zip", 30, "an EPUB e-book"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"PK\x05\x06", 0, "a ZIP archive"),
    (b"PK\x07\x08", 0, "a ZIP archive"),
    (b"%PDF-", 0, "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"BZh91AY&SY", 0, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\x7fELF", 0, "an ELF program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "an old Microsoft Office document"),
    (b"BOOKMOBI", 60, "a MOBI e-book"),
    (b"SQLite format 3\x00", 0, "an SQLite database"),
]

# Bytes cp1252 leaves undefined; latin-1 reads them as C1 controls.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

# cp1252, with latin-1 supplying the five bytes cp1252 leaves undefined.
_CP1252_WITH_LATIN1 = "".join(
    chr(byte) if byte in _CP1252_UNDEFINED else bytes([byte]).decode("cp1252")
    for byte in range(256)
)

# Keeps the typography a writer chose: curly quotes, dashes, ellipses, ligatures and
# full-width forms are text, not damage. HTML entities are left for the body parser.
_FIXER = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    explain=False,
)

# Punctuation Western text written in cp1252 or latin-1 actually uses. Other symbols
# from the 0x80-0xBF range (³, ¹, ¤, ±, ...) are what other code pages look like when
# misread as cp1252.
_WESTERN_SYMBOLS = frozenset(
    "\u2018\u2019\u201c\u201d\u201e"  # curly quotes, low double quote
    "\u2013\u2014\u2026"  # en and em dash, ellipsis
    "\u00ab\u00bb\u2039\u203a"  # guillemets
    "•·°€£¥§©®™¿¡\xa0\u00b4¨¶\u00d7÷"
)

# Too many characters no text contains (controls, unassigned code points, U+FFFD)
# means the bytes were not text in the encoding chosen.
_MAX_UNPRINTABLE_SHARE = 0.05
_HARMLESS_CONTROLS = frozenset("\t\n\r\f\v\x1a\x1b")


# What UTF-8 looks like after a cp1252 or latin-1 reading: a lead byte (Â..ô) followed
# by what a continuation byte (0x80-0xBF) becomes, or a stray C1 control. Text without
# it has no mojibake for ftfy to mend, and skipping ftfy there makes decoding many
# times faster.
_LEAD_BYTES = "[\u00c2-\u00f4]"
_CONTINUATION_BYTES = (
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)
_C1_CONTROLS = "[\u0080-\u009f]"
_MOJIBAKE_HINT = re.compile(f"{_LEAD_BYTES}{_CONTINUATION_BYTES}|{_C1_CONTROLS}")
"""The rule; _has_mojibake_hint finds the same with numpy, several times faster."""

# The same three character classes as a table over the Basic Multilingual Plane, which
# holds all their characters.
_LEAD, _CONTINUATION, _C1 = 1, 2, 4


def _hint_kinds() -> np.ndarray:
    bmp = "".join(map(chr, range(0x10000)))
    kinds = np.zeros(len(bmp), dtype=np.uint8)
    for kind, pattern in (
        (_LEAD, _LEAD_BYTES),
        (_CONTINUATION, _CONTINUATION_BYTES),
        (_C1, _C1_CONTROLS),
    ):
        kinds[[match.start() for match in re.finditer(pattern, bmp)]] |= kind
    return kinds


_HINT_KINDS = _hint_kinds()


def _has_mojibake_hint(text: str) -> bool:
    points = code_points(text)
    if points.dtype == np.uint8:
        return False  # ASCII
    # U+FFFF is none of the three kinds: it stands for everything above it.
    kinds = _HINT_KINDS[np.minimum(points, 0xFFFF)]
    if np.any(kinds & _C1):
        return True
    leads = (kinds[:-1] & _LEAD) != 0
    return bool(np.any(leads & ((kinds[1:] & _CONTINUATION) != 0)))


_PLAIN_SPACES = (" ", "\t", "\n", "\r")
# Indexed by code point, any above 127 at 128: printable ASCII, tab, LF and CR.
_PLAIN_ASCII = np.zeros(129, dtype=bool)
_PLAIN_ASCII[[*range(0x20, 0x7F), *map(ord, "\t\n\r")]] = True


def repair(text: str) -> str:
    """Mend mojibake with ftfy where there is a sign of it; always NFC-normalise."""
    if text.isascii():
        return text  # no mojibake is ASCII, and ASCII is NFC
    if _has_mojibake_hint(text):
        return ftfy.fix_text(text, _FIXER)
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes) -> str:
    """The text of a story file, with LF line endings and mojibake repaired.

    Raises UndecodableText("empty file" / "binary file (looks like ...)" /
    "binary file" / "undecodable text").
    """
    if not data.strip():
        raise UndecodableText("empty file")
    encoding, body = _split_bom(data)
    if encoding is None:
        _reject_binary(data)
    text = _decode(body, encoding)
    if _unprintable_share(text) > _MAX_UNPRINTABLE_SHARE:
        raise UndecodableText("undecodable text")
    text = repair(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UndecodableText("empty file")
    return text


def _split_bom(data: bytes) -> tuple[str | None, bytes]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8-sig":
                # UTF-8 marked files still go through the usual checks: some editors
                # add the mark to files that hold cp1252 bytes.
                return None, data[len(bom) :]
            return encoding, data
    return None, data


def _reject_binary(data: bytes) -> None:
    for magic, offset, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            raise UndecodableText(f"binary file (looks like {kind})")
    if b"\x00" in data:
        raise UndecodableText("binary file")


def _decode(data: bytes, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise UndecodableText("undecodable text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _decode_legacy(data: bytes) -> str:
    """Text in a single- or multi-byte legacy encoding.

    charset-normalizer often names cp1250, mac_latin2 or even UTF-16 for a short
    Western text, so cp1252 wins whenever its reading looks like Western text, and
    the detector decides only otherwise.
    """
    western = _decode_cp1252(data)
    if _looks_western(western):
        return western
    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText("undecodable text")
    return str(best)


def _decode_cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252_WITH_LATIN1)[0]


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _looks_western(text: str) -> bool:
    non_ascii = [char for char in text if ord(char) > 127]
    if not non_ascii:
        return True
    # The bytes cp1252 leaves undefined read as C1 controls here: a stray one is a
    # slip in a Western file, many are the lead bytes of a multi-byte encoding.
    undefined = sum(1 for char in non_ascii if ord(char) <= 0x9F)
    if undefined >= 3 and undefined > 0.05 * len(non_ascii):
        return False
    odd_symbols = sum(
        1
        for char in non_ascii
        if not char.isalpha() and char not in _WESTERN_SYMBOLS and ord(char) > 0x9F
    )
    if odd_symbols > 0.1 * len(non_ascii):
        return False
    # Cyrillic or Greek read as cp1252 gives words made of accented letters only;
    # Western words carry one accent among plain letters.
    words = _LETTER_RUN.findall(text)
    foreign = [w for w in words if len(w) >= 3 and 2 * sum(ord(c) > 127 for c in w) > len(w)]
    return len(foreign) <= 0.2 * len(words)


def _unprintable_share(text: str) -> float:
    # Printable ASCII and ordinary whitespace are never unprintable: only the other
    # characters (few, in most stories) are counted one by one.
    unusual = _unusual_characters(text)
    spaces = sum(map(text.count, _PLAIN_SPACES)) + sum(
        count for char, count in unusual.items() if char.isspace()
    )
    visible = len(text) - spaces
    if not visible:
        return 0.0
    bad = sum(count for char, count in unusual.items() if _is_unprintable(char))
    return bad / visible


def _unusual_characters(text: str) -> dict[str, int]:
    """How often each character other than printable ASCII, tab, LF and CR occurs:
    numpy over the code points, as a regex findall made a string of each."""
    points = code_points(text)
    plain = _PLAIN_ASCII[points if points.dtype == np.uint8 else np.minimum(points, 128)]
    points = points[~plain]
    values, counts = np.unique(points, return_counts=True)
    return dict(zip(map(chr, values.tolist()), counts.tolist(), strict=True))


def _is_unprintable(char: str) -> bool:
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    if category == "Cc":
        # C1 controls are cp1252 punctuation read as latin-1; the mojibake fixer
        # turns them back, so they count as text.
        return char not in _HARMLESS_CONTROLS and not 0x80 <= ord(char) <= 0x9F
    return category in {"Cs", "Cn", "Co"}
