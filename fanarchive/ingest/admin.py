"""Provenance in the admin: what each import read, for reading only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fanarchive.ingest.models import Provenance
from fanarchive.works.admin import pretty_json


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ("file_name", "work", "importer", "importer_version", "imported")
    list_filter = ("importer",)
    list_select_related = ("work",)
    search_fields = ("file_name", "source_path", "content_hash", "work__title")
    date_hierarchy = "imported"
    fields = (
        "work",
        "source_path",
        "file_name",
        "content_hash",
        "importer",
        "importer_version",
        "imported",
        "fields_json",
    )
    readonly_fields = fields

    @admin.display(description="header fields")
    def fields_json(self, provenance: Provenance) -> str:
        return pretty_json(provenance.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Provenance | None = None) -> bool:
        return False
