"""The e-book importer: generic EPUB 2 and 3, the dispatch to the AO3 and FanFicFare
readers, calibre for MOBI/AZW3/PDF, and hostile books.

The books are built from the source trees in fixtures/epub/ (original stories) by
fixtures/epub/build.py, which also makes the hostile books; the AO3 book is real
calibre output (fixtures/ao3/calibre/, made by fixtures/ao3/make_calibre_books.py).
calibre itself converts in the tests marked so, which skip, saying why, without it.
"""

import hashlib
import io
import os
import re
import stat
import subprocess
import sys
import textwrap
import zipfile
from datetime import date
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest.importers import epub, fanficfare
from fanarchive.ingest.parsed import ParsedSeries, ParsedWork, ParseError
from fanarchive.ingest.registry import importer_for, importer_for_head, is_story_archive
from fanarchive.ingest.run import import_paths
from fanarchive.ingest.tests.fixtures.epub.build import HOSTILE, build_epub, source, zip_members
from fanarchive.lib.epub import open_epub
from fanarchive.lib.html import html_to_text
from fanarchive.works.models import Work

FIXTURES = Path(__file__).parent / "fixtures"
EPUB2 = "winter_orchard_epub2"
EPUB3 = "moth_hours_epub3"
AO3_BOOK = FIXTURES / "ao3" / "calibre" / "lantern_keepers.ao3.epub"


def book_bytes(tree: str, replace: dict[str, bytes] | None = None) -> bytes:
    return build_epub(source(tree), replace)


def parse_bytes(data: bytes, name: str = "book.epub") -> ParsedWork:
    works = list(epub.parse(io.BytesIO(data), name))
    assert len(works) == 1
    return works[0]


def fields_of(work: ParsedWork, key: str) -> list[str]:
    return [value for name, value in work.fields if name == key]


def words(html: str) -> list[str]:
    """The words of an HTML fragment, each block ending a word as the writer reads it."""
    return html_to_text(html).split()


# Recognising --------------------------------------------------------------------------


@pytest.mark.parametrize("book", [EPUB2, EPUB3, AO3_BOOK], ids=str)
def test_it_recognises_an_epub_by_its_mimetype_member(book):
    data = book.read_bytes() if isinstance(book, Path) else book_bytes(book)
    assert epub.recognizes(data[:65536], "book")


def test_a_zip_of_stories_is_not_an_epub():
    stories = zip_members({"one.txt": b"A story.", "mimetype": b"text/plain"})
    assert not epub.recognizes(stories, "stories.zip")
    assert is_story_archive(stories, "stories.zip")
    assert not is_story_archive(book_bytes(EPUB2), "book.epub")


def test_an_epub_whose_mimetype_is_not_first_is_not_recognised():
    members = {"META-INF/container.xml": b"<container/>", "mimetype": b"application/epub+zip"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert not epub.recognizes(buffer.getvalue(), "book.epub")


@pytest.mark.parametrize(
    "head",
    [b"Title".ljust(60, b"\0") + b"BOOKMOBI" + b"\0" * 20, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"],
    ids=["mobi", "pdf"],
)
def test_it_recognises_mobi_and_pdf_by_their_magic(head):
    assert epub.recognizes(head, "book")
    assert importer_for_head(head, "book") is epub


def test_text_is_not_an_ebook():
    assert not epub.recognizes(b"Title: The Kettle\n\nIt boiled.", "kettle.txt")


# A generic EPUB 2 --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orchard() -> ParsedWork:
    return parse_bytes(book_bytes(EPUB2), "winter_orchard.epub")


def test_epub2_metadata_lands_in_the_work(orchard):
    assert orchard.importer == "epub"
    assert orchard.title == "The Winter Orchard"
    # The illustrator is no author; a creator without a role is one.
    assert orchard.creators == ["Ottoline Marsh", "Pell Adair"]
    assert orchard.language == "en-GB"
    assert orchard.published == date(2018, 11, 2)
    assert orchard.updated == date(2019, 1, 15)
    assert orchard.series == [ParsedSeries("Orchard Year", 3)]
    assert orchard.source_url == "https://stories.example.org/winter-orchard"
    assert orchard.summary == (
        "<p>Three sisters keep an orchard through the hardest winter in living memory.</p>\n"
        "<p>Nobody expects the trees to speak.</p>"
    )


def test_subjects_are_additional_tags_one_each(orchard):
    assert orchard.freeforms == ["Orchards", "Sisters", "Magical Realism, Gentle"]
    assert fields_of(orchard, "Subject") == ["Orchards", "Sisters", "Magical Realism, Gentle"]


def test_what_has_no_home_is_kept_in_fields(orchard):
    assert fields_of(orchard, "Publisher") == ["Quince Lane Press"]
    assert fields_of(orchard, "Rights") == [
        "Copyright 2018 Ottoline Marsh. Shared for the archive."
    ]
    assert fields_of(orchard, "Identifier") == ["urn:uuid:0b6c2f4e-5a1d-4c7e-9f3a-2d8e1b7c6a90"]
    assert fields_of(orchard, "Contributor (ill)") == ["Wren Tolly"]
    assert fields_of(orchard, "Contributor (edt)") == ["Hana Quist"]
    assert fields_of(orchard, "Source") == ["https://stories.example.org/winter-orchard"]


def test_epub2_chapters_come_from_the_spine_titled_by_the_ncx(orchard):
    # The cover and title page (by the guide) and the non-linear notes are no chapters.
    assert [chapter.title for chapter in orchard.chapters] == [
        "The First Frost",
        "Grafting",
        "What the Trees Said",
    ]
    first, second, third = orchard.chapters
    # The heading that repeats the title is not kept in the text.
    assert first.body.startswith("<p>The frost came on the ninth of October")
    assert "&nbsp;" not in first.body and "so\u00a0three times" in first.body
    # calibre's split file, which the NCX does not list, continues chapter two.
    assert "In February the graft put out a single leaf" in second.body
    # Declared ISO-8859-1.
    assert "Naïve, she called herself afterwards." in third.body
    assert all("A Bramley is a cooking apple." not in c.body for c in orchard.chapters)


# A generic EPUB 3 --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moths() -> ParsedWork:
    return parse_bytes(book_bytes(EPUB3), "moth_hours.epub")


def test_epub3_metadata_and_refinements_land_in_the_work(moths):
    assert moths.title == "Moth Hours"
    assert fields_of(moths, "Other title") == ["A Night-Shift Story"]
    # The translator, refined as such, is no author.
    assert moths.creators == ["Sable Okonjo"]
    assert fields_of(moths, "Contributor (trl)") == ["Ivo Brandt"]
    assert moths.summary == "<p>A night porter, a lamp, and <em>far too many</em> moths.</p>"
    assert moths.language == "de"
    assert moths.published == date(2022, 7, 1)
    assert moths.series == [ParsedSeries("The Hotel Ardent Stories", 2)]
    assert moths.freeforms == ["Night Shift", "Moths"]
    assert fields_of(moths, "Meta dcterms:modified") == ["2022-09-12T08:30:00Z"]


def test_a_source_that_is_no_url_is_kept_but_not_the_source_url(moths):
    assert moths.source_url == ""
    assert fields_of(moths, "Source (not a URL)") == ["urn:isbn:9990000000017"]


def test_epub3_chapters_are_titled_by_the_nav_and_skip_cover_nav_and_notes(moths):
    assert [chapter.title for chapter in moths.chapters] == [
        "Part One: The Lamp",
        "Part Two: The Moths",
    ]
    first, second = moths.chapters
    assert "Every night at eleven Anselm lit the lamp" in first.body
    assert "Part Two: The Moths" not in second.body
    assert "Moths do not, in fact, wait for anything." not in first.body + second.body


def test_without_a_toc_a_chapter_is_titled_by_its_first_heading():
    opf = (source(EPUB3) / "EPUB/package.opf").read_text(encoding="utf-8")
    opf = opf.replace(' properties="nav"', "")
    work = parse_bytes(book_bytes(EPUB3, {"EPUB/package.opf": opf.encode()}))
    titles = [chapter.title for chapter in work.chapters]
    assert "Part Two: The Moths" in titles
    assert "" in titles  # part one has no heading


def test_a_book_without_story_text_is_refused():
    empty = "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body/></html>"
    replace = {f"EPUB/xhtml/{name}.xhtml": empty.encode() for name in ("one", "two")}
    with pytest.raises(ParseError, match="no story text in the book"):
        parse_bytes(book_bytes(EPUB3, replace))


# Dispatch -----------------------------------------------------------------------------


def test_an_ao3_book_goes_to_the_ao3_reader():
    assert parse_bytes(AO3_BOOK.read_bytes()).importer == "ao3"


def test_a_fanficfare_book_goes_to_the_fanficfare_reader():
    data = (FIXTURES / "fanficfare" / "gullhaven.epub").read_bytes()
    work = parse_bytes(data, "gullhaven.epub")
    assert work.importer == "fanficfare"
    assert work.content_hash == hashlib.sha256(data).hexdigest()


def test_a_book_no_reader_knows_is_read_generically(monkeypatch):
    """The generic reader is what remains: a FanFicFare book read without its title
    page still gives the OPF's title and creators."""
    monkeypatch.setattr(fanficfare, "recognizes_book", lambda book: False)
    work = parse_bytes((FIXTURES / "fanficfare" / "gullhaven.epub").read_bytes())
    assert (work.importer, work.title) == ("epub", "The Lamp at Gullhaven")
    assert work.creators == ["quillandlamp"]


# calibre for MOBI, AZW3 and PDF -----------------------------------------------------------------

PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_without_calibre_a_pdf_is_refused_with_a_way_forward(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ParseError, match=r"PDF e-books need calibre's ebook-convert; install"):
        parse_bytes(PDF, "story.pdf")


# A stand-in for calibre that converts a "PDF" whose body after the header is a zipped
# EPUB tree (as build.py writes it) by unpacking and rezipping it, and fails like
# calibre on anything else. It checks the arguments calibre needs: an input whose
# suffix names its format, and an output ending in .epub.
FAKE_EBOOK_CONVERT = textwrap.dedent(
    """\
    import io, sys, zipfile
    source, target = sys.argv[1], sys.argv[2]
    if not source.endswith((".pdf", ".mobi", ".azw3")) or not target.endswith(".epub"):
        sys.exit("unsupported conversion")
    data = open(source, "rb").read()
    start = data.find(b"PK\\x03\\x04")
    if start < 0:
        print("Conversion error: no text found in the PDF", file=sys.stderr)
        sys.exit(1)
    with zipfile.ZipFile(io.BytesIO(data[start:])) as inner, zipfile.ZipFile(target, "w") as out:
        out.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name in inner.namelist():
            if name != "mimetype":
                out.writestr(name, inner.read(name), compress_type=zipfile.ZIP_DEFLATED)
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


def test_a_pdf_is_converted_by_calibre_then_read(fake_calibre):
    data = PDF + book_bytes(EPUB2)
    work = parse_bytes(data, "winter_orchard.pdf")
    assert work.title == "The Winter Orchard"
    assert [c.title for c in work.chapters] == [
        "The First Frost",
        "Grafting",
        "What the Trees Said",
    ]
    assert work.content_hash == hashlib.sha256(data).hexdigest()


def test_calibres_complaint_is_passed_on(fake_calibre):
    with pytest.raises(ParseError, match="calibre could not convert the PDF: Conversion error"):
        parse_bytes(PDF, "story.pdf")


# The real calibre ----------------------------------------------------------------------

needs_calibre = pytest.mark.usefixtures("calibre")


@needs_calibre
def test_the_real_calibres_complaint_about_a_broken_pdf_is_passed_on():
    with pytest.raises(ParseError, match=r"calibre could not convert the PDF: \S"):
        parse_bytes(PDF, "story.pdf")


@needs_calibre
@pytest.mark.parametrize("file_type", ["mobi", "azw3"])
def test_a_generic_book_comes_back_from_a_kindle_file(tmp_path, file_type):
    source_book = tmp_path / "winter_orchard.epub"
    source_book.write_bytes(book_bytes(EPUB2))
    target = tmp_path / f"winter_orchard.{file_type}"
    subprocess.run(
        ["ebook-convert", str(source_book), str(target)],
        capture_output=True,
        check=True,
        timeout=epub.CONVERT_TIMEOUT,
    )
    work, original = parse_bytes(target.read_bytes(), target.name), parse_bytes(book_bytes(EPUB2))
    assert work.importer == "epub"
    assert (work.title, work.creators) == (original.title, original.creators)
    assert [c.title for c in work.chapters] == [c.title for c in original.chapters]
    for ours, theirs in zip(work.chapters, original.chapters, strict=True):
        assert words(ours.body)[: len(words(theirs.body))] == words(theirs.body)
    # What the Kindle formats lose: the series, the notes page's being out of the
    # reading order (it ends the last chapter), and tags split at their commas.
    assert "A Bramley is a cooking apple." in work.chapters[-1].body
    assert work.series == []
    assert "Magical Realism" in work.freeforms


# Hostile books ------------------------------------------------------------------------

HOSTILE_MESSAGES = {
    "xxe_in_opf": r"\(OPF\) declares the XML entity 'xxe'",
    "xxe_in_chapter": "a document in the book declares the XML entity 'xxe'",
    "billion_laughs_in_opf": "declares the XML entity 'lol1'",
    "billion_laughs_in_chapter": "declares the XML entity 'lol1'",
    "path_traversal": "climbs out of the archive",
    "zip_bomb": "would expand more than 200 times",
    "truncated": "not a zip archive, or a truncated or corrupt one",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_book_gives_a_clear_parse_error(name):
    with pytest.raises(ParseError, match=HOSTILE_MESSAGES[name]):
        parse_bytes(HOSTILE[name](), f"{name}.epub")


@pytest.mark.django_db
def test_hostile_books_leave_the_database_as_it_was(tmp_path):
    for name, make in HOSTILE.items():
        (tmp_path / f"{name}.epub").write_bytes(make())
    (tmp_path / "fine.epub").write_bytes(book_bytes(EPUB3))
    outcomes = {Path(o.file).stem: o for o in import_paths([tmp_path])}
    assert outcomes.pop("fine").status == "imported"
    assert {name: o.status for name, o in outcomes.items()} == dict.fromkeys(HOSTILE, "failed")
    assert all(o.error for o in outcomes.values())
    assert list(Work.objects.values_list("title", flat=True)) == ["Moth Hours"]


# The database -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_generic_epub_lands_with_tags_series_chapters_and_fields(tmp_path):
    path = tmp_path / "winter_orchard.epub"
    path.write_bytes(book_bytes(EPUB2))
    assert importer_for(path) is epub
    [outcome] = import_paths([path])
    assert outcome.status == "imported", outcome.error
    work = Work.objects.get(pk=outcome.work.pk)
    assert sorted(work.tags.filter(type="freeform").values_list("name", flat=True)) == [
        "Magical Realism, Gentle",
        "Orchards",
        "Sisters",
    ]
    assert [(e.series.title, e.position) for e in work.series_entries.all()] == [
        ("Orchard Year", 3)
    ]
    assert [c.title for c in work.chapters.all()] == [
        "The First Frost",
        "Grafting",
        "What the Trees Said",
    ]
    assert (work.language, work.published) == ("en-GB", date(2018, 11, 2))
    assert ["Publisher", "Quince Lane Press"] in work.provenance.get().fields


def source_words(tree: str, documents: list[str]) -> list[str]:
    """The words of a fixture's story, read from its source files with lxml alone:
    each document's body, less a leading heading that only repeats the chapter title."""
    found: list[str] = []
    for document in documents:
        data = (source(tree) / document).read_bytes()
        encoding = re.search(rb'encoding="([^"]+)"', data)[1].decode()
        text = data.decode(encoding).split("?>", 1)[1]
        body = lxml.html.fromstring(text).find(".//body")
        for heading in body.xpath("./h2|./section/h2"):
            heading.drop_tree()
        found += body.text_content().split()
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tree", "documents"),
    [
        (EPUB2, ["OEBPS/Text/chapter1.xhtml", "OEBPS/Text/chapter2.xhtml",
                 "OEBPS/Text/chapter2_split_001.xhtml", "OEBPS/Text/chapter 3.xhtml"]),
        (EPUB3, ["EPUB/xhtml/one.xhtml", "EPUB/xhtml/two.xhtml"]),
    ],
)  # fmt: skip
def test_the_stored_text_is_the_source_text(tmp_path, tree, documents):
    path = tmp_path / f"{tree}.epub"
    path.write_bytes(book_bytes(tree))
    [outcome] = import_paths([path])
    stored = [word for chapter in outcome.work.chapters.all() for word in words(chapter.body)]
    assert stored == source_words(tree, documents)


# Fuzzing ------------------------------------------------------------------------------

BOOKS = [book_bytes(EPUB2), book_bytes(EPUB3)]


def parse_or_refuse(data: bytes) -> None:
    try:
        work = parse_bytes(data)
    except ParseError:
        return
    assert work.chapters
    assert work.title


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(BOOKS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_mutated_books_give_a_work_or_a_parse_error(book, changes):
    data = bytearray(book)
    for position, value in changes:
        data[position % len(data)] = value
    parse_or_refuse(bytes(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_after_the_epub_header_give_a_work_or_a_parse_error(tail):
    parse_or_refuse(BOOKS[0][:60] + tail)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=500),
    st.sampled_from(
        [
            "OEBPS/content.opf",
            "OEBPS/Text/chapter1.xhtml",
            "OEBPS/toc.ncx",
            "META-INF/container.xml",
        ]
    ),
)
def test_random_members_give_a_work_or_a_parse_error(text, member):
    parse_or_refuse(book_bytes(EPUB2, {member: text.encode("utf-8", "surrogatepass")}))


def test_the_epub_opened_by_the_importer_is_the_one_lib_reads():
    # The importer's reading of the spine agrees with the library's.
    book = open_epub(io.BytesIO(book_bytes(EPUB2)))
    assert [d.href.rsplit("/", 1)[-1] for d in book.spine if d.linear][2:] == [
        "chapter1.xhtml",
        "chapter2.xhtml",
        "chapter2_split_001.xhtml",
        "chapter 3.xhtml",
    ]
