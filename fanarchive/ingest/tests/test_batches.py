"""Works written in batches (one transaction, a savepoint per work) and files read by
worker processes (`--jobs`): the outcomes are those of one work at a time."""

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from fanarchive.ingest import writer
from fanarchive.ingest.tests.test_import_command import database_state, run_import, write
from fanarchive.lib.columns import Audience
from fanarchive.search.service import SearchQuery, search
from fanarchive.tags.models import Tag
from fanarchive.works.models import Chapter, Creator, Series, Work

pytestmark = pytest.mark.django_db


def story(title: str, *, tag: str = "Found Family", url: str = "", body: str = "") -> str:
    header = f"title: {title}\nauthor: quill\nfandom: Sherlock Holmes\ntags: {tag}\n"
    if url:
        header += f"url: {url}\n"
    text = body or f"The {title.lower()} was kept in a drawer of the writing desk."
    return f"{header}\n{text}\n"


def folder(tmp_path: Path, titles: list[str]) -> Path:
    for index, title in enumerate(titles):
        write(tmp_path / "stories" / f"{index:02d}.txt", story(title, tag=f"Only In {title}"))
    return tmp_path / "stories"


def test_a_work_that_fails_in_a_batch_leaves_nothing_and_the_others_are_stored(
    tmp_path, monkeypatch
):
    set_series = writer._set_series

    def fail_for_the_ledger(work, parsed):
        if work.title == "Ledger":
            raise RuntimeError("disk on fire")
        set_series(work, parsed)

    monkeypatch.setattr(writer, "_set_series", fail_for_the_ledger)
    code, lines, _ = run_import(folder(tmp_path, ["Atlas", "Ledger", "Compass"]))

    assert code == 1
    assert [line["status"] for line in lines] == ["imported", "failed", "imported"]
    assert "disk on fire" in lines[1]["error"]
    assert sorted(Work.objects.values_list("title", flat=True)) == ["Atlas", "Compass"]
    # The batch was rolled back and written again one work at a time: the failed work's
    # own tag went with it.
    assert not Tag.objects.filter(name="Only In Ledger").exists()
    assert Tag.objects.filter(name="Only In Compass").exists()
    assert Chapter.objects.count() == 2


def test_the_stored_works_of_a_batch_are_searchable_and_filtered(tmp_path):
    run_import(folder(tmp_path, ["Atlas", "Ledger", "Compass"]))

    found = search(SearchQuery(text='"ledger was kept"'), Audience.STAFF, show_adult_snippets=True)
    tagged = search(SearchQuery(include=("Only In Compass",)), Audience.STAFF)

    assert [hit.work.title for hit in found.hits] == ["Ledger"]
    assert (found.hits[0].chapter_position, found.hits[0].paragraph) == (1, 1)
    assert [hit.work.title for hit in tagged.hits] == ["Compass"]


def test_a_failure_the_batch_shares_is_retried_one_work_at_a_time(tmp_path, monkeypatch):
    refresh = writer.refresh_work_filters

    def fail_for_many(work_ids):
        if len(work_ids) > 1:
            raise RuntimeError("lock timeout")
        refresh(work_ids)

    monkeypatch.setattr(writer, "refresh_work_filters", fail_for_many)
    code, lines, _ = run_import(folder(tmp_path, ["Atlas", "Ledger", "Compass"]))

    assert code == 0
    assert [line["status"] for line in lines] == ["imported"] * 3
    assert Work.objects.count() == 3
    assert len({line["work_id"] for line in lines}) == 3


def test_a_failure_of_one_work_alone_in_the_retry_leaves_nothing(tmp_path, monkeypatch):
    def always_fail(work_ids):
        raise RuntimeError("lock timeout")

    monkeypatch.setattr(writer, "refresh_work_filters", always_fail)
    before = database_state()
    code, lines, _ = run_import(folder(tmp_path, ["Atlas", "Ledger"]))

    assert code == 1
    assert [line["status"] for line in lines] == ["failed", "failed"]
    assert database_state() == before


def test_the_same_file_twice_in_one_batch_is_stored_once(tmp_path):
    write(tmp_path / "a" / "ledger.txt", story("Ledger"))
    write(tmp_path / "b" / "ledger copy.txt", story("Ledger"))

    _, lines, _ = run_import(tmp_path / "a", tmp_path / "b")

    assert [line["status"] for line in lines] == ["imported", "unchanged"]
    assert lines[0]["work_id"] == lines[1]["work_id"]
    assert Work.objects.count() == 1


def test_a_newer_copy_with_the_same_source_in_one_batch_updates_the_first(tmp_path):
    url = "https://example.org/works/9"
    write(tmp_path / "a.txt", story("Ledger", url=url, body="The first draft."))
    write(tmp_path / "b.txt", story("Ledger", url=url, body="The second draft, longer."))

    _, lines, _ = run_import(tmp_path)

    assert [line["status"] for line in lines] == ["imported", "updated"]
    assert Work.objects.get().chapters.get().body.count("second draft") == 1


def test_files_read_by_worker_processes_give_the_same_outcomes_in_order(tmp_path):
    stories = folder(tmp_path, ["Atlas", "Ledger", "Compass", "Drawer", "Easel"])
    write(stories / "02b.txt", b"\x00\x01 not a story")

    code, lines, _ = run_import(stories, "--jobs", "2")

    assert code == 1
    assert [Path(line["file"]).name for line in lines] == [
        "00.txt", "01.txt", "02.txt", "02b.txt", "03.txt", "04.txt",
    ]  # fmt: skip
    assert [line["status"] for line in lines] == ["imported"] * 3 + ["failed"] + ["imported"] * 2
    assert [line["title"] for line in lines if line["title"]] == [
        "Atlas", "Ledger", "Compass", "Drawer", "Easel",
    ]  # fmt: skip
    assert Work.objects.count() == 5


def test_it_refuses_fewer_than_one_job(tmp_path):
    with pytest.raises(CommandError, match="--jobs"):
        run_import(folder(tmp_path, ["Atlas"]), "--jobs", "0")


def test_a_copy_that_fails_after_its_original_in_one_batch_leaves_the_original_whole(
    tmp_path, monkeypatch
):
    def fail(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(writer, "_snapshot", fail)
    url = "https://example.org/works/9"
    write(tmp_path / "a.txt", story("Ledger", url=url, body="The first draft."))
    write(tmp_path / "b.txt", story("Ledger", url=url, body="The second draft, longer."))

    _, lines, _ = run_import(tmp_path)

    assert [line["status"] for line in lines] == ["imported", "failed"]
    work = Work.objects.get()
    assert "first draft" in work.chapters.get().body
    assert work.tags.filter(name="Found Family").exists()
    assert work.provenance.count() == 1
    found = search(SearchQuery(text='"first draft"'), Audience.STAFF)
    assert [hit.work.pk for hit in found.hits] == [work.pk]


def test_new_works_of_one_batch_share_their_new_tags_creators_and_series(tmp_path):
    for index, title in enumerate(["Atlas", "Ledger", "Compass"]):
        text = story(title, tag="Slow Burn").replace("tags:", "series: The Drawer\ntags:")
        write(tmp_path / f"{index}.txt", text)

    _, lines, _ = run_import(tmp_path)

    assert [line["status"] for line in lines] == ["imported"] * 3
    assert Tag.objects.filter(name="Slow Burn").count() == 1
    assert Creator.objects.filter(name="quill").count() == 1
    series = Series.objects.get(title="The Drawer")
    entries = series.entries.order_by("position")
    assert [(entry.work.title, entry.position) for entry in entries] == [
        ("Atlas", 1), ("Ledger", 2), ("Compass", 3),
    ]  # fmt: skip
    tagged = search(SearchQuery(include=("Slow Burn",)), Audience.STAFF)
    assert tagged.total == 3
