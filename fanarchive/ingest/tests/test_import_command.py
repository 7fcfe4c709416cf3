"""`fanarchive import`: outcomes, --json, exit codes and failures, on a real database."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from fanarchive.ingest.models import Provenance
from fanarchive.tags.models import TagType
from fanarchive.works.models import Chapter, Creator, Series, Tag, Work, WorkRevision

STORY = """\
title: The Catalogue of Lost Things
author: quillandlamp
fandom: Sherlock Holmes - Arthur Conan Doyle
category: Gen
characters: Sherlock Holmes, John Watson
rating: PG
warnings: none
genre: mystery
series: The Baker Street Ledgers
part: 2
summary: A ledger turns up with one page too many.

The ledger arrived on a Tuesday, wrapped in brown paper.

Holmes read it twice before he spoke.
"""

JSON_KEYS = {
    "file", "status", "work_id", "title", "creators", "rating", "warnings", "category",
    "fandoms", "relationships", "characters", "freeforms", "summary", "notes", "language",
    "series", "complete", "published", "updated", "source_url", "imported_from",
    "original_location", "words", "chapters", "duplicate_of", "error",
}  # fmt: skip


def run_import(*args: object) -> tuple[int, list[dict], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", *[str(a) for a in args], "--json", stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    return code, lines, stderr.getvalue()


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def database_state() -> dict[str, int]:
    models = [Work, Chapter, Creator, Series, Tag, Provenance, WorkRevision]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_it_imports_a_story_and_reports_every_json_key(tmp_path):
    story = write(tmp_path / "ledger.txt", STORY)
    code, [line], stderr = run_import(story)

    assert code == 0
    assert set(line) == JSON_KEYS
    assert line["status"] == "imported"
    assert line["file"] == str(story)
    work = Work.objects.get(pk=line["work_id"])
    assert line["title"] == work.title == "The Catalogue of Lost Things"
    assert line["creators"] == ["quillandlamp"]
    assert line["rating"] == "General Audiences"
    assert line["warnings"] == ["No Archive Warnings Apply"]
    assert line["category"] == ["Gen"]
    assert line["fandoms"] == ["Sherlock Holmes - Arthur Conan Doyle"]
    assert line["characters"] == ["John Watson", "Sherlock Holmes"]
    assert line["freeforms"] == ["mystery"]
    assert line["series"] == [{"title": "The Baker Street Ledgers", "position": 2}]
    assert "one page too many" in line["summary"]
    assert line["chapters"] == 1
    assert line["words"] == work.word_count == 17
    assert line["error"] is None
    assert "imported" in stderr and str(story) in stderr


@pytest.mark.django_db
def test_it_keeps_provenance_with_every_header_field(tmp_path):
    story = write(
        tmp_path / "ledger.txt",
        STORY.replace("rating: PG\n", "rating: PG\ndisclaimer: Not mine.\n"),
    )
    _, [line], _ = run_import(story)

    provenance = Provenance.objects.get(work_id=line["work_id"])
    assert provenance.file_name == "ledger.txt"
    assert provenance.source_path == str(story.resolve())
    assert provenance.importer == "plaintext"
    assert len(provenance.content_hash) == 64
    assert ["disclaimer", "Not mine."] in provenance.fields
    assert ["rating", "PG"] in provenance.fields


@pytest.mark.django_db
def test_it_numbers_paragraphs_of_stored_chapters(tmp_path):
    _, [line], _ = run_import(write(tmp_path / "ledger.txt", STORY))

    body = Chapter.objects.get(work_id=line["work_id"]).body
    assert body.startswith('<p id="p1">The ledger arrived')
    assert '<p id="p2">Holmes read it twice' in body


@pytest.mark.django_db
def test_it_reports_unchanged_for_the_same_file(tmp_path):
    story = write(tmp_path / "ledger.txt", STORY)
    _, [first], _ = run_import(story)
    code, [second], _ = run_import(story)

    assert code == 0
    assert second["status"] == "unchanged"
    assert second["work_id"] == first["work_id"]
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_it_reports_unchanged_for_the_same_story_with_other_whitespace(tmp_path):
    story = write(tmp_path / "ledger.txt", STORY)
    _, [first], _ = run_import(story)
    write(story, STORY.replace("\n", "\r\n").replace("on a Tuesday", "on  a\nTuesday"))
    _, [second], _ = run_import(story)

    assert second["status"] == "unchanged"
    assert second["work_id"] == first["work_id"]
    assert WorkRevision.objects.count() == 0


@pytest.mark.django_db
def test_it_updates_changed_text_in_place_and_keeps_a_revision(tmp_path):
    story = write(tmp_path / "ledger.txt", STORY)
    _, [first], _ = run_import(story)
    chapter_id = Chapter.objects.get(work_id=first["work_id"]).pk
    write(story, STORY.replace("Holmes read it twice", "Holmes read it three times"))
    _, [second], _ = run_import(story)

    assert second["status"] == "updated"
    assert second["work_id"] == first["work_id"]
    chapter = Chapter.objects.get(work_id=first["work_id"])
    assert chapter.pk == chapter_id
    assert "three times" in chapter.body
    revision = WorkRevision.objects.get(work_id=first["work_id"])
    assert "read it twice" in revision.snapshot["chapters"][0]["body"]


@pytest.mark.django_db
def test_it_updates_changed_metadata(tmp_path):
    story = write(tmp_path / "ledger.txt", STORY)
    _, [first], _ = run_import(story)
    write(story, STORY.replace("genre: mystery", "genre: mystery, case fic"))
    _, [second], _ = run_import(story)

    assert second["status"] == "updated"
    assert second["work_id"] == first["work_id"]
    assert second["freeforms"] == ["case fic", "mystery"]


@pytest.mark.django_db
def test_it_keeps_the_stored_copy_when_the_new_one_is_older(tmp_path):
    two_chapters = (
        STORY.replace(
            "summary: A ledger turns up with one page too many.\n\n",
            "summary: A ledger turns up with one page too many.\n\nChapter 1\n\n",
        )
        + "\nChapter 2\n\nThe second page was blank.\n"
    )
    story = write(tmp_path / "ledger.txt", two_chapters)
    _, [first], _ = run_import(story)
    assert first["chapters"] == 2
    assert first["work_id"] is not None
    write(story, STORY.replace("Holmes read it twice", "Holmes read it once"))

    _, [older], _ = run_import(story)
    assert older["status"] == "unchanged"
    assert older["chapters"] == 2

    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import", str(story), "--force", "--json", stdout=stdout, stderr=stderr)
    forced = json.loads(stdout.getvalue())
    assert forced["status"] == "updated"
    assert forced["chapters"] == 1


@pytest.mark.django_db
def test_it_keeps_the_stored_copy_when_the_new_one_has_an_earlier_update(tmp_path):
    story = write(tmp_path / "ledger.txt", "updated: 2024-05-01\n" + STORY)
    _, [first], stderr = run_import(story)
    write(story, "updated: 2023-01-01\n" + STORY.replace("twice", "once"))
    _, [second], stderr = run_import(story)

    assert second["status"] == "unchanged"
    assert "older than the stored copy" in stderr
    assert second["work_id"] == first["work_id"]


@pytest.mark.django_db
def test_it_matches_a_stored_work_by_source_url(tmp_path):
    with_url = "url: https://example.org/story/17\n" + STORY
    _, [first], _ = run_import(write(tmp_path / "a" / "ledger.txt", with_url))
    _, [moved], _ = run_import(write(tmp_path / "b" / "renamed.txt", with_url + "\n"))

    assert moved["status"] == "unchanged"
    assert moved["work_id"] == first["work_id"]


@pytest.mark.django_db
def test_it_walks_directories_and_goes_on_after_a_failure(tmp_path):
    write(tmp_path / "one.txt", STORY)
    write(tmp_path / "sub" / "two.txt", "A Second Story\n\nIt was short.\n")
    write(tmp_path / "sub" / "broken.txt", b"\x00\x01\x02\x03binary\x00junk")
    write(tmp_path / "sub" / "notes.md", "not a story")

    code, lines, stderr = run_import(tmp_path)

    assert code == 1
    assert sorted(line["status"] for line in lines) == ["failed", "imported", "imported"]
    failed = next(line for line in lines if line["status"] == "failed")
    assert failed["file"].endswith("broken.txt")
    assert "binary" in failed["error"]
    assert set(failed) == JSON_KEYS
    assert failed["work_id"] is None and failed["creators"] == []
    assert "broken.txt" in stderr and "1 failed" in stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n  \n", "empty file"),
        (b"\x7fELF\x02\x01\x01\x00binary", "binary file"),
        # A zip archive is opened whatever its name, and this one is broken.
        (b"PK\x03\x04\x14\x00\x00\x00binary", "truncated or corrupt"),
        (bytes(range(1, 32)) * 10, "undecodable text"),
        (b"title: Only a header\nrating: PG\n\n", "no story text after the header"),
    ],
)
def test_it_leaves_the_database_unchanged_after_a_failed_file(tmp_path, content, message):
    before = database_state()
    code, [line], stderr = run_import(write(tmp_path / "bad.txt", content))

    assert code == 1
    assert line["status"] == "failed"
    assert message in line["error"]
    assert f"{tmp_path / 'bad.txt'}: " in stderr
    assert database_state() == before


@pytest.mark.django_db
def test_it_rolls_back_a_work_whose_writing_fails(tmp_path, monkeypatch):
    from fanarchive.ingest import writer

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(writer, "_set_series", explode)
    before = database_state()
    code, [line], _ = run_import(write(tmp_path / "ledger.txt", STORY))

    assert code == 1
    assert "disk on fire" in line["error"]
    assert database_state() == before


def fanarchive_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FANARCHIVE_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "fanarchive", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_the_console_script_exits_0_1_or_2(tmp_path):
    good = write(tmp_path / "stories" / "good.txt", STORY)
    bad = write(tmp_path / "stories" / "bad.txt", b"\x00\x00junk")
    data_dir = tmp_path / "archive"

    first = fanarchive_cli("import", str(good), data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert f"data directory {data_dir}" in first.stderr
    assert "created a new empty archive" in first.stderr
    assert first.stdout == ""

    again = fanarchive_cli("import", str(good), "--json", data_dir=data_dir)
    assert again.returncode == 0
    assert "created a new empty archive" not in again.stderr
    assert json.loads(again.stdout)["status"] == "unchanged"

    assert fanarchive_cli("import", str(bad), data_dir=data_dir).returncode == 1
    assert fanarchive_cli("import", str(tmp_path / "nowhere"), data_dir=data_dir).returncode == 2
    assert fanarchive_cli("import", data_dir=data_dir).returncode == 2


@pytest.mark.django_db
def test_tags_are_unique_per_type_and_name(tmp_path):
    run_import(write(tmp_path / "a.txt", STORY))
    run_import(write(tmp_path / "b.txt", STORY.replace("Catalogue", "Index")))

    assert Tag.objects.filter(type=TagType.CHARACTER, name="Sherlock Holmes").count() == 1
    assert Work.objects.count() == 2
