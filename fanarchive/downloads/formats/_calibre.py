"""AZW3 and MOBI through calibre's `ebook-convert`: fanarchive's own EPUB of the book,
converted. Offered only where the tool is installed (`available()`).

Settings: `EBOOK_CONVERT` names the tool (a name looked up on PATH, or a path; default
"ebook-convert"), `EBOOK_CONVERT_TIMEOUT` the seconds a conversion may take.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from fanarchive.downloads.book import Book
from fanarchive.downloads.formats import epub
from fanarchive.lib.calibre import ConversionFailed, ebook_convert

DEFAULT_TOOL = "ebook-convert"
DEFAULT_TIMEOUT = 900


class ConversionError(RuntimeError):
    """calibre is missing, failed or took too long; the message says which."""


def tool() -> str | None:
    return shutil.which(getattr(settings, "EBOOK_CONVERT", DEFAULT_TOOL) or DEFAULT_TOOL)


def available() -> bool:
    return tool() is not None


def convert(book: Book, out: BinaryIO, extension: str, options: list[str]) -> None:
    """Write `book` as `extension` (azw3, mobi) to `out`, made from its EPUB."""
    program = tool()
    if program is None:
        raise ConversionError(
            f"{extension.upper()} downloads need calibre's ebook-convert, which is not "
            "installed (apt-get install calibre)"
        )
    timeout = int(getattr(settings, "EBOOK_CONVERT_TIMEOUT", DEFAULT_TIMEOUT))
    with tempfile.TemporaryDirectory(prefix="fanarchive-calibre-") as folder:
        source = Path(folder) / "book.epub"
        target = Path(folder) / f"book.{extension}"
        with source.open("wb") as stream:
            epub.write(book, stream)
        try:
            ebook_convert(
                program,
                source,
                target,
                timeout=timeout,
                what=f"the book to {extension.upper()}",
                options=options,
            )
        except ConversionFailed as error:
            raise ConversionError(str(error)) from None
        with target.open("rb") as made:
            shutil.copyfileobj(made, out)
