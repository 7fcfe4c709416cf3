"""Importing files: find them, read them (in worker processes with --jobs), write their
works in batches, report each outcome in the order of the files."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from django.conf import settings

from fanarchive.ingest.reading import ReadFile, read_path
from fanarchive.ingest.registry import discover
from fanarchive.ingest.writer import WriteResult, write_batch
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
    duplicate_of: int | None = None
    origin: str = ""
    """The path the import was given or found that this outcome came from: the file, or
    the zip archive holding it."""

    def as_dict(self) -> dict[str, Any]:
        data = work_to_dict(self.work) if self.work is not None else empty_work_dict()
        return {
            "file": self.file,
            "status": self.status,
            **data,
            "duplicate_of": self.duplicate_of,
            "error": self.error or None,
        }


def import_paths(paths: list[Path], **options: Any) -> Iterator[Outcome]:
    """Every work of every file below `paths`. A failure is reported, never raised: the
    batch goes on, and a failed work leaves nothing behind. Options as import_files."""
    return import_files(discover(paths), **options)


def import_files(
    files: Iterable[Path], *, force: bool = False, keep_duplicates: bool = False, jobs: int = 1
) -> Iterator[Outcome]:
    """Every work of these files (stories or zip archives of stories), in their order."""
    reader = partial(read_path, max_bytes=settings.MAX_FILE_BYTES)
    read = _read_in_workers(files, jobs, reader) if jobs > 1 else map(reader, files)
    return import_read_files(
        chain.from_iterable(read), force=force, keep_duplicates=keep_duplicates
    )


def import_read_files(
    read: Iterable[ReadFile], *, force: bool = False, keep_duplicates: bool = False
) -> Iterator[Outcome]:
    """Outcomes of writing works already read, for importers that do not read files
    one by one (an eFiction archive is a database of many works)."""
    for batch in _batches(read):
        yield from _write(batch, force, keep_duplicates)


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


def _write(files: list[ReadFile], force: bool, keep_duplicates: bool) -> Iterator[Outcome]:
    ready = [work for file in files for work in file.works]
    written = write_batch(ready, force=force, keep_duplicates=keep_duplicates) if ready else []
    results = iter(written)
    for file in files:
        for _ in file.works:
            yield _outcome(file, next(results))
        # After the works read before it, as they were read.
        if file.error:
            yield Outcome(file.file, "failed", error=file.error, origin=file.origin)


def _outcome(file: ReadFile, result: WriteResult | Exception) -> Outcome:
    if isinstance(result, Exception):
        log.error("storing a work of %s failed", file.file, exc_info=result)
        error = f"could not be stored: {type(result).__name__}: {result}"
        return Outcome(file.file, "failed", error=error, origin=file.origin)
    if result.status == "duplicate":
        return Outcome(
            file.file,
            "duplicate",
            note=result.note,
            duplicate_of=result.work.pk,
            origin=file.origin,
        )
    return Outcome(file.file, result.status, result.work, result.note, origin=file.origin)


def _read_in_workers(
    files: Iterable[Path], jobs: int, reader: Callable[[Path], list[ReadFile]]
) -> Iterator[list[ReadFile]]:
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
            for read in pool.imap(reader, throttled(), chunksize=4):
                ahead.release()
                yield read
    finally:
        stopped.set()
