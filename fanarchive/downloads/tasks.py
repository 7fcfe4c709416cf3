"""Building download files through django.tasks: at once in the embedded default, or in
`fanarchive db_worker` with FANARCHIVE_TASKS=database."""

from django.tasks import task

from fanarchive.downloads.building import book_for, build
from fanarchive.downloads.formats import format_named


@task()
def build_download(kind: str, object_id: int, work_ids: list[int], format_name: str) -> str:
    """Build (or find in the cache) one download; returns the file's path."""
    fmt = format_named(format_name)
    if fmt is None:
        raise ValueError(f"format {format_name!r} is not available on this machine")
    return str(build(book_for(kind, object_id, work_ids), fmt))
