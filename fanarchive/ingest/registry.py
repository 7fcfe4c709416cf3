"""Which importer reads which file.

Adding a format means adding its module to IMPORTERS; nothing else changes.
"""

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import BinaryIO, Protocol

from fanarchive.ingest.importers import plaintext
from fanarchive.ingest.parsed import ParsedWork


class Importer(Protocol):
    NAME: str
    VERSION: str

    def parse(self, stream: BinaryIO, name: str) -> Iterator[ParsedWork]: ...


# Extensions an importer claims when it meets them while walking a directory.
IMPORTERS: dict[str, ModuleType] = {".txt": plaintext, ".text": plaintext}


def importer_for(path: Path) -> ModuleType:
    """The importer for a file. Files named on the command line are read even without
    a known extension; the plain-text importer rejects what is not text."""
    return IMPORTERS.get(path.suffix.lower(), plaintext)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files to import: each named file, and every importable file below each named
    directory, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if not hidden and child.is_file() and child.suffix.lower() in IMPORTERS:
                    yield child
        else:
            yield path
