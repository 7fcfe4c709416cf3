"""The OPDS catalog's views: read the request, ask `catalog`, answer what `opds` builds."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from fanarchive.downloads.formats import available_formats
from fanarchive.feeds import catalog
from fanarchive.feeds.opds import (
    ACQUISITION,
    EPUB_TYPE,
    NAVIGATION,
    OPENSEARCH_TYPE,
    SORT_NEW,
    Catalog,
    DownloadFormat,
    FeedInfo,
    NavigationEntry,
    acquisition_feed,
    navigation_feed,
    opensearch_description,
)
from fanarchive.lib.text import strip_controls
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.gate import CONSENT_PARAM
from fanarchive.works.models import Series, Work, WorkQuerySet

# Navigation lists (fandoms, tags, series) are short lines; apps page through them.
NAV_PER_PAGE = 50
EPUB = DownloadFormat("epub", EPUB_TYPE)


def _catalog(request: HttpRequest) -> Catalog:
    # Only the URL consents: an app keeps no session, and a catalog's links must say
    # the same thing whoever follows them.
    base = request.build_absolute_uri("/").rstrip("/")
    return Catalog(base=base, adult=request.GET.get(CONSENT_PARAM) == "true")


def _answer(body: bytes, content_type: str) -> HttpResponse:
    return HttpResponse(body, content_type=f"{content_type};charset=utf-8")


def download_formats() -> list[DownloadFormat]:
    """What each entry offers: the formats this machine can build, EPUB first (the
    download menu's order), always with EPUB, the format OPDS apps expect."""
    offered = [DownloadFormat(found.EXTENSION, found.MEDIA_TYPE) for found in available_formats()]
    return [EPUB, *(found for found in offered if found.extension != EPUB.extension)]


def _latest(works: WorkQuerySet) -> datetime.datetime:
    return works.aggregate(latest=Max("modified"))["latest"] or timezone.now()


def _page_latest(items: list[Work]) -> datetime.datetime | None:
    return max((work.modified for work in items), default=None)


@require_safe
def root(request: HttpRequest) -> HttpResponse:
    cat = _catalog(request)
    info = FeedInfo(
        settings.SITE_NAME,
        "feeds:opds_root",
        updated=_latest(catalog.catalog_works(adult=cat.adult)),
    )
    entries = [
        NavigationEntry(
            "Recently updated works",
            "Every work, the most recently updated first.",
            cat.view_url("feeds:opds_recent"),
            ACQUISITION,
            rel=SORT_NEW,
        ),
        NavigationEntry(
            "Fandoms",
            "Works by fandom.",
            cat.view_url("feeds:opds_fandoms"),
            NAVIGATION,
        ),
        NavigationEntry(
            "Tags",
            "Works by tag: ratings, warnings, categories, relationships, characters and more.",
            cat.view_url("feeds:opds_tags"),
            NAVIGATION,
        ),
        NavigationEntry(
            "Series",
            "Works in series, in reading order.",
            cat.view_url("feeds:opds_series"),
            NAVIGATION,
        ),
    ]
    return _answer(navigation_feed(cat, info, entries), NAVIGATION)


def _works_feed(cat: Catalog, info: FeedInfo, page: catalog.Page[Work]) -> HttpResponse:
    info = replace(info, updated=_page_latest(list(page.items)))
    return _answer(acquisition_feed(cat, info, page, download_formats()), ACQUISITION)


@require_safe
def recent(request: HttpRequest) -> HttpResponse:
    cat = _catalog(request)
    number = catalog.page_number(request.GET.get("page"))
    page = catalog.works_page(
        catalog.recent_works(adult=cat.adult), number, settings.WORKS_PER_PAGE
    )
    info = FeedInfo("Recently updated works", "feeds:opds_recent")
    return _works_feed(cat, info, page)


def _count(works: int) -> str:
    return f"{works} work" if works == 1 else f"{works} works"


@require_safe
def fandoms(request: HttpRequest) -> HttpResponse:
    return _navigation(
        request,
        FeedInfo("Fandoms", "feeds:opds_fandoms"),
        catalog.fandoms_page,
        lambda counted: (counted.item.name, _count(counted.works)),
        "feeds:opds_tag",
    )


@require_safe
def tags(request: HttpRequest) -> HttpResponse:
    return _navigation(
        request,
        FeedInfo("Tags", "feeds:opds_tags"),
        catalog.canonical_tags_page,
        lambda counted: (counted.item.name, f"{counted.item.type_label}: {_count(counted.works)}"),
        "feeds:opds_tag",
    )


@require_safe
def tag(request: HttpRequest, tag_id: int) -> HttpResponse:
    cat = _catalog(request)
    found = get_object_or_404(Tag, pk=tag_id)
    number = catalog.page_number(request.GET.get("page"))
    page = catalog.works_page(
        catalog.tag_works(found, adult=cat.adult), number, settings.WORKS_PER_PAGE
    )
    up = "feeds:opds_fandoms" if found.type == TagType.FANDOM else "feeds:opds_tags"
    info = FeedInfo(found.name, "feeds:opds_tag", (found.pk,), up=up)
    return _works_feed(cat, info, page)


@require_safe
def series_list(request: HttpRequest) -> HttpResponse:
    return _navigation(
        request,
        FeedInfo("Series", "feeds:opds_series"),
        catalog.series_page,
        lambda counted: (counted.item.title, _count(counted.works)),
        "feeds:opds_series_works",
    )


def _navigation(
    request: HttpRequest,
    info: FeedInfo,
    page_of: Callable[..., Any],
    describe: Callable[[Any], tuple[str, str]],
    target: str,
) -> HttpResponse:
    """A paged navigation feed of counted items (fandoms, tags, series), each leading
    to the acquisition feed `target` of its works."""
    cat = _catalog(request)
    number = catalog.page_number(request.GET.get("page"))
    page = page_of(adult=cat.adult, number=number, per_page=NAV_PER_PAGE)
    entries = [
        NavigationEntry(*describe(counted), cat.view_url(target, counted.item.pk), ACQUISITION)
        for counted in page.items
    ]
    info = replace(info, updated=_latest(catalog.catalog_works(adult=cat.adult)))
    return _answer(navigation_feed(cat, info, entries, page), NAVIGATION)


@require_safe
def series(request: HttpRequest, series_id: int) -> HttpResponse:
    cat = _catalog(request)
    found = get_object_or_404(Series, pk=series_id)
    number = catalog.page_number(request.GET.get("page"))
    page = catalog.works_page(
        catalog.series_works(found, adult=cat.adult), number, settings.WORKS_PER_PAGE
    )
    if not page.total:
        # As the series page: a series none of whose works may be listed is not there.
        raise Http404("No such series")
    info = FeedInfo(found.title, "feeds:opds_series_works", (found.pk,), up="feeds:opds_series")
    return _works_feed(cat, info, page)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    cat = _catalog(request)
    # Control characters cannot stand in XML; the query language ignores them anyway.
    text = strip_controls(request.GET.get("q", ""), " ")[: catalog.MAX_QUERY]
    number = catalog.page_number(request.GET.get("page"))
    page = catalog.search_page(
        text, adult=cat.adult, number=number, per_page=settings.WORKS_PER_PAGE
    )
    title = f"Search: {text.strip()}" if text.strip() else "Search"
    info = FeedInfo(title, "feeds:opds_search", params=(("q", text),))
    return _works_feed(cat, info, page)


@require_safe
def opensearch(request: HttpRequest) -> HttpResponse:
    return _answer(opensearch_description(_catalog(request)), OPENSEARCH_TYPE)
