"""AO3 downloads: the HTML page in two generations of markup, one-chapter works, the
EPUB calibre makes of it, MOBI through calibre, and what lands in the database.

The fixtures in fixtures/ao3/ are original stories written for these tests, laid out
as otwarchive's download templates lay them out. The AO3-shaped EPUB is the source
tree fixtures/ao3/lantern_keepers_calibre_epub/ (the same work as
lantern_keepers.html, split and renamed as calibre does), zipped by
fixtures/epub/build.py.
"""

import hashlib
import io
import os
import stat
import sys
import textwrap
from datetime import date
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest.importers import ao3, epub, plaintext
from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import ParsedSeries, ParsedWork, ParseError
from fanarchive.ingest.registry import importer_for
from fanarchive.ingest.run import import_paths
from fanarchive.ingest.tests.fixtures.epub.build import build_epub, source
from fanarchive.lib.epub import open_epub
from fanarchive.lib.html import sanitize
from fanarchive.tags.constants import (
    CHOSE_NOT_TO_WARN,
    GENERAL,
    GRAPHIC_VIOLENCE,
    MAJOR_CHARACTER_DEATH,
    MATURE,
    NO_WARNINGS,
    TEEN,
)
from fanarchive.tags.models import TagType
from fanarchive.works.models import Work

FIXTURES = Path(__file__).parent / "fixtures"
NEWER = FIXTURES / "ao3" / "lantern_keepers.html"
OLDER = FIXTURES / "ao3" / "salt_and_cinders_2012.html"
SINGLE = FIXTURES / "ao3" / "one_small_boat.html"
HTML_FIXTURES = [NEWER, OLDER, SINGLE]
CALIBRE_TREE = "lantern_keepers_calibre_epub"


def parse_file(path: Path) -> ParsedWork:
    works = list(ao3.parse(io.BytesIO(path.read_bytes()), str(path)))
    assert len(works) == 1
    return works[0]


def parse_html(text: str) -> ParsedWork:
    return next(ao3.parse(io.BytesIO(text.encode()), "work.html"))


def calibre_epub() -> bytes:
    return build_epub(source(CALIBRE_TREE))


def parse_calibre_epub() -> ParsedWork:
    return next(epub.parse(io.BytesIO(calibre_epub()), "lantern.epub"))


def fields_of(work: ParsedWork, key: str) -> list[str]:
    return [value for name, value in work.fields if name == key]


def plain(html: str) -> str:
    """Sanitised HTML as the writer stores it, for comparing fragments."""
    return " ".join(sanitize(html).split())


# Recognising --------------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda path: path.name)
def test_it_recognises_every_generation_of_download(path):
    assert ao3.recognizes(path.read_bytes()[:65536], path.name)
    assert importer_for(path) is ao3


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "fanficfare" / "gullhaven.html",
        FIXTURES / "fanficfare" / "gullhaven.txt",
        FIXTURES / "fanficfare" / "gullhaven.epub",
    ],
    ids=lambda path: path.name,
)
def test_it_leaves_other_formats_alone(path):
    assert not ao3.recognizes(path.read_bytes()[:65536], path.name)


def test_it_leaves_a_story_that_mentions_the_archive_alone():
    story = b"<html><body><p>She had read it on the Archive of Our Own.</p></body></html>"
    assert not ao3.recognizes(story, "story.html")
    assert importer_for_bytes(story) is not ao3


def importer_for_bytes(data: bytes):
    from fanarchive.ingest.registry import importer_for_head

    return importer_for_head(data, "story.html")


# The newer markup: plural labels, several of everything -------------------------------


def test_it_reads_the_typed_tags_from_the_preface():
    work = parse_file(NEWER)
    assert work.rating == TEEN
    assert work.warnings == [GRAPHIC_VIOLENCE, MAJOR_CHARACTER_DEATH]
    assert work.categories == ["F/M", "Gen"]
    # One link is one tag, commas and all.
    assert work.fandoms == ["The Lantern Guild (Web Series)", "Harbour Lights, Harbour Nights"]
    assert work.relationships == ["Ines Barrow/Tobiah Fenn", "Ines Barrow & Old Maud"]
    assert work.characters == ["Ines Barrow", "Tobiah Fenn", "Old Maud"]
    assert work.freeforms == ["Alternate Universe - Lighthouses", "Oil, Wick & Glass", "Slow Burn"]


def test_it_reads_language_series_and_stats():
    work = parse_file(NEWER)
    assert work.language == "en"
    assert work.series == [
        ParsedSeries("Keepers of the Long Coast", 2),
        ParsedSeries("Little Lights", 5),
    ]
    assert work.published == date(2021, 3, 14)
    assert work.updated == date(2021, 6, 2)
    # "Chapters: 3/?" and "Updated": a work in progress of unknown length.
    assert work.complete is False
    assert work.expected_chapters is None


def test_it_reads_title_creators_and_source():
    work = parse_file(NEWER)
    assert work.title == "The Lantern Keepers"
    # "Tamsin Vale (quillfeather)" is the pseud Tamsin Vale of the user quillfeather.
    assert work.creators == ["marrowlight", "Tamsin Vale"]
    assert work.source_url == "https://archiveofourown.org/works/90000001"


def test_it_reads_the_works_summary_notes_and_end_notes():
    work = parse_file(NEWER)
    assert plain(work.summary) == (
        "<p>Ines keeps the lamp at Sorrow Point. Tobiah keeps <em>forgetting</em> "
        "to bring the oil.</p>"
    )
    assert "my beta, who knows what a wick is" in work.notes
    assert "Comments light the lamp." in work.end_notes
    assert "See the end of the work" not in work.notes


def test_it_keeps_every_preface_field_as_written():
    work = parse_file(NEWER)
    assert fields_of(work, "Collections") == ["Coastal Fest 2021, The Lantern Exchange"]
    assert fields_of(work, "Words") == ["1,234"]
    assert fields_of(work, "Chapters") == ["3/?"]
    assert fields_of(work, "Series") == [
        "Part 2 of Keepers of the Long Coast",
        "Part 5 of Little Lights",
    ]
    assert fields_of(work, "Byline") == ["marrowlight, Tamsin Vale (quillfeather)"]
    assert fields_of(work, "Related Works") == ["Inspired by Salt on the Glass by brinepen"]
    assert fields_of(work, "Archive Warnings") == [
        "Graphic Depictions Of Violence, Major Character Death"
    ]
    assert fields_of(work, "Posted originally") == [
        "Posted originally on the Archive of Our Own at https://archiveofourown.org/works/90000001."
    ]


def test_chapter_headings_give_titles_and_a_bare_number_gives_none():
    work = parse_file(NEWER)
    assert [chapter.title for chapter in work.chapters] == [
        "Lamplighting",
        "",
        "What the Tide Said",
    ]


def test_each_chapter_keeps_its_summary_notes_and_end_notes():
    first, second, third = parse_file(NEWER).chapters
    assert plain(first.summary) == "<p>The first night of the season.</p>"
    assert plain(first.notes) == "<p>Lighthouse terms are mostly invented.</p>"
    assert first.end_notes == ""
    # "Chapter Notes" with only a link to the end notes: no notes of its own.
    assert second.notes == ""
    assert plain(second.end_notes) == "<p>The goat is based on a real goat.</p>"
    assert plain(third.notes) == "<p>A short one, sorry!</p>"
    assert plain(third.end_notes) == "<p>More soon, I promise.</p>"


def test_chapter_text_is_what_lies_between_the_markers():
    second = parse_file(NEWER).chapters[1]
    assert second.body.startswith("<p>Tobiah Fenn was the sort of man")
    assert second.body.endswith("the lamp was burning.</p>")
    for template_text in ("Chapter Notes", "See the end of the chapter", "Chapter 2", "goat is"):
        assert template_text not in second.body


# The older markup: singular labels, "Completed", notes labelled "Notes" -----------------


def test_it_reads_singular_labels():
    work = parse_file(OLDER)
    assert work.rating == MATURE
    assert work.warnings == [CHOSE_NOT_TO_WARN]
    assert work.categories == ["M/M"]
    assert work.fandoms == ["Ember Road"]
    assert work.relationships == ["Corwin/Hal"]
    assert work.characters == ["Corwin", "Hal Ashby"]
    assert work.freeforms == ["Blacksmithing", "Hurt/Comfort"]
    assert fields_of(work, "Archive Warning") == [CHOSE_NOT_TO_WARN]


def test_completed_means_complete_and_updated():
    work = parse_file(OLDER)
    assert work.complete is True
    assert work.published == date(2012, 1, 9)
    assert work.updated == date(2012, 2, 20)
    assert work.expected_chapters == 2
    assert fields_of(work, "Words") == ["611"]


def test_an_orphaned_work_keeps_orphan_account_and_its_old_address():
    work = parse_file(OLDER)
    assert work.creators == ["orphan_account"]
    assert work.source_url == "http://archiveofourown.org/works/412"
    assert work.title == "Salt and Cinders"
    assert work.series == [ParsedSeries("The Forge Cycle", 1)]


def test_older_chapter_labels_belong_to_the_chapter_not_the_work():
    work = parse_file(OLDER)
    first, second = work.chapters
    assert [first.title, second.title] == ["The Horseshoe", "The Stranger"]
    assert plain(first.notes) == "<p>Set before the flood.</p>"
    assert plain(second.summary) == "<p>Hal comes back for his horse.</p>"
    assert plain(second.end_notes) == "<p>Thank you for reading!</p>"
    assert plain(work.summary) == "<p>A smith, a stranger, and a horseshoe that will not cool.</p>"
    assert plain(work.notes) == "<p>My first fic here. Be kind.</p>"
    assert work.end_notes == ""


# One chapter --------------------------------------------------------------------------


def test_a_single_chapter_work_has_one_untitled_chapter():
    work = parse_file(SINGLE)
    assert len(work.chapters) == 1
    chapter = work.chapters[0]
    assert chapter.title == ""
    assert chapter.body.startswith("<p>Le petit bateau")
    assert (chapter.summary, chapter.notes, chapter.end_notes) == ("", "", "")
    assert work.rating == GENERAL
    assert work.warnings == [NO_WARNINGS]
    assert work.fandoms == ["Original Work"]
    assert work.freeforms == ["Boats"]
    assert work.language == "fr"
    assert work.expected_chapters == 1
    assert work.creators == ["pebbleskip"]


def test_a_download_with_the_preface_but_no_story_is_refused():
    page = NEWER.read_text(encoding="utf-8")
    start, end = page.index('<div id="chapters"'), page.index('<div id="afterword">')
    with pytest.raises(ParseError, match="no story text in the AO3 download"):
        parse_html(page[:start] + page[end:])


def test_anonymous_works_have_the_creator_anonymous():
    page = SINGLE.read_text(encoding="utf-8")
    byline_start = page.index('<div class="byline">')
    byline_end = page.index("</div>", byline_start) + len("</div>")
    page = page[:byline_start] + '<div class="byline">by Anonymous</div>' + page[byline_end:]
    assert parse_html(page).creators == ["Anonymous"]


# The EPUB -----------------------------------------------------------------------------


def test_an_ao3_epub_is_read_by_the_ao3_reader():
    book = open_epub(io.BytesIO(calibre_epub()))
    assert ao3.recognizes_book(book)
    work = parse_calibre_epub()
    assert work.importer == "ao3"
    assert work.content_hash == hashlib.sha256(calibre_epub()).hexdigest()


def test_generic_books_are_not_ao3_books():
    for tree in ("winter_orchard_epub2", "moth_hours_epub3"):
        assert not ao3.recognizes_book(open_epub(io.BytesIO(build_epub(source(tree)))))


def test_an_ao3_epub_without_its_publisher_is_known_by_its_preface():
    opf = (source(CALIBRE_TREE) / "content.opf").read_text(encoding="utf-8")
    opf = opf.replace("<dc:publisher>Archive of Our Own</dc:publisher>", "")
    book = build_epub(source(CALIBRE_TREE), {"content.opf": opf.encode()})
    assert ao3.recognizes_book(open_epub(io.BytesIO(book)))


def test_the_epub_gives_what_the_html_gives():
    from_html, from_epub = parse_file(NEWER), parse_calibre_epub()
    for attribute in (
        "title", "creators", "rating", "warnings", "categories", "fandoms", "relationships",
        "characters", "freeforms", "language", "series", "complete", "expected_chapters",
        "published", "updated", "source_url",
    ):  # fmt: skip
        assert getattr(from_epub, attribute) == getattr(from_html, attribute), attribute
    for attribute in ("summary", "notes", "end_notes"):
        assert plain(getattr(from_epub, attribute)) == plain(getattr(from_html, attribute))
    assert len(from_epub.chapters) == len(from_html.chapters)
    for ours, theirs in zip(from_epub.chapters, from_html.chapters, strict=True):
        assert ours.title == theirs.title
        for attribute in ("summary", "notes", "end_notes", "body"):
            assert words(getattr(ours, attribute)) == words(getattr(theirs, attribute))


def test_the_epubs_typed_tags_never_come_from_its_flat_subjects():
    work = parse_calibre_epub()
    everything = {*work.fandoms, *work.freeforms, *work.characters, *work.relationships}
    # calibre's subjects: "Fanworks" and a tag split at its comma.
    assert "Fanworks" not in everything
    assert "Harbour Lights" not in everything


def test_a_calibre_epub_of_a_work_without_a_preface_title_uses_the_opf():
    tree = source(CALIBRE_TREE)
    second = (tree / "index_split_001.html").read_text(encoding="utf-8")
    second = second.replace('<h1 class="calibre9">The Lantern Keepers</h1>', "")
    first = (tree / "index_split_000.html").read_text(encoding="utf-8")
    first = first.replace('<b class="calibre2">The Lantern Keepers</b>', "")
    book = build_epub(
        tree, {"index_split_000.html": first.encode(), "index_split_001.html": second.encode()}
    )
    assert next(epub.parse(io.BytesIO(book), "x.epub")).title == "The Lantern Keepers"


@pytest.mark.django_db
def test_a_download_declaring_an_external_entity_is_refused_and_nothing_stored(tmp_path):
    page = NEWER.read_text(encoding="utf-8").replace(
        "<!DOCTYPE html>", '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    )
    page = page.replace("<p>Old Maud said", "<p>&xxe; Old Maud said")
    path = tmp_path / "lantern.html"
    path.write_text(page, encoding="utf-8")
    [outcome] = import_paths([path])
    assert outcome.status == "failed"
    assert "the page declares the XML entity 'xxe'" in outcome.error
    assert not Work.objects.exists()


# MOBI, AZW3 and PDF through calibre ---------------------------------------------------------

FAKE_MOBI_HEADER = b"Lantern Keepers".ljust(60, b"\0") + b"BOOKMOBI"

# A stand-in for calibre: it converts our fake MOBI (a PalmDB-like header, then an AO3
# page) into a real EPUB holding that page, refusing input of any other shape.
FAKE_EBOOK_CONVERT = textwrap.dedent(
    """\
    import sys, zipfile
    source, target = sys.argv[1], sys.argv[2]
    if not source.endswith((".mobi", ".azw3", ".pdf")) or not target.endswith(".epub"):
        sys.exit("unsupported conversion " + source + " -> " + target)
    data = open(source, "rb").read()
    if data[60:68] != b"BOOKMOBI":
        sys.exit("Not a MOBI file")
    page = data[68:]
    with zipfile.ZipFile(target, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        book.writestr("META-INF/container.xml", '<?xml version="1.0"?><container '
            'version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
            '<rootfiles><rootfile full-path="content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>')
        book.writestr("content.opf", '<?xml version="1.0"?><package '
            'xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Converted</dc:title>'
            '</metadata><manifest><item id="page" href="index.html" '
            'media-type="application/xhtml+xml"/></manifest><spine><itemref '
            'idref="page"/></spine></package>')
        book.writestr("index.html", page)
    """
)


@pytest.fixture
def fake_calibre(tmp_path, monkeypatch):
    tools = tmp_path / "calibre-bin"
    tools.mkdir()
    script = tools / "ebook-convert"
    script.write_text(f"#!{sys.executable}\n{FAKE_EBOOK_CONVERT}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    return script


def test_an_ao3_mobi_is_converted_by_calibre_and_read_as_ao3(fake_calibre, tmp_path):
    mobi = FAKE_MOBI_HEADER + NEWER.read_bytes()
    path = tmp_path / "lantern.mobi"
    path.write_bytes(mobi)
    assert importer_for(path) is epub
    work = next(epub.parse(io.BytesIO(mobi), str(path)))
    assert work.importer == "ao3"
    assert work.content_hash == hashlib.sha256(mobi).hexdigest()
    expected = parse_file(NEWER)
    assert (work.title, work.fandoms, work.series) == (
        expected.title,
        expected.fandoms,
        expected.series,
    )
    assert [c.title for c in work.chapters] == [c.title for c in expected.chapters]


def test_without_calibre_a_mobi_is_refused_with_a_way_forward(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ParseError, match="MOBI/AZW3 e-books need calibre's ebook-convert"):
        next(epub.parse(io.BytesIO(FAKE_MOBI_HEADER + NEWER.read_bytes()), "lantern.azw3"))


# What lands in the database -----------------------------------------------------------


def stored(path: Path) -> Work:
    outcomes = list(import_paths([path]))
    assert [outcome.status for outcome in outcomes] == ["imported"], outcomes
    return Work.objects.get(pk=outcomes[0].work.pk)


def tags_of(work: Work, tag_type: str) -> list[str]:
    return sorted(work.tags.filter(type=tag_type).values_list("name", flat=True))


@pytest.mark.django_db
def test_the_stored_work_has_every_typed_tag():
    work = stored(NEWER)
    assert tags_of(work, TagType.RATING) == [TEEN]
    assert tags_of(work, TagType.WARNING) == [GRAPHIC_VIOLENCE, MAJOR_CHARACTER_DEATH]
    assert tags_of(work, TagType.CATEGORY) == ["F/M", "Gen"]
    assert tags_of(work, TagType.FANDOM) == [
        "Harbour Lights, Harbour Nights",
        "The Lantern Guild (Web Series)",
    ]
    assert tags_of(work, TagType.RELATIONSHIP) == [
        "Ines Barrow & Old Maud",
        "Ines Barrow/Tobiah Fenn",
    ]
    assert tags_of(work, TagType.CHARACTER) == ["Ines Barrow", "Old Maud", "Tobiah Fenn"]
    assert tags_of(work, TagType.FREEFORM) == [
        "Alternate Universe - Lighthouses",
        "Oil, Wick & Glass",
        "Slow Burn",
    ]


@pytest.mark.django_db
def test_the_stored_work_has_its_series_chapters_and_fields():
    work = stored(NEWER)
    assert sorted((e.series.title, e.position) for e in work.series_entries.all()) == [
        ("Keepers of the Long Coast", 2),
        ("Little Lights", 5),
    ]
    assert list(work.creators.values_list("name", flat=True).order_by("work_links__position")) == [
        "marrowlight",
        "Tamsin Vale",
    ]
    assert (work.title, work.language, work.complete) == ("The Lantern Keepers", "en", False)
    assert (work.published, work.updated) == (date(2021, 3, 14), date(2021, 6, 2))
    assert work.source_url == "https://archiveofourown.org/works/90000001"
    assert (work.expected_chapters, work.posted_chapters) == (None, 3)
    assert "forgetting" in work.summary
    assert "who knows what a wick is" in work.notes
    assert "Comments light the lamp." in work.end_notes
    chapters = list(work.chapters.all())
    assert [c.title for c in chapters] == ["Lamplighting", "", "What the Tide Said"]
    assert "The first night of the season." in chapters[0].summary
    assert "Lighthouse terms are mostly invented." in chapters[0].notes
    assert "The goat is based on a real goat." in chapters[1].end_notes
    assert "A short one, sorry!" in chapters[2].notes
    assert "More soon, I promise." in chapters[2].end_notes
    fields = Provenance.objects.get(work=work).fields
    assert ["Collections", "Coastal Fest 2021, The Lantern Exchange"] in fields
    assert ["Words", "1,234"] in fields
    assert Provenance.objects.get(work=work).importer == "ao3"


@pytest.mark.django_db
def test_the_stored_older_work_is_complete_with_its_expected_chapters():
    work = stored(OLDER)
    assert (work.complete, work.expected_chapters, work.posted_chapters) == (True, 2, 2)
    assert list(work.creators.values_list("name", flat=True)) == ["orphan_account"]


@pytest.mark.django_db
def test_the_stored_epub_work_matches_the_html_work(tmp_path):
    path = tmp_path / "lantern.epub"
    path.write_bytes(calibre_epub())
    work = stored(path)
    assert tags_of(work, TagType.FANDOM) == [
        "Harbour Lights, Harbour Nights",
        "The Lantern Guild (Web Series)",
    ]
    assert tags_of(work, TagType.CATEGORY) == ["F/M", "Gen"]
    assert [c.title for c in work.chapters.all()] == ["Lamplighting", "", "What the Tide Said"]


# Round trip: every word of the story, and nothing else ----------------------------------------


def words(html: str) -> list[str]:
    if not html.strip():
        return []
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content().split()


def source_story_words(path: Path) -> list[str]:
    """The words of the story in a fixture, found independently of the importer: the
    content ``div``s directly under ``#chapters``."""
    root = lxml.html.fromstring(path.read_bytes())
    return [
        word
        for div in root.xpath("//div[@id='chapters']/div[@class='userstuff']")
        for word in div.text_content().split()
    ]


def epub_story_words() -> list[str]:
    book = open_epub(io.BytesIO(calibre_epub()))
    found = []
    for document in book.spine:
        for div in document.html().xpath("//body/div[@class='calibre5']/div[@class='calibre5']"):
            found += div.text_content().split()
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda path: path.name)
def test_the_stored_text_is_the_source_text(path):
    work = stored(path)
    stored_words = [word for chapter in work.chapters.all() for word in words(chapter.body)]
    assert stored_words == source_story_words(path)
    assert stored_words


@pytest.mark.django_db
def test_the_stored_text_of_the_epub_is_the_source_text(tmp_path):
    path = tmp_path / "lantern.epub"
    path.write_bytes(calibre_epub())
    work = stored(path)
    stored_words = [word for chapter in work.chapters.all() for word in words(chapter.body)]
    assert stored_words == epub_story_words()
    assert stored_words == source_story_words(NEWER)


# Fuzzing ------------------------------------------------------------------------------


def parse_or_refuse(data: bytes) -> None:
    try:
        works = list(ao3.parse(io.BytesIO(data), "fuzz.html"))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].chapters
    assert works[0].title


MUTABLE = NEWER.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(MUTABLE) - 1), st.binary(max_size=8)), max_size=12))
def test_mutated_downloads_give_a_work_or_a_parse_error(changes):
    data = bytearray(MUTABLE)
    for position, replacement in changes:
        data[position : position + len(replacement)] = replacement
    parse_or_refuse(bytes(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_give_a_work_or_a_parse_error(data):
    parse_or_refuse(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            ['<div id="preface">', '<dl class="tags">', "<dt>Fandom:</dt>", "<dd>", "</dd>",
             "<h1>T</h1>", '<div class="byline">by <a>x</a></div>', "<p>Summary</p>",
             "<blockquote>s</blockquote>", '<div id="chapters">', '<h2 class="heading">Chapter 1',
             "<!--chapter content-->", '<div class="userstuff"><p>Words.</p></div>',
             "<!--/chapter content-->", '<div id="afterword">', "</div>", "<p>End Notes</p>",
             "Posted originally on the Archive of Our Own at <a href='/works/1'>x</a>", "</h2>"]
        ),
        max_size=40,
    )
)  # fmt: skip
def test_shuffled_download_markup_gives_a_work_or_a_parse_error(pieces):
    parse_or_refuse("".join(pieces).encode())


CALIBRE_BOOK = calibre_epub()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(CALIBRE_BOOK) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_ao3_epubs_give_a_work_or_a_parse_error(changes):
    data = bytearray(CALIBRE_BOOK)
    for position, value in changes:
        data[position] = value
    try:
        works = list(epub.parse(io.BytesIO(bytes(data)), "fuzz.epub"))
    except ParseError:
        return
    assert works[0].chapters


def test_plaintext_is_not_asked_to_read_an_ao3_download():
    assert importer_for(NEWER) is not plaintext
