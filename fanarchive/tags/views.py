from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fanarchive.tags.models import Tag, TagType
from fanarchive.works.listing import BLURB_PREFETCH, NEWEST_FIRST, paginate
from fanarchive.works.models import Work


def detail(request: HttpRequest, tag_type: str, name: str) -> HttpResponse:
    """A tag, its synonyms and the works found under it. A synonym's page is its
    canonical tag's."""
    if tag_type not in TagType.values:
        raise Http404("No such tag type")
    tag = get_object_or_404(Tag.objects.select_related("merger"), type=tag_type, name=name)
    if tag.merger_id:
        return redirect(tag.merger)
    works = Work.objects.visible_to(request.user).tagged(tag)
    works = works.prefetch_related(*BLURB_PREFETCH).order_by(*NEWEST_FIRST)
    context = {
        "tag": tag,
        "synonyms": tag.synonyms.order_by("name"),
        **paginate(works, request.GET.get("page")),
    }
    return render(request, "tags/detail.html", context)
