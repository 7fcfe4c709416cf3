from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_sqlite_triggers(using: str, **kwargs: Any) -> None:
    # Django rebuilds a SQLite table for many schema changes, dropping its triggers; a
    # later works migration must not silently stop deletes from reaching the index.
    connection = connections[using]
    if connection.vendor == "sqlite":
        from fanarchive.search.engines.sqlite import ensure_triggers

        ensure_triggers(connection)


class SearchConfig(AppConfig):
    name = "fanarchive.search"
    label = "search"

    def ready(self) -> None:
        post_migrate.connect(_ensure_sqlite_triggers, sender=self)
