"""A work, or a series of works, as one book: the neutral shape every download format
writes from, so EPUB, PDF, HTML and TXT carry the same preface, chapters and metadata.

Building a `Book` reads the metadata; chapter text is read one chapter at a time while a
format writes, so a 500,000-word work is never held whole. Whoever builds a book has
already decided the reader may have it (`downloads/access.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify

from fanarchive.tags.models import DISPLAY_ORDER, TagType
from fanarchive.works.listing import BLURB_PREFETCH
from fanarchive.works.models import Chapter, Series, Work, chapter_heading

# The preface's labels for each tag type, AO3's ("Archive Warning", "Additional Tags").
TAG_LABELS: dict[str, str] = {tag_type: TagType(tag_type).label for tag_type in DISPLAY_ORDER}


@dataclass(frozen=True)
class BookChapter:
    position: int
    title: str
    summary: str
    """Sanitised HTML, as stored; so are notes, end notes and body."""
    notes: str
    end_notes: str
    body: str
    word_count: int

    @property
    def heading(self) -> str:
        return chapter_heading(self.position, self.title)


@dataclass(frozen=True)
class SeriesPlace:
    series_id: int
    title: str
    position: int
    url: str


@dataclass(frozen=True)
class BookWork:
    """One work of a book, with what AO3's download preface shows of it."""

    work_id: int
    title: str
    creators: list[str]
    url: str
    tags: dict[str, list[str]]
    """Tag names by type (keys of TAG_LABELS), in display order, only types it has."""
    summary: str
    notes: str
    end_notes: str
    language: str
    published: datetime.date
    updated: datetime.date
    complete: bool
    words: int
    chapters_display: str
    """AO3's "3/?" or "1/1"."""
    chapter_titles: list[tuple[int, str]]
    """(position, title) of every chapter, for a table of contents before the text."""
    series: list[SeriesPlace]
    source_url: str
    imported_from: str
    original_location: str
    kudos: int
    hits: int
    bookmarks: int
    comments: int
    expected_chapters: int | None = None
    """The chapters the work will have; None when unknown (AO3's "?")."""

    def chapters(self) -> Iterator[BookChapter]:
        """The chapters in order, read from the database one at a time."""
        fields = ("position", "title", "summary", "notes", "end_notes", "body", "word_count")
        rows = (
            Chapter.objects.filter(work_id=self.work_id).order_by("position").values_list(*fields)
        )
        for row in rows.iterator(chunk_size=1):
            yield BookChapter(*row)

    @property
    def rating(self) -> list[str]:
        return self.tags.get(TagType.RATING, [])

    def subjects(self) -> list[str]:
        """Every tag name, as an e-reader's subjects (calibre's tags)."""
        return [name for names in self.tags.values() for name in names]


@dataclass(frozen=True)
class Book:
    """What one download holds: a work, or a series as one book with each work a part."""

    identifier: str
    """A stable URN: the same work always gives the same identifier."""
    title: str
    creators: list[str]
    language: str
    summary: str
    published: datetime.date
    updated: datetime.date
    url: str
    archive_name: str
    works: list[BookWork]
    series: SeriesPlace | None = None
    """The series the book belongs to (calibre's series and EPUB 3's collection), for a
    single work in one; for a series book, the series itself at position 1."""
    is_series: bool = False
    subjects: list[str] = field(default_factory=list)

    @property
    def filename_stem(self) -> str:
        return slugify(self.title)[:80] or ("series" if self.is_series else "work")

    @property
    def words(self) -> int:
        return sum(work.words for work in self.works)

    def typed_tags(self) -> list[tuple[str, str]]:
        """(type, name) of every tag of its works, each once, types in display order:
        what the machine-readable metadata of an EPUB or HTML download lists."""
        return [
            (tag_type, name)
            for tag_type in TAG_LABELS
            for name in dict.fromkeys(n for work in self.works for n in work.tags.get(tag_type, []))
        ]


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def book_of_work(work: Work) -> Book:
    part = _book_work(_with_blurb(work))
    series = part.series[0] if part.series else None
    return Book(
        identifier=_urn("work", work.pk),
        title=part.title,
        creators=part.creators,
        language=part.language,
        summary=part.summary,
        published=part.published,
        updated=part.updated,
        url=part.url,
        archive_name=settings.SITE_NAME,
        works=[part],
        series=series,
        subjects=part.subjects(),
    )


def book_of_series(series: Series, works: list[Work]) -> Book:
    """A series as one book of `works` (those the reader may have, in series order)."""
    parts = [_book_work(work) for work in works]
    creators = list(dict.fromkeys(name for part in parts for name in part.creators))
    subjects = list(dict.fromkeys(name for part in parts for name in part.subjects()))
    url = site_url(series.get_absolute_url())
    return Book(
        identifier=_urn("series", series.pk),
        title=series.title,
        creators=creators,
        language=parts[0].language if parts else "en",
        summary=series.summary,
        published=min((part.published for part in parts), default=datetime.date.today()),
        updated=max((part.updated for part in parts), default=datetime.date.today()),
        url=url,
        archive_name=settings.SITE_NAME,
        works=parts,
        series=SeriesPlace(series.pk, series.title, 1, url),
        is_series=True,
        subjects=subjects,
    )


def _urn(kind: str, pk: int) -> str:
    """A book's stable identifier. The site's name is slugged: a URN holds no spaces."""
    return f"urn:fanarchive:{slugify(settings.SITE_NAME) or 'archive'}:{kind}:{pk}"


def _with_blurb(work: Work) -> Work:
    return Work.objects.prefetch_related(*BLURB_PREFETCH).get(pk=work.pk)


def _book_work(work: Work) -> BookWork:
    tags = {
        tag_type: [tag.name for tag in found] for tag_type, found in work.tags_by_type().items()
    }
    entries = work.series_entries.select_related("series").order_by("series__title", "series_id")
    return BookWork(
        work_id=work.pk,
        title=work.title,
        creators=work.creator_names(),
        url=site_url(work.get_absolute_url()),
        tags={tag_type: names for tag_type, names in tags.items() if names},
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        language=work.language or settings.DEFAULT_WORK_LANGUAGE,
        published=work.published,
        updated=work.updated,
        complete=work.complete,
        words=work.word_count,
        chapters_display=work.chapter_count_display,
        chapter_titles=list(work.chapters.order_by("position").values_list("position", "title")),
        series=[
            SeriesPlace(
                entry.series_id,
                entry.series.title,
                entry.position,
                site_url(entry.series.get_absolute_url()),
            )
            for entry in entries
        ],
        source_url=work.source_url,
        imported_from=work.imported_from,
        original_location=work.original_location,
        kudos=work.kudos,
        hits=work.hits,
        bookmarks=work.bookmarks,
        comments=work.comments,
        expected_chapters=work.expected_chapters,
    )
