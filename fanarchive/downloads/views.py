"""Download views: a work, or a series as one book, in one format. Permissions and the
adult gate as on the pages (`access`); the file comes from the cache or is built through
django.tasks (`tasks`), then streamed."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.tasks import TaskResultStatus

from fanarchive.downloads.access import needs_consent, readable_series_works
from fanarchive.downloads.book import Book, book_of_series, book_of_work
from fanarchive.downloads.building import cached_path
from fanarchive.downloads.formats import Format, format_named
from fanarchive.downloads.tasks import build_download
from fanarchive.works import gate
from fanarchive.works.listing import BLURB_PREFETCH
from fanarchive.works.models import Series, Work

# A download is a file to save, never a page of this site: nothing in it may run, load
# or submit anything here.
DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; sandbox"
POLL_SECONDS = 0.25


def work_download(request: HttpRequest, work_id: int, filename: str) -> HttpResponse:
    fmt = _format_of(filename)
    try:
        work = gate.readable_work(request, work_id, Work.objects.prefetch_related(*BLURB_PREFETCH))
    except gate.LoginRequired:
        return redirect_to_login(request.get_full_path())
    if needs_consent(request, [work]):
        return _consent_page(request, work.title)
    return _serve(request, book_of_work(work), fmt, "work", work.pk, [work.pk])


def series_download(request: HttpRequest, series_id: int, filename: str) -> HttpResponse:
    fmt = _format_of(filename)
    series = get_object_or_404(Series, pk=series_id)
    works = readable_series_works(request, series)
    if needs_consent(request, works):
        return _consent_page(request, series.title)
    work_ids = [work.pk for work in works]
    return _serve(request, book_of_series(series, works), fmt, "series", series.pk, work_ids)


def _format_of(filename: str) -> Format:
    fmt = format_named(Path(filename).suffix.lstrip("."))
    if fmt is None:
        raise Http404("No such download format")
    return fmt


def _consent_page(request: HttpRequest, title: str) -> HttpResponse:
    context = {
        "title": title,
        "consent_url": gate.consent_url(request),
        "back_url": gate.go_back_url(request),
    }
    return render(request, "downloads/consent.html", context)


def _serve(
    request: HttpRequest, book: Book, fmt: Format, kind: str, object_id: int, work_ids: list[int]
) -> HttpResponse:
    path = cached_path(book, fmt)
    if not path.exists():
        built = _built(kind, object_id, work_ids, fmt)
        if built is None:
            return _being_prepared(request, book)
        path = built
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{book.filename_stem}.{fmt.EXTENSION}",
        content_type=fmt.MEDIA_TYPE,
    )
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    # Private: the reader's permissions decided it; a shared cache must not keep it.
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


def _built(kind: str, object_id: int, work_ids: list[int], fmt: Format) -> Path | None:
    """The file, built through the task queue: at once by the embedded default, else
    waited for a while. None if it is not ready in time."""
    result = build_download.enqueue(kind, object_id, work_ids, fmt.NAME)
    deadline = time.monotonic() + settings.DOWNLOAD_WAIT_SECONDS
    while not result.is_finished and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        result.refresh()
    if result.status == TaskResultStatus.SUCCESSFUL:
        return Path(result.return_value)
    if result.status == TaskResultStatus.FAILED:
        raise RuntimeError(f"building {fmt.NAME} of {kind} {object_id} failed")
    return None


def _being_prepared(request: HttpRequest, book: Book) -> HttpResponse:
    response = render(request, "downloads/preparing.html", {"title": book.title}, status=503)
    response["Retry-After"] = "10"
    return response
