"""`{% download_menu work %}` and `{% download_menu series %}`: the formats this machine
can build, as AO3's Download menu lists them."""

from __future__ import annotations

from django import template

from fanarchive.downloads.formats import available_formats
from fanarchive.downloads.links import series_download_path, work_download_path
from fanarchive.works.models import Series, Work

register = template.Library()


@register.inclusion_tag("downloads/_menu.html")
def download_menu(item: Work | Series) -> dict[str, object]:
    if isinstance(item, Series):
        links = [
            (fmt.LABEL, series_download_path(item.pk, item.title, fmt.EXTENSION))
            for fmt in available_formats()
        ]
    else:
        links = [
            (fmt.LABEL, work_download_path(item.pk, item.title, fmt.EXTENSION))
            for fmt in available_formats()
        ]
    return {"links": links, "is_series": isinstance(item, Series)}
