"""AZW3 (Kindle Format 8) download, made by calibre from the EPUB (`_calibre.py`)."""

from __future__ import annotations

from typing import BinaryIO

from fanarchive.downloads.book import Book
from fanarchive.downloads.formats import _calibre

NAME = "azw3"
EXTENSION = "azw3"
MEDIA_TYPE = "application/vnd.amazon.ebook"
LABEL = "AZW3"
VERSION = "1"


def available() -> bool:
    return _calibre.available()


def write(book: Book, out: BinaryIO) -> None:
    # The EPUB's own contents page is kept; calibre's generated one would repeat it.
    _calibre.convert(book, out, EXTENSION, ["--no-inline-toc"])
