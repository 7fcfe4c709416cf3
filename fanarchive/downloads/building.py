"""Download files: built once per version of a book, kept in the cache directory, and
rebuilt when anything they show changes.

A file's name carries a digest of everything the book holds (its metadata, its tags'
names, every chapter field, the format's version and the site's name and address), so
an edit, a re-import, a tag renamed by a wrangler or a work added to a series gives a
new name and the old file is never served again. The digest costs one read of the
chapters; building costs seconds, so it is cheap beside what it saves.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from fanarchive.downloads.book import Book, book_of_series, book_of_work
from fanarchive.downloads.formats import Format
from fanarchive.works.models import Chapter, Series, Work

_CHAPTER_FIELDS = ("work_id", "position", "title", "summary", "notes", "end_notes", "body")


def book_digest(book: Book, fmt: Format) -> str:
    digest = hashlib.sha256()
    version = getattr(fmt, "VERSION", "1")
    digest.update(f"{fmt.NAME} {version}\n{settings.SITE_URL}\n".encode())
    digest.update(repr(dataclasses.asdict(book)).encode())
    work_ids = [work.work_id for work in book.works]
    rows = Chapter.objects.filter(work_id__in=work_ids).order_by("work_id", "position")
    for row in rows.values_list(*_CHAPTER_FIELDS).iterator(chunk_size=20):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:32]


def cache_dir(book: Book) -> Path:
    if book.is_series and book.series:
        # Readers who may see different works of a series get different books: each
        # set of works keeps its own current file.
        works = ",".join(str(work.work_id) for work in book.works)
        work_set = hashlib.sha256(works.encode()).hexdigest()[:12]
        return _owner_dir("series", book.series.series_id) / work_set
    return _owner_dir("works", book.works[0].work_id)


def _owner_dir(kind: str, owner_id: int) -> Path:
    return Path(settings.DOWNLOAD_CACHE_DIR) / kind / str(owner_id)


def forget(kind: str, owner_id: int) -> None:
    """Delete a deleted work's or series' files, so the cache holds only live books."""
    shutil.rmtree(_owner_dir(kind, owner_id), ignore_errors=True)


def cached_path(book: Book, fmt: Format) -> Path:
    return cache_dir(book) / f"{book_digest(book, fmt)}.{fmt.EXTENSION}"


def build(book: Book, fmt: Format) -> Path:
    """The book's file in this format, built unless the cache holds this version."""
    path = cached_path(book, fmt)
    if path.exists():
        return path
    write_to(book, fmt, path)
    _remove_older_versions(path)
    return path


def _remove_older_versions(current: Path) -> None:
    for other in current.parent.glob(f"*{current.suffix}"):
        if other != current:
            other.unlink(missing_ok=True)


def book_for(kind: str, object_id: int, work_ids: list[int]) -> Book:
    """The book a download names: a work, or a series holding `work_ids` in order."""
    if kind == "work":
        return book_of_work(Work.objects.get(pk=object_id))
    series = Series.objects.get(pk=object_id)
    works = {work.pk: work for work in Work.objects.filter(pk__in=work_ids)}
    return book_of_series(series, [works[pk] for pk in work_ids if pk in works])


def write_to(book: Book, fmt: Format, destination: Path) -> None:
    """Write the book to `destination` under a temporary name and rename it, so no one
    ever reads half a file and two builds of one version at once both end whole."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".building-")
    try:
        with os.fdopen(handle, "wb") as out:
            fmt.write(book, out)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
