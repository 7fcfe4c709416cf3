"""Tag wrangling for operators: types, canonical tags and synonyms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from fanarchive.tags.models import FIXED_TAGS, Tag


def is_fixed(tag: Tag | None) -> bool:
    """AO3's ratings, warnings and categories: the adult gate and the listings rely
    on their names, so they are never renamed, retyped, merged or deleted."""
    return tag is not None and tag.name in FIXED_TAGS.get(tag.type, [])


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


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ("name", "type", "canonical", "merger", "work_count")
    list_filter = ("type", "canonical")
    list_select_related = ("merger",)
    search_fields = ("name",)
    autocomplete_fields = ("merger",)
    ordering = ("type", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(work_total=Count("taggings"))

    @admin.display(description="works", ordering="work_total")
    def work_count(self, tag: Tag) -> int:
        return tag.work_total  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> list[str]:
        return ["type", "name", "canonical", "merger"] if is_fixed(obj) else []

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return not is_fixed(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Tag, form: TagForm, change: bool) -> None:
        merger = obj.merger
        if merger is None:
            super().save_model(request, obj, form, change)
            return
        # Through the model's rule, so the tag's own synonyms follow it to `merger`.
        obj.merger = None
        super().save_model(request, obj, form, change)
        obj.make_synonym_of(merger)
