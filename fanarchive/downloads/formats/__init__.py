"""The download formats. Each module has `NAME`, `EXTENSION`, `MEDIA_TYPE`, `LABEL` and
`write(book, out)`, which writes the whole file to a binary stream; `available()` says
whether this machine can make it (AZW3 and MOBI need calibre's ebook-convert)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import BinaryIO, Protocol, cast

from fanarchive.downloads.book import Book

# In the order the download menu lists them: AO3's, with PDF after the ebooks.
FORMAT_NAMES = ("epub", "azw3", "mobi", "pdf", "html", "txt")


class Format(Protocol):
    NAME: str
    EXTENSION: str
    MEDIA_TYPE: str
    LABEL: str

    def write(self, book: Book, out: BinaryIO) -> None: ...

    def available(self) -> bool: ...


def _module(name: str) -> Format:
    module: ModuleType = importlib.import_module(f"fanarchive.downloads.formats.{name}")
    return cast(Format, module)


def all_formats() -> list[Format]:
    return [_module(name) for name in FORMAT_NAMES]


def available_formats() -> list[Format]:
    """The formats this machine can build, in menu order."""
    return [fmt for fmt in all_formats() if fmt.available()]


def format_named(name: str) -> Format | None:
    """The available format called `name` (its name or file extension), else None."""
    name = name.lower()
    return next((fmt for fmt in available_formats() if name in (fmt.NAME, fmt.EXTENSION)), None)
