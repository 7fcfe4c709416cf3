"""The one writer every importer's parsed works go through.

Each work is written in one transaction, and the re-import rules of docs/cli.md
decide whether a parsed work is new, the same as a stored one, or an update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork
from fanarchive.lib.html import clean_story_html, html_to_text, sanitize
from fanarchive.lib.wordcount import count_html_words
from fanarchive.search.indexing import index_works_chapters
from fanarchive.tags.constants import CHOSE_NOT_TO_WARN, NOT_RATED
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import Tag, TagType
from fanarchive.tags.tasks import infer_work_tags
from fanarchive.tags.wrangling import auto_wrangle, is_pack_canonical
from fanarchive.works.models import (
    Chapter,
    Creator,
    Series,
    SeriesWork,
    Work,
    WorkCreator,
    WorkRevision,
    WorkTag,
)

Status = Literal["imported", "unchanged", "updated"]


@dataclass
class WriteResult:
    status: Status
    work: Work
    note: str = ""


@dataclass
class PreparedChapter:
    """A parsed chapter made ready to store: sanitised, numbered, counted."""

    title: str
    summary: str
    notes: str
    end_notes: str
    published: date | None
    body: str
    word_count: int


def write_work(parsed: ParsedWork, *, force: bool = False) -> WriteResult:
    """Store a parsed work, or recognise it as one already stored."""
    chapters = [_prepare_chapter(chapter) for chapter in parsed.chapters]
    with transaction.atomic():
        same_bytes = (
            Provenance.objects.filter(content_hash=parsed.content_hash)
            .select_related("work")
            .first()
        )
        if same_bytes is not None:
            return WriteResult("unchanged", same_bytes.work, "same file content as stored")

        stored = find_by_source(parsed)
        if stored is None:
            work = Work()
            _apply(work, parsed, chapters)
            _record_provenance(work, parsed)
            return WriteResult("imported", work)

        if fingerprint_of_parsed(parsed, chapters) == fingerprint_of_work(stored, parsed):
            _record_provenance(stored, parsed)
            return WriteResult("unchanged", stored, "same text and metadata as stored")

        if (reason := _older_than_stored(stored, parsed)) and not force:
            return WriteResult(
                "unchanged", stored, f"older than the stored copy ({reason}); --force applies it"
            )

        _snapshot(stored, reason="replaced by " + (parsed.source_file or "an import"))
        _apply(stored, parsed, chapters)
        _record_provenance(stored, parsed)
        return WriteResult("updated", stored)


def source_of(parsed: ParsedWork) -> str:
    """A work's source: its source URL, else the file path it came from."""
    return parsed.source_url or parsed.source_file


def find_by_source(parsed: ParsedWork) -> Work | None:
    if parsed.source_url:
        by_url = Work.objects.filter(source_url=parsed.source_url).order_by("pk").first()
        if by_url is not None:
            return by_url
    if parsed.source_file:
        from_file = (
            Provenance.objects.filter(source_path=parsed.source_file)
            .order_by("pk")
            .select_related("work")
            .first()
        )
        if from_file is not None:
            return from_file.work
    return None


def _prepare_chapter(chapter: ParsedChapter) -> PreparedChapter:
    body = clean_story_html(chapter.body)
    return PreparedChapter(
        title=chapter.title.strip(),
        summary=sanitize(chapter.summary),
        notes=sanitize(chapter.notes),
        end_notes=sanitize(chapter.end_notes),
        published=chapter.published,
        body=body,
        word_count=count_html_words(body),
    )


# Comparing works ------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _normal_text(html: str) -> str:
    """Text with markup and whitespace differences removed, for comparing copies."""
    return _SPACE.sub(" ", html_to_text(html)).strip()


def _parsed_tags(parsed: ParsedWork) -> dict[str, list[str]]:
    return {
        TagType.RATING: [parsed.rating or NOT_RATED],
        TagType.WARNING: parsed.warnings or [CHOSE_NOT_TO_WARN],
        TagType.CATEGORY: parsed.categories,
        TagType.FANDOM: parsed.fandoms,
        TagType.RELATIONSHIP: parsed.relationships,
        TagType.CHARACTER: parsed.characters,
        TagType.FREEFORM: parsed.freeforms,
    }


def fingerprint_of_parsed(parsed: ParsedWork, chapters: list[PreparedChapter]) -> dict[str, Any]:
    return _fingerprint(
        parsed,
        title=parsed.title,
        creators=_unique(parsed.creators),
        tags={t: sorted(set(names)) for t, names in _parsed_tags(parsed).items()},
        summary=parsed.summary,
        notes=parsed.notes,
        end_notes=parsed.end_notes,
        chapters=[(c.title, _normal_text(c.body)) for c in chapters],
        language=parsed.language,
        complete=parsed.complete,
        expected_chapters=parsed.expected_chapters,
        published=parsed.published,
        updated=parsed.updated,
        series=[(s.title, s.position) for s in parsed.series],
    )


def fingerprint_of_work(work: Work, parsed: ParsedWork) -> dict[str, Any]:
    tags: dict[str, set[str]] = {tag_type: set() for tag_type in _parsed_tags(parsed)}
    for tag in work.tags.all():
        tags.setdefault(tag.type, set()).add(tag.name)
    return _fingerprint(
        parsed,
        title=work.title,
        creators=work.creator_names(),
        tags={t: sorted(names) for t, names in tags.items() if t in _parsed_tags(parsed)},
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        chapters=[(c.title, _normal_text(c.body)) for c in work.chapters.order_by("position")],
        language=work.language,
        complete=work.complete,
        expected_chapters=work.expected_chapters,
        published=work.published,
        updated=work.updated,
        series=[(e.series.title, e.position) for e in work.series_entries.select_related("series")],
    )


def _fingerprint(parsed: ParsedWork, **values: Any) -> dict[str, Any]:
    """What must match for two copies to be the same story. Fields the parsed source
    does not give at all are left out: a format that carries less metadata (a plain
    text copy of an HTML download, say) is not a change."""
    optional = {
        "language": parsed.language,
        "complete": parsed.complete,
        "expected_chapters": parsed.expected_chapters,
        "published": parsed.published,
        "updated": parsed.updated,
        "series": parsed.series,
        "notes": parsed.notes,
        "end_notes": parsed.end_notes,
    }
    for name, given in optional.items():
        if given is None or given in ("", []):
            values.pop(name)
    for name in ("summary", "notes", "end_notes"):
        if name in values:
            values[name] = _normal_text(values[name])
    values["title"] = _SPACE.sub(" ", values["title"]).strip()
    return values


def _older_than_stored(stored: Work, parsed: ParsedWork) -> str:
    """Why the parsed copy looks older than the stored one, or "" if it does not."""
    if len(parsed.chapters) < stored.posted_chapters:
        return f"{len(parsed.chapters)} chapters, stored has {stored.posted_chapters}"
    if parsed.updated and parsed.updated < stored.updated:
        return f"updated {parsed.updated}, stored was updated {stored.updated}"
    return ""


# Writing ----------------------------------------------------------------------------


def _apply(work: Work, parsed: ParsedWork, chapters: list[PreparedChapter]) -> None:
    today = timezone.localdate()
    published = (
        parsed.published or next((c.published for c in chapters if c.published), None) or today
    )
    expected = parsed.expected_chapters
    if parsed.complete is False:
        complete = False
    else:
        # A source that says nothing about completion is taken as complete, as AO3
        # takes a work whose posted chapters meet the expected count.
        expected = expected or len(chapters)
        complete = parsed.complete is True or expected == len(chapters)

    work.title = parsed.title.strip() or "Untitled"
    work.summary = sanitize(parsed.summary)
    work.notes = sanitize(parsed.notes)
    work.end_notes = sanitize(parsed.end_notes)
    work.language = parsed.language or settings.DEFAULT_WORK_LANGUAGE
    work.word_count = sum(c.word_count for c in chapters)
    work.expected_chapters = expected
    work.posted_chapters = len(chapters)
    work.complete = complete
    work.published = published
    work.updated = max(parsed.updated or published, published)
    work.source_url = parsed.source_url
    for counter in ("hits", "kudos", "bookmarks", "comments"):
        if (value := getattr(parsed, counter)) is not None:
            setattr(work, counter, value)
    work.save()

    _set_creators(work, parsed.creators)
    _set_tags(work, _parsed_tags(parsed))
    _set_series(work, parsed)
    _set_chapters(work, chapters)
    # Also indexes the work's metadata (tags are searchable text).
    refresh_work_filters([work.pk])
    # Suggested tags are read from the text by a task; with the embedded backend it runs
    # now, with a database worker the import does not wait for it.
    infer_work_tags.enqueue(work_id=work.pk)
    index_works_chapters([work.pk])  # in this transaction: search never sees half a work


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _set_creators(work: Work, names: list[str]) -> None:
    WorkCreator.objects.filter(work=work).delete()
    wanted = _unique(names)
    found = {creator.name: creator for creator in Creator.objects.filter(name__in=wanted)}
    for name in wanted:
        if name not in found:
            found[name] = Creator.objects.create(name=name)
    WorkCreator.objects.bulk_create(
        WorkCreator(work=work, creator=found[name], position=position)
        for position, name in enumerate(wanted, start=1)
    )


def _set_tags(work: Work, tags: dict[str, list[str]]) -> None:
    wanted: set[int] = set()
    new: list[Tag] = []
    # One query for the tags that exist (a work has a dozen; a query each was most of
    # an import's time); the rest are created.
    asked = [(tag_type, name) for tag_type, names in tags.items() for name in _unique(names)]
    found = _tags_named(asked)
    missing = [key for key in asked if key not in found]
    if missing:
        # Created in one statement; a tag another import created meanwhile is skipped
        # and read back with the rest.
        Tag.objects.bulk_create(
            [Tag(type=t, name=n, canonical=is_pack_canonical(t, n)) for t, n in missing],
            ignore_conflicts=True,
        )
        created = _tags_named(missing)
        found |= created
        new += created.values()
    wanted.update(found[key].pk for key in asked)
    WorkTag.objects.filter(work=work).exclude(tag_id__in=wanted).delete()
    have = set(WorkTag.objects.filter(work=work).values_list("tag_id", flat=True))
    WorkTag.objects.bulk_create([WorkTag(work=work, tag_id=pk) for pk in wanted - have])
    for tag in new:
        auto_wrangle(tag, tags[TagType.FANDOM])


def _tags_named(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Tag]:
    """The tags with these (type, name) pairs that exist, in one simple query (an OR of
    a dozen pairs cost Django more to build than the database to answer)."""
    if not keys:
        return {}
    types, names = {t for t, _ in keys}, {n for _, n in keys}
    wanted = set(keys)
    rows = Tag.objects.filter(type__in=types, name__in=names)
    return {(tag.type, tag.name): tag for tag in rows if (tag.type, tag.name) in wanted}


def _set_series(work: Work, parsed: ParsedWork) -> None:
    SeriesWork.objects.filter(work=work).delete()
    for entry in parsed.series:
        series = Series.objects.filter(title=entry.title).order_by("pk").first()
        if series is None:
            series = Series.objects.create(title=entry.title)
        position = entry.position
        if position is None:
            position = series.entries.count() + 1
        SeriesWork.objects.create(series=series, work=work, position=position)


def _set_chapters(work: Work, chapters: list[PreparedChapter]) -> None:
    """Chapters are updated in place by position, so their ids and URLs stay stable."""
    existing = {chapter.position: chapter for chapter in work.chapters.all()}
    for position, prepared in enumerate(chapters, start=1):
        chapter = existing.pop(position, None) or Chapter(work=work, position=position)
        for name, value in vars(prepared).items():
            setattr(chapter, name, value)
        chapter.save()
    Chapter.objects.filter(pk__in=[chapter.pk for chapter in existing.values()]).delete()


def _record_provenance(work: Work, parsed: ParsedWork) -> None:
    Provenance.objects.create(
        work=work,
        source_path=parsed.source_file,
        file_name=parsed.source_file.rsplit("/", 1)[-1],
        content_hash=parsed.content_hash,
        importer=parsed.importer,
        importer_version=parsed.importer_version,
        fields=[[key, value] for key, value in parsed.fields],
    )


def _snapshot(work: Work, reason: str) -> None:
    """Keep the text and metadata an update is about to replace."""
    WorkRevision.objects.create(
        work=work,
        reason=reason,
        snapshot={
            "title": work.title,
            "summary": work.summary,
            "notes": work.notes,
            "end_notes": work.end_notes,
            "language": work.language,
            "complete": work.complete,
            "expected_chapters": work.expected_chapters,
            "published": work.published.isoformat(),
            "updated": work.updated.isoformat(),
            "source_url": work.source_url,
            "creators": work.creator_names(),
            "tags": [[tag.type, tag.name] for tag in work.tags.all()],
            "series": [
                [entry.series.title, entry.position]
                for entry in work.series_entries.select_related("series")
            ],
            "chapters": [
                {
                    "position": c.position,
                    "title": c.title,
                    "summary": c.summary,
                    "notes": c.notes,
                    "end_notes": c.end_notes,
                    "published": c.published.isoformat() if c.published else None,
                    "body": c.body,
                }
                for c in work.chapters.order_by("position")
            ],
        },
    )
