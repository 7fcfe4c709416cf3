"""The full-text machinery of each engine; one set of migrations serves both databases.

SQLite: the FTS5 tables (which store their text, for highlight()) and the triggers that
drop a deleted work's or chapter's rows. PostgreSQL: the text search configuration
`fanarchive`, English stemming with unaccent in front for words with non-ASCII letters.
"""

from django.db import migrations

TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"

SQLITE_FORWARDS = [
    f"CREATE VIRTUAL TABLE search_work_fts USING fts5(title, creators, summary, tags, {TOKENIZE})",
    "CREATE VIRTUAL TABLE search_chapter_fts USING fts5("
    f"body, work_id UNINDEXED, position UNINDEXED, {TOKENIZE})",
    "CREATE TRIGGER IF NOT EXISTS search_work_fts_delete AFTER DELETE ON works_work "
    "BEGIN DELETE FROM search_work_fts WHERE rowid = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_chapter_fts_delete AFTER DELETE ON works_chapter "
    "BEGIN DELETE FROM search_chapter_fts WHERE rowid = OLD.id; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS search_chapter_fts_delete",
    "DROP TRIGGER IF EXISTS search_work_fts_delete",
    "DROP TABLE IF EXISTS search_chapter_fts",
    "DROP TABLE IF EXISTS search_work_fts",
]
POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM pg_ts_config
            WHERE cfgname = 'fanarchive' AND cfgnamespace = current_schema()::regnamespace
        ) THEN
            CREATE TEXT SEARCH CONFIGURATION fanarchive (COPY = english);
        END IF;
    END $$
    """,
    "ALTER TEXT SEARCH CONFIGURATION fanarchive "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
]
# The unaccent extension stays: other things may use it.
POSTGRES_BACKWARDS = ["DROP TEXT SEARCH CONFIGURATION IF EXISTS fanarchive"]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARDS, SQLITE_BACKWARDS),
    "postgresql": (POSTGRES_FORWARDS, POSTGRES_BACKWARDS),
}


def _run(schema_editor, direction):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[direction]:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, 0)


def backwards(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("works", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
