"""Importing files: find them, parse them, write each work, report each outcome."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fanarchive.ingest.parsed import ParseError
from fanarchive.ingest.registry import discover, importer_for
from fanarchive.ingest.writer import write_work
from fanarchive.works.models import Work
from fanarchive.works.serialize import empty_work_dict, work_to_dict

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    file: str
    status: str
    work: Work | None = None
    note: str = ""
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = work_to_dict(self.work) if self.work is not None else empty_work_dict()
        return {"file": self.file, "status": self.status, **data, "error": self.error or None}


def import_paths(paths: list[Path], *, force: bool = False) -> Iterator[Outcome]:
    for path in discover(paths):
        yield from import_file(path, force=force)


def import_file(path: Path, *, force: bool = False) -> Iterator[Outcome]:
    """Every work in one file. A failure is reported, never raised: the batch goes on.
    Each work is its own transaction, so a failed one leaves nothing behind."""
    shown = str(path)
    try:
        importer = importer_for(path)
        with path.open("rb") as stream:
            for parsed in importer.parse(stream, shown):
                parsed.source_file = str(path.resolve())
                result = write_work(parsed, force=force)
                yield Outcome(shown, result.status, result.work, result.note)
    except ParseError as error:
        yield Outcome(shown, "failed", error=str(error))
    except OSError as error:
        yield Outcome(shown, "failed", error=error.strerror or str(error))
    except Exception as error:  # a bug must cost one file, not the batch
        log.exception("importing %s failed", shown)
        yield Outcome(shown, "failed", error=f"unexpected error: {type(error).__name__}: {error}")
