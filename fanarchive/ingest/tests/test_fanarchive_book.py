"""fanarchive's own EPUB and HTML downloads, read back by the `fanarchive` importer.

The fixtures are a series book of two original works made by the download formats
(`downloads/formats/epub.py` and `html.py`); the round trip through the database is
`downloads/tests/test_round_trip.py`."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest

from fanarchive.ingest.importers import fanarchive_book
from fanarchive.ingest.parsed import ParseError
from fanarchive.ingest.registry import HEAD_BYTES, importer_for, importer_for_head

FIXTURES = Path(__file__).parent / "fixtures"
BOOKS = [
    FIXTURES / "fanarchive" / "tidewatch-series.epub",
    FIXTURES / "fanarchive" / "tidewatch-series.html",
]


def parse(path: Path):
    return list(fanarchive_book.parse(io.BytesIO(path.read_bytes()), path.name))


@pytest.mark.parametrize("path", BOOKS, ids=["epub", "html"])
def test_it_is_chosen_for_its_own_downloads(path):
    assert importer_for(path) is fanarchive_book


def test_the_fixture_book_is_a_valid_epub(epubcheck):
    # Made by the EPUB download (downloads/formats/epub.py): what it made then passes.
    epubcheck(BOOKS[0].read_bytes())


def test_it_leaves_other_books_and_pages_to_their_importers():
    for path in [*(FIXTURES / "epub").glob("*.epub"), *(FIXTURES / "ao3").glob("*.html")]:
        head = path.read_bytes()[:HEAD_BYTES]
        assert importer_for_head(head, path.name) is not fanarchive_book, path


@pytest.mark.parametrize("path", BOOKS, ids=["epub", "html"])
def test_a_series_book_gives_each_work_with_every_typed_tag(path):
    first, second = parse(path)
    assert first.title == "Before the Storm"
    assert first.series[0].title == "Tidewatch"
    assert first.series[0].position == 1
    assert first.complete is False
    assert first.expected_chapters is None
    assert first.archive_name == "Old Harbour Archive"
    assert first.original_location == "https://harbour.example/story/77"
    assert [c.title for c in first.chapters] == ["Calm"]

    assert second.title == "The Lighthouse at Fennick Point"
    assert second.creators == ["saltandlantern", "ada_writes"]
    assert second.rating == "Teen And Up Audiences"
    assert second.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert second.categories == ["F/M", "Gen"]
    assert second.fandoms == ["Lighthouse Keepers (Original Work)", "Tidewatch Chronicles"]
    assert second.relationships == ["Mara Quill & Ada Lorne", "Mara Quill/Tobias Fenn"]
    assert second.characters == ["Ada Lorne", "Mara Quill", "Tobias Fenn"]
    assert second.freeforms == ["Found Family", "Slow Burn, Eventually", "Storms & Shipwrecks"]
    assert second.language == "en"
    assert (second.series[0].title, second.series[0].position) == ("Tidewatch", 2)
    assert second.published == datetime.date(2024, 1, 1)
    assert second.complete is True
    assert second.expected_chapters == 3
    assert second.source_url == "https://example.org/stories/fennick"
    assert second.summary == "<p>A keeper, a storm, and a <b>light</b> that must not go out.</p>"
    assert second.notes == "<p>Thanks to my beta, who knows boats.</p>"
    assert second.end_notes == "<p>The lighthouse is invented; the storms are not.</p>"
    assert [c.title for c in second.chapters] == ["The Lamp Room", "Signals", ""]
    lamp_room = second.chapters[0]
    assert lamp_room.summary == "<p>Mara climbs the <em>long</em> stair.</p>"
    assert lamp_room.notes == "<p>Written for a rainy week.</p>"
    assert lamp_room.end_notes == "<p>More soon &amp; thanks for reading.</p>"
    assert "By midnight the storm had found the coast.<br>It did not knock." in lamp_room.body
    # What the download made HTML5 comes back as the archive stored it.
    assert "<center>— ✦ —</center>" in second.chapters[1].body
    assert 'align="center">Nobody answered the radio.</p>' in second.chapters[1].body
    assert second.content_hash != first.content_hash


def test_a_book_without_its_works_is_refused(tmp_path):
    page = b'<html><head><meta name="generator" content="fanarchive"></head><body></body></html>'
    with pytest.raises(ParseError, match="no fanarchive work"):
        list(fanarchive_book.parse(io.BytesIO(page), "empty.html"))
