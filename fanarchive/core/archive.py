"""Finding and creating the archive the commands work on."""

from typing import Protocol

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def describe_location() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"data directory {settings.DATA_DIR}"
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    return f"data directory {settings.DATA_DIR}, database {database['NAME']} on {vendor}"


def is_empty_database() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    return not connection.introspection.table_names()


def pending_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def ensure_archive(stderr: Writable) -> None:
    """Say where the archive lives; create it if the database is empty.

    An existing database with pending migrations is left alone: upgrading is the
    operator's decision (`fanarchive migrate`), not a side effect of an import.
    """
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    stderr.write(f"fanarchive: {describe_location()}\n")
    if is_empty_database():
        call_command("migrate", interactive=False, verbosity=0)
        stderr.write("fanarchive: created a new empty archive\n")
    elif pending := pending_migrations():
        stderr.write(
            f"fanarchive: the database needs {len(pending)} migration(s); "
            "run `fanarchive migrate`\n"
        )
