"""AZW3 and MOBI through calibre's `ebook-convert`: fanarchive's own EPUB of the book,
converted. Offered only where the tool is installed (`available()`).

Settings: `EBOOK_CONVERT` names the tool (a name looked up on PATH, or a path; default
"ebook-convert"), `EBOOK_CONVERT_TIMEOUT` the seconds a conversion may take.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from fanarchive.downloads.book import Book
from fanarchive.downloads.formats import epub

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
        # calibre writes its settings under the home directory; a server's user may have
        # none it can write, and one conversion must not see another's.
        environment = {**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(Path(folder) / "config")}
        try:
            # The program is calibre's, from settings or PATH; the file names are ours.
            result = subprocess.run(  # noqa: S603
                [program, str(source), str(target), *options],
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
                cwd=folder,
                env=environment,
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(
                f"calibre's ebook-convert took more than {timeout} seconds to make the "
                f"{extension.upper()}"
            ) from None
        except OSError as error:
            raise ConversionError(f"could not run calibre's ebook-convert ({error})") from None
        if result.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            detail = _last_line(result.stderr) or _last_line(result.stdout) or "no output"
            raise ConversionError(
                f"calibre's ebook-convert could not make the {extension.upper()} "
                f"(exit status {result.returncode}): {detail}"
            )
        with target.open("rb") as made:
            shutil.copyfileobj(made, out)


def _last_line(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")[:300]
