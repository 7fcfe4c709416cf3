"""Tag pages, and what staff do from them and from work pages: wrangle a tag, accept or
reject a suggested tag. The rules live in the tag model and fanarchive.tags.suggestions;
these views only check who asks and show the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from fanarchive.search.pages import results_context
from fanarchive.search.service import SearchQuery
from fanarchive.tags import suggestions, wrangling
from fanarchive.tags.forms import ACTIONS, WrangleForm
from fanarchive.tags.models import ALLOWED_PARENTS, SuggestedTag, Tag, TagType

# How many queue entries one page ranks candidates for.
QUEUE_PAGE = 100


def detail(request: HttpRequest, tag_type: str, name: str) -> HttpResponse:
    """A tag, its wrangling and the works found under it. A synonym's page is its
    canonical tag's, except for staff, who may wrangle the synonym itself."""
    if tag_type not in TagType.values:
        raise Http404("No such tag type")
    tag = get_object_or_404(Tag.objects.select_related("merger"), type=tag_type, name=name)
    if tag.merger_id and not request.user.is_staff:
        return redirect(tag.merger)
    return _tag_page(request, tag)


def wrangling_queue(request: HttpRequest) -> HttpResponse:
    """Staff: the unwrangled tags (of one fandom, with `?fandom=`), most used first,
    each with ranked candidates; selected ones are merged into their best candidate or
    made canonical in one go."""
    _require_staff(request)
    fandom_name = (request.GET.get("fandom") or request.POST.get("fandom") or "").strip()
    fandom = Tag.objects.filter(type=TagType.FANDOM, name=fandom_name).first()
    if request.method == "POST":
        chosen = Tag.objects.filter(pk__in=request.POST.getlist("tag"))
        done = wrangling.apply_to_queue(list(chosen), request.POST.get("action", ""), fandom)
        messages.success(request, f"Wrangled {done} of {len(chosen)} selected tags.")
        return redirect(f"{request.path}?{urlencode({'fandom': fandom_name})}")
    context = {
        "fandom": fandom,
        "fandom_name": fandom_name,
        "entries": wrangling.queue(fandom)[:QUEUE_PAGE],
        "fandoms": Tag.objects.filter(type=TagType.FANDOM, canonical=True).order_by("name"),
    }
    return render(request, "tags/queue.html", context)


@require_POST
def wrangle(request: HttpRequest, tag_id: int) -> HttpResponse:
    """One change from a tag page's wrangling forms; a refusal is shown on the page."""
    _require_staff(request)
    tag = get_object_or_404(Tag.objects.select_related("merger"), pk=tag_id)
    form = WrangleForm(tag, request.POST, auto_id=_auto_id(request.POST.get("action", "")))
    if not form.apply():
        return _tag_page(request, tag, failed=form)
    messages.success(request, form.success_message)
    return redirect(tag)


@require_POST
def decide(request: HttpRequest, suggestion_id: int, decision: str) -> HttpResponse:
    """Accept a suggested tag (it becomes a given tag) or reject it; back to the work."""
    _require_staff(request)
    suggestion = get_object_or_404(
        SuggestedTag.objects.select_related("work", "tag"), pk=suggestion_id
    )
    if decision == "accept":
        suggestions.accept(suggestion, request.user)
        messages.success(request, f"Accepted {suggestion.tag.name}: it is now a given tag.")
    else:
        suggestions.reject(suggestion, request.user)
        messages.success(request, f"Rejected {suggestion.tag.name}.")
    return redirect(_back_to(request, suggestion.work.get_absolute_url()))


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only wranglers may do this.")


def _back_to(request: HttpRequest, default: str) -> str:
    """The page the form asked to return to (`next`), if it is on this site."""
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else default


def _auto_id(action: str) -> str:
    return f"id_{action}_%s"


def _tag_page(request: HttpRequest, tag: Tag, failed: WrangleForm | None = None) -> HttpResponse:
    query = SearchQuery(include=(f"{tag.type}:{tag.name}",))
    context: dict[str, object] = {
        "tag": tag,
        **_related_tags(tag),
        **results_context(request, query, facets=False),
    }
    if request.user.is_staff:
        context["wrangle_forms"] = _wrangle_forms(tag, failed)
        context["wrangle_failed"] = failed
    return render(request, "tags/detail.html", context)


# What a tag page lists besides works, and how to find each from the tag.
RELATED = {
    "synonyms": "merger",
    "meta_tags": "sub_links__sub_tag",
    "sub_tags": "meta_links__meta_tag",
    "parents": "child_links__child",
    "children": "parent_links__parent",
}


def _related_tags(tag: Tag) -> dict[str, list[Tag]]:
    """The tag's synonyms, meta tags, sub tags, parents and children, each by type and
    name: one query for all five."""
    parts = [
        Tag.objects.filter(**{lookup: tag})
        .order_by()
        .annotate(relation=Value(key, output_field=CharField()))
        for key, lookup in RELATED.items()
    ]
    related: dict[str, list[Tag]] = {key: [] for key in RELATED}
    for other in parts[0].union(*parts[1:], all=True).order_by("type", "name"):
        related[other.relation].append(other)  # type: ignore[attr-defined]
    return related


def _wrangle_forms(tag: Tag, failed: WrangleForm | None) -> list[tuple[str, str, WrangleForm]]:
    """(action, label, form) for each change that may apply to `tag`; the form that
    just failed keeps what was written and its errors."""
    failed_action = failed.data.get("action") if failed is not None else None
    shown = []
    for action, label in ACTIONS.items():
        if action == "canonical" and tag.canonical:
            continue
        if action == "parent" and tag.type not in ALLOWED_PARENTS:
            continue
        if failed is not None and action == failed_action:
            form = failed
        else:
            form = WrangleForm(tag, initial={"action": action}, auto_id=_auto_id(action))
        shown.append((action, label, form))
    return shown
