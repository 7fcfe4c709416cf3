"""The search page: the search box and the works index's filters, one GET form, and a
page of matching works with a snippet of where each matched."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode

from fanarchive.search.pages import results_context
from fanarchive.search.service import SEARCH_SORTS, SORT_BEST, SearchQuery
from fanarchive.tags.constants import RATINGS
from fanarchive.works import gate
from fanarchive.works.htmx import render_listing
from fanarchive.works.listing import DEFAULT_SORT, SORTS, WorkFilters
from fanarchive.works.views import excluded_chips

SORT_LABELS = {SORT_BEST: "Best Match", **{key: label for key, (label, _) in SORTS.items()}}


def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    filters = WorkFilters.from_query(request.GET)
    sort = request.GET.get("sort")
    query = SearchQuery.of(filters, text=text, sort=sort if sort in SEARCH_SORTS else None)
    has_words = not query.parsed().is_empty
    context: dict[str, object] = {
        "q": text,
        "filters": filters,
        "excluded": excluded_chips(request.GET, filters),
        "ratings": RATINGS,
        "sorts": SORT_LABELS,
        "selected_sort": query.sort or (SORT_BEST if has_words else DEFAULT_SORT),
        "clear_url": _search_url(text),
        "searched": bool(text.strip()) or filters.active,
    }
    # First, so agreeing here (`?view_adult=true`) is remembered even with no search.
    show_adult = gate.reader_consents(request)
    if context["searched"]:
        context |= results_context(request, query, show_adult=show_adult)
    return render_listing(request, "search/search.html", context)


def _search_url(text: str) -> str:
    """The search page for `text` with no filters."""
    url = reverse("search:search")
    return f"{url}?{urlencode({'q': text})}" if text.strip() else url
