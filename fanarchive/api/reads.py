"""What the read endpoints answer, as plain functions of the request: the same
visibility (`Work.objects.visible_to`), adult gate (`works/gate.py`), filters, query
language and sorts (`works/listing.py`, `search/service.py`) as the site's pages.

Works a reader may not see (drafts, hidden ones, restricted ones for an anonymous
reader) are answered 404, as missing ones are: the API never says they exist.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from fanarchive.api.errors import ApiError
from fanarchive.downloads.formats import available_formats
from fanarchive.downloads.links import work_download_path
from fanarchive.search.facets import fandom_counts
from fanarchive.search.service import SEARCH_SORTS, SearchQuery, search
from fanarchive.tags.models import Tag, TagType
from fanarchive.works import gate
from fanarchive.works.listing import BLURB_PREFETCH, WorkFilters
from fanarchive.works.models import Work, WorkTag, adult_work_ids, audience_of
from fanarchive.works.serialize import TAG_LIST_KEYS, work_to_dict

MAX_PER_PAGE = 100


def consents(request: HttpRequest) -> bool:
    """Whether the reader agreed to adult content: `view_adult=true` on this request,
    or earlier in a browser session. The parameter is not remembered: an API client
    has no session to remember it in."""
    return request.GET.get(gate.CONSENT_PARAM) == "true" or gate.reader_consents(request)


def gated(request: HttpRequest, work: Work) -> bool:
    """Whether the work's text is withheld from this reader (`gate.must_gate`)."""
    if request.GET.get(gate.CONSENT_PARAM) == "true":
        return False
    return gate.must_gate(request, work)  # without the parameter it writes no session


def page_links(request: HttpRequest, page: int, pages: int) -> dict[str, str | None]:
    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "next": link(page + 1) if page < pages else None,
        "previous": link(min(page, pages + 1) - 1) if page > 1 else None,
    }


def paged(request: HttpRequest, total: int, page: int, per_page: int) -> dict[str, Any]:
    pages = math.ceil(total / per_page)
    return {"count": total, "page": page, "pages": pages, "per_page": per_page}


# Works ------------------------------------------------------------------------------


def work_summary(request: HttpRequest, work: Work, adult: bool) -> dict[str, Any]:
    """A listed work from what BLURB_PREFETCH loaded: no query per work."""
    tags = work.tags_by_type()
    return {
        "work_id": work.pk,
        "title": work.title,
        "creators": [link.creator.name for link in work.creator_links.all()],
        "rating": work.rating,
        **{key: [tag.name for tag in tags[tag_type]] for key, tag_type in TAG_LIST_KEYS.items()},
        "summary": work.summary,
        "language": work.language,
        "series": sorted(
            (
                {"title": entry.series.title, "position": entry.position}
                for entry in work.series_entries.all()
            ),
            key=lambda entry: entry["title"],
        ),
        "complete": work.complete,
        "published": work.published.isoformat(),
        "updated": work.updated.isoformat(),
        "words": work.word_count,
        "chapters": work.posted_chapters,
        "expected_chapters": work.expected_chapters,
        "adult": adult,
        "url": request.build_absolute_uri(work.get_absolute_url()),
    }


def list_works(request: HttpRequest, page: int, per_page: int) -> dict[str, Any]:
    """The works index and the search page in one: their parameters, read as they
    read them (search/views.py)."""
    text = request.GET.get("q", "")
    filters = WorkFilters.from_query(request.GET)
    sort = request.GET.get("sort")
    query = SearchQuery.of(filters, text=text, sort=sort if sort in SEARCH_SORTS else None)
    results = search(
        query,
        audience_of(request.user),
        limit=per_page,
        offset=(page - 1) * per_page,
        show_adult_snippets=consents(request),
    )
    works = [hit.work for hit in results.hits]
    adult = adult_work_ids(works)
    hits = [
        {
            **work_summary(request, hit.work, hit.work.pk in adult),
            "snippet": str(hit.snippet_html) if hit.snippet_html is not None else None,
            "chapter": hit.chapter_position,
            "paragraph": hit.paragraph,
        }
        for hit in results.hits
    ]
    answer = paged(request, results.total, page, per_page)
    return {**answer, **page_links(request, page, answer["pages"]), "results": hits}


def readable(request: HttpRequest, work_id: int) -> Work:
    try:
        return gate.readable_work(
            request, work_id, Work.objects.prefetch_related(*BLURB_PREFETCH, "tags__merger")
        )
    except gate.LoginRequired:
        raise Http404("No such work") from None


def work_detail(request: HttpRequest, work_id: int) -> dict[str, Any]:
    work = readable(request, work_id)
    withheld = gated(request, work)
    data = work_to_dict(work)
    if withheld:
        data["notes"] = None
    return {
        **data,
        "adult": work.is_adult,
        "gated": withheld,
        "url": request.build_absolute_uri(work.get_absolute_url()),
        "chapters_url": request.build_absolute_uri(reverse("api:chapters", args=[work.pk])),
        "downloads": downloads_of(request, work),
    }


def downloads_of(request: HttpRequest, work: Work) -> list[dict[str, str]]:
    """The download links the work page offers: each format this machine can build."""
    return [
        {
            "format": fmt.NAME,
            "label": fmt.LABEL,
            "media_type": fmt.MEDIA_TYPE,
            "url": request.build_absolute_uri(
                work_download_path(work.pk, work.title, fmt.EXTENSION)
            ),
        }
        for fmt in available_formats()
    ]


def chapter_index(request: HttpRequest, work_id: int) -> dict[str, Any]:
    work = readable(request, work_id)
    withheld = gated(request, work)
    chapters = work.chapters.only("work_id", "position", "title", "word_count")
    return {
        "work_id": work.pk,
        "gated": withheld,
        "chapters": [
            {
                "position": chapter.position,
                "title": None if withheld else chapter.title,
                "words": chapter.word_count,
                "url": request.build_absolute_uri(
                    reverse("api:chapter", args=[work.pk, chapter.position])
                ),
            }
            for chapter in chapters
        ],
    }


def consent_needed(request: HttpRequest) -> ApiError:
    query = request.GET.copy()
    query[gate.CONSENT_PARAM] = "true"
    again = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return ApiError(
        403,
        "adult_consent_required",
        "This work may have adult content. To agree to see it, ask again with "
        f"view_adult=true: {again}",
    )


def chapter(request: HttpRequest, work_id: int, position: int) -> dict[str, Any]:
    work = readable(request, work_id)
    found = work.chapters.filter(position=position).first()
    if found is None:
        raise Http404("No such chapter")
    if gated(request, work):
        raise consent_needed(request)
    return {
        "work_id": work.pk,
        "position": found.position,
        "title": found.title,
        "summary": found.summary,
        "notes": found.notes,
        "end_notes": found.end_notes,
        "body": found.body,
        "words": found.word_count,
        "url": request.build_absolute_uri(found.get_absolute_url()),
    }


# Tags -------------------------------------------------------------------------------


def tag_ref(request: HttpRequest, tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "type": tag.type,
        "name": tag.name,
        "url": request.build_absolute_uri(reverse("api:tag", args=[tag.pk])),
    }


def visible_tags(request: HttpRequest) -> QuerySet[Tag]:
    """Tags a reader may learn of: canonical ones (a wrangler made them public), media
    (which file fandoms, never works) and those on a work the reader may see. A tag
    only a draft or a hidden work carries is that work's secret."""
    if request.user.is_staff:
        return Tag.objects.all()
    works = Work.objects.visible_to(request.user)
    on_visible = WorkTag.objects.filter(work__in=works).values("tag_id")
    return Tag.objects.filter(Q(canonical=True) | Q(type=TagType.MEDIA) | Q(pk__in=on_visible))


def list_tags(
    request: HttpRequest,
    page: int,
    per_page: int,
    tag_type: str | None,
    prefix: str,
    canonical: bool | None,
) -> dict[str, Any]:
    tags = visible_tags(request)
    if tag_type:
        tags = tags.filter(type=tag_type)
    if prefix := strip_nul(prefix).strip():
        tags = tags.filter(name__istartswith=prefix)
    if canonical is not None:
        tags = tags.filter(canonical=canonical)
    total = tags.count()
    tags = tags.order_by("type", "name", "pk")[(page - 1) * per_page : page * per_page]
    answer = paged(request, total, page, per_page)
    return {
        **answer,
        **page_links(request, page, answer["pages"]),
        "results": [{**tag_ref(request, tag), "canonical": tag.canonical} for tag in tags],
    }


def tag_detail(request: HttpRequest, tag_id: int) -> dict[str, Any]:
    refs = visible_tags(request).order_by("type", "name")
    tag = (
        visible_tags(request)
        .select_related("merger")
        .prefetch_related(
            *(
                Prefetch(name, queryset=refs)
                for name in ("synonyms", "meta_tags", "sub_tags", "parents", "children")
            )
        )
        .filter(pk=tag_id)
        .first()
    )
    if tag is None:
        raise Http404("No such tag")
    found = search(SearchQuery(include=(tag.filter_value,)), audience_of(request.user), limit=0)
    works_url = reverse("api:works") + "?" + urlencode({"tag": tag.filter_value})
    return {
        **tag_ref(request, tag),
        "canonical": tag.canonical,
        "merger": tag_ref(request, tag.merger) if tag.merger_id else None,
        **{
            name: [tag_ref(request, other) for other in getattr(tag, name).all()]
            for name in ("synonyms", "meta_tags", "sub_tags", "parents", "children")
        },
        "works": found.total,
        "works_url": request.build_absolute_uri(works_url),
    }


def fandoms(request: HttpRequest) -> dict[str, Any]:
    counts = fandom_counts(audience_of(request.user))
    return {
        "results": [{"tag": tag_ref(request, count.tag), "works": count.works} for count in counts]
    }


def strip_nul(text: str) -> str:
    # PostgreSQL refuses NUL in a parameter, and no tag name holds one.
    return text.replace("\x00", "")
