"""PostgreSQL's search documents. The tables are made on every database (so deletes
cascade alike); their GIN indexes only on PostgreSQL, which is the only one to fill them
and the only one that has GIN."""

import django.db.models.deletion
from django.db import migrations, models

import fanarchive.search.models

GIN_INDEXES = {
    "workdocument": fanarchive.search.models.GinIndex(
        fields=["document"], name="search_workdoc_gin"
    ),
    "chapterdocument": fanarchive.search.models.GinIndex(
        fields=["document"], name="search_chapterdoc_gin"
    ),
}


def add_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name, index in GIN_INDEXES.items():
            schema_editor.add_index(apps.get_model("search", model_name), index)


def remove_gin_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model_name, index in GIN_INDEXES.items():
            schema_editor.remove_index(apps.get_model("search", model_name), index)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("works", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkDocument",
            fields=[
                (
                    "work",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="works.work",
                    ),
                ),
                ("document", fanarchive.search.models.SearchVectorField()),
            ],
        ),
        migrations.CreateModel(
            name="ChapterDocument",
            fields=[
                (
                    "chapter",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="works.chapter",
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("document", fanarchive.search.models.SearchVectorField()),
                (
                    "work",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chapter_search_documents",
                        to="works.work",
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name=model_name, index=index)
                for model_name, index in GIN_INDEXES.items()
            ],
            database_operations=[migrations.RunPython(add_gin_indexes, remove_gin_indexes)],
        ),
    ]
