"""Reader pages: the home page, the works index, works and chapters, creators, series,
fandoms. Who may see what is decided in `gate`; what a listing holds, in `listing`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render

from fanarchive.search.facets import fandom_counts, top_fandoms
from fanarchive.tags.constants import RATINGS
from fanarchive.tags.filtering import strong_suggestions
from fanarchive.tags.models import DISPLAY_ORDER, SuggestedTag, SuggestionStatus, TagType
from fanarchive.works import gate
from fanarchive.works.htmx import render_listing
from fanarchive.works.listing import (
    BLURB_PREFETCH,
    NEWEST_FIRST,
    SORTS,
    WorkFilters,
    paginate,
)
from fanarchive.works.models import Chapter, Creator, Series, Work, audience_of

RECENT_WORKS = 10


def home(request: HttpRequest) -> HttpResponse:
    works = Work.objects.visible_to(request.user)
    recent = works.prefetch_related(*BLURB_PREFETCH).order_by(*NEWEST_FIRST)[:RECENT_WORKS]
    context = {"works": recent, "fandoms": top_fandoms(audience_of(request.user))}
    return render(request, "works/home.html", context)


def robots_txt(request: HttpRequest) -> HttpResponse:
    rule = "Disallow: /" if settings.NOINDEX else "Disallow: /admin/"
    return HttpResponse(f"User-agent: *\n{rule}\n", content_type="text/plain; charset=utf-8")


@dataclass(frozen=True)
class ExcludedTag:
    """An active exclusion on the works index, and the same listing without it."""

    value: str
    remove_url: str


@dataclass(frozen=True)
class SuggestionGroup:
    """A work's pending suggested tags of one type, best first."""

    label: str
    suggestions: list[SuggestedTag]


def index(request: HttpRequest) -> HttpResponse:
    from fanarchive.search.pages import results_context
    from fanarchive.search.service import SearchQuery

    filters = WorkFilters.from_query(request.GET)
    context = {
        "filters": filters,
        "excluded": excluded_chips(request.GET, filters),
        "ratings": RATINGS,
        "sorts": {key: label for key, (label, _) in SORTS.items()},
        **results_context(request, SearchQuery.of(filters)),
    }
    return render_listing(request, "works/index.html", context)


def detail(request: HttpRequest, work_id: int) -> HttpResponse:
    full = request.GET.get("view_full_work") == "true"
    return _work_page(request, work_id, position=None, full=full)


def chapter(request: HttpRequest, work_id: int, position: int) -> HttpResponse:
    return _work_page(request, work_id, position=position, full=False)


def creator(request: HttpRequest, name: str) -> HttpResponse:
    creator = get_object_or_404(Creator, name=name)
    works = Work.objects.visible_to(request.user).filter(creator_links__creator=creator)
    works = works.prefetch_related(*BLURB_PREFETCH).order_by(*NEWEST_FIRST)
    context = {"creator": creator, **paginate(works, request.GET.get("page"))}
    return render(request, "works/creator.html", context)


def series(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    works = (
        Work.objects.visible_to(request.user)
        .filter(series_entries__series=series)
        .prefetch_related(*BLURB_PREFETCH)
        .order_by("series_entries__position", "pk")
    )
    if not works:
        # A series whose works were all taken down is taken down with them.
        raise Http404("No such series")
    return render(request, "works/series.html", {"series": series, "works": works})


def fandoms(request: HttpRequest) -> HttpResponse:
    counts = fandom_counts(audience_of(request.user))
    return render(request, "works/fandoms.html", {"fandoms": counts})


def _work_page(
    request: HttpRequest, work_id: int, *, position: int | None, full: bool
) -> HttpResponse:
    """A work's page: its first chapter (position None), one chapter, or every chapter
    (full). Behind the adult gate it shows the tags and summary, never the text."""
    try:
        work = gate.readable_work(request, work_id, Work.objects.prefetch_related(*BLURB_PREFETCH))
    except gate.LoginRequired:
        return redirect_to_login(request.get_full_path())
    # Titles and positions only: the text of one chapter is read when it is shown.
    index = list(work.chapters.only("work_id", "position", "title"))
    if position is None:
        current = index[0] if index else None
    else:
        current = next((entry for entry in index if entry.position == position), None)
        if current is None:
            raise Http404("No such chapter")
    context: dict[str, object] = {
        "work": work,
        "tags": work.tags_by_type(),
        "chapter_index": index,
        "many_chapters": len(index) > 1,
        "chapter": current,
        "full": full,
        "gated": gate.must_gate(request, work),
        "suggestion_groups": _suggestion_groups(work, staff=request.user.is_staff),
    }
    if request.user.is_staff and work.needs_rating_review:
        context["rating_review"] = work.suggested_adult_rating()
    if context["gated"]:
        context |= {"consent_url": gate.consent_url(request), "back_url": gate.go_back_url(request)}
    else:
        context |= _reading_context(work, index, current, full)
    return render(request, "works/work.html", context)


def _reading_context(
    work: Work, index: list[Chapter], current: Chapter | None, full: bool
) -> dict[str, object]:
    """The text to show and the navigation around it. Work notes come with the first
    chapter, work end notes with the last (and both with the entire work)."""
    if full or current is None:
        return {"chapters": list(work.chapters.all()) if full else [], "first": True, "last": True}
    at = index.index(current)
    return {
        "chapter": Chapter.objects.get(pk=current.pk),
        "previous": index[at - 1] if at > 0 else None,
        "next": index[at + 1] if at + 1 < len(index) else None,
        "first": at == 0,
        "last": at + 1 == len(index),
    }


def _suggestion_groups(work: Work, *, staff: bool) -> list[SuggestionGroup]:
    """The work's pending suggestions by type, in the meta block's order: readers see
    those above the threshold, wranglers every pending one. A suggestion of a tag the
    work was given says nothing new and is left out: given tags win."""
    pending = work.suggestions.filter(status=SuggestionStatus.PENDING).select_related("tag")
    if not staff:
        pending = pending.filter(strong_suggestions())
    given = {tag.merger_id or tag.pk for tag in work.tags.all()}
    by_type: dict[str, list[SuggestedTag]] = {}
    for suggestion in pending.order_by("-confidence", "tag__name"):
        if (suggestion.tag.merger_id or suggestion.tag_id) not in given:
            by_type.setdefault(suggestion.tag.type, []).append(suggestion)
    return [
        SuggestionGroup(TagType(tag_type).label, by_type[tag_type])
        for tag_type in DISPLAY_ORDER
        if tag_type in by_type
    ]


def excluded_chips(query: QueryDict, filters: WorkFilters) -> list[ExcludedTag]:
    """The listing's active exclusions, each with the same listing without it."""
    return [ExcludedTag(value, _without(query, "exclude", value)) for value in filters.excluded]


def _without(query: QueryDict, key: str, value: str) -> str:
    """`?query` with one value of `key` taken out, back on the first page."""
    kept = query.copy()
    kept.setlist(key, [other for other in query.getlist(key) if other.strip() != value])
    kept.pop("page", None)
    return f"?{kept.urlencode()}"
