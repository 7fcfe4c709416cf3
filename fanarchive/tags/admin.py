"""Tag wrangling for operators: types, canonical tags and synonyms, meta tags and
parents, and the tags fanarchive suggests from works' text. Every change goes through
the tag model and fanarchive.tags.suggestions, so filters follow it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from fanarchive.tags import suggestions
from fanarchive.tags.filtering import works_moved_by
from fanarchive.tags.forms import is_fixed
from fanarchive.tags.models import SuggestedTag, SuggestionStatus, Tag
from fanarchive.tags.tasks import refresh_filters_for_tags, refresh_filters_for_works

__all__ = ["SuggestedTagAdmin", "TagAdmin", "TagForm", "is_fixed"]


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ("type", "name", "canonical", "merger")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        merger: Tag | None = cleaned.get("merger")
        if merger is not None:
            if merger.type != cleaned.get("type", self.instance.type):
                self.add_error("merger", "A tag can only be a synonym of a tag of its own type.")
            elif merger.pk == self.instance.pk or merger.merger_id == self.instance.pk:
                self.add_error("merger", "A tag cannot be a synonym of itself.")
            elif cleaned.get("canonical"):
                self.add_error("canonical", "A synonym cannot be canonical.")
        return cleaned


class WranglingFilter(admin.SimpleListFilter):
    title = "wrangling"
    parameter_name = "wrangling"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("unwrangled", "Unwrangled"), ("canonical", "Canonical"), ("synonym", "Synonym")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> QuerySet[Tag]:
        match self.value():
            case "unwrangled":
                return queryset.filter(canonical=False, merger__isnull=True)
            case "canonical":
                return queryset.filter(canonical=True)
            case "synonym":
                return queryset.filter(merger__isnull=False)
        return queryset


def tag_links(tags: QuerySet[Tag]) -> str:
    """Tags as links to their admin pages, one a line; "-" for none."""
    links = format_html_join(
        "",
        '<li><a href="{}">{}</a> ({})</li>',
        (
            (reverse("admin:tags_tag_change", args=[tag.pk]), tag.name, tag.type_label)
            for tag in tags.order_by("type", "name")
        ),
    )
    return format_html("<ul>{}</ul>", links) if links else "-"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ("name", "type", "canonical", "merger", "work_count")
    list_filter = ("type", "canonical", WranglingFilter)
    list_select_related = ("merger",)
    search_fields = ("name",)
    autocomplete_fields = ("merger",)
    ordering = ("type", "name")
    relations = ("meta_tag_list", "sub_tag_list", "parent_list", "child_list")
    fieldsets = (
        (None, {"fields": ("type", "name", "canonical", "merger")}),
        (
            "Meta tags and parents",
            {
                "fields": relations,
                "description": "Changed from the tag's page on the site, or with "
                "`fanarchive tags meta` and `fanarchive tags parent`.",
            },
        ),
    )
    actions = ("make_canonical",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(work_total=Count("taggings"))

    # A deleted tag takes its taggings, synonym links and meta links with it: the works
    # it moved need their filter rows and crossover flags rebuilt, found before it goes.
    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        work_ids = sorted(works_moved_by([obj.pk]))
        super().delete_model(request, obj)
        refresh_filters_for_works.enqueue(work_ids=work_ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        work_ids = sorted(works_moved_by(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)
        refresh_filters_for_works.enqueue(work_ids=work_ids)

    @admin.display(description="works", ordering="work_total")
    def work_count(self, tag: Tag) -> int:
        return tag.work_total  # type: ignore[attr-defined]

    @admin.display(description="meta tags")
    def meta_tag_list(self, tag: Tag) -> str:
        return tag_links(tag.meta_tags.all()) if tag.pk else "-"

    @admin.display(description="sub tags")
    def sub_tag_list(self, tag: Tag) -> str:
        return tag_links(tag.sub_tags.all()) if tag.pk else "-"

    @admin.display(description="parents")
    def parent_list(self, tag: Tag) -> str:
        return tag_links(tag.parents.all()) if tag.pk else "-"

    @admin.display(description="children")
    def child_list(self, tag: Tag) -> str:
        return tag_links(tag.children.all()) if tag.pk else "-"

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> list[str]:
        fixed = ["type", "name", "canonical", "merger"] if is_fixed(obj) else []
        return [*fixed, *self.relations]

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return not is_fixed(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Tag, form: TagForm, change: bool) -> None:
        merger = obj.merger
        if merger is None:
            super().save_model(request, obj, form, change)
            if change and "merger" in form.changed_data:
                # No longer a synonym: its works leave the canonical tag's filters.
                refresh_filters_for_tags.enqueue(tag_ids=[obj.pk, form.initial["merger"]])
            return
        # Through the model's rule, so the tag's own synonyms, parents and meta tags
        # follow it to `merger`, and filters with them.
        obj.merger = None
        super().save_model(request, obj, form, change)
        obj.make_synonym_of(merger)

    @admin.action(description="Make canonical", permissions=["change"])
    def make_canonical(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        count = 0
        for tag in queryset.filter(canonical=False):
            tag.make_canonical()
            count += 1
        self.message_user(request, f"Made {count} tag(s) canonical.", messages.SUCCESS)


@admin.register(SuggestedTag)
class SuggestedTagAdmin(admin.ModelAdmin):
    """Suggestions are made by reading works and decided by accepting or rejecting
    them, never by editing."""

    list_display = ("work", "tag", "tag_type", "confidence_percent", "status")
    list_filter = ("status", "tag__type")
    list_select_related = ("work", "tag")
    search_fields = ("tag__name", "work__title")
    ordering = ("-confidence", "pk")
    fields = (
        "work",
        "tag",
        "confidence_percent",
        "status",
        "evidence_list",
        "created",
        "decided",
        "decided_by",
    )
    readonly_fields = fields
    actions = ("accept_selected", "reject_selected")

    @admin.display(description="type", ordering="tag__type")
    def tag_type(self, suggestion: SuggestedTag) -> str:
        return suggestion.tag.type_label

    @admin.display(description="confidence", ordering="confidence")
    def confidence_percent(self, suggestion: SuggestedTag) -> str:
        return f"{suggestion.confidence:.0%}"

    @admin.display(description="evidence")
    def evidence_list(self, suggestion: SuggestedTag) -> str:
        sentences = format_html_join("", "<li>{}</li>", ((str(s),) for s in suggestion.evidence))
        return format_html("<ul>{}</ul>", sentences) if sentences else "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Accept selected suggestions", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[SuggestedTag]) -> None:
        count = self._decide(request, queryset, SuggestionStatus.ACCEPTED)
        self.message_user(request, f"Accepted {count} suggestion(s).", messages.SUCCESS)

    @admin.action(description="Reject selected suggestions", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[SuggestedTag]) -> None:
        count = self._decide(request, queryset, SuggestionStatus.REJECTED)
        self.message_user(request, f"Rejected {count} suggestion(s).", messages.SUCCESS)

    def _decide(self, request: HttpRequest, queryset: QuerySet[SuggestedTag], status: str) -> int:
        decide = suggestions.accept if status == SuggestionStatus.ACCEPTED else suggestions.reject
        undecided = queryset.exclude(status=status).select_related("work", "tag")
        count = 0
        for suggestion in undecided:
            decide(suggestion, request.user)
            count += 1
        return count

    def delete_model(self, request: HttpRequest, obj: SuggestedTag) -> None:
        super().delete_model(request, obj)
        refresh_filters_for_works.enqueue(work_ids=[obj.work_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SuggestedTag]) -> None:
        work_ids = sorted(set(queryset.values_list("work_id", flat=True)))
        super().delete_queryset(request, queryset)
        refresh_filters_for_works.enqueue(work_ids=work_ids)
