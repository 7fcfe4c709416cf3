"""Export then import: an EPUB or HTML download, imported into an empty archive through
the real import path, gives back the same work.

Chapter text is compared as the stored HTML: export and import both end in the one
sanitiser (`lib/html.clean_story_html`), which serialises and numbers paragraphs the
same way whatever markup it was given, so equal stored HTML is the exact test, and
markup the download had to change (obsolete elements, remote images) must come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanarchive.downloads.book import book_of_series, book_of_work
from fanarchive.downloads.formats import epub, html
from fanarchive.ingest.run import import_files
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import Creator, Series, Work
from fanarchive.works.tests.factories import make_work

OLD_MARKUP = (
    '<center>centred</center><p align="right">right <big>big</big> <strike>gone</strike>'
    ' <a name="top">anchor</a> <a href="/works/9/chapters/2">old page</a>'
    ' <img src="https://example.org/map.png" alt="a map"></p>'
)


def snapshot(work: Work) -> dict[str, object]:
    chapters = work.chapters.order_by("position")
    return {
        "title": work.title,
        "creators": work.creator_names(),
        "tags": {t: sorted(tag.name for tag in tags) for t, tags in work.tags_by_type().items()},
        "summary": work.summary,
        "notes": work.notes,
        "end_notes": work.end_notes,
        "language": work.language,
        "complete": work.complete,
        "published": work.published,
        "updated": work.updated,
        "source_url": work.source_url,
        "series": [(e.series.title, e.position) for e in work.series_entries.all()],
        "chapters": [
            (c.position, c.title, c.summary, c.notes, c.end_notes, c.body) for c in chapters
        ],
    }


def empty_archive() -> None:
    Work.objects.all().delete()
    Series.objects.all().delete()
    Creator.objects.all().delete()
    # Rating, warning and category tags are fixed by a migration; the rest were ours.
    Tag.objects.exclude(type__in=[TagType.RATING, TagType.WARNING, TagType.CATEGORY]).delete()


def import_file(path: Path) -> list[Work]:
    outcomes = list(import_files([path]))
    assert [o.status for o in outcomes] == ["imported"] * len(outcomes), outcomes
    return [o.work for o in outcomes]


@pytest.fixture
def valid_download(epubcheck):
    """Checks a written download as its format's validator would: EPUBCheck for EPUBs
    (every EPUB the suite makes passes it)."""

    def check(path: Path) -> None:
        if path.suffix == ".epub":
            epubcheck(path.read_bytes())

    return check


@pytest.mark.parametrize("fmt", [epub, html], ids=["epub", "html"])
def test_a_work_comes_back_the_same(fmt, tagged_work, tmp_path, valid_download):
    expected = snapshot(tagged_work)
    path = tmp_path / f"work.{fmt.EXTENSION}"
    with path.open("wb") as out:
        fmt.write(book_of_work(tagged_work), out)
    valid_download(path)
    empty_archive()

    [work] = import_file(path)

    assert snapshot(work) == expected
    assert work.provenance.get().importer == "fanarchive"


@pytest.mark.parametrize("fmt", [epub, html], ids=["epub", "html"])
def test_markup_a_book_cannot_hold_comes_back(fmt, db, tmp_path, valid_download):
    original = make_work("Old Markup", chapters=[OLD_MARKUP, "<p>Second.</p>"])
    expected = snapshot(original)
    path = tmp_path / f"old.{fmt.EXTENSION}"
    with path.open("wb") as out:
        fmt.write(book_of_work(original), out)
    valid_download(path)
    empty_archive()

    [work] = import_file(path)

    assert snapshot(work) == expected
    assert "<center>" in work.chapters.get(position=1).body


@pytest.mark.parametrize("fmt", [epub, html], ids=["epub", "html"])
def test_a_series_book_comes_back_as_its_works(fmt, tagged_work, tmp_path, valid_download):
    other = make_work(
        "Before the Storm",
        creators=("ada_writes",),
        fandoms=("Tidewatch Chronicles",),
        chapters=[{"title": "Calm", "body": "<p>The sea was flat as a plate.</p>"}],
        series=[("Tidewatch", 1)],
        complete=False,
        expected_chapters=None,
    )
    series = Series.objects.get(title="Tidewatch")
    expected = [snapshot(other), snapshot(tagged_work)]
    path = tmp_path / f"series.{fmt.EXTENSION}"
    with path.open("wb") as out:
        fmt.write(book_of_series(series, [other, tagged_work]), out)
    valid_download(path)
    empty_archive()

    works = import_file(path)

    assert [snapshot(work) for work in works] == expected
    assert Series.objects.get().title == "Tidewatch"
