"""AO3 downloads: the HTML page in two generations of markup, one-chapter works, and
the e-books calibre makes of it (EPUB, AZW3, MOBI, PDF), and what lands in the database.

The fixtures in fixtures/ao3/ are original stories written for these tests, laid out
as otwarchive's download templates lay them out. The e-books are real calibre output,
made from those pages by fixtures/ao3/make_calibre_books.py with the commands AO3 runs
(``.ao3.``) and with a reader's bare ``ebook-convert`` (``.plain.``): the EPUBs are
committed in fixtures/ao3/calibre/; AZW3, MOBI and PDF files are made at test time and
those tests skip, saying why, where calibre is not installed.
"""

import hashlib
import io
import os
import re
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
from fanarchive.ingest.tests.fixtures.ao3 import make_calibre_books
from fanarchive.ingest.tests.fixtures.epub.build import build_epub, rezip, source
from fanarchive.lib.epub import open_epub
from fanarchive.lib.html import html_to_text, sanitize
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
BOOKS = FIXTURES / "ao3" / "calibre"
CALIBRE_EPUBS = sorted(BOOKS.glob("*.epub"))
NEWER_EPUB = BOOKS / "lantern_keepers.ao3.epub"
NEWER_PLAIN_EPUB = BOOKS / "lantern_keepers.plain.epub"
# The documents of NEWER_EPUB: calibre names them after the page AO3 saved.
NEWER_PART = "The Lantern Keepers_split_{:03}.xhtml"


def html_of(book: Path) -> Path:
    """The HTML fixture a book was made from ("lantern_keepers.ao3.epub")."""
    return FIXTURES / "ao3" / f"{book.name.split('.')[0]}.html"


def parse_file(path: Path) -> ParsedWork:
    works = list(ao3.parse(io.BytesIO(path.read_bytes()), str(path)))
    assert len(works) == 1
    return works[0]


def parse_html(text: str) -> ParsedWork:
    return next(ao3.parse(io.BytesIO(text.encode()), "work.html"))


def parse_book(path: Path) -> ParsedWork:
    works = list(epub.parse(io.BytesIO(path.read_bytes()), str(path)))
    assert len(works) == 1
    return works[0]


def member(book: Path, name: str) -> str:
    return open_epub(io.BytesIO(book.read_bytes())).read(name).decode("utf-8")


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


# The e-books calibre makes ---------------------------------------------------------------

WORK_ATTRIBUTES = (
    "title", "creators", "rating", "warnings", "categories", "fandoms", "relationships",
    "characters", "freeforms", "language", "series", "complete", "expected_chapters",
    "published", "updated", "source_url",
)  # fmt: skip


def assert_same_work(book: ParsedWork, page: ParsedWork) -> None:
    """The work read from a book is the one read from the page: every field the page
    gives, every chapter's title, summary, notes, end notes and words."""
    for attribute in WORK_ATTRIBUTES:
        assert getattr(book, attribute) == getattr(page, attribute), attribute
    for attribute in ("summary", "notes", "end_notes"):
        assert words(getattr(book, attribute)) == words(getattr(page, attribute)), attribute
    assert [c.title for c in book.chapters] == [c.title for c in page.chapters]
    for number, (ours, theirs) in enumerate(zip(book.chapters, page.chapters, strict=True)):
        for attribute in ("summary", "notes", "end_notes", "body"):
            assert words(getattr(ours, attribute)) == words(getattr(theirs, attribute)), (
                number,
                attribute,
            )


def test_an_ao3_epub_is_read_by_the_ao3_reader():
    book = open_epub(io.BytesIO(NEWER_EPUB.read_bytes()))
    assert ao3.recognizes_book(book)
    work = parse_book(NEWER_EPUB)
    assert work.importer == "ao3"
    assert work.content_hash == hashlib.sha256(NEWER_EPUB.read_bytes()).hexdigest()


def test_generic_books_are_not_ao3_books():
    for tree in ("winter_orchard_epub2", "moth_hours_epub3"):
        assert not ao3.recognizes_book(open_epub(io.BytesIO(build_epub(source(tree)))))


@pytest.mark.parametrize("book", CALIBRE_EPUBS, ids=lambda path: path.name)
def test_a_readers_own_conversion_is_known_by_its_preface(book):
    opened = open_epub(io.BytesIO(book.read_bytes()))
    if ".plain." in book.name:
        # ebook-convert without AO3's options names no publisher.
        assert opened.values("publisher") == []
    assert ao3.recognizes_book(opened)


def test_an_ao3_epub_without_its_publisher_is_known_by_its_preface():
    opf = member(NEWER_EPUB, "content.opf")
    assert "<dc:publisher>Archive of Our Own</dc:publisher>" in opf
    opf = opf.replace("<dc:publisher>Archive of Our Own</dc:publisher>", "")
    book = rezip(NEWER_EPUB.read_bytes(), {"content.opf": opf.encode()})
    assert ao3.recognizes_book(open_epub(io.BytesIO(book)))


@pytest.mark.parametrize("book", CALIBRE_EPUBS, ids=lambda path: path.name)
def test_every_calibre_epub_gives_what_the_html_gives(book):
    assert_same_work(parse_book(book), parse_file(html_of(book)))


def test_class_names_in_a_calibre_book_mean_nothing():
    # calibre names classes after their style and reuses AO3's names for any element
    # styled alike: every paragraph became "message", the tag list of a reader's
    # conversion too, and the chapter headings "toc-heading".
    preface = member(NEWER_EPUB, NEWER_PART.format(1))
    assert '<p class="message">Summary</p>' in preface
    assert '<p class="message">The lamp at Sorrow Point' in member(NEWER_EPUB, NEWER_PART.format(2))
    assert '<h2 class="toc-heading" id="calibre_toc_3">Chapter 1: Lamplighting</h2>' in member(
        NEWER_EPUB, NEWER_PART.format(2)
    )
    assert '<dl class="message">' in member(NEWER_PLAIN_EPUB, "lantern_keepers_split_000.html")
    work = parse_book(NEWER_EPUB)
    assert words(work.summary) == words(parse_file(NEWER).summary)
    assert [c.title for c in work.chapters] == ["Lamplighting", "", "What the Tide Said"]


def test_ao3s_epubs_lost_the_chapter_markers_and_a_readers_kept_them():
    # AO3 saves the page with web2disk first, which drops comments.
    ao3_parts = "".join(member(NEWER_EPUB, NEWER_PART.format(n)) for n in range(6))
    plain_parts = "".join(
        member(NEWER_PLAIN_EPUB, f"lantern_keepers_split_{n:03}.html") for n in range(6)
    )
    assert "<!--chapter content-->" not in ao3_parts
    assert "<!--chapter content-->" in plain_parts
    assert_same_work(parse_book(NEWER_EPUB), parse_book(NEWER_PLAIN_EPUB))


def test_the_epubs_typed_tags_never_come_from_its_flat_subjects():
    opf = member(NEWER_EPUB, "content.opf")
    # calibre's subjects: "Fanworks" and every tag, split at its commas.
    assert "<dc:subject>Fanworks</dc:subject>" in opf
    assert "<dc:subject>Harbour Lights</dc:subject>" in opf
    work = parse_book(NEWER_EPUB)
    everything = {*work.fandoms, *work.freeforms, *work.characters, *work.relationships}
    assert "Fanworks" not in everything
    assert "Harbour Lights" not in everything
    assert "Harbour Lights, Harbour Nights" in work.fandoms


def test_a_calibre_epub_of_a_work_without_a_preface_title_uses_the_opf():
    first, second = (member(NEWER_EPUB, NEWER_PART.format(n)) for n in (0, 1))
    first = re.sub(r"<b[^>]*>The Lantern Keepers</b>", "", first)
    second = re.sub(r"<h1[^>]*>The Lantern Keepers</h1>", "", second)
    book = rezip(
        NEWER_EPUB.read_bytes(),
        {NEWER_PART.format(0): first.encode(), NEWER_PART.format(1): second.encode()},
    )
    work = next(epub.parse(io.BytesIO(book), "x.epub"))
    assert work.title == "The Lantern Keepers"
    assert work.creators == ["marrowlight", "Tamsin Vale"]


def test_an_ao3_epub_without_a_byline_takes_the_creators_from_the_opf():
    # AO3 passes calibre one author: every byline joined by ", ".
    opf = member(NEWER_EPUB, "content.opf")
    assert ">marrowlight, Tamsin Vale (quillfeather)</dc:creator>" in opf
    page = re.sub(r"<div[^>]*>by .*?</div>", "", member(NEWER_EPUB, NEWER_PART.format(1)))
    book = rezip(NEWER_EPUB.read_bytes(), {NEWER_PART.format(1): page.encode()})
    assert next(epub.parse(io.BytesIO(book), "x.epub")).creators == ["marrowlight", "Tamsin Vale"]


def test_a_readers_conversion_without_a_byline_takes_no_unknown_creator():
    # Without --authors calibre writes "Unknown": no creator of that name.
    assert "<dc:creator>Unknown</dc:creator>" in member(NEWER_PLAIN_EPUB, "content.opf")
    part = "lantern_keepers_split_001.html"
    page = re.sub(r"<div class=\"calibre1\">by .*?</div>", "", member(NEWER_PLAIN_EPUB, part))
    book = rezip(NEWER_PLAIN_EPUB.read_bytes(), {part: page.encode()})
    assert next(epub.parse(io.BytesIO(book), "x.epub")).creators == []


def book_variant(part: int, edit, css: str = "") -> ParsedWork:
    """NEWER_EPUB with one document edited, and CSS added to its stylesheet."""
    name = NEWER_PART.format(part)
    replace = {name: edit(member(NEWER_EPUB, name)).encode()}
    if css:
        replace["stylesheet.css"] = (member(NEWER_EPUB, "stylesheet.css") + css).encode()
    return next(epub.parse(io.BytesIO(rezip(NEWER_EPUB.read_bytes(), replace)), "x.epub"))


def test_bold_and_italic_spans_of_a_book_are_read_by_their_style():
    # A MOBI writes <b> and <i> as classed spans; the stylesheet says which is which.
    def edit(page: str) -> str:
        page = re.sub(
            r"<h2[^>]*>Chapter 2</h2>", '<p class="hd"><span class="x9">Chapter 2</span></p>', page
        )
        return page.replace("a goat, which", 'a <span class="y7">goat</span>, which')

    work = book_variant(3, edit, css=".x9 { font-weight: bold }\n.y7 {font-style: italic}\n")
    assert [c.title for c in work.chapters] == ["Lamplighting", "", "What the Tide Said"]
    assert "a <i>goat</i>, which" in work.chapters[1].body
    assert "Chapter 2" not in work.chapters[1].body


@pytest.mark.parametrize(
    "heading", ["<h2>Chapter 2</h2>", "<p><b>Chapter 2: Again</b></p>", "<h2>Afterword</h2>"]
)
def test_a_heading_the_author_wrote_into_the_text_stays_in_the_text(heading):
    # The table of contents lists AO3's own headings (its --chapter XPath is that
    # particular): a "Chapter 2" of the author's is no chapter of the work.
    def edit(page: str) -> str:
        return page.replace("before the twelfth.</p>", f"before the twelfth.</p>{heading}")

    work = book_variant(2, edit)
    assert [c.title for c in work.chapters] == ["Lamplighting", "", "What the Tide Said"]
    written = " ".join(words(heading))
    assert f"the twelfth. {written} She climbed" in " ".join(words(work.chapters[0].body))
    assert plain(work.end_notes) == plain(parse_file(NEWER).end_notes)


def test_between_the_chapter_markers_of_a_readers_conversion_all_is_story():
    part = "lantern_keepers_split_002.html"
    page = member(NEWER_PLAIN_EPUB, part).replace(
        "before the twelfth.</p>", "before the twelfth.</p><h2>Chapter 2: Mine</h2>"
    )
    book = rezip(NEWER_PLAIN_EPUB.read_bytes(), {part: page.encode()})
    work = next(epub.parse(io.BytesIO(book), "x.epub"))
    assert [c.title for c in work.chapters] == ["Lamplighting", "", "What the Tide Said"]
    assert "Chapter 2: Mine" in work.chapters[0].body


def test_a_line_of_the_story_saying_notes_stays_in_the_story():
    def edit(page: str) -> str:
        return page.replace(
            "before the twelfth.</p>",
            'before the twelfth.</p>\n<p class="message">Notes</p>\n<p>She kept notes.</p>',
        )

    first = book_variant(2, edit).chapters[0]
    assert plain(first.notes) == "<p>Lighthouse terms are mostly invented.</p>"
    assert "the twelfth. Notes She kept notes. She climbed" in " ".join(words(first.body))


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


# A stand-in for calibre: the plumbing, where calibre is not installed ------------------

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
    assert_same_work(work, parse_file(NEWER))


def test_without_calibre_a_mobi_is_refused_with_a_way_forward(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ParseError, match="MOBI/AZW3 e-books need calibre's ebook-convert"):
        next(epub.parse(io.BytesIO(FAKE_MOBI_HEADER + NEWER.read_bytes()), "lantern.azw3"))


# The real calibre: AZW3, MOBI and PDF made from the pages -------------------------------

needs_calibre = pytest.mark.usefixtures("calibre")
CONVERSIONS = [
    (page.stem, file_type, options)
    for page in HTML_FIXTURES
    for file_type in ("azw3", "mobi", "pdf")
    for options in make_calibre_books.OPTION_SETS
]
KINDLE = [conversion for conversion in CONVERSIONS if conversion[1] != "pdf"]
PDFS = [conversion for conversion in CONVERSIONS if conversion[1] == "pdf"]


def conversion_id(conversion: tuple[str, str, str]) -> str:
    stem, file_type, options = conversion
    return f"{stem}.{options}.{file_type}"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The book of a (fixture stem, file type, option set), made once per module."""
    folder = tmp_path_factory.mktemp("calibre")
    made: dict[tuple[str, str, str], Path] = {}

    def make(conversion: tuple[str, str, str]) -> Path:
        if conversion not in made:
            stem, file_type, options = conversion
            work = make_calibre_books.work_for(f"{stem}.html")
            made[conversion] = make_calibre_books.convert(work, file_type, options, folder)
        return made[conversion]

    return make


@needs_calibre
@pytest.mark.parametrize("conversion", KINDLE, ids=conversion_id)
def test_an_azw3_or_mobi_gives_what_the_html_gives(converted, conversion):
    book = converted(conversion)
    assert importer_for(book) is epub
    work = parse_book(book)
    assert work.importer == "ao3"
    assert work.content_hash == hashlib.sha256(book.read_bytes()).hexdigest()
    assert_same_work(work, parse_file(html_of(book)))


@needs_calibre
@pytest.mark.parametrize("conversion", PDFS, ids=conversion_id)
def test_a_pdf_gives_the_text_title_and_creators(converted, conversion):
    book = converted(conversion)
    work, page = parse_book(book), parse_file(html_of(book))
    assert work.importer == "ao3"
    assert (work.title, work.creators) == (page.title, page.creators)
    assert [words(c.body) for c in work.chapters] == [words(c.body) for c in page.chapters]


@needs_calibre
@pytest.mark.parametrize("conversion", PDFS, ids=conversion_id)
def test_a_pdf_keeps_the_whole_preface_too(converted, conversion):
    # calibre 6.13's PDF input keeps every paragraph, the bold of the headings and
    # the links: typed tags, series, stats, summaries and notes all come back.
    book = converted(conversion)
    assert_same_work(parse_book(book), parse_file(html_of(book)))


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
def test_the_stored_epub_work_matches_the_html_work():
    work = stored(NEWER_EPUB)
    assert tags_of(work, TagType.FANDOM) == [
        "Harbour Lights, Harbour Nights",
        "The Lantern Guild (Web Series)",
    ]
    assert tags_of(work, TagType.CATEGORY) == ["F/M", "Gen"]
    assert [c.title for c in work.chapters.all()] == ["Lamplighting", "", "What the Tide Said"]


# Round trip: every word of the story, and nothing else ----------------------------------------


def words(html: str) -> list[str]:
    """The words of an HTML fragment, each block ending a word as the writer reads it."""
    return html_to_text(html).split()


def source_story_words(path: Path) -> list[str]:
    """The words of the story in a fixture, found independently of the importer: the
    content ``div``s directly under ``#chapters``."""
    root = lxml.html.fromstring(path.read_bytes())
    return [
        word
        for div in root.xpath("//div[@id='chapters']/div[@class='userstuff']")
        for word in div.text_content().split()
    ]


def book_words(path: Path) -> str:
    """Every word of a book's documents, in spine order, found with lxml alone."""
    book = open_epub(io.BytesIO(path.read_bytes()))
    return " ".join(
        word for document in book.spine for word in document.html().text_content().split()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", HTML_FIXTURES, ids=lambda path: path.name)
def test_the_stored_text_is_the_source_text(path):
    work = stored(path)
    stored_words = [word for chapter in work.chapters.all() for word in words(chapter.body)]
    assert stored_words == source_story_words(path)
    assert stored_words


@pytest.mark.django_db
@pytest.mark.parametrize("book", CALIBRE_EPUBS, ids=lambda path: path.name)
def test_the_stored_text_of_every_epub_is_the_source_text(book):
    work = stored(book)
    chapters = [words(chapter.body) for chapter in work.chapters.all()]
    assert [word for chapter in chapters for word in chapter] == source_story_words(html_of(book))
    # Each chapter's words stand together in the book too.
    for chapter in chapters:
        assert " ".join(chapter) in book_words(book)


# Importing a book after its page: one work, unchanged --------------------------------------


def import_both(first: Path, second: Path) -> Work:
    outcomes = list(import_paths([first, second]))
    assert [o.status for o in outcomes] == ["imported", "unchanged"], [
        (o.status, o.error) for o in outcomes
    ]
    assert outcomes[0].work.pk == outcomes[1].work.pk
    assert Work.objects.count() == 1
    work = Work.objects.get()
    # The second copy is added to the work's provenance.
    assert sorted(Provenance.objects.filter(work=work).values_list("file_name", flat=True)) == (
        sorted([first.name, second.name])
    )
    return work


@pytest.mark.django_db
@pytest.mark.parametrize("book", CALIBRE_EPUBS, ids=lambda path: path.name)
def test_an_epub_imported_after_its_html_is_unchanged(book):
    import_both(html_of(book), book)


@pytest.mark.django_db
@pytest.mark.parametrize("book", CALIBRE_EPUBS, ids=lambda path: path.name)
def test_the_html_imported_after_its_epub_is_unchanged(book):
    work = import_both(book, html_of(book))
    assert [c.title for c in work.chapters.all()] == [
        c.title for c in parse_file(html_of(book)).chapters
    ]


@needs_calibre
@pytest.mark.django_db
@pytest.mark.parametrize("conversion", CONVERSIONS, ids=conversion_id)
def test_an_azw3_mobi_or_pdf_imported_after_its_html_is_unchanged(converted, conversion):
    book = converted(conversion)
    import_both(html_of(book), book)


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


CALIBRE_BOOKS = [path.read_bytes() for path in CALIBRE_EPUBS]


def parse_book_or_refuse(data: bytes) -> None:
    try:
        works = list(epub.parse(io.BytesIO(data), "fuzz.epub"))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].chapters
    assert works[0].title


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CALIBRE_BOOKS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_mutated_ao3_epubs_give_a_work_or_a_parse_error(book, changes):
    data = bytearray(book)
    for position, value in changes:
        data[position % len(data)] = value
    parse_book_or_refuse(bytes(data))


# What MOBI and PDF conversions make of AO3's page, in pieces.
BOOK_PIECES = [
    '<div id="preface">', "</div>", '<div id="chapters">', '<div id="afterword">',
    '<p><span class="bold">Preface</span></p>', "<p><b>Afterword</b></p>",
    "<p>Posted originally on the Archive of Our Own at <a href='/works/1'>x</a></p>",
    "<p>https://archiveofourown.org/works/1.</p>", "<p>Rating:</p>", "<p><b>Fandom:</b></p>",
    "<blockquote><blockquote><a href='/tags/x'>X, </a></blockquote></blockquote>",
    "<p>Stats:</p>", "<p>Published: 2020-01-01 Chapters: 2/?</p>", "<p>Series:</p>",
    "<p>Part 1 of <a href='/series/1'>S, Part 2 of</a><a href='/series/2'> T</a></p>",
    "<p><b>Title</b></p>", "<p><a id='p2'></a><b>Title</b> by <a href='/users/u'>u, </a></p>",
    "<p>Summary</p>", "<p>Chapter Notes</p>", "<p>End Notes</p>", "<blockquote>s</blockquote>",
    "<p>See the end of the chapter for notes</p>", "<p>Inspired by a work</p>",
    "<p><a id='p3'></a><b>Chapter 1: One</b> Chapter Summary</p>",
    '<blockquote><span class="bold">Chapter 2</span></blockquote>', "<p>Words.</p>",
    '<div class="mbp_pagebreak"></div>', "<hr/>", "<h1>Document Outline</h1>",
    "<ul><li><a href='#p1'>Preface</a></li></ul>",
]  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(BOOK_PIECES), max_size=40))
def test_shuffled_book_markup_gives_a_work_or_a_parse_error(pieces):
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>x</title></head><body>{''.join(pieces)}</body></html>"
    )
    replace: dict[str, bytes | None] = {NEWER_PART.format(n): None for n in range(1, 6)}
    replace[NEWER_PART.format(0)] = page.encode()
    parse_book_or_refuse(rezip(NEWER_EPUB.read_bytes(), replace))


def test_plaintext_is_not_asked_to_read_an_ao3_download():
    assert importer_for(NEWER) is not plaintext
