"""decode_text: every encoding story files arrive in, mojibake, and what is no text."""

# Stories are written with curly quotes, dashes and other look-alike characters on
# purpose: keeping them is what these tests check.
# ruff: noqa: RUF001

import codecs
import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanarchive.lib.textdecode import (
    _MOJIBAKE_HINT,
    UndecodableText,
    _has_mojibake_hint,
    _is_unprintable,
    _unprintable_share,
    decode_text,
    repair,
)

STORY = "“Wait,” she said — and then, quieter… ‘It’s only me.’ Café, naïve, Müller."


def test_it_reads_utf8():
    assert decode_text(STORY.encode("utf-8")) == STORY


def test_it_strips_a_utf8_byte_order_mark():
    assert decode_text(codecs.BOM_UTF8 + STORY.encode("utf-8")) == STORY


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_it_reads_utf16_and_utf32_with_a_byte_order_mark(bom, encoding):
    assert decode_text(bom + STORY.encode(encoding)) == STORY


def test_it_reads_cp1252_smart_quotes_dashes_and_ellipses():
    data = b"\x93Wait,\x94 she said \x97 and then\x85 \x91It\x92s only me.\x92 1\x962"
    assert decode_text(data) == "“Wait,” she said — and then… ‘It’s only me.’ 1–2"


def test_it_reads_latin1_accents():
    data = "Élodie ate a crêpe at the café; Müller saß draußen.".encode("latin-1")
    assert decode_text(data) == "Élodie ate a crêpe at the café; Müller saß draußen."


def test_it_prefers_cp1252_for_a_short_western_text_a_detector_misreads():
    assert decode_text("café".encode("latin-1")) == "café"
    assert decode_text("Müller".encode("latin-1")) == "Müller"


def test_it_reads_bytes_cp1252_leaves_undefined_as_latin1():
    text = decode_text(b"A stray \x81 byte in a caf\xe9 story, \x93quoted\x94.")
    assert text == "A stray \x81 byte in a café story, “quoted”."


def test_it_repairs_utf8_once_read_as_cp1252():
    mojibake = "It\u00e2\u20ac\u2122s the caf\u00c3\u00a9 \u00e2\u20ac\u201d really"
    assert decode_text(mojibake.encode("utf-8")) == "It’s the café — really"


def test_it_repairs_mojibake_saved_in_cp1252():
    data = "Itâ€™s the cafÃ© again".encode("cp1252")
    assert decode_text(data) == "It’s the café again"


def test_it_keeps_typography_ligatures_full_width_and_entities():
    text = "“Curly” ‘quotes’ – en — em … ﬁne ＡＢＣ &amp; &lt;i&gt;"
    assert decode_text(text.encode("utf-8")) == text


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_it_normalises_line_endings(newline):
    data = newline.join([b"Title", b"", b"One line.", b"Two lines."])
    assert decode_text(data) == "Title\n\nOne line.\nTwo lines."


def test_it_reads_cyrillic_in_koi8_r():
    text = "Зима пришла рано в тот год, и снег лежал на крышах до самого апреля. " * 4
    assert decode_text(text.encode("koi8-r")) == text


def test_it_reads_cyrillic_in_cp1251():
    text = "Привет, как дела? Это короткий рассказ о зиме и снеге в городе."
    assert decode_text(text.encode("cp1251")) == text


def test_it_reads_japanese_in_shift_jis():
    text = "これは短い物語です。雪が降っていました。彼女は窓の外を見ていた。" * 3
    assert decode_text(text.encode("shift_jis")) == text


def test_it_reads_polish_in_cp1250():
    text = "Zażółć gęślą jaźń. Łódź jest piękna, a świat się kręci."
    assert decode_text(text.encode("cp1250")) == text


@pytest.mark.parametrize(
    "data", [b"", b"   \n\n \t \r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"]
)
def test_it_rejects_empty_files(data):
    with pytest.raises(UndecodableText, match=r"^empty file$"):
        decode_text(data)


def test_it_rejects_a_utf16_file_of_whitespace():
    with pytest.raises(UndecodableText, match=r"^empty file$"):
        decode_text("  \n ".encode("utf-16"))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00binary", "a ZIP archive"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip", "an EPUB e-book"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00", "a GIF image"),
        (b"\x1f\x8b\x08\x00", "a gzip archive"),
        (b"\x7fELF\x02\x01\x01", "an ELF program"),
    ],
)
def test_it_rejects_binary_files_by_their_magic_number(data, kind):
    with pytest.raises(UndecodableText, match=rf"^binary file \(looks like {kind}\)$"):
        decode_text(data)


def test_it_rejects_binary_files_with_nul_bytes():
    with pytest.raises(UndecodableText, match=r"^binary file$"):
        decode_text(b"\x00\x01\x02\x03binary\x00junk")


def test_it_rejects_control_character_junk_as_undecodable():
    with pytest.raises(UndecodableText, match=r"^undecodable text$"):
        decode_text(bytes(range(1, 32)) * 10)


def test_it_rejects_random_high_bytes_as_undecodable():
    junk = bytes((n * 97 + 13) % 255 + 1 for n in range(600))
    with pytest.raises(UndecodableText, match=r"^undecodable text$"):
        decode_text(junk)


def test_it_rejects_a_broken_utf16_file_as_undecodable():
    with pytest.raises(UndecodableText, match=r"^undecodable text$"):
        decode_text(codecs.BOM_UTF16_LE + b"a\x00b")


@given(st.binary(max_size=400))
def test_it_returns_text_or_raises_undecodable_text(data):
    try:
        text = decode_text(data)
    except UndecodableText as error:
        assert str(error).startswith(("empty file", "binary file", "undecodable text"))
    else:
        assert text.strip()
        assert "\r" not in text


@given(st.text(min_size=1, max_size=300).filter(lambda text: text.strip()))
def test_it_reads_back_any_utf8_text_that_is_printable(text):
    text = text.replace("\r", "")
    try:
        decoded = decode_text(text.encode("utf-8"))
    except UndecodableText:
        return  # mostly control characters: fine to refuse
    assert decoded.strip()


@given(st.text())
def test_the_unprintable_share_counts_every_character_as_before(text):
    counts = Counter(text)
    visible = sum(count for char, count in counts.items() if not char.isspace())
    bad = sum(count for char, count in counts.items() if _is_unprintable(char))
    assert _unprintable_share(text) == (bad / visible if visible else 0.0)


@given(
    st.text(
        alphabet=st.sampled_from(
            [*"a \t\n\r\x00\x01\x7f\x80\x9f\x0b\x1c", *"\u00a0\ufffd\u2028\ue000\U0010ffff\u0378é"]
        )
    )
)
def test_the_unprintable_share_of_control_heavy_text_is_as_before(text):
    counts = Counter(text)
    visible = sum(count for char, count in counts.items() if not char.isspace())
    bad = sum(count for char, count in counts.items() if _is_unprintable(char))
    assert _unprintable_share(text) == (bad / visible if visible else 0.0)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_needs_no_repair(text):
    # No mojibake hint is ASCII, so ftfy never ran on it: only NFC, which keeps ASCII.
    assert _MOJIBAKE_HINT.search(text) is None
    assert repair(text) == unicodedata.normalize("NFC", text) == text


@given(
    st.text(
        alphabet=st.sampled_from(
            [
                *"a\u00e9 \u00c2\u00c3\u00e2\u00f4\u00f5\u00c1\u0080\u0090\u009f\u00a0\u00bf",
                *"\u00c0\u0152\u0178\u0192\u02c6\u2013\u201a\u201e\u201f\u2022\u2122\u20ac",
                *"\u2019\ufffe\uffff\U0001f600\U00010080",
            ]
        )
    )
)
def test_the_mojibake_hint_is_found_as_the_regex_finds_it(text):
    assert _has_mojibake_hint(text) == bool(_MOJIBAKE_HINT.search(text))


@given(st.text())
def test_the_mojibake_hint_is_found_as_the_regex_finds_it_in_any_text(text):
    assert _has_mojibake_hint(text) == bool(_MOJIBAKE_HINT.search(text))
