"""What the API answers and takes, as pydantic models: the OpenAPI schema is made from
these. Work fields are named as `fanarchive import --json` names them
(works/serialize.py)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from fanarchive.tags.constants import ARCHIVE_WARNINGS, CATEGORIES, RATINGS
from fanarchive.tags.models import TagType

Rating = Literal[*RATINGS]  # type: ignore[valid-type]
Warning = Literal[*ARCHIVE_WARNINGS]  # type: ignore[valid-type]
Category = Literal[*CATEGORIES]  # type: ignore[valid-type]
TagTypeName = Literal[*TagType.values]  # type: ignore[valid-type]


class SeriesEntry(Schema):
    title: str
    position: int


class Download(Schema):
    format: str
    label: str
    media_type: str
    url: str


class WorkFields(Schema):
    """What every answer about a work holds, named as `fanarchive import --json` names
    it."""

    work_id: int
    title: str
    creators: list[str]
    rating: str
    warnings: list[str]
    category: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    freeforms: list[str]
    summary: str
    language: str
    series: list[SeriesEntry]
    complete: bool
    published: str
    updated: str
    words: int
    chapters: int
    adult: bool
    url: str


class WorkSummary(WorkFields):
    """A work as a listing shows it: everything but its notes, which sit behind the
    adult gate."""

    expected_chapters: int | None


class WorkHit(WorkSummary):
    snippet: str | None = Field(
        description="HTML: the text around the match, escaped, with <mark> around each "
        "match. Text of an adult work only with consent (view_adult=true)."
    )
    chapter: int | None = Field(description="The position of the chapter the snippet is from.")
    paragraph: int | None = Field(description="Its paragraph: the chapter body's id p<n>.")


class WorkPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    next: str | None
    previous: str | None
    results: list[WorkHit]


class WorkDetail(WorkFields):
    """`fanarchive import --json`'s fields, with links. `notes` is null for an adult
    work the reader has not agreed to see (`gated`)."""

    notes: str | None
    source_url: str | None
    imported_from: str | None
    original_location: str | None
    gated: bool
    chapters_url: str
    downloads: list[Download]


class ChapterEntry(Schema):
    position: int
    title: str | None = Field(description="Null for an adult work before consent.")
    words: int
    url: str


class ChapterIndex(Schema):
    work_id: int
    gated: bool
    chapters: list[ChapterEntry]


class ChapterOut(Schema):
    work_id: int
    position: int
    title: str
    summary: str
    notes: str
    end_notes: str
    body: str = Field(description="Sanitised HTML; every paragraph has an id p<n>.")
    words: int
    url: str


class TagRef(Schema):
    id: int
    type: str
    name: str
    url: str


class TagOut(TagRef):
    canonical: bool


class TagListPage(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    next: str | None
    previous: str | None
    results: list[TagOut]


class TagDetail(TagOut):
    merger: TagRef | None = Field(description="The canonical tag this one is a synonym of.")
    synonyms: list[TagRef]
    meta_tags: list[TagRef]
    sub_tags: list[TagRef]
    parents: list[TagRef]
    children: list[TagRef]
    works: int = Field(description="Works you may see that a filter on this tag finds.")
    works_url: str


class FandomCount(Schema):
    tag: TagRef
    works: int


class FandomList(Schema):
    results: list[FandomCount]


class ChapterIn(Schema):
    title: str = Field("", max_length=1000)
    body: str = Field(min_length=1, description="HTML; sanitised on the way in.")
    summary: str = ""
    notes: str = ""
    end_notes: str = ""


class WorkIn(Schema):
    title: str = Field(min_length=1, max_length=1000)
    creators: list[str] = Field(default_factory=list, max_length=50)
    rating: Rating | None = None
    warnings: list[Warning] = Field(default_factory=list)
    category: list[Category] = Field(default_factory=list)
    fandoms: list[str] = Field(default_factory=list, max_length=100)
    relationships: list[str] = Field(default_factory=list, max_length=200)
    characters: list[str] = Field(default_factory=list, max_length=200)
    freeforms: list[str] = Field(default_factory=list, max_length=500)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    language: str = Field("", max_length=35)
    complete: bool | None = None
    source_url: str = Field("", max_length=2000)
    chapters: list[ChapterIn] = Field(min_length=1, max_length=5000)


class Outcome(Schema):
    """One work of an import, as `fanarchive import --json` prints it: the work's fields
    (all null or empty when it failed), its status, and why."""

    file: str
    status: Literal["imported", "updated", "unchanged", "duplicate", "failed"]
    work_id: int | None
    title: str | None
    creators: list[str]
    rating: str | None
    warnings: list[str]
    category: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    freeforms: list[str]
    summary: str | None
    notes: str | None
    language: str | None
    series: list[SeriesEntry]
    complete: bool | None
    published: str | None
    updated: str | None
    source_url: str | None
    imported_from: str | None
    original_location: str | None
    words: int | None
    chapters: int | None
    duplicate_of: int | None
    error: str | None


class ImportOut(Schema):
    results: list[Outcome]
