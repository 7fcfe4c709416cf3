"""Works built straight through the ORM, shaped as the writer stores them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model

from fanarchive.lib.html import clean_story_html, sanitize
from fanarchive.lib.wordcount import count_html_words
from fanarchive.tags.constants import GENERAL, NO_WARNINGS
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import (
    Chapter,
    Creator,
    Series,
    SeriesWork,
    Work,
    WorkCreator,
    WorkTag,
)


def make_tag(tag_type: str, name: str, *, synonym_of: Tag | None = None) -> Tag:
    tag, _ = Tag.objects.get_or_create(type=tag_type, name=name)
    if synonym_of is not None:
        tag.make_synonym_of(synonym_of)
    return tag


def make_work(
    title: str = "A Quiet Library",
    *,
    creators: Sequence[str] = ("quillandlamp",),
    rating: str | None = GENERAL,
    warnings: Sequence[str] = (NO_WARNINGS,),
    categories: Sequence[str] = ("Gen",),
    fandoms: Sequence[str] = ("Buffy the Vampire Slayer",),
    relationships: Sequence[str] = (),
    characters: Sequence[str] = (),
    freeforms: Sequence[str] = (),
    chapters: Sequence[str | dict[str, object]] = ("<p>The library was quiet.</p>",),
    series: Iterable[tuple[str, int]] = (),
    summary: str = "",
    notes: str = "",
    end_notes: str = "",
    updated: datetime.date | None = None,
    published: datetime.date | None = None,
    expected_chapters: int | None = -1,
    **fields: object,
) -> Work:
    """A posted work with its tags, creators, chapters and series.

    `rating=None` leaves the work unrated. A chapter is its body HTML, or a dict of
    Chapter fields with a `body`; bodies go through `clean_story_html` as the writer's
    do, so paragraphs get ids p1, p2, ... `expected_chapters` defaults to the number of
    chapters (pass None for "?").
    """
    published = published or datetime.date(2024, 1, 1)
    work = Work.objects.create(
        title=title,
        summary=sanitize(summary),
        notes=sanitize(notes),
        end_notes=sanitize(end_notes),
        published=published,
        updated=updated or published,
        expected_chapters=len(chapters) if expected_chapters == -1 else expected_chapters,
        posted_chapters=len(chapters),
        **fields,
    )
    for position, name in enumerate(creators, start=1):
        creator, _ = Creator.objects.get_or_create(name=name)
        WorkCreator.objects.create(work=work, creator=creator, position=position)
    names = {
        TagType.RATING: [rating] if rating else [],
        TagType.WARNING: warnings,
        TagType.CATEGORY: categories,
        TagType.FANDOM: fandoms,
        TagType.RELATIONSHIP: relationships,
        TagType.CHARACTER: characters,
        TagType.FREEFORM: freeforms,
    }
    tag_work(work, *(make_tag(t, name) for t, tag_names in names.items() for name in tag_names))
    for chapter in chapters:
        add_chapter(work, **({"body": chapter} if isinstance(chapter, str) else chapter))
    for series_title, position in series:
        in_series, _ = Series.objects.get_or_create(title=series_title)
        SeriesWork.objects.create(series=in_series, work=work, position=position)
    work.word_count = sum(work.chapters.values_list("word_count", flat=True))
    work.save(update_fields=["word_count"])
    return work


def add_chapter(work: Work, body: str, **fields: object) -> Chapter:
    """The work's next chapter. Summary and notes are sanitised, as the writer's are."""
    for name in ("summary", "notes", "end_notes"):
        if name in fields:
            fields[name] = sanitize(str(fields[name]))
    body = clean_story_html(body)
    return Chapter.objects.create(
        work=work,
        position=fields.pop("position", None) or work.chapters.count() + 1,
        body=body,
        word_count=count_html_words(body),
        **fields,
    )


def tag_work(work: Work, *tags: Tag) -> None:
    WorkTag.objects.bulk_create([WorkTag(work=work, tag=tag) for tag in tags])
    refresh_work_filters([work.pk])


def make_user(username: str = "reader", **fields: object):
    return get_user_model().objects.create_user(username=username, password="pw", **fields)
