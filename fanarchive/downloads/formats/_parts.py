"""What the EPUB and HTML downloads show of a work, ready for their templates: the
preface, each chapter and the end notes, rendered from `templates/downloads/epub/`'s
fragments, which carry the marks fanarchive's importer reads back."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from fanarchive.downloads.book import TAG_LABELS, Book, BookChapter, BookWork
from fanarchive.downloads.formats._markup import to_xhtml
from fanarchive.works import models as works_models
from fanarchive.works.models import is_web_address, language_name


@dataclass(frozen=True)
class TagRow:
    type: str
    label: str
    names: list[str]


def language_tag(language: str) -> str:
    """A BCP 47 tag for `lang` attributes and dc:language; "und" when the stored
    language is not one (a language name)."""
    return works_models.language_tag(language) or "und"


def tag_rows(work: BookWork) -> list[TagRow]:
    return [
        TagRow(tag_type, label, work.tags[tag_type])
        for tag_type, label in TAG_LABELS.items()
        if work.tags.get(tag_type)
    ]


def preface(book: Book, work: BookWork, method: str = "xml") -> SafeString:
    """The work's preface, like AO3's download preface, as XHTML."""
    imported = bool(work.imported_from)
    location = work.original_location if imported else work.url
    context = {
        "book": book,
        "work": work,
        "tag_rows": tag_rows(work),
        "language_name": language_name(work.language),
        "archive": work.imported_from if imported else book.archive_name,
        "imported": imported,
        "location": location,
        "location_is_url": is_web_address(location),
        "source_is_url": is_web_address(work.source_url),
        "expected": "" if work.expected_chapters is None else str(work.expected_chapters),
        "summary": mark_safe(to_xhtml(work.summary, keep_ids=False, method=method)),  # noqa: S308
        "notes": mark_safe(to_xhtml(work.notes, keep_ids=False, method=method)),  # noqa: S308
    }
    return mark_safe(render_to_string("downloads/epub/preface.html", context))  # noqa: S308


def chapter(chapter: BookChapter, id_prefix: str = "", method: str = "xml") -> SafeString:
    """One chapter: heading, summary, notes, text and end notes, as XHTML (or HTML,
    `method="html"`). `id_prefix` keeps ids unique when several chapters share a file."""
    # Stored HTML was sanitised on the way in; to_xhtml only re-serialises it.
    context = {
        "chapter": chapter,
        "summary": mark_safe(to_xhtml(chapter.summary, keep_ids=False, method=method)),  # noqa: S308
        "notes": mark_safe(to_xhtml(chapter.notes, keep_ids=False, method=method)),  # noqa: S308
        "end_notes": mark_safe(to_xhtml(chapter.end_notes, keep_ids=False, method=method)),  # noqa: S308
        "body": mark_safe(to_xhtml(chapter.body, id_prefix=id_prefix, method=method)),  # noqa: S308
        "anchor": f"{id_prefix}chapter",
    }
    return mark_safe(render_to_string("downloads/epub/chapter.html", context))  # noqa: S308


def end_notes(work: BookWork, method: str = "xml") -> SafeString:
    notes = to_xhtml(work.end_notes, keep_ids=False, method=method)
    context = {"work": work, "end_notes": mark_safe(notes)}  # noqa: S308
    return mark_safe(render_to_string("downloads/epub/end_notes.html", context))  # noqa: S308


def series_front(book: Book) -> SafeString:
    """A series book's title page: the series, its creators, summary and parts."""
    return mark_safe(render_to_string("downloads/epub/series.html", {"book": book}))  # noqa: S308
