"""MOBI download for older Kindles, made by calibre from the EPUB (`_calibre.py`)."""

from __future__ import annotations

from typing import BinaryIO

from fanarchive.downloads.book import Book
from fanarchive.downloads.formats import _calibre

NAME = "mobi"
EXTENSION = "mobi"
MEDIA_TYPE = "application/x-mobipocket-ebook"
LABEL = "MOBI"
VERSION = "1"


def available() -> bool:
    return _calibre.available()


def write(book: Book, out: BinaryIO) -> None:
    # "old": a MOBI 6 file every Kindle reads, not the joint MOBI 6 + KF8 file, which
    # is an AZW3 in disguise and twice the size.
    _calibre.convert(book, out, EXTENSION, ["--no-inline-toc", "--mobi-file-type", "old"])
