"""`fanarchive import-efiction`: a whole eFiction archive, from a dump or a live database.

What lands where is in fanarchive/ingest/efiction.py and docs/cli.md. Exit codes as for
`fanarchive import`: 0 when every story was stored (or found unchanged or a duplicate),
1 when a story failed or the dump or database could not be read, 2 for bad usage
(nothing was read), 130 when interrupted.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql
import pymysql.cursors
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.ingest.efiction import Archive, ArchiveError, DatabaseTables, DumpTables, Story
from fanarchive.ingest.reading import ReadFile, prepare
from fanarchive.ingest.report import add_import_options, report_and_exit, report_of
from fanarchive.ingest.run import Outcome, import_read_files
from fanarchive.lib.sqldump import SqlDumpError

_SCHEMES = ("mysql", "mariadb", "mysql+pymysql")
DRAFT_NOTE = "not validated on its archive: kept as a draft"


class Command(BaseCommand):
    help = (
        "Import a whole eFiction 3.5 archive: from a MySQL/MariaDB dump (DUMP.sql) or a "
        "live database (--database mysql://user:pass@host:port/db), with the chapter "
        "files of its stories/ folder (--stories DIR)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", nargs="?", type=Path, metavar="DUMP.sql")
        parser.add_argument(
            "--database", metavar="URL", help="read a live database: mysql://user:pass@host:port/db"
        )
        parser.add_argument(
            "--stories",
            type=Path,
            metavar="DIR",
            help="the archive's stories folder (chapters in <uid>/<chapid>.txt files)",
        )
        parser.add_argument(
            "--prefix", metavar="P", help="the table prefix (found when there is only one)"
        )
        parser.add_argument(
            "--encoding",
            metavar="E",
            help="the dump's encoding (default: as it says, else UTF-8 with cp1252 for "
            "values that are not UTF-8)",
        )
        parser.add_argument(
            "--archive-name",
            metavar="NAME",
            help='the archive\'s name, shown as "Imported from NAME" (default: its site '
            "name, else the dump's or database's name)",
        )
        add_import_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        dump: Path | None = options["dump"]
        url: str | None = options["database"]
        # Exit code 2 for all of these: bad usage, nothing was read.
        if (dump is None) == (url is None):
            raise CommandError(
                "give either a dump file or --database mysql://user:pass@host:port/db",
                returncode=2,
            )
        stories: Path | None = options["stories"]
        if stories is not None and not stories.is_dir():
            raise CommandError(f"no such directory: {stories}", returncode=2)
        report = report_of(options)
        encoding: str | None = options["encoding"]
        if encoding is not None:
            if url is not None:
                raise CommandError("--encoding is for dumps; a database says its own", returncode=2)
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise CommandError(f"unknown encoding: {encoding}", returncode=2) from None

        if dump is not None:
            tables, label, source, default_name = _open_dump(dump, encoding, options["prefix"])
        else:
            assert url is not None
            tables, label, source, default_name = _open_database(url)
        try:
            try:
                archive = Archive(
                    tables,
                    label=label,
                    source=source,
                    default_name=default_name,
                    prefix=options["prefix"],
                    stories_dir=stories,
                    archive_name=options["archive_name"],
                )
            except ArchiveError as error:
                raise CommandError(f"{label}: {error}", returncode=2) from None
            ensure_archive(self.stderr)
            drafts: set[str] = set()
            read = (_read(story, drafts) for story in archive.stories())
            written = import_read_files(
                read, force=options["force"], keep_duplicates=options["keep_duplicates"]
            )
            try:
                report_and_exit(self, _keep_drafts(written, drafts), options, report=report)
            except pymysql.MySQLError as error:
                raise CommandError(f"{label}: reading the database failed: {error}") from None
        finally:
            tables.close()


def _open_dump(
    dump: Path, encoding: str | None, prefix: str | None
) -> tuple[DumpTables, str, str, str]:
    if not dump.exists():
        raise CommandError(f"no such file: {dump}", returncode=2)
    if not dump.is_file():
        raise CommandError(f"not a file: {dump}", returncode=2)
    try:
        tables = DumpTables(dump, encoding=encoding, prefix=prefix)
    except SqlDumpError as error:
        # The whole dump is read before anything is written: the archive is untouched.
        raise CommandError(f"{dump}: {error}; nothing was imported") from None
    except OSError as error:
        raise CommandError(f"{dump}: {error.strerror or error}") from None
    return tables, str(dump), str(dump.resolve()), dump.stem


def _open_database(url: str) -> tuple[DatabaseTables, str, str, str]:
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise CommandError(
            f"not a MySQL URL: {url!r} (expected mysql://user:pass@host:port/db)", returncode=2
        )
    try:
        port = parts.port or 3306
    except ValueError:
        raise CommandError(f"a bad port in {parts.netloc!r}", returncode=2) from None
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise CommandError(
            "the URL names no database: mysql://user:pass@host:port/DATABASE", returncode=2
        )
    host = parts.hostname or "localhost"
    # Messages and source names never carry the credentials.
    label = f"mysql://{host}:{port}/{database}"
    options: dict[str, Any] = {}
    if socket := parse_qs(parts.query).get("unix_socket"):
        options["unix_socket"] = socket[0]
    try:
        connection = pymysql.connect(
            host=host,
            port=port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password or ""),
            database=database,
            charset="utf8mb4",
            cursorclass=pymysql.cursors.DictCursor,
            connect_timeout=10,
            # No transaction held open for the hours an import may take: its metadata
            # locks would stall a live archive's schema changes, and its reads behind them.
            autocommit=True,
            **options,
        )
        tables = DatabaseTables(connection)
    except pymysql.MySQLError as error:
        raise CommandError(f"cannot read {label}: {error}") from None
    return tables, label, label, database


def _read(story: Story, drafts: set[str]) -> ReadFile:
    """A story as the writer takes it: its work prepared, or why it could not be read."""
    if story.work is None:
        return ReadFile(story.label, error=story.error)
    try:
        ready = prepare(story.work)
    except Exception as error:  # a bug must cost one story, not the archive
        return ReadFile(story.label, error=f"unexpected error: {type(error).__name__}: {error}")
    if not story.published:
        drafts.add(story.label)
    return ReadFile(story.label, [ready])


def _keep_drafts(outcomes: Iterable[Outcome], drafts: set[str]) -> Iterator[Outcome]:
    """Outcomes as they come, saying which stories the writer stored as drafts (their
    archive never published them; only when first imported, so a draft published here
    since stays published)."""
    for outcome in outcomes:
        if outcome.file in drafts and outcome.status == "imported":
            outcome.note = DRAFT_NOTE
        yield outcome
