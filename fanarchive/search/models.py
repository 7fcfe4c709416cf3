"""PostgreSQL's search documents. SQLite keeps its documents in FTS5 tables instead
(created by migration 0002, see engines/sqlite.py).

The tables exist on every database, so deleting a work or chapter cascades the same way
everywhere; only PostgreSQL fills them. Their GIN indexes are created on PostgreSQL only
(migration 0001).
"""

from __future__ import annotations

from typing import Any

from django.db import models


# django.contrib.postgres has both of these, but its system checks then demand the app in
# INSTALLED_APPS, which SQLite installs have no use for. These are the few lines needed.
class SearchVectorField(models.Field):
    """A PostgreSQL tsvector column (SQLite accepts the type name and never fills it)."""

    description = "PostgreSQL text search vector"

    def db_type(self, connection: Any) -> str:
        return "tsvector"


class GinIndex(models.Index):
    """A GIN index (PostgreSQL only: migrations create it there alone)."""

    suffix = "gin"

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        return super().create_sql(model, schema_editor, using=" USING gin", **kwargs)


class WorkDocument(models.Model):
    """A work's metadata as one tsvector: title (weight A), creators (B), tags (C),
    summary (D)."""

    work = models.OneToOneField(
        "works.Work", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="search_workdoc_gin")]

    def __str__(self) -> str:
        return f"search document of work {self.work_id}"


class ChapterDocument(models.Model):
    """A chapter's text as a tsvector (no weights)."""

    chapter = models.OneToOneField(
        "works.Chapter",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    work = models.ForeignKey(
        "works.Work", on_delete=models.CASCADE, related_name="chapter_search_documents"
    )
    position = models.PositiveIntegerField()
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="search_chapterdoc_gin")]

    def __str__(self) -> str:
        return f"search document of chapter {self.chapter_id}"


class WorkChange(models.Model):
    """A note that a work's listing data (its filter tags, counters, dates, flags) may
    have changed, so every process's in-memory columns (search/columns.py) catch up by
    reading the works named since the last note they saw, not the whole archive.

    `batch` is random per write: a process that remembers note N with another batch
    than the database now holds knows its history was rolled back or pruned, and
    rebuilds. Not a foreign key: a deleted work's note must outlive the work."""

    id = models.BigAutoField(primary_key=True)
    work_id = models.BigIntegerField()
    batch = models.BigIntegerField()

    def __str__(self) -> str:
        return f"work {self.work_id} changed (note {self.id})"
