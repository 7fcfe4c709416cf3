"""Who may download what: the same rules as the pages (works/gate.py). A download of a
draft, hidden or restricted work is refused as its page would be, and an adult work's
file, which is its text, needs the reader's consent first."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from fanarchive.works import gate
from fanarchive.works.listing import BLURB_PREFETCH
from fanarchive.works.models import Series, Work, WorkQuerySet


def readable_series_works(request: HttpRequest, series: Series) -> list[Work]:
    """The series' works this reader may open, in series order; Http404 for none (a
    series whose works were all taken down is taken down with them)."""
    works = works_of_series(series, Work.objects.visible_to(request.user))
    if not works:
        raise Http404("No such series")
    return works


def works_of_series(series: Series, works: WorkQuerySet) -> list[Work]:
    """Those of `works` in the series, in series order."""
    in_series = works.filter(series_entries__series=series).prefetch_related(*BLURB_PREFETCH)
    return list(in_series.order_by("series_entries__position", "pk"))


def needs_consent(request: HttpRequest, works: list[Work]) -> bool:
    """Whether any of these works' text is gated for this reader."""
    return any(gate.must_gate(request, work) for work in works)
