"""The operators' admin for works, chapters, creators and series.

Story HTML typed into the admin is sanitised on save, as an import's is, so every
stored HTML field stays safe to render as is.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from fanarchive.lib.html import clean_story_html, sanitize
from fanarchive.lib.wordcount import count_html_words
from fanarchive.search.indexing import index_works
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag
from fanarchive.works.models import (
    Chapter,
    Creator,
    CreatorContact,
    Series,
    SeriesWork,
    Work,
    WorkCreator,
    WorkRevision,
    WorkTag,
)

HTML_FIELDS = ("summary", "notes", "end_notes")


class ChapterInline(admin.TabularInline):
    """Chapters listed on their work; their text is edited on the chapter's own page."""

    model = Chapter
    fields = ("position", "title", "word_count", "published")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Work | None = None) -> bool:
        return False


class WorkCreatorInline(admin.TabularInline):
    model = WorkCreator
    autocomplete_fields = ("creator",)
    extra = 0


class WorkTagInline(admin.TabularInline):
    model = WorkTag
    autocomplete_fields = ("tag",)
    extra = 0
    verbose_name = "tag"


class SeriesWorkInline(admin.TabularInline):
    model = SeriesWork
    autocomplete_fields = ("series",)
    extra = 0
    verbose_name = "series entry"
    verbose_name_plural = "series"


class SeriesEntryInline(admin.TabularInline):
    model = SeriesWork
    autocomplete_fields = ("work",)
    extra = 0
    verbose_name = "work"
    verbose_name_plural = "works"


class SuggestedTagInline(admin.TabularInline):
    """What fanarchive suggests from the text; decided from the suggestions' own list."""

    model = SuggestedTag
    fields = ("tag", "confidence", "status", "decided_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "suggested tag"

    def has_add_permission(self, request: HttpRequest, obj: Work | None = None) -> bool:
        return False


class RatingReviewFilter(admin.SimpleListFilter):
    title = "rating review"
    parameter_name = "rating_review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("needed", "Needs rating review")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> QuerySet[Work]:
        return queryset.needing_rating_review() if self.value() == "needed" else queryset


def pretty_json(value: object) -> str:
    """Stored JSON for reading: indented, non-ASCII as written, escaped."""
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("title", "creator_list", "rating", "updated", "posted", "hidden_by_admin")
    list_filter = ("posted", "hidden_by_admin", "restricted", RatingReviewFilter)
    search_fields = ("title",)
    date_hierarchy = "updated"
    ordering = ("-updated", "-id")
    readonly_fields = ("word_count", "posted_chapters", "created", "modified")
    fieldsets = (
        (None, {"fields": ("title", "summary", "notes", "end_notes", "language")}),
        (
            "Visibility",
            {"fields": ("posted", "restricted", "hidden_by_admin")},
        ),
        (
            "Chapters and dates",
            {
                "fields": (
                    ("posted_chapters", "expected_chapters", "complete"),
                    "word_count",
                    ("published", "updated"),
                )
            },
        ),
        (
            "Source and counts",
            {"fields": ("source_url", ("hits", "kudos", "bookmarks", "comments"))},
        ),
        ("Record", {"fields": ("created", "modified")}),
    )
    inlines = (
        WorkCreatorInline,
        WorkTagInline,
        SuggestedTagInline,
        SeriesWorkInline,
        ChapterInline,
    )
    actions = ("hide", "unhide")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Work]:
        return super().get_queryset(request).prefetch_related("tags", "creator_links__creator")

    @admin.display(description="creators")
    def creator_list(self, work: Work) -> str:
        return ", ".join(link.creator.name for link in work.creator_links.all())

    @admin.display(description="rating")
    def rating(self, work: Work) -> str:
        return work.rating

    def save_model(self, request: HttpRequest, obj: Work, form: object, change: bool) -> None:
        for name in HTML_FIELDS:
            setattr(obj, name, sanitize(getattr(obj, name)))
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Tags changed in the inline change what filters find the work under."""
        super().save_related(request, form, formsets, change)
        refresh_work_filters([form.instance.pk])

    @admin.action(description="Hide (take down) selected works")
    def hide(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        count = queryset.update(hidden_by_admin=True)
        self.message_user(request, f"Hid {count} work(s) from readers.", messages.SUCCESS)

    @admin.action(description="Unhide selected works")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        count = queryset.update(hidden_by_admin=False)
        self.message_user(request, f"Unhid {count} work(s).", messages.SUCCESS)


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "work", "position", "word_count", "published")
    list_select_related = ("work",)
    search_fields = ("title", "work__title")
    autocomplete_fields = ("work",)
    readonly_fields = ("word_count",)
    fields = ("work", "position", "title", "published", "summary", "notes", "body", "end_notes")

    def save_model(self, request: HttpRequest, obj: Chapter, form: object, change: bool) -> None:
        """Sanitise and number the text as an import does, and recount the words."""
        for name in HTML_FIELDS:
            setattr(obj, name, sanitize(getattr(obj, name)))
        obj.body = clean_story_html(obj.body)
        obj.word_count = count_html_words(obj.body)
        super().save_model(request, obj, form, change)
        obj.work.recount()
        index_works([obj.work_id])

    def delete_model(self, request: HttpRequest, obj: Chapter) -> None:
        super().delete_model(request, obj)
        obj.work.recount()
        index_works([obj.work_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Chapter]) -> None:
        works = list(Work.objects.filter(chapters__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for work in works:
            work.recount()
        index_works([work.pk for work in works])


class CreatorContactInline(admin.StackedInline):
    model = CreatorContact
    can_delete = True
    extra = 0


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ("name", "user")
    search_fields = ("name",)
    autocomplete_fields = ("user",)
    inlines = (CreatorContactInline,)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("title",)
    search_fields = ("title",)
    inlines = (SeriesEntryInline,)


@admin.register(WorkRevision)
class WorkRevisionAdmin(admin.ModelAdmin):
    """What an update replaced: kept, never edited."""

    list_display = ("work", "created", "reason")
    list_select_related = ("work",)
    search_fields = ("work__title", "reason")
    fields = ("work", "created", "reason", "snapshot_json")
    readonly_fields = fields

    @admin.display(description="snapshot")
    def snapshot_json(self, revision: WorkRevision) -> str:
        return pretty_json(revision.snapshot)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
