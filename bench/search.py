"""Benchmark: search (issue 4) on a synthetic archive, every figure beside a bare-engine
floor measured in the same run.

Per engine, in a fresh database under var/bench/<run>/:

1. generate the archive (bench/synthetic.py) and write the full-text works as plain-text
   story files in the header shape the plain-text importer reads;
2. floor import: the same story text inserted straight into a bare engine table (SQLite:
   an external-content FTS5 table with the app's tokenizer, one transaction;
   PostgreSQL: COPY into a table with a generated tsvector column, then a GIN index);
3. import the files through the real path (`fanarchive.ingest.run.import_paths`, the
   code behind `fanarchive import`), with FANARCHIVE_TASKS=database: suggested-tag
   inference is queued as background work for `fanarchive db_worker`, not run;
4. write the metadata-only works through a bulk path that fills the tables the writer
   fills (works, creators, tags, taggings, filter taggings, the search index through
   the engine), in large batches. With `--real-import N` only N full-text works take
   the real path and the rest take the bulk path with their chapters, made by the
   app's own text functions: the real path is what makes a full run long;
5. run a fixed, seeded mix of queries through the app (`fanarchive.search`) and the same
   questions against the bare tables, interleaved, and report p50/p95 per kind with the
   ratio to the floor:
     browse   the biggest fandom minus one tag, sorted by kudos, top 20, with every
              facet (app: search() and facet_counts(); floors: plain SQL with a
              GROUP BY, and numpy: a CSR array of tag ids and bincount);
     common   one common English word, best match first;
     rare     one made-up word that occurs in few works;
     phrase   a quoted phrase of two or three words plus a rating and a fandom filter,
              sorted by kudos.

Why floors: these machines are shared and noisy. A ratio to what the bare engine does
with the same data in the same minute means something across runs; an absolute figure
alone does not.

Run `python bench/search.py --preset small` (both engines when PostgreSQL answers);
`--help` lists the options. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import html
import importlib
import inspect
import itertools
import json
import multiprocessing
import os
import platform
import pstats
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from synthetic import COMMON_WORDS, RARE_RATE, STOPWORDS, SyntheticArchive, WorkMeta

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# The benchmark's own PostgreSQL databases (--pg-database changes the first; the floor's
# is named after it). Only names starting "fanarchive_bench" are ever dropped.
APP_DATABASE = "fanarchive_bench"
FLOOR_DATABASE = "fanarchive_bench_floor"
DATABASE_NAME = re.compile(r"fanarchive_bench[a-z0-9_]*")
PAGE = 20
FACET_LIMIT = 30
WARMUP = 3
KINDS = ("browse", "common", "rare", "phrase")
# Targets of issue 4, on a 2-core machine; each holds at the size named.
TARGET_BROWSE_P95_MS = 100.0  # at 1,000,000 works
TARGET_PHRASE_P95_MS = 150.0  # at 100,000 full-text works
TARGET_PHRASE_FLOOR_RATIO = 3.0
TARGET_IMPORT_SHARE = 0.5  # of the floor's insert throughput, at 20,000 works


@dataclass(frozen=True)
class Size:
    works: int
    full_text: int
    repeat: int
    """Measured runs per query kind (after WARMUP unmeasured ones)."""
    real_import: int | None = None
    """Full-text works imported through the real path; the rest of the full-text works
    go through the bulk path with their chapters. None: all of them."""


PRESETS: dict[str, dict[str, Size]] = {
    # A quick check that everything works, in about three minutes for both engines:
    # the real import path (and on PostgreSQL the chapter index) is the slow part, so
    # only 200 works take it.
    "small": {
        "sqlite": Size(21_000, 800, 30, real_import=200),
        "postgres": Size(21_000, 800, 30, real_import=200),
    },
    # The import target's size (20,000 full-text works), and a fifth of the metadata.
    "medium": {"sqlite": Size(200_000, 20_000, 50), "postgres": Size(20_000, 20_000, 50)},
    # The sizes: 1,000,000 works of which 100,000 with text on SQLite (one
    # database), 100,000 full-text works on PostgreSQL.
    # 50 runs per kind: a common word costs seconds per query at this size.
    "full": {"sqlite": Size(1_000_000, 100_000, 50), "postgres": Size(100_000, 100_000, 50)},
}


def log(message: str) -> None:
    """Progress on stderr, timestamped: a full run takes an hour."""
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a one-element list that holds the elapsed seconds afterwards."""
    elapsed = [0.0]
    started = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - started


def percentile(values: Sequence[float], share: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), share * 100))


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "date": datetime.date.today().isoformat(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# Story files ------------------------------------------------------------------------

_ARCHIVE: SyntheticArchive | None = None  # for the forked writers


def story_path(directory: Path, index: int) -> Path:
    return directory / f"{index // 1000:04d}" / f"{index:07d}.txt"


def _write_stories(task: tuple[Path, int, int]) -> int:
    directory, start, stop = task
    assert _ARCHIVE is not None
    written = 0
    for index in range(start, stop):
        data = _ARCHIVE.story_file(index).encode()
        path = story_path(directory, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += len(data)
    return written


def write_story_files(archive: SyntheticArchive, directory: Path, jobs: int) -> dict[str, Any]:
    """Every full-text work as a story file, written by `jobs` forked processes (the
    archive is inherited, not pickled)."""
    global _ARCHIVE
    _ARCHIVE = archive
    tasks = [
        (directory, start, min(start + 250, archive.full_text))
        for start in range(0, archive.full_text, 250)
    ]
    with stopwatch() as elapsed:
        if jobs > 1 and len(tasks) > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                written = sum(pool.imap_unordered(_write_stories, tasks))
        else:
            written = sum(map(_write_stories, tasks))
    _ARCHIVE = None
    return {
        "files": archive.full_text,
        "bytes": written,
        "seconds": elapsed[0],
        "processes": jobs,
        "mb_per_s": written / 1e6 / elapsed[0] if elapsed[0] else 0.0,
    }


def story_body(data: bytes) -> str:
    """The story of a file: everything after the header's blank line."""
    return data.split(b"\n\n", 1)[1].decode()


# The application ----------------------------------------------------------------------


def configure(engine: str, data_dir: Path) -> None:
    """Settings read the environment when imported: set it before django.setup()."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanarchive.settings"
    os.environ["FANARCHIVE_DATA_DIR"] = str(data_dir)
    os.environ["FANARCHIVE_TASKS"] = "database"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if engine == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'fanarchive.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{APP_DATABASE}"


def use_postgres_databases(name: str) -> None:
    """Name the benchmark's databases: `name` for the app, `name`_floor for the floor."""
    global APP_DATABASE, FLOOR_DATABASE
    if not DATABASE_NAME.fullmatch(name):
        sys.exit(f"--pg-database must start with fanarchive_bench (lower case): {name!r}")
    APP_DATABASE, FLOOR_DATABASE = name, f"{name}_floor"


def _check_postgres_database(connection: psycopg.Connection[Any], name: str) -> None:
    """Refuse a database that is not the benchmark's own, or that another process is
    using: two benchmark runs at once would drop each other's database."""
    if name not in (APP_DATABASE, FLOOR_DATABASE) or not DATABASE_NAME.fullmatch(name):
        raise ValueError(f"refusing to touch database {name!r}")
    users = connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    ).fetchone()
    if users and users[0]:
        sys.exit(
            f"database {name} is in use by {users[0]} other connection(s): is another "
            "benchmark running? Wait for it to finish, or give this run its own databases "
            "with --pg-database fanarchive_bench_<something>."
        )


def ensure_postgres_databases_free() -> None:
    """Before any work: stop here if another run holds the benchmark's databases."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        for name in (APP_DATABASE, FLOOR_DATABASE):
            _check_postgres_database(connection, name)


def recreate_postgres_database(name: str) -> None:
    """Drop and create one of the benchmark's own databases (never another one)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        _check_postgres_database(connection, name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_postgres_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        _check_postgres_database(connection, name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3).close()
    except Exception:
        return False
    return True


MISSING: dict[str, str] = {}
"""Why an optional part of the app could not be used, by dotted name."""


def _optional(module: str, name: str) -> Any:
    """An attribute the app may not have yet (other work on it is in progress)."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        MISSING[f"{module}.{name}"] = f"{type(error).__name__}: {error}"
        return None


class App:
    """The application's search, called as the site calls it.

    search() and facet_counts() take the works a reader may see, as a queryset or (in
    the newer interface) as an Audience; this adapts to whichever the app has, so the
    benchmark keeps running while the search code changes."""

    def __init__(self) -> None:
        from fanarchive.search import service
        from fanarchive.works.models import Work

        self.service = service
        self.search_scope = self._scope(service.search, Work)
        self.facet_counts = _optional("fanarchive.search.facets", "facet_counts")
        self.facet_scope = self._scope(self.facet_counts, Work) if self.facet_counts else None
        self.facets_status = "not tried"

    @staticmethod
    def _scope(function: Callable[..., Any], work: Any) -> Callable[[], Any]:
        parameters = list(inspect.signature(function).parameters)
        if len(parameters) > 1 and parameters[1] == "audience":
            audience = _optional("fanarchive.lib.columns", "Audience")
            # MEMBER: posted and not hidden, as the operator's command line searches.
            return lambda: audience.MEMBER
        return lambda: work.objects.filter(posted=True, hidden_by_admin=False)

    def query(self, **fields: Any) -> Any:
        return self.service.SearchQuery(**fields)

    def search(self, query: Any) -> tuple[int, list[int]]:
        results = self.service.search(query, self.search_scope(), limit=PAGE)
        return results.total, [hit.work.pk for hit in results.hits]

    def facets(self, query: Any) -> dict[tuple[str, str], int] | None:
        """{(type, name): works} of every facet shown, or None when the app has no
        facet_counts yet."""
        if self.facet_counts is None or self.facet_scope is None:
            reason = MISSING.get("fanarchive.search.facets.facet_counts", "missing")
            self.facets_status = f"not available ({reason})"
            return None
        try:
            groups = self.facet_counts(query, self.facet_scope(), limit=FACET_LIMIT)
        except NotImplementedError:
            self.facets_status = "not available (facet_counts raises NotImplementedError)"
            return None
        self.facets_status = "available"
        return {(c.tag.type, c.tag.name): c.works for g in groups for c in g.counts}


def migrate() -> float:
    from django.core.management import call_command

    with stopwatch() as elapsed:
        call_command("migrate", interactive=False, verbosity=0)
    return elapsed[0]


def import_through_app(paths: list[Path], jobs: int) -> dict[str, Any]:
    """The real import path, in-process: what `fanarchive import --jobs N FILES` runs."""
    from fanarchive.ingest.run import import_paths

    index_of = {str(path): index for index, path in enumerate(paths)}
    work_ids = np.full(len(paths), -1, dtype=np.int64)
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    step = max(1, len(paths) // 10)
    with stopwatch() as elapsed:
        started = time.perf_counter()
        for done, outcome in enumerate(import_paths(paths, jobs=jobs), start=1):
            statuses[outcome.status] += 1
            if outcome.work is not None:
                work_ids[index_of[outcome.file]] = outcome.work.pk
            else:
                failures.append(f"{outcome.file}: {outcome.error}")
            if done % step == 0:
                rate = done / (time.perf_counter() - started)
                log(f"  imported {done:,}/{len(paths):,} ({rate:.0f} works/s)")
    return {
        "seconds": elapsed[0],
        "jobs": jobs,
        "statuses": dict(statuses),
        "failures": failures[:20],
        "work_ids": work_ids,
    }


def queued_tasks() -> int:
    """Background tasks waiting for a worker (suggested-tag inference)."""
    model = _optional("django_tasks_db.models", "DBTaskResult")
    return model.objects.count() if model is not None else -1


def set_counters(archive: SyntheticArchive, work_ids: np.ndarray) -> float:
    """Kudos, hits, bookmarks and comments of the imported works. The plain-text
    importer reads none of them (a story file has no such stats), so they are set
    afterwards, as AO3 counts would arrive."""
    from django.db import connection, transaction

    from fanarchive.works.models import Work

    note_changed = _optional("fanarchive.search.columns", "note_changed")
    table = connection.ops.quote_name(Work._meta.db_table)
    indexes = np.flatnonzero(work_ids >= 0)
    columns = (archive.kudos, archive.hits, archive.bookmarks, archive.comments)
    rows = [(*(int(column[i]) for column in columns), int(work_ids[i])) for i in indexes]
    with stopwatch() as elapsed, transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET kudos = %s, hits = %s, bookmarks = %s, comments = %s "  # noqa: S608
            "WHERE id = %s",
            rows,
        )
        if note_changed is not None:
            note_changed(int(pk) for pk in work_ids[indexes])
    return elapsed[0]


# The bulk path ----------------------------------------------------------------------


def _get_or_create_tags(archive: SyntheticArchive, used: np.ndarray) -> np.ndarray:
    """Database id of each synthetic tag in `used` (-1 elsewhere): existing tags by
    (type, name), the rest created as the writer creates them."""
    from fanarchive.tags.models import Tag
    from fanarchive.tags.wrangling import is_pack_canonical

    wanted = {(archive.tag_types[t], archive.tag_names[t]): int(t) for t in used.tolist()}
    pk_of = np.full(len(archive.tag_names), -1, dtype=np.int64)

    def read() -> None:
        for tag_type in {key[0] for key in wanted}:
            for pk, name in Tag.objects.filter(type=tag_type).values_list("pk", "name"):
                if (synthetic := wanted.get((tag_type, name))) is not None:
                    pk_of[synthetic] = pk

    read()
    missing = [key for key, synthetic in wanted.items() if pk_of[synthetic] < 0]
    Tag.objects.bulk_create(
        [Tag(type=t, name=n, canonical=is_pack_canonical(t, n)) for t, n in missing],
        batch_size=5000,
        ignore_conflicts=True,
    )
    read()
    return pk_of


def _get_or_create_creators(names: list[str]) -> dict[str, int]:
    from fanarchive.works.models import Creator

    wanted = set(names)
    Creator.objects.bulk_create(
        [Creator(name=name) for name in sorted(wanted)], batch_size=5000, ignore_conflicts=True
    )
    return {
        name: pk
        for name, pk in Creator.objects.values_list("name", "pk").iterator(chunk_size=20_000)
        if name in wanted
    }


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Plain rows into one of the app's tables: COPY on PostgreSQL, executemany on
    SQLite. For link tables of millions of rows, where model objects would cost more
    than the database does."""
    from django.db import connection

    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


# What the writer stores of a chapter: (title, sanitised HTML with numbered paragraphs,
# AO3 word count, the text the search index holds).
PreparedChapter = tuple[str, str, int, str]


def _prepare_chapters(index: int) -> list[PreparedChapter]:
    """A full-text work's chapters as the plain-text importer and the writer make
    them, with the app's own functions (run in forked workers)."""
    from fanarchive.lib.html import clean_story_html
    from fanarchive.lib.prose import text_to_html
    from fanarchive.lib.text import chapter_text
    from fanarchive.lib.wordcount import count_html_words

    assert _ARCHIVE is not None
    prepared = []
    for title, text in _ARCHIVE.chapters(index):
        body = clean_story_html(text_to_html(text))
        prepared.append((title, body, count_html_words(body), chapter_text(body)))
    return prepared


def bulk_works(
    archive: SyntheticArchive,
    start: int,
    stop: int,
    *,
    with_text: bool = False,
    jobs: int = 1,
    batch: int = 5000,
) -> dict[str, Any]:
    """Works start..stop-1 written straight into the tables the writer fills: Work,
    Creator, WorkCreator, Tag, WorkTag, FilterTagging (with no synonyms or meta tags a
    work's filter tags are its tags), and the search index through the engine
    (`write_works`, and `write_chapters` for the text), `batch` works to a transaction.
    With `with_text`, also the chapters, prepared by `jobs` forked workers with the
    app's own text functions. No Provenance rows: there is no file.

    Returns timings and the new works' ids in order ("pks")."""
    global _ARCHIVE
    from django.db import connection, transaction

    from fanarchive.lib.text import one_line, summary_text
    from fanarchive.search.engines import ChapterText, WorkText, get_engine
    from fanarchive.tags.models import FilterTagging
    from fanarchive.works.models import Chapter, Work, WorkCreator, WorkTag

    note_changed = _optional("fanarchive.search.columns", "note_changed")
    engine = get_engine()
    work_fields = {f.name for f in Work._meta.get_fields()}

    def crossover(meta: WorkMeta) -> dict[str, bool]:
        # AO3's rule (tags.filtering.is_crossover): with no meta tags among the
        # synthetic fandoms, two or more fandoms make a crossover.
        return {"crossover": len(meta.fandoms) > 1} if "crossover" in work_fields else {}

    all_pks = np.full(max(0, stop - start), -1, dtype=np.int64)
    if start >= stop:
        return {"works": 0, "seconds": 0.0, "pks": all_pks}
    if with_text:
        batch = min(batch, 500)
    timings: Counter[str] = Counter()
    table = {model: model._meta.db_table for model in (WorkCreator, WorkTag, FilterTagging)}
    pool = None
    with stopwatch() as elapsed:
        with stopwatch() as lookup:
            lo, hi = archive.tag_indptr[start], archive.tag_indptr[stop]
            tag_pk = _get_or_create_tags(archive, np.unique(archive.tag_ids[lo:hi]))
            creator_indexes = np.unique(
                np.concatenate([archive.creator[start:stop], archive.second_creator[start:stop]])
            )
            names = [archive.creator_names[i] for i in creator_indexes.tolist() if i >= 0]
            creator_pk = _get_or_create_creators(names)
        timings["tags and creators"] = lookup[0]
        texts: Iterator[list[PreparedChapter]] | None = None
        if with_text:
            _ARCHIVE = archive
            connection.close()  # no connection shared with the forked workers
            pool = multiprocessing.get_context("fork").Pool(jobs)
            texts = pool.imap(_prepare_chapters, range(start, stop), chunksize=8)
        if connection.vendor == "sqlite":
            # Millions of tagging rows go into indexes ordered by tag, at random places:
            # a page cache of 1 GB (for this load only) keeps them from being read again
            # and again. The queries run with SQLite's default cache, as the app does.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -1000000")
        step = max(batch, (stop - start) // 10 // batch * batch)
        for first in range(start, stop, batch):
            last = min(first + batch, stop)
            metas = list(archive.metas(first, last))
            chapters: list[list[PreparedChapter]] = []
            if texts is not None:
                with stopwatch() as part:
                    chapters = [next(texts) for _ in metas]
                timings["chapter text (workers)"] += part[0]
            with transaction.atomic():
                with stopwatch() as part:
                    works = Work.objects.bulk_create(
                        [
                            Work(
                                title=m.title,
                                summary=f"<p>{html.escape(m.summary, quote=False)}</p>",
                                language=m.language,
                                word_count=sum(c[2] for c in chapters[n]) if chapters else m.words,
                                expected_chapters=m.expected_chapters,
                                posted_chapters=len(chapters[n]) if chapters else m.chapters,
                                complete=m.complete,
                                published=m.published,
                                updated=m.updated,
                                hits=m.hits,
                                kudos=m.kudos,
                                bookmarks=m.bookmarks,
                                comments=m.comments,
                                **crossover(m),
                            )
                            for n, m in enumerate(metas)
                        ],
                        batch_size=1000,
                    )
                timings["works"] += part[0]
                pks = [work.pk for work in works]
                all_pks[first - start : last - start] = pks
                with stopwatch() as part:
                    insert_rows(
                        table[WorkCreator],
                        ("work_id", "creator_id", "position"),
                        [
                            (pk, creator_pk[name], position)
                            for pk, m in zip(pks, metas, strict=True)
                            for position, name in enumerate(m.creators, start=1)
                        ],
                    )
                    lo, hi = archive.tag_indptr[first], archive.tag_indptr[last]
                    owners = np.repeat(np.array(pks), np.diff(archive.tag_indptr[first : last + 1]))
                    pairs = list(
                        zip(owners.tolist(), tag_pk[archive.tag_ids[lo:hi]].tolist(), strict=True)
                    )
                    insert_rows(table[WorkTag], ("work_id", "tag_id"), pairs)
                    insert_rows(
                        table[FilterTagging],
                        ("work_id", "tag_id", "suggested"),
                        [(w, t, False) for w, t in pairs],
                    )
                timings["creators and taggings"] += part[0]
                if chapters:
                    with stopwatch() as part:
                        stored = Chapter.objects.bulk_create(
                            [
                                Chapter(
                                    work_id=pk, position=n, title=title, body=body, word_count=words
                                )
                                for pk, work_chapters in zip(pks, chapters, strict=True)
                                for n, (title, body, words, _) in enumerate(work_chapters, start=1)
                            ],
                            batch_size=200,
                        )
                        index_texts = [c[3] for work_chapters in chapters for c in work_chapters]
                        engine.write_chapters(
                            [
                                ChapterText(c.pk, c.work_id, c.position, text)
                                for c, text in zip(stored, index_texts, strict=True)
                            ]
                        )
                    timings["chapters and their index"] += part[0]
                with stopwatch() as part:
                    # The work documents search.indexing.work_texts would read back.
                    engine.write_works(
                        [
                            WorkText(
                                work_id=pk,
                                title=one_line(m.title),
                                creators=", ".join(one_line(name) for name in m.creators),
                                summary=summary_text(
                                    f"<p>{html.escape(m.summary, quote=False)}</p>"
                                ),
                                tags="\n".join(
                                    sorted(
                                        {
                                            one_line(archive.tag_names[t])
                                            for t in archive.tags_of(m.index)
                                        }
                                    )
                                ),
                            )
                            for pk, m in zip(pks, metas, strict=True)
                        ]
                    )
                timings["work index"] += part[0]
                if note_changed is not None:
                    with stopwatch() as part:
                        note_changed(pks)
                    timings["change notes"] += part[0]
            if (last - start) % step == 0 or last == stop:
                log(f"  bulk {last - start:,}/{stop - start:,} works")
    if pool is not None:
        pool.close()
        pool.join()
        _ARCHIVE = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default
    return {
        "works": stop - start,
        "with_text": with_text,
        "seconds": elapsed[0],
        "works_per_s": (stop - start) / elapsed[0],
        "parts_seconds": {name: round(seconds, 2) for name, seconds in timings.items()},
        "pks": all_pks,
    }


def check_bulk_against_app(pks: np.ndarray, sample: int = 200) -> dict[str, Any]:
    """Whether the bulk path wrote what the app would: the app's own
    `refresh_work_filters` rebuilds the filter rows and the crossover flag of a sample
    of bulk-written works; they must come out unchanged. The bulk path writes those
    tables itself for speed, so this catches it falling behind the app."""
    from django.db import transaction

    from fanarchive.tags.filtering import refresh_work_filters
    from fanarchive.tags.models import FilterTagging
    from fanarchive.works.models import Work

    chosen = [int(pk) for pk in np.random.default_rng(7).choice(pks, min(sample, len(pks)))]
    if not chosen:
        return {"works": 0}
    has_crossover = any(f.name == "crossover" for f in Work._meta.get_fields())

    def state() -> tuple[set[tuple[int, int, bool]], set[tuple[int, bool]]]:
        rows = set(
            FilterTagging.objects.filter(work_id__in=chosen).values_list(
                "work_id", "tag_id", "suggested"
            )
        )
        flags = (
            set(Work.objects.filter(pk__in=chosen).values_list("pk", "crossover"))
            if has_crossover
            else set()
        )
        return rows, flags

    before = state()
    with transaction.atomic():
        refresh_work_filters(chosen)
    after = state()
    return {
        "works": len(chosen),
        "filter_rows_equal": before[0] == after[0],
        "crossover_flags_equal": before[1] == after[1],
    }


# Floors -----------------------------------------------------------------------------


def _facet_top(counts: np.ndarray, archive: SyntheticArchive) -> dict[int, int]:
    """{tag: works} of the FACET_LIMIT commonest tags of each type: tag ids are grouped
    by type, so each type is a slice of `counts`."""
    shown: dict[int, int] = {}
    bounds = [
        archive.rating_base,
        archive.warning_base,
        archive.category_base,
        archive.fandom_base,
        archive.character_base,
        archive.relationship_base,
        archive.freeform_base,
        len(archive.tag_names),
    ]
    for lo, hi in itertools.pairwise(bounds):
        part = counts[lo:hi]
        if len(part) > FACET_LIMIT:
            top = np.argpartition(-part, FACET_LIMIT)[:FACET_LIMIT]
        else:
            top = np.arange(len(part))
        shown.update((lo + int(i), int(part[i])) for i in top if part[i])
    return shown


class NumpyFloor:
    """The browse with facets in numpy, in memory: what a columnar layout allows.

    Work -> tags as a CSR array (int32 tag ids), tag -> works as its transpose, kudos
    as an array. A browse marks the fandom's works, unmarks the excluded tag's, takes
    the top 20 by kudos with argpartition, and counts facets by gathering the result
    works' tag ids and one bincount."""

    def __init__(self, archive: SyntheticArchive) -> None:
        with stopwatch() as elapsed:
            self.archive = archive
            self.works = archive.works
            self.indptr = archive.tag_indptr
            self.tags = archive.tag_ids
            owners = np.repeat(np.arange(self.works, dtype=np.int32), np.diff(self.indptr))
            order = np.argsort(self.tags, kind="stable")
            self.works_by_tag = owners[order]
            self.tag_ptr = np.zeros(len(archive.tag_names) + 1, dtype=np.int64)
            np.cumsum(
                np.bincount(self.tags, minlength=len(archive.tag_names)), out=self.tag_ptr[1:]
            )
            # Unique sort keys: kudos first, then the higher id (AO3's tie-break).
            self.sort_key = archive.kudos * (1 << 21) + np.arange(self.works)
        self.build_seconds = elapsed[0]
        self.bytes = sum(
            a.nbytes for a in (self.indptr, self.tags, self.works_by_tag, self.sort_key)
        )

    def works_with(self, tag: int) -> np.ndarray:
        return self.works_by_tag[self.tag_ptr[tag] : self.tag_ptr[tag + 1]]

    def browse(
        self, include: int, exclude: int
    ) -> tuple[int, list[int], dict[int, int], np.ndarray]:
        mask = np.zeros(self.works, dtype=bool)
        mask[self.works_with(include)] = True
        mask[self.works_with(exclude)] = False
        rows = np.flatnonzero(mask)
        keys = self.sort_key[rows]
        if len(rows) > PAGE:
            keys = keys[np.argpartition(-keys, PAGE)[:PAGE]]
        page = (np.sort(keys)[::-1] & ((1 << 21) - 1)) + 1
        counts = np.bincount(self.tags_of(rows), minlength=len(self.archive.tag_names))
        return len(rows), page.tolist(), _facet_top(counts, self.archive), counts

    def tags_of(self, rows: np.ndarray) -> np.ndarray:
        """The tag ids of these works, gathered from the CSR array in one pass."""
        if not len(rows):
            return self.tags[:0]
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        ends = np.cumsum(lengths)
        return self.tags[np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1])]


class SqlFloor:
    """Bare engine tables, no application code: one row per work with its filter
    columns (id = synthetic index + 1), its tags as (tag_id, work_id) rows, and the
    story text of the full-text works in the engine's own full-text structure."""

    engine: str

    def import_text(self, archive: SyntheticArchive, directory: Path) -> float:
        raise NotImplementedError

    def load_metadata(self, archive: SyntheticArchive) -> float:
        raise NotImplementedError

    def browse(self, include: int, exclude: int) -> tuple[int, list[int]]:
        raise NotImplementedError

    def facet_counts(self, include: int, exclude: int) -> list[tuple[int, int]]:
        raise NotImplementedError

    def words(self, word: str) -> tuple[int, list[int]]:
        raise NotImplementedError

    def phrase(self, words: Sequence[str], rating: int, tag: int) -> tuple[int, list[int]]:
        raise NotImplementedError

    def snippets(self, words: Sequence[str], ids: list[int]) -> list[str]:
        """About 30 words around the matches of `words` (a phrase) in each of these
        works' text, marked: what the engine offers for the snippets the app shows."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _metadata_rows(archive: SyntheticArchive) -> Iterator[tuple[int, int, int]]:
    return zip(
        range(1, archive.works + 1),
        archive.rating.tolist(),
        archive.kudos.tolist(),
        strict=True,
    )


def _tagging_rows(archive: SyntheticArchive) -> Iterator[tuple[int, int]]:
    owners = np.repeat(np.arange(1, archive.works + 1), np.diff(archive.tag_indptr))
    return zip(archive.tag_ids.tolist(), owners.tolist(), strict=True)


SQL_BROWSE_SET = (
    "SELECT work_id FROM floor_tagging WHERE tag_id = {p} AND work_id NOT IN "
    "(SELECT work_id FROM floor_tagging WHERE tag_id = {p})"
)


class SqliteFloor(SqlFloor):
    engine = "sqlite"

    def __init__(self, path: Path, *, create: bool = True) -> None:
        tokenize = importlib.import_module("fanarchive.search.migrations.0002_fulltext").TOKENIZE
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        # As the app's settings have it.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not create:
            return
        self.db.executescript(
            f"""
            CREATE TABLE floor_work (
                id INTEGER PRIMARY KEY, rating INTEGER NOT NULL, kudos INTEGER NOT NULL);
            CREATE TABLE floor_text (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
            CREATE VIRTUAL TABLE floor_fts USING fts5(
                body, content='floor_text', content_rowid='id', {tokenize});
            CREATE TABLE floor_tagging (
                tag_id INTEGER NOT NULL, work_id INTEGER NOT NULL,
                PRIMARY KEY (tag_id, work_id)) WITHOUT ROWID;
            """
        )

    def import_text(self, archive: SyntheticArchive, directory: Path) -> float:
        """Every story's text into the FTS5 table, in one transaction: the least an
        import into FTS5 can cost."""
        with stopwatch() as elapsed:
            self.db.execute("BEGIN")
            for index in range(archive.full_text):
                body = story_body(story_path(directory, index).read_bytes())
                self.db.execute(
                    "INSERT INTO floor_text (id, body) VALUES (?, ?)", (index + 1, body)
                )
                self.db.execute(
                    "INSERT INTO floor_fts (rowid, body) VALUES (?, ?)", (index + 1, body)
                )
            self.db.execute("COMMIT")
        return elapsed[0]

    def load_metadata(self, archive: SyntheticArchive) -> float:
        with stopwatch() as elapsed:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO floor_work VALUES (?, ?, ?)", _metadata_rows(archive))
            self.db.executemany("INSERT INTO floor_tagging VALUES (?, ?)", _tagging_rows(archive))
            self.db.execute("CREATE INDEX floor_tagging_by_work ON floor_tagging (work_id, tag_id)")
            self.db.execute("COMMIT")
            self.db.execute("ANALYZE")
        return elapsed[0]

    def browse(self, include: int, exclude: int) -> tuple[int, list[int]]:
        rows = self.db.execute(
            "SELECT w.id, count(*) OVER () FROM floor_work w "  # noqa: S608
            f"WHERE w.id IN ({SQL_BROWSE_SET.format(p='?')}) "
            "ORDER BY w.kudos DESC, w.id DESC LIMIT ?",
            (include, exclude, PAGE),
        ).fetchall()
        return (rows[0][1] if rows else 0), [row[0] for row in rows]

    def facet_counts(self, include: int, exclude: int) -> list[tuple[int, int]]:
        return self.db.execute(
            "SELECT t.tag_id, count(*) FROM floor_tagging t "  # noqa: S608
            f"WHERE t.work_id IN ({SQL_BROWSE_SET.format(p='?')}) GROUP BY t.tag_id",
            (include, exclude),
        ).fetchall()

    def words(self, word: str) -> tuple[int, list[int]]:
        rows = self.db.execute(
            "SELECT rowid, count(*) OVER () FROM floor_fts WHERE floor_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            (f'"{word}"', PAGE),
        ).fetchall()
        return (rows[0][1] if rows else 0), [row[0] for row in rows]

    def phrase(self, words: Sequence[str], rating: int, tag: int) -> tuple[int, list[int]]:
        rows = self.db.execute(
            "SELECT w.id, count(*) OVER () FROM floor_fts f JOIN floor_work w ON w.id = f.rowid "
            "WHERE floor_fts MATCH ? AND w.rating = ? "
            "AND w.id IN (SELECT work_id FROM floor_tagging WHERE tag_id = ?) "
            "ORDER BY w.kudos DESC, w.id DESC LIMIT ?",
            ('"' + " ".join(words) + '"', rating, tag, PAGE),
        ).fetchall()
        return (rows[0][1] if rows else 0), [row[0] for row in rows]

    def snippets(self, words: Sequence[str], ids: list[int]) -> list[str]:
        rows = self.db.execute(
            "SELECT snippet(floor_fts, 0, '<mark>', '</mark>', '…', 30) FROM floor_fts "
            "WHERE floor_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            ('"' + " ".join(words) + '"', json.dumps(ids)),
        ).fetchall()
        return [row[0] for row in rows]

    def size_bytes(self) -> int:
        return sqlite_files_size(self.path)

    def close(self) -> None:
        self.db.close()


def sqlite_files_size(path: Path) -> int:
    """A database's size on disk: the file, its write-ahead log and shared memory."""
    return sum(
        candidate.stat().st_size
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if candidate.exists()
    )


class PostgresFloor(SqlFloor):
    engine = "postgres"

    def __init__(self, *, create: bool = True) -> None:
        import psycopg

        migration = importlib.import_module("fanarchive.search.migrations.0002_fulltext")
        if create:
            recreate_postgres_database(FLOOR_DATABASE)
        self.db: psycopg.Connection[Any] = psycopg.connect(
            f"{POSTGRES_SERVER}/{FLOOR_DATABASE}", autocommit=True
        )
        if not create:
            return
        # The app's text search configuration, `fanarchive`, made the way its
        # migration makes it.
        for statement in migration.POSTGRES_FORWARDS:
            self.db.execute(statement)
        self.db.execute(
            """
            CREATE TABLE floor_work (
                id integer PRIMARY KEY, rating smallint NOT NULL, kudos integer NOT NULL);
            CREATE TABLE floor_text (
                id integer PRIMARY KEY, body text NOT NULL,
                doc tsvector GENERATED ALWAYS AS (to_tsvector('fanarchive', body)) STORED);
            CREATE TABLE floor_tagging (
                tag_id integer NOT NULL, work_id integer NOT NULL,
                PRIMARY KEY (tag_id, work_id));
            """
        )

    def import_text(self, archive: SyntheticArchive, directory: Path) -> float:
        """COPY every story's text (the tsvector is computed as rows arrive), then
        build the GIN index: the least a PostgreSQL full-text import can cost."""
        with stopwatch() as elapsed, self.db.transaction(), self.db.cursor() as cursor:
            with cursor.copy("COPY floor_text (id, body) FROM STDIN") as copy:
                for index in range(archive.full_text):
                    body = story_body(story_path(directory, index).read_bytes())
                    copy.write_row((index + 1, body))
            cursor.execute("CREATE INDEX floor_text_gin ON floor_text USING gin (doc)")
        return elapsed[0]

    def load_metadata(self, archive: SyntheticArchive) -> float:
        with stopwatch() as elapsed:
            with self.db.transaction(), self.db.cursor() as cursor:
                with cursor.copy("COPY floor_work (id, rating, kudos) FROM STDIN") as copy:
                    for row in _metadata_rows(archive):
                        copy.write_row(row)
                with cursor.copy("COPY floor_tagging (tag_id, work_id) FROM STDIN") as copy:
                    for row in _tagging_rows(archive):
                        copy.write_row(row)
                cursor.execute(
                    "CREATE INDEX floor_tagging_by_work ON floor_tagging (work_id, tag_id)"
                )
            self.db.execute("VACUUM ANALYZE")
        return elapsed[0]

    def _page(self, sql: str, params: Sequence[object]) -> tuple[int, list[int]]:
        rows = self.db.execute(sql, params).fetchall()  # type: ignore[arg-type]
        return (rows[0][1] if rows else 0), [row[0] for row in rows]

    def browse(self, include: int, exclude: int) -> tuple[int, list[int]]:
        return self._page(
            "SELECT w.id, count(*) OVER () FROM floor_work w "  # noqa: S608
            f"WHERE w.id IN ({SQL_BROWSE_SET.format(p='%s')}) "
            "ORDER BY w.kudos DESC, w.id DESC LIMIT %s",
            (include, exclude, PAGE),
        )

    def facet_counts(self, include: int, exclude: int) -> list[tuple[int, int]]:
        return self.db.execute(
            "SELECT t.tag_id, count(*) FROM floor_tagging t "  # noqa: S608
            f"WHERE t.work_id IN ({SQL_BROWSE_SET.format(p='%s')}) GROUP BY t.tag_id",
            (include, exclude),
        ).fetchall()

    def words(self, word: str) -> tuple[int, list[int]]:
        return self._page(
            "SELECT id, count(*) OVER () FROM ("
            "SELECT t.id, ts_rank_cd(t.doc, q) AS score "
            "FROM floor_text t, plainto_tsquery('fanarchive', %s) q WHERE t.doc @@ q) s "
            "ORDER BY score DESC, id DESC LIMIT %s",
            (word, PAGE),
        )

    def phrase(self, words: Sequence[str], rating: int, tag: int) -> tuple[int, list[int]]:
        return self._page(
            "SELECT w.id, count(*) OVER () FROM floor_text t JOIN floor_work w ON w.id = t.id "
            "WHERE t.doc @@ phraseto_tsquery('fanarchive', %s) AND w.rating = %s "
            "AND w.id IN (SELECT work_id FROM floor_tagging WHERE tag_id = %s) "
            "ORDER BY w.kudos DESC, w.id DESC LIMIT %s",
            (" ".join(words), rating, tag, PAGE),
        )

    def snippets(self, words: Sequence[str], ids: list[int]) -> list[str]:
        rows = self.db.execute(
            "SELECT ts_headline('fanarchive', body, q, 'MaxWords=30, MinWords=15') "
            "FROM floor_text, phraseto_tsquery('fanarchive', %s) q WHERE id = ANY(%s)",
            (" ".join(words), ids),
        ).fetchall()
        return [row[0] for row in rows]

    def size_bytes(self) -> int:
        return postgres_database_size(self.db, FLOOR_DATABASE)

    def close(self) -> None:
        self.db.close()


def postgres_database_size(db: Any, name: str) -> int:
    return int(db.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0])


# The query mix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Browse:
    include: int
    exclude: int


@dataclass(frozen=True)
class Words:
    word: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    rating: int
    fandom: int
    source: int
    """The work the phrase was taken from: it must be found."""


_WORD = re.compile(r"[^\W\d_]+")


def plan_queries(
    archive: SyntheticArchive, numpy_floor: NumpyFloor, count: int, seed: int
) -> dict[str, list[Any]]:
    """`count` parameter sets per kind, the same for every run with the same seed."""
    rng = np.random.default_rng([seed, 99])
    counts = np.bincount(archive.tag_ids, minlength=len(archive.tag_names))
    fandoms = counts[archive.fandom_base : archive.character_base]
    biggest = archive.fandom_base + int(np.argmax(fandoms))
    # Excluded tags: the tags most common among the fandom's works, of every type but
    # fandom (a reader excludes a pairing, a warning, a trope, a rating).
    inside = np.bincount(
        numpy_floor.tags_of(numpy_floor.works_with(biggest)), minlength=len(archive.tag_names)
    )
    inside[archive.fandom_base : archive.character_base] = 0
    candidates = np.argsort(-inside, kind="stable")[:60]
    excludes = rng.permutation(candidates)
    browse = [Browse(biggest, int(excludes[i % len(excludes)])) for i in range(count)]

    common = [w for w in COMMON_WORDS[30:400] if w.isalpha() and len(w) > 3 and w not in STOPWORDS]
    words = rng.permutation(common)
    common_queries = [Words(str(words[i % len(words)])) for i in range(count)]
    # Rare words expected at least twice in the text (so a query finds a few works),
    # commonest first; at most 60.
    maker = archive.text_maker
    expected = RARE_RATE * archive.word_counts[: archive.full_text].sum() * maker.rare_probabilities
    found = max(10, min(60, int(np.count_nonzero(expected >= 2))))
    rare = rng.permutation(maker.rare_words[:found])
    rare_queries = [Words(str(rare[i % len(rare)])) for i in range(count)]

    phrases: list[Phrase] = []
    while len(phrases) < count and archive.full_text:
        source = int(rng.integers(archive.full_text))
        chapters = archive.chapters(source)
        text = chapters[int(rng.integers(len(chapters)))][1]
        sentences = [s.split() for s in re.split(r"[.?!]", text)]
        sentences = [s for s in sentences if len(s) >= 4]
        if not sentences:
            continue
        sentence = sentences[int(rng.integers(len(sentences)))]
        length = 2 + len(phrases) % 2
        at = int(rng.integers(len(sentence) - length + 1))
        window = [word.strip(",\"'") for word in sentence[at : at + length]]
        if not all(_WORD.fullmatch(word) for word in window):
            continue
        if window[0].lower() in STOPWORDS or window[-1].lower() in STOPWORDS:
            continue
        phrases.append(
            Phrase(
                tuple(w.lower() for w in window),
                rating=int(archive.rating_base + archive.rating[source]),
                fandom=int(archive.fandom_base + archive.fandom[source]),
                source=source,
            )
        )
    return {"browse": browse, "common": common_queries, "rare": rare_queries, "phrase": phrases}


@dataclass
class KindResult:
    app_ms: list[float] = field(default_factory=list)
    search_ms: list[float] = field(default_factory=list)
    facets_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    floor_snippets_ms: list[float] = field(default_factory=list)
    """The floor's query plus the engine's own snippets of the page's works."""
    numpy_ms: list[float] = field(default_factory=list)
    app_totals: list[int] = field(default_factory=list)
    floor_totals: list[int] = field(default_factory=list)
    numpy_totals: list[int] = field(default_factory=list)
    checks: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    first_error: str = ""

    def summary(self) -> dict[str, Any]:
        def figures(values: list[float]) -> dict[str, float] | None:
            if not values:
                return None
            return {
                "p50": round(percentile(values, 0.5), 2),
                "p95": round(percentile(values, 0.95), 2),
                "max": round(max(values), 2),
            }

        return {
            "runs": len(self.app_ms),
            "app_ms": figures(self.app_ms),
            "search_ms": figures(self.search_ms),
            "facets_ms": figures(self.facets_ms),
            "floor_ms": figures(self.floor_ms),
            "floor_with_snippets_ms": figures(self.floor_snippets_ms),
            "numpy_floor_ms": figures(self.numpy_ms),
            "app_total_median": statistics.median(self.app_totals) if self.app_totals else None,
            "floor_total_median": (
                statistics.median(self.floor_totals) if self.floor_totals else None
            ),
            "checks": dict(self.checks),
            "errors": self.errors,
            "first_error": self.first_error,
        }


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


class QueryRunner:
    """Runs each parameter set through the app and then the floors, back to back, so
    the machine's noise falls on both alike; the first WARMUP sets are not counted."""

    def __init__(
        self,
        archive: SyntheticArchive,
        app: App,
        floor: SqlFloor | None,
        numpy_floor: NumpyFloor,
        index_of_pk: dict[int, int],
    ) -> None:
        self.archive = archive
        self.app = app
        self.floor = floor
        self.numpy_floor = numpy_floor
        self.index_of_pk = index_of_pk
        self.first_browse_ms: float | None = None
        """The first browse of the process: loads the app's in-memory columns."""

    def tag_value(self, tag: int) -> str:
        return f"{self.archive.tag_types[tag]}:{self.archive.tag_names[tag]}"

    def _page_ids(self, pks: list[int]) -> list[int]:
        """App work ids as floor ids (synthetic index + 1)."""
        return [self.index_of_pk.get(pk, -2) + 1 for pk in pks]

    def run(self, kind: str, params: list[Any]) -> KindResult:
        """A failing query is counted and reported, not raised: an hour's import is
        not lost to one bug in the search code."""
        result = KindResult()
        for n, param in enumerate(params):
            measured = n >= WARMUP
            try:
                getattr(self, f"_{kind}")(param, result if measured else KindResult())
            except Exception as error:
                from django.db import connection

                connection.close()  # a failed query may leave a transaction open
                result.errors += 1
                if not result.first_error:
                    result.first_error = f"{type(error).__name__}: {error}"
                    log(f"  {kind} failed: {result.first_error}")
        return result

    def _browse(self, p: Browse, result: KindResult) -> None:
        query = self.app.query(
            include=(self.tag_value(p.include),), exclude=(self.tag_value(p.exclude),), sort="kudos"
        )
        search_ms, (total, pks) = _timed(lambda: self.app.search(query))
        facets_ms, facets = _timed(lambda: self.app.facets(query))
        if self.first_browse_ms is None:
            self.first_browse_ms = search_ms + (facets_ms if facets is not None else 0.0)
        result.search_ms.append(search_ms)
        if facets is not None:
            result.facets_ms.append(facets_ms)
        result.app_ms.append(search_ms + (facets_ms if facets is not None else 0.0))
        result.app_totals.append(total)
        numpy_ms, (np_total, np_page, np_facets, np_counts) = _timed(
            lambda: self.numpy_floor.browse(p.include, p.exclude)
        )
        result.numpy_ms.append(numpy_ms)
        result.numpy_totals.append(np_total)
        result.checks["total equals numpy floor"] += total == np_total
        result.checks["page equals numpy floor"] += self._page_ids(pks) == np_page
        if facets is not None:
            known = self.archive.tag_ids_by_key
            result.checks["facet counts equal numpy floor"] += all(
                key in known and int(np_counts[known[key]]) == count
                for key, count in facets.items()
            )
        if self.floor is not None:
            floor = self.floor

            def sql() -> tuple[int, list[int], dict[int, int]]:
                floor_total, page = floor.browse(p.include, p.exclude)
                counts = np.zeros(len(self.archive.tag_names), dtype=np.int64)
                for tag, count in floor.facet_counts(p.include, p.exclude):
                    counts[tag] = count
                return floor_total, page, _facet_top(counts, self.archive)

            floor_ms, (floor_total, _, floor_facets) = _timed(sql)
            result.floor_ms.append(floor_ms)
            result.floor_totals.append(floor_total)
            result.checks["total equals SQL floor"] += total == floor_total
            result.checks["SQL floor facets equal numpy floor"] += floor_facets == np_facets

    def _words(self, p: Words, result: KindResult) -> None:
        query = self.app.query(text=p.word)
        app_ms, (total, _) = _timed(lambda: self.app.search(query))
        result.app_ms.append(app_ms)
        result.search_ms.append(app_ms)
        result.app_totals.append(total)
        if self.floor is not None:
            floor = self.floor
            floor_ms, (floor_total, page) = _timed(lambda: floor.words(p.word))
            result.floor_ms.append(floor_ms)
            snippets_ms, _ = _timed(lambda: floor.snippets([p.word], page))
            result.floor_snippets_ms.append(floor_ms + snippets_ms)
            result.floor_totals.append(floor_total)
            # The app also matches titles, summaries and tags; the floor, story text.
            result.checks["total at least the floor's"] += total >= floor_total

    _common = _words
    _rare = _words

    def _phrase(self, p: Phrase, result: KindResult) -> None:
        query = self.app.query(
            text='"' + " ".join(p.words) + '"',
            include=(self.tag_value(p.fandom),),
            ratings=(self.archive.tag_names[p.rating],),
            sort="kudos",
        )
        app_ms, (total, pks) = _timed(lambda: self.app.search(query))
        result.app_ms.append(app_ms)
        result.search_ms.append(app_ms)
        result.app_totals.append(total)
        result.checks["source work found"] += total >= 1
        if self.floor is not None:
            floor = self.floor
            floor_ms, (floor_total, page) = _timed(
                lambda: floor.phrase(p.words, p.rating, p.fandom)
            )
            result.floor_ms.append(floor_ms)
            snippets_ms, _ = _timed(lambda: floor.snippets(p.words, page))
            result.floor_snippets_ms.append(floor_ms + snippets_ms)
            result.floor_totals.append(floor_total)
            result.checks["total equals floor"] += total == floor_total
            result.checks["page equals floor"] += self._page_ids(pks) == page


# One engine ----------------------------------------------------------------------------


def run_engine(engine: str, size: Size, args: argparse.Namespace) -> dict[str, Any]:
    """Everything for one engine, in this process (Django is set up once per process,
    for one database)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = BENCH_DIR / f"{stamp}-{args.preset}-{engine}"
    stories = run_dir / "stories"
    stories.mkdir(parents=True)
    log(f"{engine}: {size.works:,} works, {size.full_text:,} with text; data in {run_dir}")
    report: dict[str, Any] = {
        "engine": engine,
        "preset": args.preset,
        "works": size.works,
        "full_text_works": size.full_text,
        "machine": machine(),
        "data_dir": str(run_dir),
    }
    with stopwatch() as elapsed:
        archive = SyntheticArchive(size.works, size.full_text, seed=args.seed)
    report["archive"] = {
        "seconds": round(elapsed[0], 2),
        "tags": len(archive.tag_names),
        "taggings": len(archive.tag_ids),
        "fandoms": archive.fandom_count,
        "biggest_fandom_share": round(
            float(archive.tag_work_counts()[archive.fandom_base : archive.character_base].max())
            / size.works,
            3,
        ),
        "words_in_full_text": int(archive.word_counts[: size.full_text].sum()),
        "fingerprint": archive.fingerprint(),
    }
    log(f"archive model built in {elapsed[0]:.1f}s; writing {size.full_text:,} story files")
    report["generation"] = write_story_files(archive, stories, args.jobs)
    story_mb = report["generation"]["bytes"] / 1e6
    log(f"story files: {story_mb:.1f} MB at {report['generation']['mb_per_s']:.1f} MB/s")

    configure(engine, run_dir)
    if engine == "postgres":
        recreate_postgres_database(APP_DATABASE)
    import django

    django.setup()
    report["migrate_seconds"] = round(migrate(), 2)
    if engine == "postgres":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version')")
            report["machine"]["postgres"] = cursor.fetchone()[0]

    floor: SqlFloor | None = None
    if not args.skip_floors:
        floor = SqliteFloor(run_dir / "floor.sqlite3") if engine == "sqlite" else PostgresFloor()
        log("floor import: story text straight into the bare engine")
        seconds = floor.import_text(archive, stories)
        report["floor_import"] = {"seconds": round(seconds, 2), "mb_per_s": story_mb / seconds}
        log(f"floor import: {story_mb / seconds:.2f} MB/s")

    real = size.full_text if size.real_import is None else min(size.real_import, size.full_text)
    paths = [story_path(stories, index) for index in range(real)]
    real_mb = sum(path.stat().st_size for path in paths) / 1e6
    log(f"import through the app: {real:,} files, {real_mb:.1f} MB")
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    imported = import_through_app(paths, args.import_jobs)
    if profiler:
        profiler.disable()
        report.setdefault("profiles", []).append(
            _save_profile(profiler, run_dir / "import.pstats", "import")
        )
    work_ids = imported.pop("work_ids")
    report["import"] = {
        **imported,
        "works": real,
        "mb": real_mb,
        "seconds": round(imported["seconds"], 2),
        "mb_per_s": real_mb / imported["seconds"] if imported["seconds"] else 0.0,
        "queued_tasks": queued_tasks(),
        "counters_seconds": round(set_counters(archive, work_ids), 2),
    }
    log(f"import: {report['import']['mb_per_s']:.2f} MB/s; statuses {imported['statuses']}")

    bulk_pks = []
    if real < size.full_text:
        log(f"bulk path with text (--real-import {real}): {size.full_text - real:,} works")
        report["bulk_text"] = bulk_works(
            archive, real, size.full_text, with_text=True, jobs=args.jobs
        )
        bulk_pks.append(report["bulk_text"].pop("pks"))
    log(f"bulk path: {size.works - size.full_text:,} metadata-only works")
    report["bulk"] = bulk_works(archive, size.full_text, size.works)
    bulk_pks.append(report["bulk"].pop("pks"))
    if written := [p for p in bulk_pks if len(p)]:
        report["bulk_check"] = check_bulk_against_app(np.concatenate(written))
    if floor is not None:
        report["floor_metadata_seconds"] = round(floor.load_metadata(archive), 2)
    if engine == "postgres":
        from django.db import connection

        with stopwatch() as elapsed, connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        report["analyze_seconds"] = round(elapsed[0], 2)

    pks = np.concatenate([work_ids, *bulk_pks])
    report["seed"] = args.seed
    report["repeat"] = size.repeat
    if engine == "postgres":
        report["pg_database"] = APP_DATABASE
    if args.keep:
        # Enough to measure the queries again later (--reuse) without rebuilding.
        np.save(run_dir / "pks.npy", pks)
        (run_dir / "run.json").write_text(json.dumps(report, indent=2, default=str))
    measure_queries(report, archive, pks, floor, args, run_dir)
    return finish(report, engine, run_dir, floor, keep=args.keep)


def reuse_run(run_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Measure the queries again on a run kept with --keep: same archive (rebuilt from
    its seed), same databases. For trying a change to the search code in minutes."""
    report = json.loads((run_dir / "run.json").read_text())
    engine = report["engine"]
    if engine == "postgres":
        use_postgres_databases(report.get("pg_database", APP_DATABASE))
    log(f"{engine}: measuring the queries again on {run_dir}")
    report["built"] = report["machine"]["date"]
    report["machine"] = {
        **machine(),
        **{k: v for k, v in report["machine"].items() if k == "postgres"},
    }
    if args.repeat:
        report["repeat"] = args.repeat
    configure(engine, run_dir)
    import django

    django.setup()
    archive = SyntheticArchive(report["works"], report["full_text_works"], seed=report["seed"])
    kept = report["archive"].get("fingerprint")
    if kept and kept != archive.fingerprint():
        sys.exit(
            f"{run_dir} was built from another version of bench/synthetic.py "
            "(its archive differs): build it again"
        )
    floor: SqlFloor | None = None
    if not args.skip_floors:
        if engine == "sqlite" and (run_dir / "floor.sqlite3").exists():
            floor = SqliteFloor(run_dir / "floor.sqlite3", create=False)
        elif engine == "postgres":
            floor = PostgresFloor(create=False)
    measure_queries(report, archive, np.load(run_dir / "pks.npy"), floor, args, run_dir)
    return finish(report, engine, run_dir, floor, keep=True)


def measure_queries(
    report: dict[str, Any],
    archive: SyntheticArchive,
    pks: np.ndarray,
    floor: SqlFloor | None,
    args: argparse.Namespace,
    run_dir: Path,
) -> None:
    """The query mix, through the app and against the floors; figures into `report`."""
    index_of_pk = {pk: index for index, pk in enumerate(pks.tolist()) if pk >= 0}
    numpy_floor = NumpyFloor(archive)
    report["numpy_floor"] = {
        "build_seconds": round(numpy_floor.build_seconds, 2),
        "mb": round(numpy_floor.bytes / 1e6, 1),
    }
    plan = plan_queries(archive, numpy_floor, report["repeat"] + WARMUP, report["seed"])
    app = App()
    runner = QueryRunner(archive, app, floor, numpy_floor, index_of_pk)
    report["queries"] = {}
    if profiler := (cProfile.Profile() if args.profile else None):
        profiler.enable()
    for kind in args.kinds:
        log(f"queries: {kind} x {len(plan[kind]) - WARMUP} (+{WARMUP} warm-up)")
        report["queries"][kind] = runner.run(kind, plan[kind]).summary()
    if profiler:
        profiler.disable()
        report.setdefault("profiles", []).append(
            _save_profile(profiler, run_dir / "queries.pstats", "queries")
        )
    report["facets"] = app.facets_status
    report["first_browse_ms"] = runner.first_browse_ms
    report["query_examples"] = {
        "browse": {
            "include": runner.tag_value(plan["browse"][0].include),
            "exclude": [runner.tag_value(p.exclude) for p in plan["browse"][WARMUP : WARMUP + 3]],
        },
        "common": [p.word for p in plan["common"][WARMUP : WARMUP + 5]],
        "rare": [p.word for p in plan["rare"][WARMUP : WARMUP + 5]],
        "phrase": [" ".join(p.words) for p in plan["phrase"][WARMUP : WARMUP + 5]],
    }


def finish(
    report: dict[str, Any], engine: str, run_dir: Path, floor: SqlFloor | None, *, keep: bool
) -> dict[str, Any]:
    """Sizes and memory into the report; the databases dropped unless kept."""
    report["sizes"] = database_sizes(engine, run_dir, floor)
    report["peak_memory_mb"] = round(peak_memory_mb(), 1)
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if floor is not None:
        floor.close()
    from django.db import connections

    connections.close_all()
    if not keep:
        shutil.rmtree(run_dir)
        if engine == "postgres":
            drop_postgres_database(APP_DATABASE)
            drop_postgres_database(FLOOR_DATABASE)
    return report


def _save_profile(profiler: cProfile.Profile, path: Path, name: str) -> str:
    profiler.dump_stats(path)
    stats = pstats.Stats(str(path), stream=sys.stderr)
    print(f"\n--- profile: {name} (top 25 by cumulative time) ---", file=sys.stderr)
    stats.sort_stats("cumulative").print_stats(25)
    return str(path)


def database_sizes(engine: str, run_dir: Path, floor: SqlFloor | None) -> dict[str, int]:
    """Bytes on disk. SQLite: the database file plus its write-ahead log (which after a
    large transaction can be as big as the data, until a checkpoint folds it in), and
    the log alone; PostgreSQL: pg_database_size."""
    stories = run_dir / "stories"
    sizes = {"story_files": sum(p.stat().st_size for p in stories.rglob("*.txt"))}
    if engine == "sqlite":
        path = run_dir / "fanarchive.sqlite3"
        sizes["app_database"] = sqlite_files_size(path)
        sizes["app_database_wal"] = sizes["app_database"] - path.stat().st_size
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            sizes["app_database"] = int(cursor.fetchone()[0])
    if floor is not None:
        sizes["floor_database"] = floor.size_bytes()
        if isinstance(floor, SqliteFloor):
            sizes["floor_database_wal"] = sizes["floor_database"] - floor.path.stat().st_size
    return sizes


# Reporting ----------------------------------------------------------------------------


def _pair(figures: dict[str, float] | None) -> str:
    return f"{figures['p50']:.1f} / {figures['p95']:.1f}" if figures else "-"


def _against(app: dict[str, float] | None, floor: dict[str, float] | None) -> str:
    """A floor's p50 / p95, and the app's as multiples of them."""
    if not floor or not app:
        return "-"
    return (
        f"{floor['p50']:.1f} / {floor['p95']:.1f} "
        f"({app['p50'] / floor['p50']:.1f}x / {app['p95'] / floor['p95']:.1f}x)"
    )


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    gen = report["generation"]
    story_mb = gen["bytes"] / 1e6
    lines = [
        "",
        f"== fanarchive search benchmark: preset {report['preset']}, {report['engine']} ==",
        f"date {m['date']}; {m['machine']}, {m['cpus']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgres']}" if "postgres" in m else "")
        + f"; load average at start {m['load_average']}",
        f"archive: {report['works']:,} works ({report['full_text_works']:,} with text: "
        f"{story_mb:,.1f} MB of story files, {report['archive']['words_in_full_text'] / 1e6:.1f} "
        f"M words), {report['archive']['tags']:,} tags, {report['archive']['taggings']:,} "
        f"taggings, biggest fandom {report['archive']['biggest_fandom_share']:.1%} of works",
        f"generation: model {report['archive']['seconds']:.1f} s; story files "
        f"{gen['seconds']:.1f} s = {gen['mb_per_s']:.1f} MB/s ({gen['processes']} processes)",
    ]
    imported = report["import"]
    line = (
        f"import, real path: {imported['works']:,} works, {imported['mb']:.1f} MB: "
        f"{imported['mb_per_s']:.2f} MB/s ({imported['seconds']:.1f} s; {imported['statuses']})"
    )
    if floor := report.get("floor_import"):
        share = imported["mb_per_s"] / floor["mb_per_s"]
        line += (
            f"\n  floor ({'FTS5 insert' if report['engine'] == 'sqlite' else 'COPY + GIN'}): "
            f"{floor['mb_per_s']:.2f} MB/s ({floor['seconds']:.1f} s); "
            f"import = {share:.0%} of the floor "
            f"(target >= {TARGET_IMPORT_SHARE:.0%}, at 20,000 works)"
        )
    lines.append(line)
    lines.append(
        f"  suggested-tag inference: {imported['queued_tasks']:,} tasks queued for "
        "`fanarchive db_worker` (background work, not run or timed here)"
    )
    if imported["failures"]:
        lines.append(f"  FAILURES: {imported['failures']}")
    if bulk_text := report.get("bulk_text"):
        lines.append(
            f"bulk path with text: {bulk_text['works']:,} works in {bulk_text['seconds']:.1f} s "
            f"({bulk_text['works_per_s']:,.0f} works/s; {bulk_text['parts_seconds']})"
        )
    bulk = report["bulk"]
    if bulk["works"]:
        lines.append(
            f"bulk metadata path: {bulk['works']:,} works in {bulk['seconds']:.1f} s "
            f"({bulk['works_per_s']:,.0f} works/s; {bulk['parts_seconds']})"
        )
    if check := report.get("bulk_check"):

        def kept(key: str) -> str:
            return "unchanged" if check.get(key) else "CHANGED (the bulk path is behind the app)"

        lines.append(
            f"  bulk path check: the app's refresh_work_filters on {check['works']} of its "
            f"works left the filter rows {kept('filter_rows_equal')} and the crossover "
            f"flags {kept('crossover_flags_equal')}"
        )
    lines.append(f"facets: {report['facets']}")
    if report.get("first_browse_ms") is not None:
        lines.append(
            "first browse of the process (loads the in-memory columns, not counted below): "
            f"{report['first_browse_ms']:.0f} ms"
        )
    lines.append("")
    lines.append(
        f"{'queries, ms (p50 / p95)':<24}{'app':<18}{'floor (app/floor)':<34}"
        f"{'floor+snippets (app/that)':<34}numpy floor"
    )
    for kind, figures in report["queries"].items():
        app = figures["app_ms"]
        numpy_figures = figures["numpy_floor_ms"]
        lines.append(
            f"{kind:<24}{_pair(app):<18}{_against(app, figures['floor_ms']):<34}"
            f"{_against(app, figures['floor_with_snippets_ms']):<34}{_pair(numpy_figures)}"
        )
        if kind == "browse" and figures["facets_ms"]:
            lines.append(
                f"  app: search {_pair(figures['search_ms'])}, "
                f"facet_counts {_pair(figures['facets_ms'])}"
            )
        runs = figures["runs"]
        if figures.get("errors"):
            lines.append(f"  FAILED {figures['errors']} times: {figures['first_error']}")
        checks = ", ".join(f"{name} {n}/{runs}" for name, n in figures["checks"].items())
        lines.append(
            f"  median total: app {figures['app_total_median']}, "
            f"floor {figures['floor_total_median']}; checks: {checks}"
        )
    browse = report["queries"].get("browse", {}).get("app_ms")
    phrase = report["queries"].get("phrase", {})
    lines.append("")
    if browse and phrase.get("app_ms"):
        lines.append(
            f"targets: browse p95 {browse['p95']:.1f} ms (<= {TARGET_BROWSE_P95_MS:.0f} ms at "
            f"1,000,000 works; here {report['works']:,}); phrase p95 "
            f"{phrase['app_ms']['p95']:.1f} ms (<= {TARGET_PHRASE_P95_MS:.0f} ms at 100,000 "
            f"full-text works; here {report['full_text_works']:,})"
            + (
                f", {phrase['app_ms']['p95'] / phrase['floor_ms']['p95']:.1f}x the floor's p95 "
                f"(<= {TARGET_PHRASE_FLOOR_RATIO:.0f}x)"
                if phrase["floor_ms"]
                else ""
            )
        )
    sizes = report["sizes"]
    lines.append(
        "sizes: "
        + ", ".join(
            f"{name.replace('_', ' ')} {size / 1e6:,.1f} MB" for name, size in sizes.items()
        )
        + f"; peak memory (ru_maxrss) {report['peak_memory_mb']:,.0f} MB"
    )
    lines.append(
        f"numpy floor: {report['numpy_floor']['mb']} MB, "
        f"built in {report['numpy_floor']['build_seconds']} s"
    )
    lines.append(
        f"wall time: {report['wall_seconds']:.0f} s; load average at the end "
        f"{report['load_average_end']} (other processes make figures noisy)"
    )
    lines.append(f"examples: {report['query_examples']}")
    print("\n".join(lines), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Search benchmark (issue 4): app vs bare-engine floors, same run.",
        epilog="Sizes per preset and engine (works, of which full text): "
        + "; ".join(
            f"{name}: " + ", ".join(f"{e} {s.works:,}/{s.full_text:,}" for e, s in sizes.items())
            for name, sizes in PRESETS.items()
        ),
    )
    parser.add_argument("--preset", choices=PRESETS, default="small")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--out", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the databases and story files")
    parser.add_argument("--skip-floors", action="store_true", help="measure the app only")
    parser.add_argument("--profile", action="store_true", help="cProfile the import and queries")
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS),
        help="the query kinds to measure (default: all), e.g. with --reuse after a change",
    )
    parser.add_argument("--works", type=int, help="override the preset's number of works")
    parser.add_argument("--full-text", type=int, help="override the preset's full-text works")
    parser.add_argument("--repeat", type=int, help="override the measured runs per query kind")
    parser.add_argument(
        "--real-import",
        type=int,
        metavar="N",
        help="import only the first N full-text works through the real path (timed) and "
        "the rest through the bulk path with their chapters: the real path is the slow part "
        "of a full run",
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--pg-database",
        default=APP_DATABASE,
        metavar="NAME",
        help=f"PostgreSQL database of the app (default {APP_DATABASE}; the floor's is "
        "NAME_floor); both are dropped and created, so NAME must start with fanarchive_bench",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="RUN_DIR",
        help="measure the queries again on a run kept with --keep (var/bench/<run>)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes writing story files",
    )
    parser.add_argument(
        "--import-jobs",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        metavar="N",
        help="`fanarchive import --jobs N` for the real path (default: cores + 1, the fastest)",
    )
    return parser.parse_args(argv)


def size_for(args: argparse.Namespace, engine: str) -> Size:
    size = PRESETS[args.preset][engine]
    full_text = args.full_text if args.full_text is not None else size.full_text
    works = args.works if args.works is not None else max(size.works, full_text)
    real_import = args.real_import if args.real_import is not None else size.real_import
    return Size(works, min(full_text, works), args.repeat or size.repeat, real_import)


def main() -> None:
    args = parse_args()
    use_postgres_databases(args.pg_database)
    if args.reuse:
        started = time.perf_counter()
        report = reuse_run(args.reuse.resolve(), args)
        report["wall_seconds"] = time.perf_counter() - started
        # Saved first: the figures outlive a report that cannot be printed.
        if args.out:
            results = {"preset": report["preset"], "engines": {report["engine"]: report}}
            args.out.write_text(json.dumps(results, indent=2, default=str))
        print_report(report)
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if "postgres" in engines and not postgres_available():
        message = f"SKIPPED: PostgreSQL run: no server at {POSTGRES_SERVER}"
        if args.engine == "postgres":
            sys.exit(message)
        print(message, flush=True)
        engines.remove("postgres")
    if "postgres" in engines:
        ensure_postgres_databases_free()
    results: dict[str, Any] = {"preset": args.preset, "machine": machine(), "engines": {}}
    started = time.perf_counter()
    if len(engines) == 1:
        report = run_engine(engines[0], size_for(args, engines[0]), args)
        report["wall_seconds"] = time.perf_counter() - started
        print_report(report)
        results["engines"][engines[0]] = report
    else:
        # Django is set up for one database per process: one child per engine.
        for engine in engines:
            with tempfile.NamedTemporaryFile(suffix=".json") as part:
                command = [
                    sys.executable,
                    __file__,
                    *sys.argv[1:],
                    "--engine",
                    engine,
                    "--out",
                    part.name,
                ]
                subprocess.run(command, check=True)  # noqa: S603
                results["engines"][engine] = json.loads(Path(part.name).read_text())["engines"][
                    engine
                ]
        print(f"\nboth engines: {time.perf_counter() - started:.0f} s", flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
