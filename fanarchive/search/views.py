"""The search page: the search box and the works index's filters, one GET form, and a
page of matching works with a snippet of where each matched."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from fanarchive.search.service import SEARCH_SORTS, SORT_BEST, SearchQuery, SearchResults, search
from fanarchive.tags.constants import RATINGS
from fanarchive.works import gate
from fanarchive.works.listing import DEFAULT_SORT, SORTS, WorkFilters
from fanarchive.works.models import Work
from fanarchive.works.views import excluded_chips

SORT_LABELS = {SORT_BEST: "Best Match", **{key: label for key, (label, _) in SORTS.items()}}


def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    filters = WorkFilters.from_query(request.GET)
    sort = request.GET.get("sort")
    query = SearchQuery(
        text=text,
        include=filters.tags,
        exclude=filters.excluded,
        ratings=filters.ratings,
        sort=sort if sort in SEARCH_SORTS else None,
        include_suggested=filters.include_suggested,
        complete=filters.complete,
        single_chapter=filters.single_chapter,
        language=filters.language,
        ranges=filters.ranges,
    )
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
        context |= _results(request, query, show_adult=show_adult)
    return render(request, "search/search.html", context)


def _results(request: HttpRequest, query: SearchQuery, *, show_adult: bool) -> dict[str, object]:
    """One page of results, as works.listing.paginate pages a listing: a page past the
    end shows the last page; one that is not a number shows the first."""
    works = Work.objects.visible_to(request.user)
    per_page = settings.WORKS_PER_PAGE
    raw_page = request.GET.get("page")

    def page_of(number: int) -> SearchResults:
        return search(
            query,
            works,
            limit=per_page,
            offset=(number - 1) * per_page,
            show_adult_snippets=show_adult,
        )

    guess = _page_number(raw_page)
    results = page_of(guess)
    paginator = Paginator(range(results.total), per_page)
    page: Page = paginator.get_page(raw_page)
    if page.number != guess:
        results = page_of(page.number)
    return {
        "results": results,
        "page_obj": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
    }


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _search_url(text: str) -> str:
    """The search page for `text` with no filters."""
    url = reverse("search:search")
    return f"{url}?{urlencode({'q': text})}" if text.strip() else url
