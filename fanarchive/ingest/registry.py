"""Which importer reads which file.

Each importer module has ``NAME``, ``VERSION``, ``EXTENSIONS`` (what it claims when
walking a directory), ``recognizes(head, name)`` (whether the first bytes of a file
are its format) and ``parse(stream, name)``. Adding a format means adding its module
to IMPORTERS; nothing else changes.
"""

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import BinaryIO, Protocol

from fanarchive.ingest.importers import (
    ao3,
    efiction_dump,
    epub,
    fanarchive_book,
    fanficfare,
    html,
    plaintext,
)
from fanarchive.ingest.parsed import ParsedWork

HEAD_BYTES = 64 * 1024
"""How much of a file ``recognizes`` sees: enough for any format's signature."""


class Importer(Protocol):
    NAME: str
    VERSION: str
    EXTENSIONS: tuple[str, ...]

    def recognizes(self, head: bytes, name: str) -> bool: ...

    def parse(self, stream: BinaryIO, name: str) -> Iterator[ParsedWork]: ...


# Asked in this order, so the most particular shapes (an AO3 download is also HTML)
# come first; fanarchive's own downloads, an EPUB or HTML file, before all. The
# plain-text importer takes whatever no other recognises, and rejects
# what is not text.
IMPORTERS: list[ModuleType] = [
    fanarchive_book,
    epub,
    efiction_dump,
    ao3,
    fanficfare,
    html,
    plaintext,
]


def importer_for_head(head: bytes, name: str) -> ModuleType:
    """The importer for a file whose first bytes are ``head``: decided by content,
    whatever the file is called."""
    return next((i for i in IMPORTERS if i.recognizes(head, name)), plaintext)


def importer_for(path: Path) -> ModuleType:
    with path.open("rb") as stream:
        return importer_for_head(stream.read(HEAD_BYTES), path.name)


ZIP_MAGIC = b"PK\x03\x04"


def is_story_archive(head: bytes, name: str, importer: ModuleType | None = None) -> bool:
    """A zip archive of story files (not a format that is a zip, such as EPUB);
    `importer`: the one importer_for_head already chose for the file, if asked."""
    if not head.startswith(ZIP_MAGIC):
        return False
    return (importer or importer_for_head(head, name)) is plaintext


def importable_extensions() -> frozenset[str]:
    return frozenset(extension for i in IMPORTERS for extension in i.EXTENSIONS)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files to import: each named file, and every importable file below each named
    directory, in a stable order."""
    extensions = importable_extensions() | {".zip"}
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if not hidden and child.is_file() and child.suffix.lower() in extensions:
                    yield child
        else:
            yield path
