"""The index follows the works: documents, imports and updates, deletes, wrangling, and
`fanarchive reindex`. The same tests run on SQLite and PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from fanarchive.lib.html import clean_story_html
from fanarchive.lib.text import chapter_text, paragraph_at
from fanarchive.search.engines import ChapterText, get_engine
from fanarchive.search.indexing import clear_index, work_texts
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import Chapter, Work, WorkTag
from fanarchive.works.tests.factories import make_tag

from .stories import found, run, store

pytestmark = pytest.mark.django_db


def indexed() -> tuple[set[int], set[int]]:
    """(work ids, chapter ids) the engine holds documents for."""
    if connection.vendor == "sqlite":
        tables = ("search_work_fts", "rowid"), ("search_chapter_fts", "rowid")
    else:
        tables = ("search_workdocument", "work_id"), ("search_chapterdocument", "chapter_id")
    with connection.cursor() as cursor:
        ids = []
        for table, column in tables:
            cursor.execute(f"SELECT {column} FROM {table}")
            ids.append({row[0] for row in cursor.fetchall()})
    return ids[0], ids[1]


# Documents --------------------------------------------------------------------------


@pytest.mark.django_db(databases=[])
def test_chapter_text_has_one_paragraph_per_numbered_p():
    body = clean_story_html(
        "<h2>Part One</h2><p>First <i>line</i>.<br>Same paragraph.</p>"
        '<hr class="scene-break"><div>Loose text.</div>'
        "<p></p><blockquote><p>Quoted &amp; kept.</p></blockquote><pre>code</pre><p>Last.</p>"
    )
    text = chapter_text(body)

    paragraphs = text.split("\n\n")
    assert len(paragraphs) == body.count("<p id=")
    assert paragraphs[0] == "Part One First line. Same paragraph. Loose text."
    assert paragraphs[1] == ""
    assert paragraphs[2] == "Quoted & kept. code"
    assert paragraphs[3] == "Last."
    assert '<p id="p3">Quoted &amp; kept.</p>' in body
    assert paragraph_at(text, text.index("Quoted")) == 3
    assert paragraph_at(text, text.index("Last")) == 4


@pytest.mark.django_db(databases=[])
def test_chapter_text_without_paragraphs_is_one_paragraph_and_has_no_control_characters():
    assert chapter_text("Just\x00 text,\x02 <b>bold</b>\x03\n\nand more") == (
        "Just text, bold and more"
    )


def test_a_works_tags_document_holds_given_canonical_and_meta_tag_names():
    work = store("Tagged", relationships=["Spuffy"], freeforms=["Slow Burn"])
    canonical = make_tag(TagType.RELATIONSHIP, "Spike/Buffy Summers")
    Tag.objects.get(name="Spuffy").make_synonym_of(canonical)
    Tag.objects.get(name="Slow Burn").add_meta_tag(make_tag(TagType.FREEFORM, "Pacing"))

    [document] = work_texts([work.pk])
    assert set(document.tags.split("\n")) >= {
        "Spuffy",
        "Spike/Buffy Summers",
        "Slow Burn",
        "Pacing",
        "General Audiences",
    }
    assert found("tag:pacing") == {"Tagged"}


# Following the works ----------------------------------------------------------------


def test_an_import_indexes_the_work_and_every_chapter():
    work = store("Indexed", "<p>One.</p>", "<p>Two.</p>")

    works, chapters = indexed()
    assert work.pk in works
    assert chapters == set(work.chapters.values_list("pk", flat=True))


def test_the_index_follows_an_update():
    store("Evolving", "<p>The old lantern flickered.</p>", "<p>Two.</p>", source="s/evolving.txt")
    assert found('"old lantern"') == {"Evolving"}

    work = store("Evolving", "<p>A new beacon shone.</p>", "<p>Two.</p>", source="s/evolving.txt")

    assert Work.objects.count() == 1
    assert found('"old lantern"') == set()
    assert found('"new beacon"') == {"Evolving"}
    assert indexed()[1] == set(work.chapters.values_list("pk", flat=True))


def test_a_retitled_work_is_found_by_its_new_title_only():
    store("Old Title", "<p>Text.</p>", source="s/retitled.txt")
    store("Fresh Name", "<p>Text.</p>", source="s/retitled.txt")

    assert found("title:old") == set()
    assert found("title:fresh") == {"Fresh Name"}


def test_a_deleted_work_leaves_nothing_in_the_index():
    kept = store("Kept", "<p>A lighthouse.</p>")
    gone = store("Gone", "<p>A lighthouse.</p>", "<p>Another lighthouse.</p>")
    gone_chapters = set(gone.chapters.values_list("pk", flat=True))

    gone.delete()

    works, chapters = indexed()
    assert works == {kept.pk}
    assert not chapters & gone_chapters
    assert found("lighthouse") == {"Kept"}


def test_a_deleted_chapter_leaves_the_index():
    work = store("Shrinking", "<p>One.</p>", "<p>A lighthouse.</p>")
    Chapter.objects.filter(work=work, position=2).delete()

    assert indexed()[1] == set(work.chapters.values_list("pk", flat=True))
    assert found("lighthouse") == set()


def test_wrangling_a_tag_into_a_new_canonical_makes_the_work_findable_by_it():
    store("Wrangled", "<p>Text.</p>", characters=["Willow R."])
    assert found('tag:"willow rosenberg"') == set()

    Tag.objects.get(name="Willow R.").make_synonym_of(
        make_tag(TagType.CHARACTER, "Willow Rosenberg")
    )

    assert found('tag:"willow rosenberg"') == {"Wrangled"}
    assert found('tag:"willow r"') == {"Wrangled"}
    assert found("Wrangled", include=("character:Willow Rosenberg",)) == {"Wrangled"}


def test_a_tag_added_outside_an_import_is_searchable_after_the_filter_refresh():
    from fanarchive.tags.filtering import refresh_work_filters

    work = store("Admin Edited", "<p>Text.</p>")
    WorkTag.objects.create(work=work, tag=make_tag(TagType.FREEFORM, "Found Family"))
    refresh_work_filters([work.pk])

    assert found('tag:"found family"') == {"Admin Edited"}


# Rebuilding -------------------------------------------------------------------------


def test_reindex_restores_a_wiped_index():
    store("First", "<p>A lighthouse.</p>", summary="<p>Sea.</p>")
    store("Second", "<p>Another lighthouse.</p>", "<p>And a harbour.</p>")
    clear_index()
    assert found("lighthouse") == set()
    assert indexed() == (set(), set())

    stderr = io.StringIO()
    call_command("reindex", "--batch-size", "1", stderr=stderr, stdout=io.StringIO())

    assert found("lighthouse") == {"First", "Second"}
    assert found("summary:sea harbour") == set()
    assert found("harbour") == {"Second"}
    assert "reindexed 1/2 works" in stderr.getvalue()
    assert "reindexed 2 works and 3 chapters" in stderr.getvalue()


def test_reindex_is_idempotent():
    store("Only", "<p>A lighthouse.</p>")
    before = indexed()
    call_command("reindex", stderr=io.StringIO(), stdout=io.StringIO())
    call_command("reindex", stderr=io.StringIO(), stdout=io.StringIO())

    assert indexed() == before
    assert run("lighthouse").total == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's delete triggers")
def test_lost_sqlite_triggers_come_back_after_migrate():
    from fanarchive.search.engines.sqlite import ensure_triggers

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_work_fts_delete")
        cursor.execute("DROP TRIGGER search_chapter_fts_delete")
    ensure_triggers(connection)
    work = store("Gone", "<p>A lighthouse.</p>")
    work.delete()

    assert indexed() == (set(), set())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's tsvector limit")
def test_text_too_big_for_a_tsvector_is_indexed_by_its_beginning():
    work = store("Huge", "<p>Short.</p>")
    chapter = work.chapters.get()
    # ~200,000 distinct words: far past a tsvector's 1 MB.
    words = " ".join(f"w{n:x}q" for n in range(200_000))

    get_engine().write_chapters([ChapterText(chapter.pk, work.pk, 1, "unusual " + words)])

    assert found("unusual") == {"Huge"}


def test_works_from_before_the_search_app_are_indexed_after_migrating():
    from fanarchive.search.apps import _index_existing_works
    from fanarchive.search.indexing import unindexed_works_exist
    from fanarchive.works.tests.factories import make_work

    make_work("Old Lighthouse", chapters=["<p>The old lighthouse keeper waved.</p>"])
    clear_index()  # as an archive older than the search app has it
    assert unindexed_works_exist()

    _index_existing_works("default", verbosity=0)

    assert not unindexed_works_exist()
    assert found('"lighthouse keeper"') == {"Old Lighthouse"}
