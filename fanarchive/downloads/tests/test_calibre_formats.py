"""AZW3 and MOBI downloads through the real calibre, read back with calibre's own tools."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from fanarchive.downloads.book import book_of_work
from fanarchive.downloads.formats import _calibre, azw3, format_named, mobi
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_work

pytestmark = pytest.mark.django_db
TOOL_TIMEOUT = 300


def tidewater() -> Work:
    return make_work(
        "Tidewater Almanac",
        creators=("saltwind", "harbourlight"),
        freeforms=("Tide Tables",),
        summary="<p>Twelve months of tides, written down by a patient clerk.</p>",
        chapters=[
            {"title": "January", "body": "<p>The water rose <em>twice</em> before noon.</p>"},
            {"title": "February", "body": "<p>Ice held the ferry at the pier.</p>"},
        ],
    )


def run(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, timeout=TOOL_TIMEOUT, check=True)
    return result.stdout.decode("utf-8", "replace")


def build(fmt, book, folder: Path) -> Path:
    out = io.BytesIO()
    fmt.write(book, out)
    path = folder / f"book.{fmt.EXTENSION}"
    path.write_bytes(out.getvalue())
    return path


def as_text(path: Path) -> str:
    target = path.with_suffix(".txt")
    run("ebook-convert", str(path), str(target))
    return " ".join(target.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("fmt", [azw3, mobi], ids=["azw3", "mobi"])
def test_it_makes_a_kindle_book_calibre_reads_back(calibre, fmt, tmp_path: Path) -> None:
    path = build(fmt, book_of_work(tidewater()), tmp_path)
    meta = run("ebook-meta", str(path))
    assert "Tidewater Almanac" in meta
    assert "saltwind" in meta and "harbourlight" in meta
    text = as_text(path)
    assert text.index("January") < text.index("The water rose twice before noon.")
    assert text.index("The water rose") < text.index("Ice held the ferry at the pier.")
    assert "Tide Tables" in text


def test_the_azw3_is_kindle_format_8_and_the_mobi_is_mobi_6(calibre, tmp_path: Path) -> None:
    book = book_of_work(tidewater())
    azw3_file = build(azw3, book, tmp_path).read_bytes()
    mobi_file = build(mobi, book, tmp_path).read_bytes()
    # A PalmDB header names the book type at byte 60; the MOBI header's version
    # follows its "MOBI" magic (8 for KF8, 6 for the old format).
    assert azw3_file[60:68] == b"BOOKMOBI" and mobi_file[60:68] == b"BOOKMOBI"

    def version(data: bytes) -> int:
        at = data.index(b"MOBI", 68)
        return int.from_bytes(data[at + 20 : at + 24], "big")

    assert version(azw3_file) == 8
    assert version(mobi_file) == 6


def test_they_are_offered_only_with_calibre_installed(calibre) -> None:
    assert azw3.available() and mobi.available()
    assert format_named("azw3") is azw3
    with override_settings(EBOOK_CONVERT="fanarchive-no-such-ebook-convert"):
        assert not azw3.available()
        assert not mobi.available()
        assert format_named("mobi") is None


def test_a_missing_tool_says_what_to_install() -> None:
    book = book_of_work(tidewater())
    with (
        override_settings(EBOOK_CONVERT="fanarchive-no-such-ebook-convert"),
        pytest.raises(_calibre.ConversionError, match="apt-get install calibre"),
    ):
        azw3.write(book, io.BytesIO())


def test_a_failing_conversion_is_a_clear_error(tmp_path: Path) -> None:
    # A stand-in for a broken calibre install: a program that fails and says why.
    broken = tmp_path / "ebook-convert"
    broken.write_text("#!/bin/sh\necho 'Conversion error: the input is damaged' >&2\nexit 1\n")
    broken.chmod(0o755)
    book = book_of_work(tidewater())
    with (
        override_settings(EBOOK_CONVERT=str(broken)),
        pytest.raises(_calibre.ConversionError, match="the input is damaged") as error,
    ):
        mobi.write(book, io.BytesIO())
    assert "MOBI" in str(error.value) and "exit status 1" in str(error.value)


def test_a_conversion_that_hangs_is_stopped(tmp_path: Path) -> None:
    slow = tmp_path / "ebook-convert"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    book = book_of_work(tidewater())
    with (
        override_settings(EBOOK_CONVERT=str(slow), EBOOK_CONVERT_TIMEOUT=1),
        pytest.raises(_calibre.ConversionError, match="more than 1 seconds"),
    ):
        azw3.write(book, io.BytesIO())
