"""`fanarchive export`: the operator's downloads, written to a file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fanarchive.works.models import Series
from fanarchive.works.tests.factories import make_work

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_it_writes_a_work_named_after_its_title_into_a_directory(tmp_path: Path) -> None:
    work = make_work("The Bell Tower", chapters=["<p>The lamp was lit.</p>"])
    written = Path(export(str(work.pk), "--format", "txt", "-o", str(tmp_path)))
    assert written == tmp_path / "the-bell-tower.txt"
    assert "The lamp was lit." in written.read_text(encoding="utf-8")


def test_it_writes_to_the_path_given(tmp_path: Path) -> None:
    work = make_work("The Bell Tower")
    target = tmp_path / "nested" / "book.html"
    assert export(str(work.pk), "--format", "html", "-o", str(target)) == str(target)
    assert "The Bell Tower" in target.read_text(encoding="utf-8")
    assert not [path for path in target.parent.iterdir() if path.name.startswith(".")]


def test_it_exports_drafts_and_restricted_works_as_the_operator(tmp_path: Path) -> None:
    work = make_work("Draft", chapters=["<p>Unfinished words.</p>"], posted=False, restricted=True)
    written = Path(export(str(work.pk), "--format", "txt", "-o", str(tmp_path)))
    assert "Unfinished words." in written.read_text(encoding="utf-8")


def test_it_exports_a_series_as_one_book(tmp_path: Path) -> None:
    make_work("Part One", chapters=["<p>First words.</p>"], series=[("Bells", 1)])
    make_work("Part Two", chapters=["<p>Second words.</p>"], series=[("Bells", 2)])
    series = Series.objects.get(title="Bells")
    written = Path(export("--series", str(series.pk), "--format", "txt", "-o", str(tmp_path)))
    assert written.name == "bells.txt"
    text = written.read_text(encoding="utf-8")
    assert text.index("First words.") < text.index("Second words.")


def test_it_names_a_missing_work() -> None:
    with pytest.raises(CommandError, match="no work with id 999"):
        export("999", "--format", "epub")


def test_it_wants_a_work_or_a_series_not_both() -> None:
    work = make_work()
    with pytest.raises(CommandError, match="one of them"):
        export(str(work.pk), "--series", "1", "--format", "epub")
    with pytest.raises(CommandError, match="one of them"):
        export("--format", "epub")
