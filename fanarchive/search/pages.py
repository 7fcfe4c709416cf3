"""What every listing page shows of a search: one page of results with pagination, and
the facets with links that include or exclude each tag. Used by the search page, the
works index and tag pages, so they list alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from fanarchive.lib.columns import Audience, WorkColumns
from fanarchive.search.columns import current as current_columns
from fanarchive.search.facets import FacetCount, facet_counts
from fanarchive.search.service import SearchQuery, SearchResults, search
from fanarchive.tags.lookup import parse_tag
from fanarchive.works.models import audience_of


def results_context(
    request: HttpRequest, query: SearchQuery, *, show_adult: bool = False, facets: bool = True
) -> dict[str, object]:
    """Template context for one page of `query`'s results as this reader may see them:
    `results`, `works` (the page's works), `page_obj`, `page_range` and, unless turned
    off, `facets`. A page past the end shows the last page; one that is not a number
    shows the first, as works.listing.paginate does."""
    audience = audience_of(request.user)
    snapshot = current_columns()  # the page and its counts read the same works
    context = _page(request, query, audience, show_adult, snapshot)
    if facets:
        context["facets"] = _facet_links(request, query, audience, snapshot)
    return context


def _page(
    request: HttpRequest,
    query: SearchQuery,
    audience: Audience,
    show_adult: bool,
    snapshot: WorkColumns,
) -> dict[str, object]:
    per_page = settings.WORKS_PER_PAGE
    raw_page = request.GET.get("page")

    def page_of(number: int) -> SearchResults:
        return search(
            query,
            audience,
            limit=per_page,
            offset=(number - 1) * per_page,
            show_adult_snippets=show_adult,
            columns=snapshot,
        )

    guess = _page_number(raw_page)
    results = page_of(guess)
    paginator = Paginator(range(results.total), per_page)
    page: Page = paginator.get_page(raw_page)
    if page.number != guess:
        results = page_of(page.number)
    works = [hit.work for hit in results.hits]
    return {
        "results": results,
        # Paged over the total, holding this page's works: as Paginator pages a list.
        "page_obj": Page(works, page.number, paginator),
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
        "works": works,
    }


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@dataclass(frozen=True)
class FacetLink:
    count: FacetCount
    include_url: str
    exclude_url: str
    included: bool
    excluded: bool


@dataclass(frozen=True)
class FacetLinks:
    tag_type: str
    label: str
    links: list[FacetLink]
    total_tags: int
    more: int
    more_url: str
    expanded: bool


def _facet_links(
    request: HttpRequest, query: SearchQuery, audience: Audience, snapshot: WorkColumns
) -> list[FacetLinks]:
    """The result set's facets, each tag with links that include or exclude it."""
    expand = request.GET.get("more")
    params = request.GET.copy()
    for name in ("page", "more"):
        params.pop(name, None)

    def url_with(name: str, value: str) -> str:
        changed = params.copy()
        changed.appendlist(name, value)
        return f"?{changed.urlencode()}"

    groups = []
    for group in facet_counts(query, audience, expand=expand, columns=snapshot):
        links = [
            FacetLink(
                count,
                url_with("tag", count.value),
                url_with("exclude", count.value),
                included=_names(count, query.include),
                excluded=_names(count, query.exclude),
            )
            for count in group.counts
        ]
        more_url = url_with("more", group.tag_type) if group.more > 0 else ""
        expanded = group.tag_type == expand
        groups.append(
            FacetLinks(
                group.tag_type, group.label, links, group.total_tags, group.more, more_url, expanded
            )
        )
    return groups


def _names(count: FacetCount, values: tuple[str, ...]) -> bool:
    """Whether one of these filter values names the facet's tag."""
    for value in values:
        tag_type, name = parse_tag(value)
        if name.casefold() == count.tag.name.casefold() and tag_type in (None, count.tag.type):
            return True
    return False
