"""Keeping the search index in step with the works: what a work's documents say, and
writing them.

Called by the writer at the end of every import or update (`index_works`), by the tag
filter refresh whenever wrangling or suggestions change what a work is found under
(`index_works_metadata`), and by `fanarchive reindex` (`rebuild`). Deletes need no call:
the engines' rows go with their works (triggers on SQLite, foreign keys on PostgreSQL).

Documents
    work     title, creators (names in credit order), summary (plain text), and tags:
             the names the work was given plus every canonical and meta tag it is found
             under (FilterTagging rows that are not suggestions), so a search follows
             wrangling without re-importing.
    chapter  the body as plain text, one paragraph per <p>, paragraphs separated by a
             blank line: paragraph n is the stored body's element `p<n>`, so a match can
             be linked to `#p<n>`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction

from fanarchive.lib.text import chapter_text, one_line, summary_text
from fanarchive.search.engines import ChapterText, Engine, WorkText, get_engine
from fanarchive.tags.models import FilterTagging

# fanarchive.works.models is imported inside functions: it imports tags.filtering, which
# imports this module to keep the index in step with wrangling.

WORK_BATCH = 200
# Chapters are read with their bodies (up to ~0.5 MB each): few at a time.
CHAPTER_BATCH = 50


def work_texts(work_ids: list[int]) -> list[WorkText]:
    from fanarchive.works.models import Work, WorkCreator, WorkTag

    creators: dict[int, list[str]] = defaultdict(list)
    for work_id, name in (
        WorkCreator.objects.filter(work_id__in=work_ids)
        .order_by("work_id", "position")
        .values_list("work_id", "creator__name")
    ):
        creators[work_id].append(name)
    tags: dict[int, set[str]] = defaultdict(set)
    given = WorkTag.objects.filter(work_id__in=work_ids).values_list("work_id", "tag__name")
    found_under = FilterTagging.objects.filter(work_id__in=work_ids, suggested=False)
    for work_id, name in [*given, *found_under.values_list("work_id", "tag__name")]:
        tags[work_id].add(one_line(name))
    return [
        WorkText(
            work_id=pk,
            title=one_line(title),
            creators=", ".join(one_line(name) for name in creators[pk]),
            summary=summary_text(summary),
            # One tag a line, sorted: the same tags always make the same document.
            tags="\n".join(sorted(tags[pk])),
        )
        for pk, title, summary in Work.objects.filter(pk__in=work_ids).values_list(
            "pk", "title", "summary"
        )
    ]


def _chapter_texts(chapter_ids: list[int]) -> list[ChapterText]:
    from fanarchive.works.models import Chapter

    rows = Chapter.objects.filter(pk__in=chapter_ids).values_list(
        "pk", "work_id", "position", "body"
    )
    return [ChapterText(pk, work, place, chapter_text(body)) for pk, work, place, body in rows]


def _index_chapters(engine: Engine, work_ids: list[int]) -> int:
    from fanarchive.works.models import Chapter

    chapter_ids = list(
        Chapter.objects.filter(work_id__in=work_ids).order_by("pk").values_list("pk", flat=True)
    )
    for batch in _batches(chapter_ids, CHAPTER_BATCH):
        engine.write_chapters(_chapter_texts(batch))
    return len(chapter_ids)


def index_works(work_ids: Iterable[int]) -> int:
    """Write every search document of these works: metadata and chapters. Chapters a
    work no longer has were already dropped with their rows. Returns the chapters
    written."""
    engine = get_engine()
    chapters = 0
    for batch in _batches(sorted(set(work_ids)), WORK_BATCH):
        engine.write_works(work_texts(batch))
        chapters += _index_chapters(engine, batch)
    return chapters


def index_works_chapters(work_ids: Iterable[int]) -> int:
    """Write the chapter documents only, for works whose metadata documents are written
    elsewhere (the writer's filter refresh). Returns the chapters written."""
    engine = get_engine()
    batches = _batches(sorted(set(work_ids)), WORK_BATCH)
    return sum(_index_chapters(engine, batch) for batch in batches)


def index_works_metadata(work_ids: Iterable[int]) -> None:
    """Write the work-level documents only: what a change of tags or wrangling moves."""
    engine = get_engine()
    for batch in _batches(sorted(set(work_ids)), WORK_BATCH):
        engine.write_works(work_texts(batch))


# Where each engine keeps one row per indexed work, and the column naming the work.
_WORK_INDEX = {
    "sqlite": ("search_work_fts", "rowid"),
    "postgresql": ("search_workdocument", "work_id"),
}


def unindexed_works_exist(using: str = "default") -> bool:
    """Whether any work is missing from the index: true right after the search
    migrations are applied to an archive that already holds works."""
    from django.db import connections

    connection = connections[using]
    table, column = _WORK_INDEX[connection.vendor]
    with connection.cursor() as cursor:
        # Both names are constants above, chosen by vendor.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM works_work w WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {table} i WHERE i.{column} = w.id))"
        )
        return bool(cursor.fetchone()[0])


def clear_index() -> None:
    get_engine().clear()
    note_everything_changed()  # what full-text words match changed for every work


Progress = Callable[[int, int, int], None]
EVERY_WORK = 0
"""A change note for this id tells every process to reload its listing columns."""


def rebuild(*, batch_size: int = WORK_BATCH, progress: Progress | None = None) -> tuple[int, int]:
    """Rewrite every work's documents, `batch_size` works to a transaction, in id order
    (keyset pages, so memory stays flat). The index is rewritten in place: searches keep
    working while it runs. `progress(works_done, works_total, chapters_done)` follows
    each batch. Returns (works, chapters)."""
    from fanarchive.works.models import Work

    get_engine().prune()
    total = Work.objects.count()
    done = chapters = 0
    last = 0
    while batch := list(
        Work.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size]
    ):
        with transaction.atomic():
            chapters += index_works(batch)
        done += len(batch)
        last = batch[-1]
        if progress is not None:
            progress(done, max(total, done), chapters)
    note_everything_changed()
    return done, chapters


def note_everything_changed() -> None:
    # Late import: search.columns reads the tag models, which import this module.
    from fanarchive.search.columns import note_changed

    note_changed([EVERY_WORK])


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
