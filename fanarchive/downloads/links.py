"""Where a download lives: `/downloads/works/<id>/<title>.<ext>`, the title in the name
so a saved file says what it is (as AO3's downloads do)."""

from django.urls import reverse
from django.utils.text import slugify


def _filename(title: str, extension: str, fallback: str) -> str:
    return f"{slugify(title)[:80] or fallback}.{extension}"


def work_download_path(work_id: int, title: str, extension: str) -> str:
    return reverse("downloads:work", args=[work_id, _filename(title, extension, "work")])


def series_download_path(series_id: int, title: str, extension: str) -> str:
    return reverse("downloads:series", args=[series_id, _filename(title, extension, "series")])
