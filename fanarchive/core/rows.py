"""Plain rows into a table, many at once: for the import's big row sets, where building
and compiling a model instance a row cost several times what the database took to
store it. Values are converted by their fields as a model's save would convert them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

# Field types whose Python values (int, str, bool; an id for a foreign key) the database
# drivers store as they are.
_STORED_AS_GIVEN = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "TextField",
    }
)


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows of these fields' values (a foreign key's given as the id) with one
    statement run for them all. Values go through their field's conversion to the
    database's form, as a model's save would, except plain numbers and text, which
    need none."""
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in names]
    # A field left out would get no default (Django sets defaults, not the database).
    generated = {meta.auto_field.name} if meta.auto_field else set()
    if left_out := {f.name for f in meta.concrete_fields} - {*names, *generated}:
        raise ValueError(f"{model.__name__} rows without {', '.join(sorted(left_out))}")
    convert = [
        None if f.get_internal_type() in _STORED_AS_GIVEN else f.get_db_prep_save for f in columns
    ]
    if any(convert):
        rows = [
            tuple(
                value if to_db is None else to_db(value, connection)
                for value, to_db in zip(row, convert, strict=True)
            )
            for row in rows
        ]
    # Table and column names come from the model's meta; every value is a parameter.
    table, names_sql = quote(meta.db_table), ", ".join(quote(f.column) for f in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg's executemany sends a statement a row, several times slower.
            with cursor.cursor.copy(f"COPY {table} ({names_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names_sql}) VALUES ({values})", rows)  # noqa: S608
