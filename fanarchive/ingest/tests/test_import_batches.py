"""`fanarchive import` on many files: zip archives, the progress display, --report, limits,
and an interrupted import resumed without duplicates."""

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from fanarchive.ingest.report import Progress
from fanarchive.ingest.run import Outcome
from fanarchive.ingest.tests.test_import_command import database_state, run_import, write
from fanarchive.works.models import Work


def unique_story(number: int, words: int = 80) -> str:
    """A story no other number gives: its words are drawn from a seeded generator."""
    chooser = random.Random(number)
    text = " ".join(f"tern{chooser.randrange(10**6)}" for _ in range(words))
    return f"Title: Story {number}\nAuthor: tidewatcher\n\n{text}.\n"


def zip_of(path: Path, members: dict[str, bytes | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.mark.django_db
def test_it_imports_each_story_in_a_zip_archive(tmp_path):
    archive = zip_of(
        tmp_path / "rescued.zip",
        {
            "one.txt": unique_story(1),
            "deeper/two.txt": unique_story(2),
            "deeper/": "",
            ".hidden.txt": unique_story(3),
            "__MACOSX/deeper/._two.txt": b"\x00\x05\x16\x07",
            "cover.jpg": b"\xff\xd8\xff\xe0 not a story",
        },
    )
    code, lines, _ = run_import(archive)
    assert code == 0
    assert [(line["file"], line["status"]) for line in lines] == [
        (f"{archive}/one.txt", "imported"),
        (f"{archive}/deeper/two.txt", "imported"),
    ]
    assert sorted(Work.objects.values_list("title", flat=True)) == ["Story 1", "Story 2"]

    _, again, _ = run_import(archive)
    assert [line["status"] for line in again] == ["unchanged", "unchanged"]


@pytest.mark.django_db
def test_a_zip_archive_found_in_a_folder_is_opened(tmp_path):
    zip_of(tmp_path / "folder/old.zip", {"story.txt": unique_story(4)})
    write(tmp_path / "folder/loose.txt", unique_story(5))
    _, lines, _ = run_import(tmp_path / "folder")
    assert sorted(line["title"] for line in lines) == ["Story 4", "Story 5"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"../../etc/escape.txt": unique_story(6)}, "climbs out of the archive"),
        ({"/etc/absolute.txt": unique_story(7)}, "absolute"),
    ],
)
def test_it_refuses_an_archive_whose_member_names_escape(tmp_path, members, message):
    archive = zip_of(tmp_path / "evil.zip", {"fine.txt": unique_story(8), **members})
    before = database_state()
    code, [line], stderr = run_import(archive)
    assert code == 1
    assert line["status"] == "failed"
    assert message in line["error"]
    assert str(archive) in stderr
    assert database_state() == before


@pytest.mark.django_db
def test_it_stops_at_a_zip_bomb_and_stores_nothing_of_it(tmp_path):
    archive = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
        bomb.open("story.txt", "w", force_zip64=True) as member,
    ):
        member.write(b"title: Boom\n\n")
        for _ in range(64):
            member.write(b"\x20" * 1_000_000)
    assert archive.stat().st_size < 200_000
    before = database_state()
    code, [line], _ = run_import(archive)
    assert code == 1
    assert "zip bomb" in line["error"]
    assert database_state() == before


@pytest.mark.django_db
def test_it_refuses_files_over_the_size_limit(tmp_path, settings):
    settings.MAX_FILE_BYTES = 1000
    small = write(tmp_path / "small.txt", unique_story(9, words=10))
    large = write(tmp_path / "large.txt", unique_story(10, words=400))
    code, lines, _ = run_import(small, large)
    assert code == 1
    assert [line["status"] for line in lines] == ["imported", "failed"]
    assert "file too large" in lines[1]["error"]
    assert "FANARCHIVE_MAX_FILE_BYTES" in lines[1]["error"]


@pytest.mark.django_db
def test_the_report_lists_every_file_with_its_outcome(tmp_path):
    good = write(tmp_path / "in/a-good.txt", unique_story(11))
    copy = write(tmp_path / "in/b-copy.txt", unique_story(11).replace("Story 11", "Story XI"))
    bad = write(tmp_path / "in/z-bad.txt", b"")
    report = tmp_path / "report.json"
    code, _, _ = run_import(tmp_path / "in", "--report", report)
    assert code == 1
    data = json.loads(report.read_text())
    assert data["interrupted"] is False
    assert data["totals"] == {
        "imported": 1, "updated": 0, "unchanged": 0, "duplicate": 1, "failed": 1
    }  # fmt: skip
    by_file = {entry["file"]: entry for entry in data["files"]}
    work = Work.objects.get()
    assert by_file[str(good)]["status"] == "imported"
    assert by_file[str(good)]["work_id"] == work.pk
    assert by_file[str(copy)]["duplicate_of"] == work.pk
    assert by_file[str(bad)] == {**by_file[str(bad)], "status": "failed", "error": "empty file"}
    assert not list(tmp_path.glob("*.part"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_bar_is_redrawn_in_place():
    screen = Terminal()
    progress = Progress(screen, {"a.txt": 300, "b.txt": 100}, terminal=screen.isatty())
    progress.advance(Outcome("a.txt", "imported", origin="a.txt"))
    progress.clear()
    screen.write("a line above the bar\n")
    progress.advance(Outcome("b.txt", "failed", error="empty file", origin="b.txt"))
    progress.finish()
    drawn = screen.getvalue().split("\r\x1b[K")
    assert drawn[1].startswith("[" + "#" * 18 + "-" * 6 + "] 1/2 files, 1 imported")
    assert "MB/s" in drawn[1]
    assert drawn[2] == "a line above the bar\n"
    assert drawn[3].startswith("[" + "#" * 24 + "] 2/2 files, 1 imported, 1 failed")
    assert drawn[-1] == ""  # the bar is gone when the summary is written


@pytest.mark.django_db
def test_elsewhere_progress_is_a_plain_line_now_and_then(tmp_path, monkeypatch):
    monkeypatch.setattr("fanarchive.ingest.report.PLAIN_PROGRESS_SECONDS", 0.0)
    write(tmp_path / "one.txt", unique_story(12))
    _, _, stderr = run_import(tmp_path)
    assert "\x1b" not in stderr
    assert "progress: [" in stderr
    assert "1/1 files, 1 imported" in stderr


def test_an_interrupted_import_resumes_without_duplicates(tmp_path):
    stories = tmp_path / "stories"
    for number in range(1200):
        write(stories / f"{number:04}.txt", unique_story(number, words=40))
    env = {**os.environ, "FANARCHIVE_DATA_DIR": str(tmp_path / "archive")}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "fanarchive", "import", str(stories), "--report"]

    first = subprocess.Popen(
        [*command, str(tmp_path / "first.json")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    assert first.stderr is not None
    for line in first.stderr:
        if line.startswith("imported"):  # the first batch is stored
            first.send_signal(signal.SIGINT)
            break
    rest = first.stderr.read()
    assert first.wait(timeout=120) == 130, rest
    assert "interrupted" in rest
    interrupted = json.loads((tmp_path / "first.json").read_text())
    assert interrupted["interrupted"] is True
    # The works reported are stored; a batch stored but not yet reported may be too.
    reported = interrupted["totals"]["imported"]
    assert 0 < reported < 1200

    second = subprocess.run(
        [*command, str(tmp_path / "second.json")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    totals = json.loads((tmp_path / "second.json").read_text())["totals"]
    assert totals["unchanged"] >= reported
    assert totals["imported"] + totals["unchanged"] == 1200
    assert totals["imported"] > 0
    database = sqlite3.connect(tmp_path / "archive" / "fanarchive.sqlite3")
    with closing(database):
        works, files = database.execute(
            "SELECT count(*), count(DISTINCT title) FROM works_work"
        ).fetchone()
    assert works == files == 1200
