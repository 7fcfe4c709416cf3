import sys
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save


def _ensure_sqlite_triggers(using: str, **kwargs: Any) -> None:
    # Django rebuilds a SQLite table for many schema changes, dropping its triggers; a
    # later works migration must not silently stop deletes from reaching the index.
    connection = connections[using]
    if connection.vendor == "sqlite":
        from fanarchive.search.engines.sqlite import ensure_triggers

        ensure_triggers(connection)


def _index_existing_works(using: str, verbosity: int = 1, **kwargs: Any) -> None:
    # An archive that had works before the search app arrived (an upgrade) would find
    # nothing until someone thought of `fanarchive reindex`; build the index now.
    from fanarchive.search.indexing import rebuild, unindexed_works_exist

    if using != "default" or not unindexed_works_exist(using):
        return
    if verbosity:
        sys.stderr.write("fanarchive: indexing existing works for search\n")
    rebuild()


def _note_work_changed(instance: Any, **kwargs: Any) -> None:
    from fanarchive.search.columns import note_changed

    note_changed([instance.pk])


class SearchConfig(AppConfig):
    name = "fanarchive.search"
    label = "search"

    def ready(self) -> None:
        post_migrate.connect(_ensure_sqlite_triggers, sender=self)
        post_migrate.connect(_index_existing_works, sender=self)
        post_save.connect(_note_work_changed, sender="works.Work")
        post_delete.connect(_note_work_changed, sender="works.Work")
