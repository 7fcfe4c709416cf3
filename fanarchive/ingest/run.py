"""Importing files: find them, read them (in worker processes with --jobs), write their
works in batches, report each outcome in the order of the files."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fanarchive.ingest.reading import ReadFile, read_file
from fanarchive.ingest.registry import discover
from fanarchive.ingest.writer import write_batch
from fanarchive.works.models import Work
from fanarchive.works.serialize import empty_work_dict, work_to_dict

# A batch is written in one transaction: big enough that what the works share is done
# rarely, small enough that an interrupted import loses little and outcomes keep coming.
BATCH_WORKS = 100
BATCH_TEXT_BYTES = 8_000_000
READ_AHEAD_PER_JOB = 16

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


def import_paths(paths: list[Path], *, force: bool = False, jobs: int = 1) -> Iterator[Outcome]:
    """Every work of every file below `paths`. A failure is reported, never raised: the
    batch goes on, and a failed work leaves nothing behind."""
    files = discover(paths)
    read = _read_in_workers(files, jobs) if jobs > 1 else map(read_file, files)
    return import_read_files(read, force=force)


def import_read_files(read: Iterable[ReadFile], *, force: bool = False) -> Iterator[Outcome]:
    """Outcomes of writing works already read, for importers that do not read files
    one by one (an eFiction archive is a database of many works)."""
    for batch in _batches(read):
        yield from _write(batch, force)


def _batches(read: Iterable[ReadFile]) -> Iterator[list[ReadFile]]:
    batch: list[ReadFile] = []
    works = text_bytes = 0
    for file in read:
        batch.append(file)
        works += len(file.works)
        text_bytes += sum(work.text_bytes for work in file.works)
        if works >= BATCH_WORKS or text_bytes >= BATCH_TEXT_BYTES:
            yield batch
            batch, works, text_bytes = [], 0, 0
    if batch:
        yield batch


def _write(files: list[ReadFile], force: bool) -> Iterator[Outcome]:
    ready = [work for file in files for work in file.works]
    results = iter(write_batch(ready, force=force)) if ready else iter(())
    for file in files:
        for _ in file.works:
            result = next(results)
            if isinstance(result, Exception):
                log.error("storing a work of %s failed", file.file, exc_info=result)
                error = f"could not be stored: {type(result).__name__}: {result}"
                yield Outcome(file.file, "failed", error=error)
            else:
                yield Outcome(file.file, result.status, result.work, result.note)
        # After the works read before it, as they were read.
        if file.error:
            yield Outcome(file.file, "failed", error=file.error)


def _read_in_workers(files: Iterable[Path], jobs: int) -> Iterator[ReadFile]:
    """Files read by `jobs - 1` worker processes while this one writes. Spawned, not
    forked: a fork would copy this process's open database connections."""
    # Pool.imap reads ahead without limit; when writing is the slower side, the texts
    # of a whole folder would pile up in memory. Reading waits for writing instead.
    ahead = threading.Semaphore(READ_AHEAD_PER_JOB * jobs)
    stopped = threading.Event()

    def throttled() -> Iterator[Path]:
        for path in files:
            while not ahead.acquire(timeout=0.1):
                if stopped.is_set():  # the import was interrupted: let the pool close
                    return
            yield path

    context = multiprocessing.get_context("spawn")
    try:
        with context.Pool(max(1, jobs - 1)) as pool:
            # imap keeps the files' order; chunks keep the pickling overhead small.
            for file in pool.imap(read_file, throttled(), chunksize=4):
                ahead.release()
                yield file
    finally:
        stopped.set()
