"""A work as plain data: the shape of `fanarchive import --json`, reused by the API."""

from typing import Any

from fanarchive.tags.models import TagType
from fanarchive.works.models import Work

TAG_LIST_KEYS = {
    "warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
    "fandoms": TagType.FANDOM,
    "relationships": TagType.RELATIONSHIP,
    "characters": TagType.CHARACTER,
    "freeforms": TagType.FREEFORM,
}

WORK_KEYS = [
    "work_id", "title", "creators", "rating", *TAG_LIST_KEYS, "summary", "notes", "language",
    "series", "complete", "published", "updated", "source_url", "imported_from",
    "original_location", "words", "chapters",
]  # fmt: skip


def empty_work_dict() -> dict[str, Any]:
    """Every key present, null or empty: what a failed import reports."""
    lists = {"creators", "series", *TAG_LIST_KEYS}
    return {key: [] if key in lists else None for key in WORK_KEYS}


def work_to_dict(work: Work) -> dict[str, Any]:
    tags = work.tags_by_type()
    return {
        "work_id": work.pk,
        "title": work.title,
        "creators": work.creator_names(),
        "rating": work.rating,
        **{key: [tag.name for tag in tags[tag_type]] for key, tag_type in TAG_LIST_KEYS.items()},
        "summary": work.summary,
        "notes": work.notes,
        "language": work.language,
        "series": [
            {"title": entry.series.title, "position": entry.position}
            for entry in work.series_entries.select_related("series").order_by("series__title")
        ],
        "complete": work.complete,
        "published": work.published.isoformat(),
        "updated": work.updated.isoformat(),
        "source_url": work.source_url or None,
        "imported_from": work.imported_from or None,
        "original_location": work.original_location or None,
        "words": work.word_count,
        "chapters": work.posted_chapters,
    }
