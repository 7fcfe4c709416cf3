"""Whole eFiction archives: what each table gives a work, and `fanarchive import-efiction`
on a real database, from a dump and from a live MariaDB.

The archives here (fixtures/efiction/) are invented for these tests: lantern.sql is a
mysqldump of an eFiction 3.5 archive whose chapters are partly in files
(stories/<uid>/<chapid>.txt: cp1252 text, an HTML fragment, UTF-8 text), partly in the
database; wrenfield.sql a phpMyAdmin dump of an older archive (prefix efic_, genre and
warning tables, names in place of ids, Unix times, a cp1252 byte)."""

# The fixture prose has curly quotes and dashes on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pymysql
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymysql.constants import CLIENT

from fanarchive.ingest.efiction import (
    Archive,
    ArchiveError,
    DatabaseTables,
    DumpTables,
    Story,
    chapter_html,
    detect_prefix,
)
from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import CreatorContact, ParsedReview, ParsedSeries
from fanarchive.ingest.tests.test_import_command import run_import
from fanarchive.lib.html import html_to_text, looks_like_html
from fanarchive.lib.sqldump import SqlDumpError, read_dump
from fanarchive.lib.text import strip_controls
from fanarchive.lib.textdecode import decode_text
from fanarchive.tags.constants import (
    EXPLICIT,
    GENERAL,
    MAJOR_CHARACTER_DEATH,
    MATURE,
    NO_WARNINGS,
    TEEN,
)
from fanarchive.tags.models import TagType
from fanarchive.works.models import Chapter, Creator, Series, Tag, Work, WorkRevision

FIXTURES = Path(__file__).parent / "fixtures" / "efiction"
LANTERN = FIXTURES / "lantern.sql"
WRENFIELD = FIXTURES / "wrenfield.sql"
STORIES = FIXTURES / "stories"


def read_archive(dump: Path, stories: Path | None = STORIES, **options: object) -> list[Story]:
    tables = DumpTables(dump, prefix=options.pop("prefix", None))  # type: ignore[arg-type]
    try:
        archive = Archive(
            tables,
            label=str(dump),
            source=str(dump.resolve()),
            default_name=dump.stem,
            stories_dir=stories,
            **options,  # type: ignore[arg-type]
        )
        return list(archive.stories())
    finally:
        tables.close()


@pytest.fixture(scope="module")
def lantern() -> dict[str, Story]:
    return {story.sid: story for story in read_archive(LANTERN)}


@pytest.fixture(scope="module")
def wrenfield() -> dict[str, Story]:
    return {story.sid: story for story in read_archive(WRENFIELD, stories=None)}


def field_values(story: Story, key: str) -> list[str]:
    assert story.work is not None
    return [value for k, value in story.work.fields if k == key]


# What a story gives its work ---------------------------------------------------------


def test_every_story_of_the_archive_is_read(lantern):
    assert {sid: story.error for sid, story in lantern.items()} == {
        "1": "", "2": "", "3": "", "4": "",
    }  # fmt: skip
    assert [story.work.title for story in lantern.values()] == [
        "The Lamp Room", "Fog Signals", "The Escapement", "Unfinished Draft",
    ]  # fmt: skip


def test_the_author_and_co_authors_are_the_creators(lantern):
    assert lantern["1"].work.creators == ["lanternfish", "Salt and Pepper"]
    assert lantern["3"].work.creators == ["clockwork_owl"]


def test_the_creators_details_are_kept_privately(lantern):
    assert lantern["1"].work.contacts == [
        CreatorContact(
            name="lanternfish",
            email="rhea@example.org",
            real_name="Rhea Quill",
            website="http://lanternfish.example.net",
            bio="<p>Writes about lighthouses and the people who keep them.</p>",
        ),
        CreatorContact(name="Salt and Pepper", email="salt@example.org"),
    ]
    assert lantern["3"].work.contacts[0].real_name == "Ines D'Arcy"


def test_categories_are_fandoms_with_the_path_of_a_nested_one_kept(lantern):
    assert lantern["1"].work.fandoms == ["Lighthouse Keepers Era"]
    assert field_values(lantern["1"], "Category path") == [
        "Harbour Lights > Lighthouse Keepers Era"
    ]
    assert lantern["2"].work.fandoms == ["Harbour Lights"]
    assert field_values(lantern["2"], "Category path") == []


def test_a_category_named_as_an_ao3_category_is_one(lantern):
    work = lantern["3"].work
    assert work.fandoms == ["The Clockmaker's Daughters"]
    assert work.categories == ["Gen"]


def test_characters_come_from_the_characters_table(lantern):
    assert lantern["1"].work.characters == ["Maren Tollis", "Okonkwo Vale"]
    assert lantern["3"].work.characters == ["Ida Brask", 'Perpetua "Pet" Hale']


def test_classes_go_where_their_class_type_says(lantern):
    lamp_room = lantern["1"].work
    # Genres: additional tags as they are; a warning that is an AO3 one: a warning.
    assert lamp_room.warnings == [MAJOR_CHARACTER_DEATH]
    assert lamp_room.relationships == ["Maren/Okonkwo"]
    # A type with no tag type of its own keeps its meaning in the tag.
    assert lamp_room.freeforms == ["Angst", "Time Frame: Before the Storm"]
    # "None" among the warnings says no archive warning applies.
    assert lantern["2"].work.warnings == [NO_WARNINGS]
    assert lantern["2"].work.freeforms == ["Humor"]
    # A warning that is no archive warning is an additional tag.
    assert lantern["3"].work.warnings == []
    assert lantern["3"].work.freeforms == ["Hurt/Comfort", "Language"]


def test_the_rating_is_the_ratings_table_row_not_the_review_score(lantern):
    assert [lantern[sid].work.rating for sid in "1234"] == [EXPLICIT, TEEN, GENERAL, MATURE]
    assert field_values(lantern["1"], "Rating") == ["NC-17"]
    assert field_values(lantern["1"], "Rating warning") == [
        "This story is for readers 18 or older."
    ]
    # stories.rating is the average review score: kept, never a rating.
    assert field_values(lantern["2"], "stories.rating") == ["4"]


def test_series_have_positions_and_a_work_may_be_in_two(lantern):
    assert lantern["1"].work.series == [
        ParsedSeries("Harbour Lights Cycle", 1, "Stories of the lamp and the bay."),
        ParsedSeries("Long Nights Collection", 3, "An open series for winter stories."),
    ]
    assert lantern["2"].work.series == [
        ParsedSeries("Harbour Lights Cycle", 2, "Stories of the lamp and the bay.")
    ]
    assert lantern["3"].work.series == []
    assert "Harbour Lights Cycle: Stories of the lamp and the bay." in field_values(
        lantern["1"], "Series summary"
    )


def test_completion_dates_hits_and_review_counts(lantern):
    lamp_room, fog = lantern["1"].work, lantern["2"].work
    assert (lamp_room.complete, fog.complete) == (True, False)
    assert (lamp_room.published, lamp_room.updated) == (date(2007, 3, 14), date(2007, 4, 2))
    assert (fog.published, fog.updated) == (date(2007, 4, 20), date(2007, 5, 1))
    assert (lamp_room.hits, fog.hits) == (412, 121)
    assert (lamp_room.comments, fog.comments) == (2, 1)


def test_summary_and_story_notes(lantern):
    work = lantern["1"].work
    assert 'A keeper\'s log, a "borrowed" lamp; and a backslash \\ (or two).' in work.summary
    # The summary is text that happens to hold a <script>: it stays text.
    assert "<script" not in work.summary
    assert "&lt;script&gt;" in work.summary
    assert work.notes == (
        "<p>Written for the Midwinter Lights challenge.</p>\n<p>Beta: Salt and Pepper.</p>"
    )
    assert work.language == "en"


def test_chapters_come_in_inorder_with_titles_and_notes(lantern):
    chapters = lantern["1"].work.chapters
    assert [c.title for c in chapters] == ["First Watch", "The Keeper's Ledger", "Morning"]
    assert chapters[0].notes == "<p>Thanks to my beta, who knows boats.</p>"
    assert chapters[2].end_notes == "<p>More lighthouse stories soon.</p>"
    assert lantern["2"].work.chapters[1].notes == "<p>A short one.</p>"


def test_chapter_files_are_read_in_their_own_encoding(lantern):
    first, ledger, morning = lantern["1"].work.chapters
    # stories/1/11.txt is cp1252 plain text.
    assert "“You’re late,” Okonkwo said" in first.body
    assert "The café in the village was still open… I stopped for bread.”" in first.body
    assert first.body.count("<p>") == 4
    # stories/1/12.txt is an HTML fragment whose first line reads like a chapter heading:
    # it is kept, as are the paragraphs its <br>s made.
    assert ledger.body.startswith("<p><b>Part Two: The Keeper's Ledger</b></p>")
    assert "<i>fog at dawn</i>" in ledger.body
    assert ledger.body.count("<p>") == 4
    # stories/1/13.txt is UTF-8 plain text with a scene break.
    assert '<hr class="scene-break">' in morning.body


def test_chapter_text_in_the_database_is_read_and_made_safe(lantern):
    horn, answer = lantern["2"].work.chapters
    # The NUL byte is gone; the backslashes and the semicolons are not.
    assert "sounded twice and then stopped" in horn.body
    assert "\x00" not in horn.body
    assert "C:\\keeper\\log, line forty;" in horn.body
    assert "(or seemed to; sound carries strangely over water)" in answer.body


def test_reviews_of_the_story_are_kept_with_the_chapter_reviewed(lantern):
    assert lantern["1"].work.reviews == [
        ParsedReview(
            "gullwing",
            "Loved the lamp room! The smell of paraffin; I could almost taste it.",
            date(2007, 3, 15),
            1,
        ),
        ParsedReview("Salt and Pepper", "<b>Proud</b> to have helped with this one.",
                     date(2007, 4, 3), None),
    ]  # fmt: skip
    # A review without a name is the member's with that uid.
    assert lantern["2"].work.reviews == [
        ParsedReview("tidewright", "Is the other horn a ghost?", date(2007, 5, 1), 2)
    ]


def test_the_archive_and_the_works_place_in_it(lantern):
    work = lantern["2"].work
    assert work.archive_name == "The Lantern Archive"
    assert work.original_location == "http://lantern.example.org/archive/viewstory.php?sid=2"
    assert work.source_file == f"{LANTERN.resolve()}#sid=2"
    assert lantern["2"].label == f"{LANTERN}#sid=2"


def test_every_story_column_is_kept_verbatim(lantern):
    fields = dict(lantern["1"].work.fields)
    assert {key: fields[key] for key in fields if key.startswith("stories.")} == {
        "stories.sid": "1", "stories.catid": "2", "stories.classes": "1,4,7,8",
        "stories.charid": "1,2", "stories.rid": "3", "stories.date": "2007-03-14 20:11:05",
        "stories.updated": "2007-04-02 08:00:00", "stories.uid": "1", "stories.coauthors": "1",
        "stories.featured": "1", "stories.validated": "1", "stories.completed": "1",
        "stories.rr": "0", "stories.wordcount": "212", "stories.rating": "4",
        "stories.reviews": "2", "stories.count": "412", "stories.challenges": "1",
    }  # fmt: skip
    assert fields["Challenge"] == "Midwinter Lights Challenge"
    assert fields["chapters.11"] == (
        "inorder=1 validated=1 wordcount=95 rating=0 reviews=1 uid=1 count=230"
    )
    assert fields["Summary"].endswith("<script>alert('lamp')</script>")


def test_an_unvalidated_story_is_read_as_unpublished(lantern):
    draft = lantern["4"]
    assert draft.published is False
    assert [c.title for c in draft.work.chapters] == ["Tide Tables"]
    assert all(story.published for sid, story in lantern.items() if sid != "4")


def test_a_published_storys_unvalidated_chapter_is_kept_but_not_published(lantern):
    story = lantern["3"]
    assert [c.title for c in story.work.chapters] == ["Tick"]
    assert field_values(story, "Unvalidated chapter") == ["Tock"]
    assert field_values(story, "Unvalidated chapter text") == [
        "<p>This chapter is still waiting for the archivist to read it.</p>"
    ]
    # Reviews point at the published chapters' positions.
    assert story.work.reviews[0].chapter == 1


def test_the_content_hash_is_stable_and_each_storys_own(lantern):
    again = {story.sid: story for story in read_archive(LANTERN)}
    assert {s: st.work.content_hash for s, st in again.items()} == {
        s: st.work.content_hash for s, st in lantern.items()
    }
    assert len({story.work.content_hash for story in lantern.values()}) == 4
    assert all(len(story.work.content_hash) == 64 for story in lantern.values())


def test_a_changed_chapter_file_changes_the_hash(tmp_path, lantern):
    stories = tmp_path / "stories"
    shutil.copytree(STORIES, stories)
    path = stories / "1" / "13.txt"
    path.write_text(path.read_text() + "\nOne more line.\n")
    changed = {story.sid: story for story in read_archive(LANTERN, stories=stories)}
    assert changed["1"].work.content_hash != lantern["1"].work.content_hash
    assert changed["2"].work.content_hash == lantern["2"].work.content_hash


# The older schema --------------------------------------------------------------------


def test_an_older_archive_with_genre_and_warning_tables(wrenfield):
    song, sea = wrenfield["1"].work, wrenfield["2"].work
    # stories.gid and wid hold names here...
    assert song.freeforms == ["Adventure", "Romance"]
    assert song.warnings == [MAJOR_CHARACTER_DEATH]
    # ...and ids there.
    assert sea.freeforms == ["Drama", "Violence"]
    assert sea.warnings == []


def test_an_older_archive_stores_names_where_ids_would_be(wrenfield):
    song, sea = wrenfield["1"].work, wrenfield["2"].work
    assert song.characters == ["Wren Alder", "Captain Osei"]
    assert sea.characters == ["Captain Osei"]
    assert song.rating == TEEN  # rid "PG-13", a name
    assert sea.rating == MATURE  # rid "3", an id
    assert sea.fandoms == ["The Sea Years"]


def test_an_older_archive_has_unix_times_old_reviews_and_doubled_quotes(wrenfield):
    song = wrenfield["1"].work
    assert (song.published, song.updated) == (date(2005, 3, 2), date(2005, 3, 5))
    assert song.title == "The Wren's Last Song"
    assert song.creators == ["Wren's Quill"]
    assert song.reviews == [
        ParsedReview("Finch", "What a song. I'll be humming it all week.", date(2005, 3, 6), 1)
    ]
    assert song.archive_name == "Wrenfield Stories"
    assert song.original_location == "http://wrenfield.example.com/viewstory.php?sid=1"


def test_a_cp1252_byte_in_a_dump_value_is_read(wrenfield):
    assert "café by the quay" in wrenfield["1"].work.chapters[0].body


# Prefixes ----------------------------------------------------------------------------


def test_the_prefix_is_found():
    assert detect_prefix(["fanfiction_stories", "fanfiction_authors"]) == ""
    assert detect_prefix(["efic_fanfiction_stories", "other"]) == "efic_"
    assert detect_prefix(["EFIC_fanfiction_stories"], "efic_") == "EFIC_"


def test_no_stories_table_or_several_are_archive_errors():
    with pytest.raises(ArchiveError, match="no eFiction archive"):
        detect_prefix(["wp_posts", "fanfiction_authors"])
    with pytest.raises(ArchiveError, match="choose one with --prefix"):
        detect_prefix(["a_fanfiction_stories", "b_fanfiction_stories"])
    with pytest.raises(ArchiveError, match="no table x_fanfiction_stories"):
        detect_prefix(["a_fanfiction_stories"], "x_")


@pytest.fixture
def two_archives(tmp_path) -> Path:
    path = tmp_path / "both.sql"
    path.write_bytes(LANTERN.read_bytes() + b"\n" + WRENFIELD.read_bytes())
    return path


def test_a_dump_of_two_archives_is_read_by_prefix(two_archives):
    with pytest.raises(ArchiveError, match="prefixes '', 'efic_'"):
        read_archive(two_archives)
    wren = read_archive(two_archives, prefix="efic_", stories=None)
    assert [story.work.title for story in wren] == ["The Wren's Last Song", "Osei at Sea"]
    lamp = read_archive(two_archives, prefix="")
    assert len(lamp) == 4


def test_the_archive_name_given_wins(tmp_path):
    (story, *_) = read_archive(WRENFIELD, stories=None, archive_name="Old Wrenfield")
    assert story.work.archive_name == "Old Wrenfield"


MINIMAL = """\
CREATE TABLE `tiny_fanfiction_stories` (`sid` int, `title` varchar(200), `uid` int,
  `validated` char(1), `rid` varchar(25), `catid` varchar(100));
INSERT INTO `tiny_fanfiction_stories` VALUES (7,'Alone',1,'1','0','0');
CREATE TABLE `tiny_fanfiction_chapters` (`chapid` int, `sid` int, `uid` int, `title` varchar(250),
  `inorder` int, `storytext` text, `validated` char(1));
INSERT INTO `tiny_fanfiction_chapters` VALUES (1,7,1,'',1,'Only this.','1');
"""


def test_without_settings_the_dump_names_the_archive(tmp_path):
    dump = tmp_path / "tiny-archive.sql"
    dump.write_text(MINIMAL)
    (story,) = read_archive(dump, stories=None)
    assert story.work.archive_name == "tiny-archive"
    assert story.work.original_location == "viewstory.php?sid=7"
    assert story.work.creators == []
    assert story.work.rating is None


# Chapters that cannot be read ----------------------------------------------------------


def test_an_unreadable_unvalidated_chapter_does_not_fail_its_story(tmp_path):
    dump = tmp_path / "pending.sql"
    dump.write_text(
        MINIMAL + "INSERT INTO `tiny_fanfiction_chapters` VALUES (2,7,1,'Later',2,'','0');\n"
    )
    (story,) = read_archive(dump, stories=tmp_path)
    assert story.error == ""
    assert [c.title for c in story.work.chapters] == [""]
    assert field_values(story, "Unvalidated chapter") == ["Later"]
    (text,) = field_values(story, "Unvalidated chapter text")
    assert text.startswith("(unreadable: chapid 2 has no text in the database and no file")


def test_a_chapter_in_a_file_needs_the_stories_folder():
    story = read_archive(LANTERN, stories=None)[0]
    assert story.work is None
    assert story.error == (
        "chapter 1 (chapid 11) has no text in the database: its text is in a file "
        "stories/<uid>/<chapid>.txt; give the folder with --stories DIR"
    )


def test_a_missing_chapter_file_fails_its_story_only(tmp_path):
    stories = tmp_path / "stories"
    shutil.copytree(STORIES, stories)
    (stories / "1" / "12.txt").unlink()
    found = read_archive(LANTERN, stories=stories)
    assert found[0].error == (
        f"chapter 2 (chapid 12) has no text in the database and no file 1/12.txt under {stories}"
    )
    assert [story.error for story in found[1:]] == ["", "", ""]


def test_a_chapter_file_under_another_authors_folder_is_found(tmp_path):
    stories = tmp_path / "stories"
    shutil.copytree(STORIES, stories)
    (stories / "9").mkdir()
    (stories / "1" / "13.txt").rename(stories / "9" / "13.txt")
    assert read_archive(LANTERN, stories=stories)[0].error == ""


def test_a_binary_chapter_file_is_an_error(tmp_path):
    stories = tmp_path / "stories"
    shutil.copytree(STORIES, stories)
    (stories / "1" / "11.txt").write_bytes(b"%PDF-1.4 not a story")
    story = read_archive(LANTERN, stories=stories)[0]
    assert story.error.startswith("chapter 1 (chapid 11): ")
    assert story.error.endswith("11.txt: binary file (looks like a PDF document)")


# Chapter HTML ------------------------------------------------------------------------


def test_chapter_html_keeps_a_heading_line_as_text():
    html = chapter_html("Chapter 3: The Bell<br><br>It rang once.<br>Then twice.")
    assert html == "<p>Chapter 3: The Bell</p>\n<p>It rang once.<br>Then twice.</p>"


def test_chapter_html_of_plain_text_and_of_blocks():
    assert chapter_html("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"
    assert chapter_html("<p>One <i>two</p>") == "<p>One <i>two</i></p>"
    assert chapter_html("  \r\n ") == ""


def test_chapter_html_of_loose_lines_with_markup():
    assert chapter_html("A <i>line</i>.<br>\nAnother.<br><br>\nNext.") == (
        "<p>A <i>line</i>.<br>Another.</p>\n<p>Next.</p>"
    )


# Property tests -----------------------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 4), st.binary(max_size=6)), max_size=5))
def test_mutated_dumps_give_stories_or_a_clear_error(mutations):
    mutated = bytearray(LANTERN.read_bytes())
    for where, removed, inserted in mutations:
        at = int(where * len(mutated))
        mutated[at : at + removed] = inserted
    with tempfile.TemporaryDirectory() as directory:
        dump = Path(directory) / "mutated.sql"
        dump.write_bytes(bytes(mutated))
        try:
            stories = read_archive(dump)
        except (SqlDumpError, ArchiveError):
            return
    for story in stories:
        assert (story.work is None) == bool(story.error)
        assert not story.error.startswith("unexpected error"), story.error


# The command, on a real database ---------------------------------------------------------


def run(*args: object) -> tuple[int, list[dict], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(
            "import-efiction", *[str(a) for a in args], "--json", stdout=stdout, stderr=stderr
        )
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    return code, lines, stderr.getvalue()


def usage_error(*args: object) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("import-efiction", *[str(a) for a in args], stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip
    return caught.value


def database_state() -> dict[str, int]:
    models = [Work, Chapter, Creator, Series, Tag, Provenance, WorkRevision]
    return {model.__name__: model.objects.count() for model in models}


def tags(work: Work, tag_type: str) -> list[str]:
    return sorted(work.tags.filter(type=tag_type).values_list("name", flat=True))


@pytest.fixture
def imported(db) -> dict[str, Work]:
    code, lines, _ = run(LANTERN, "--stories", STORIES)
    assert code == 0
    assert [line["status"] for line in lines] == ["imported"] * 4
    return {line["file"].rsplit("=", 1)[1]: Work.objects.get(pk=line["work_id"]) for line in lines}


def test_the_command_stores_typed_tags(imported):
    work = imported["1"]
    assert tags(work, TagType.RATING) == [EXPLICIT]
    assert tags(work, TagType.WARNING) == [MAJOR_CHARACTER_DEATH]
    assert tags(work, TagType.FANDOM) == ["Lighthouse Keepers Era"]
    assert tags(work, TagType.RELATIONSHIP) == ["Maren/Okonkwo"]
    assert tags(work, TagType.CHARACTER) == ["Maren Tollis", "Okonkwo Vale"]
    assert tags(work, TagType.FREEFORM) == ["Angst", "Time Frame: Before the Storm"]
    assert tags(imported["3"], TagType.CATEGORY) == ["Gen"]


def test_the_command_stores_creators_with_co_authors_in_order(imported):
    assert imported["1"].creator_names() == ["lanternfish", "Salt and Pepper"]
    assert imported["2"].creator_names() == ["lanternfish"]


def test_the_command_stores_series_with_positions(imported):
    cycle = Series.objects.get(title="Harbour Lights Cycle")
    assert [(e.work.title, e.position) for e in cycle.entries.order_by("position")] == [
        ("The Lamp Room", 1),
        ("Fog Signals", 2),
    ]
    nights = Series.objects.get(title="Long Nights Collection")
    assert [(e.work.title, e.position) for e in nights.entries.all()] == [("The Lamp Room", 3)]
    assert (cycle.summary, nights.summary) == (
        "Stories of the lamp and the bay.", "An open series for winter stories."
    )  # fmt: skip


def test_the_command_stores_dates_hits_and_completion(imported):
    lamp_room, fog = imported["1"], imported["2"]
    assert (lamp_room.published, lamp_room.updated) == (date(2007, 3, 14), date(2007, 4, 2))
    assert (lamp_room.hits, lamp_room.comments) == (412, 2)
    assert (lamp_room.complete, fog.complete) == (True, False)
    assert fog.posted_chapters == 2


def test_the_command_stores_chapters_in_order_with_their_notes(imported):
    chapters = list(imported["1"].chapters.order_by("position"))
    assert [c.title for c in chapters] == ["First Watch", "The Keeper's Ledger", "Morning"]
    assert chapters[0].notes == "<p>Thanks to my beta, who knows boats.</p>"
    assert chapters[2].end_notes == "<p>More lighthouse stories soon.</p>"
    assert chapters[0].body.startswith('<p id="p1">Maren climbed the ninety-one steps')


def test_the_command_stores_summary_and_notes_safely(imported):
    work = imported["1"]
    assert "<script" not in work.summary
    assert "backslash \\ (or two)" in work.summary
    assert "Midwinter Lights challenge" in work.notes


def test_the_command_stores_where_the_work_was_rescued_from(imported):
    work = imported["1"]
    assert work.imported_from == "The Lantern Archive"
    assert work.original_location == "http://lantern.example.org/archive/viewstory.php?sid=1"


def test_the_command_keeps_creators_contacts_privately(imported):
    contact = Creator.objects.get(name="lanternfish").contact
    assert (contact.email, contact.real_name, contact.website) == (
        "rhea@example.org", "Rhea Quill", "http://lanternfish.example.net",
    )  # fmt: skip
    assert Creator.objects.get(name="Salt and Pepper").contact.email == "salt@example.org"
    assert contact.archive == imported["1"].imported_from


def test_the_command_keeps_reviews_and_fields_with_the_provenance(imported):
    provenance = imported["1"].provenance.first()
    assert provenance.source_path == f"{LANTERN.resolve()}#sid=1"
    assert provenance.importer == "efiction"
    assert provenance.reviews == [
        {"reviewer": "gullwing",
         "text": "Loved the lamp room! The smell of paraffin; I could almost taste it.",
         "posted": "2007-03-15", "chapter": 1},
        {"reviewer": "Salt and Pepper", "text": "<b>Proud</b> to have helped with this one.",
         "posted": "2007-04-03", "chapter": None},
    ]  # fmt: skip
    fields = {key: value for key, value in provenance.fields}
    assert fields["stories.featured"] == "1"
    assert fields["stories.rating"] == "4"
    assert fields["Category path"] == "Harbour Lights > Lighthouse Keepers Era"


def test_the_command_keeps_an_unvalidated_story_as_a_draft(imported):
    assert imported["4"].posted is False
    visible = Work.objects.visible_to(AnonymousUser())
    assert set(visible.values_list("title", flat=True)) == {
        "The Lamp Room", "Fog Signals", "The Escapement",
    }  # fmt: skip
    assert all(imported[sid].posted for sid in "123")
    held = {key: value for key, value in imported["3"].provenance.first().fields}
    assert held["Unvalidated chapter"] == "Tock"
    assert imported["3"].posted_chapters == 1


def source_chapter_texts() -> Iterator[tuple[str, str, str]]:
    """(story title, chapter title, text) of every chapter of both fixture archives, read
    straight from the dumps and the chapter files."""
    for dump in (LANTERN, WRENFIELD):
        titles: dict[str, str] = {}
        chapters = []
        with dump.open("rb") as stream:
            for row in read_dump(stream):
                if row.table.endswith("fanfiction_stories"):
                    titles[str(row.values["sid"])] = row.values["title"].replace("''", "'")
                elif row.table.endswith("fanfiction_chapters"):
                    chapters.append(row.values)
        for chapter in chapters:
            text = chapter["storytext"] or decode_text(
                (STORIES / str(chapter["uid"]) / f"{chapter['chapid']}.txt").read_bytes()
            )
            title = chapter["title"].replace("&#039;", "'")
            yield titles[str(chapter["sid"])], title, text


def words(text: str) -> list[str]:
    text = strip_controls(text)
    if looks_like_html(text):
        text = html_to_text(text)
    return [word for word in text.split() if any(char.isalnum() for char in word)]


@pytest.mark.django_db
def test_every_chapters_words_survive_the_import(imported):
    assert run(WRENFIELD)[0] == 0
    stored = {
        (chapter.work.title, chapter.title): chapter.body
        for chapter in Chapter.objects.select_related("work")
    }
    checked = 0
    for story, title, text in source_chapter_texts():
        if title == "Tock":  # not validated: kept in the provenance, not a chapter
            continue
        assert words(stored[story, title]) == words(text), (story, title)
        checked += 1
    assert checked == 10


@pytest.mark.django_db
def test_importing_again_finds_every_work_unchanged(imported):
    before = database_state()
    code, lines, stderr = run(LANTERN, "--stories", STORIES)
    assert code == 0
    assert [line["status"] for line in lines] == ["unchanged"] * 4
    assert "0 imported, 0 updated, 4 unchanged" in stderr
    assert database_state() == before
    # A draft stays a draft.
    assert Work.objects.get(title="Unfinished Draft").posted is False


@pytest.mark.django_db
def test_the_json_output_reports_each_work(imported):
    code, lines, _ = run(WRENFIELD)
    assert code == 0
    song = lines[0]
    assert song["file"] == f"{WRENFIELD}#sid=1"
    assert song["title"] == "The Wren's Last Song"
    assert song["imported_from"] == "Wrenfield Stories"
    assert song["freeforms"] == ["Adventure", "Romance"]


@pytest.mark.django_db
def test_the_report_lists_every_story(tmp_path):
    report = tmp_path / "report.json"
    code, _, _ = run(WRENFIELD, "--report", report)
    assert code == 0
    data = json.loads(report.read_text())
    assert data["totals"]["imported"] == 2
    assert [entry["file"] for entry in data["files"]] == [
        f"{WRENFIELD}#sid=1", f"{WRENFIELD}#sid=2",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_story_that_cannot_be_read_fails_alone(db):
    code, lines, stderr = run(LANTERN)
    assert code == 1
    assert [line["status"] for line in lines] == ["failed", "imported", "imported", "imported"]
    assert "--stories DIR" in lines[0]["error"]
    assert f"failed     {LANTERN}#sid=1: chapter 1 (chapid 11)" in stderr


@pytest.mark.django_db
def test_a_corrupt_dump_names_the_file_and_line_and_changes_nothing(imported, tmp_path):
    lines = LANTERN.read_text("utf-8").splitlines(keepends=True)
    at = next(
        n for n, line in enumerate(lines) if line.startswith("INSERT INTO `fanfiction_stories`")
    )
    lines.insert(at + 1, "INSERT INTO `fanfiction_stories` VALUES (9,'Broken',NOW());\n")
    broken = tmp_path / "broken.sql"
    broken.write_text("".join(lines), "utf-8")
    before = database_state()
    caught = usage_error(broken, "--stories", STORIES)
    assert str(caught) == (
        f"{broken}: line {at + 2}: an expression (NOW ...) in a row of `fanfiction_stories`; "
        "nothing was imported"
    )
    assert caught.returncode == 1
    assert database_state() == before


@pytest.mark.django_db
def test_a_truncated_dump_is_an_error_before_anything_is_written(tmp_path):
    data = LANTERN.read_bytes()
    broken = tmp_path / "truncated.sql"
    broken.write_bytes(data[: data.index(b"(2,'Fog Signals'") + 8])
    caught = usage_error(broken, "--stories", STORIES)
    assert "truncated.sql: line" in str(caught)
    assert "the dump ends inside a quoted string" in str(caught)
    assert Work.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give either a dump file or --database"),
        ((LANTERN, "--database", "mysql://root@127.0.0.1/x"), "give either a dump file"),
        (("missing.sql",), "no such file: missing.sql"),
        ((FIXTURES,), "not a file"),
        ((LANTERN, "--stories", "no/such/dir"), "no such directory: no/such/dir"),
        ((LANTERN, "--encoding", "klingon"), "unknown encoding: klingon"),
        (
            ("--database", "mysql://root@127.0.0.1/x", "--encoding", "utf-8"),
            "--encoding is for dumps",
        ),
        (("--database", "postgres://h/db"), "not a MySQL URL"),
        (("--database", "mysql://root@127.0.0.1:port/db"), "a bad port"),
        (("--database", "mysql://root@127.0.0.1:3306/"), "the URL names no database"),
        ((LANTERN, "--prefix", "nope_"), "no table nope_fanfiction_stories"),
        ((LANTERN, "--report", "no/such/dir/r.json"), "no such directory for --report"),
    ],
)
def test_bad_usage_exits_with_2_and_reads_nothing(args, message):
    caught = usage_error(*args)
    assert message in str(caught)
    assert caught.returncode == 2
    assert Work.objects.count() == 0


@pytest.mark.django_db
def test_a_dump_with_no_archive_or_two_is_bad_usage(tmp_path, two_archives):
    other = tmp_path / "wordpress.sql"
    other.write_text("CREATE TABLE wp_posts (ID int);\nINSERT INTO wp_posts VALUES (1);\n")
    caught = usage_error(other)
    assert (caught.returncode, str(caught)) == (
        2, f"{other}: no eFiction archive: no table named <prefix>fanfiction_stories",
    )  # fmt: skip
    caught = usage_error(two_archives)
    assert caught.returncode == 2
    assert "choose one with --prefix" in str(caught)
    code, lines, _ = run(two_archives, "--prefix", "efic_", "--archive-name", "Wren")
    assert code == 0
    assert [line["imported_from"] for line in lines] == ["Wren", "Wren"]


@pytest.mark.django_db
def test_an_unreachable_database_is_an_error():
    caught = usage_error("--database", "mysql://nobody:secret@127.0.0.1:1/archive")
    assert caught.returncode == 1
    assert str(caught).startswith("cannot read mysql://127.0.0.1:1/archive: ")
    assert "secret" not in str(caught)


# A live MariaDB -----------------------------------------------------------------------

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@pytest.fixture
def mariadb_archive() -> Iterator[str]:
    """A fresh database on the MariaDB server, loaded from lantern.sql, dropped after.
    Without a server the test skips, except under CI, where a skip would hide a broken
    setup and fails instead."""
    try:
        server = pymysql.connect(
            **MARIADB, charset="utf8mb4", client_flag=CLIENT.MULTI_STATEMENTS,
            autocommit=True, connect_timeout=3,
        )  # fmt: skip
    except pymysql.MySQLError as error:
        message = f"MariaDB not reachable at 127.0.0.1:3306 as root: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"fanarchive_efiction_{uuid.uuid4().hex[:12]}"
    try:
        with server.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            cursor.execute(f"USE `{name}`")
            cursor.execute(LANTERN.read_text("utf-8"))
            while cursor.nextset():
                pass
        yield name
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


def test_a_live_database_gives_the_same_works_as_its_dump(mariadb_archive):
    connection = pymysql.connect(
        **MARIADB, database=mariadb_archive, charset="utf8mb4", autocommit=True,
        cursorclass=pymysql.cursors.DictCursor,
    )  # fmt: skip
    tables = DatabaseTables(connection)
    try:
        archive = Archive(tables, label="db", source="db", default_name=mariadb_archive,
                          stories_dir=STORIES)  # fmt: skip
        from_database = list(archive.stories())
    finally:
        tables.close()
    from_dump = read_archive(LANTERN)
    assert [story.error for story in from_database] == [""] * 4
    for live, dumped in zip(from_database, from_dump, strict=True):
        assert live.published == dumped.published
        assert asdict(live.work) | {"source_file": ""} == asdict(dumped.work) | {"source_file": ""}


@pytest.mark.django_db
def test_the_command_imports_a_live_database(mariadb_archive):
    url = f"mysql://root@127.0.0.1:3306/{mariadb_archive}"
    code, lines, _ = run("--database", url, "--stories", STORIES)
    assert code == 0
    assert [line["status"] for line in lines] == ["imported"] * 4
    assert lines[0]["file"] == f"mysql://127.0.0.1:3306/{mariadb_archive}#sid=1"
    work = Work.objects.get(pk=lines[0]["work_id"])
    assert work.creator_names() == ["lanternfish", "Salt and Pepper"]
    assert work.provenance.first().source_path == f"mysql://127.0.0.1:3306/{mariadb_archive}#sid=1"
    assert Work.objects.get(title="Unfinished Draft").posted is False
    # The dump holds the same stories: every one is found unchanged.
    code, lines, _ = run(LANTERN, "--stories", STORIES)
    assert [line["status"] for line in lines] == ["unchanged"] * 4


@pytest.mark.django_db
def test_plain_import_of_a_dump_says_to_use_import_efiction():
    before = Work.objects.count()
    code, [line], _ = run_import(FIXTURES / "lantern.sql")
    assert code == 1
    assert "fanarchive import-efiction DUMP.sql --stories DIR" in line["error"]
    assert Work.objects.count() == before
