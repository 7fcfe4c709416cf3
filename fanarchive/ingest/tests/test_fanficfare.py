"""The FanFicFare importer: TXT, HTML and EPUB (2 and 3) downloads of the same two
stories, their title pages, chapters and escaping, and what it must not claim.

The fixtures are FanFicFare's own output from its offline test adapter, for three
stories invented for these tests (fixtures/fanficfare/make_fixtures.sh regenerates
them; the chapter text is in chapter_source.htm.in)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest import registry
from fanarchive.ingest.importers import epub as epub_importer
from fanarchive.ingest.importers import fanficfare
from fanarchive.ingest.importers.labels import series_from
from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import ParsedSeries, ParsedWork, ParseError
from fanarchive.ingest.run import import_paths
from fanarchive.lib.epub import EpubError, open_epub
from fanarchive.lib.html import SCENE_BREAK, html_to_text
from fanarchive.tags.constants import GRAPHIC_VIOLENCE, MATURE, NO_WARNINGS, TEEN
from fanarchive.tags.models import TagType

FIXTURES = Path(__file__).parent / "fixtures" / "fanficfare"
OTHER_FIXTURES = Path(__file__).parent / "fixtures"

GULLHAVEN_FILES = [
    "gullhaven.txt",
    "gullhaven.html",
    "gullhaven.epub",
    "gullhaven-epub3.epub",
]
STATIC_FILES = [
    "salt-and-static.txt",
    "salt-and-static.html",
    "salt-and-static.epub",
    "salt-and-static-epub3.epub",
    "salt-and-static-table.epub",
]
TEXT_FILES = [name for name in GULLHAVEN_FILES + STATIC_FILES if not name.endswith(".epub")]
EPUB_FILES = [name for name in GULLHAVEN_FILES + STATIC_FILES if name.endswith(".epub")]

GULLHAVEN = {
    "title": "The Lamp at Gullhaven",
    "creators": ["quillandlamp"],
    "rating": TEEN,
    "warnings": [NO_WARNINGS],
    "categories": ["Gen"],
    "fandoms": ["Tidewater Chronicles"],
    "relationships": ["Mara Venn & Old Tobias"],
    "characters": ["Mara Venn", "Old Tobias", "The Keeper's Cat"],
    "freeforms": [
        "Cats Being Helpful",
        "Found Family",
        "Hurt/Comfort",
        "Lighthouses & Storms",
        "Nobody Dies",
        "Slow Mornings",
        "Weather as a Character",
    ],
    "summary": (
        "<p>The Gullhaven lamp goes dark &amp; Mara has one night to find out why.</p>"
        "<p>Winds &lt; force 10, mostly.</p>"
    ),
    "language": "en",
    "series": [ParsedSeries("Lamps Along the Coast", 2)],
    "complete": True,
    "published": date(2021, 4, 5),
    "updated": date(2021, 6, 19),
    "source_url": "http://test1.com?sid=1001",
    "archive_name": "test1.com",
    "original_location": "http://test1.com?sid=1001",
}
STATIC = {
    "title": "Salt & Static",
    "creators": ["inkwell_moth", "Petrel Finch"],
    "rating": MATURE,
    "warnings": [GRAPHIC_VIOLENCE],
    "categories": ["F/M", "M/M"],
    "fandoms": ["Radio Nowhere (Podcast)", "Starfall Academy"],
    "relationships": ["Ilse Marrow & Petra Lind", "Ilse Marrow/Dov Calder", "Ren Osei/Petra Lind"],
    "characters": ["Dov Calder", "Ilse Marrow", "Petra Lind", "Ren Osei"],
    "freeforms": [
        "Alternate Universe - Radio Station",
        "Angst",
        "Slow Burn",
        "Canon-Typical Peril",
    ],
    "summary": (
        "<p>Two night-shift hosts &amp; one signal that should not exist. "
        "Signal strength &lt; 1.</p>"
    ),
    "language": "en",
    "series": [],
    "complete": False,
    "published": date(2022, 10, 1),
    "updated": date(2023, 1, 14),
    "source_url": "http://test1.com?sid=1002",
    "archive_name": "test1.com",
    "original_location": "http://test1.com?sid=1002",
}
EXPECTED = {name: GULLHAVEN for name in GULLHAVEN_FILES} | {name: STATIC for name in STATIC_FILES}

CHAPTER_TITLES = {
    GULLHAVEN["title"]: ["The Lamp Goes Dark", "Oil & Salt", "What the Cat Knew"],
    STATIC["title"]: ["3:17 & After", "Less Than < One"],
}
SOURCE_ITEMS = {
    GULLHAVEN["title"]: ["gull1", "gull2", "gull3"],
    STATIC["title"]: ["salt1", "salt2"],
}
# What FanFicFare writes beside the typed values, kept as written.
KEPT_FIELDS = {
    GULLHAVEN["title"]: {
        "Words": "466",
        "Chapters": "3",
        "Publisher": "test1.com",
        "Author URL": "http://test1.com?authid=311",
        "Series URL": "http://test1.com?seriesid=7",
    },
    STATIC["title"]: {
        "Words": "194",
        "Chapters": "2",
        "Publisher": "test1.com",
        "Author URL": "http://test1.com?authid=88, http://test1.com?authid=89",
    },
}


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse_file(name: str) -> ParsedWork:
    """The work of a fixture, read by the importer the registry picks for it: this
    one for TXT and HTML, the EPUB importer (which hands FanFicFare's books to
    ``parse_book``) for EPUB."""
    path = FIXTURES / name
    importer = registry.importer_for(path)
    with path.open("rb") as stream:
        works = list(importer.parse(stream, name))
    assert len(works) == 1
    return works[0]


def words(text: str) -> list[str]:
    return text.split()


def html_words(fragment: str) -> list[str]:
    return words(html_to_text(fragment))


def source_chapter_words(item: str) -> list[str]:
    """The words of one chapter as written for FanFicFare to fetch."""
    root = lxml.html.document_fromstring(read("chapter_source.htm.in"))
    (quote,) = root.xpath(f"//li[@id='{item}']/blockquote")
    return words(quote.text_content())


def field_values(work: ParsedWork, key: str) -> list[str]:
    return [value for field_key, value in work.fields if field_key == key]


# Every field, every format ------------------------------------------------------------


@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_it_reads_every_title_page_field_into_its_place(name):
    work = parse_file(name)
    expected = EXPECTED[name]

    assert work.importer == "fanficfare"
    assert work.importer_version == "1"
    assert work.source_file == name
    assert work.content_hash == hashlib.sha256(read(name)).hexdigest()
    for attribute, value in expected.items():
        assert getattr(work, attribute) == value, attribute


@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_it_keeps_packaged_publisher_author_url_words_and_chapters_in_fields(name):
    work = parse_file(name)

    for key, value in KEPT_FIELDS[work.title].items():
        assert field_values(work, key) == [value], key
    (packaged,) = field_values(work, "Packaged")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", packaged)
    assert field_values(work, "Story URL") == [EXPECTED[name]["source_url"]]


@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_it_keeps_every_labelled_value_as_written(name):
    work = parse_file(name)
    if work.title == GULLHAVEN["title"]:
        assert field_values(work, "Series") == ["Lamps Along the Coast [2]"]
        assert field_values(work, "Genre") == [
            "Cats Being Helpful, Found Family, Gen, Hurt/Comfort, Lighthouses & Storms, "
            "Nobody Dies, Slow Mornings, Weather as a Character"
        ]
        assert field_values(work, "Status") == ["Completed"]
        assert field_values(work, "Rating") == ["Teen And Up Audiences"]
    else:
        assert field_values(work, "Relationships") == [
            "Ilse Marrow & Petra Lind, Ilse Marrow/Dov Calder, Ren Osei/Petra Lind"
        ]
        assert field_values(work, "Warnings") == [
            "Canon-Typical Peril, Graphic Depictions Of Violence"
        ]
        assert field_values(work, "Status") == ["In-Progress"]
    assert field_values(work, "Title") == [work.title]
    assert field_values(work, "Author") == [", ".join(work.creators)]
    assert field_values(work, "Language") == ["English"]


@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_it_reads_chapters_with_their_titles(name):
    work = parse_file(name)
    assert [chapter.title for chapter in work.chapters] == CHAPTER_TITLES[work.title]
    assert all(chapter.body.startswith("<p>") for chapter in work.chapters)


@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_every_word_of_every_chapter_survives(name):
    work = parse_file(name)
    items = SOURCE_ITEMS[work.title]
    assert len(work.chapters) == len(items)
    for chapter, item in zip(work.chapters, items, strict=True):
        assert html_words(chapter.body) == source_chapter_words(item)


def test_the_same_story_reads_the_same_in_every_format():
    for files in (GULLHAVEN_FILES, STATIC_FILES):
        works = [parse_file(name) for name in files]
        first = works[0]
        for work in works[1:]:
            assert work.title == first.title
            assert work.creators == first.creators
            for attribute in (
                "rating", "warnings", "categories", "fandoms", "relationships",
                "characters", "freeforms", "series", "complete", "summary",
            ):  # fmt: skip
                assert getattr(work, attribute) == getattr(first, attribute), attribute
            assert [html_words(c.body) for c in work.chapters] == [
                html_words(c.body) for c in first.chapters
            ]
            assert [c.body for c in work.chapters] == [c.body for c in first.chapters]


# Particulars of each format ---------------------------------------------------------


def test_the_txt_fixture_is_fanficfare_txt_with_crlf_and_wrapped_values():
    data = read("gullhaven.txt")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"Genre: Cats Being Helpful, Found Family, Gen, Hurt/Comfort, Lighthouses &\r\n" in data
    assert b"TABLE OF CONTENTS" in data and data.rstrip().endswith(b"End file.")


def test_it_joins_a_txt_value_wrapped_onto_unlabelled_lines():
    static = parse_file("salt-and-static.txt")
    assert b"Relationships: Ilse Marrow & Petra Lind, Ilse Marrow/Dov Calder, Ren\r\n" in read(
        "salt-and-static.txt"
    )
    assert "Ren Osei/Petra Lind" in static.relationships
    assert "Lighthouses & Storms" in parse_file("gullhaven.txt").freeforms


def test_it_undoes_html2text_markdown_in_txt_chapters():
    data = read("gullhaven.txt").decode()
    assert "simply _gone_ , as if" in data and "**Cause of failure: cat, window," in data
    assert "* * *" in data

    work = parse_file("gullhaven.txt")
    assert "simply <i>gone</i>, as if" in work.chapters[0].body
    assert "<b>Cause of failure: cat, window, weather.</b>" in work.chapters[2].body
    assert SCENE_BREAK in work.chapters[1].body
    assert "End file." not in work.chapters[-1].body


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("moth_wing and _it_ , **bold** ; x", "<p>moth_wing and <i>it</i>, <b>bold</b>; x</p>"),
        ("a  \nb", "<p>a<br>\nb</p>"),
        ("one\ntwo", "<p>one two</p>"),
        ("1\\. not a list\n\n\\- dash", "<p>1. not a list</p>\n<p>- dash</p>"),
        ("> quoted text\n> more", "<blockquote><p>quoted text more</p></blockquote>"),
        ("* * *", SCENE_BREAK),
        ("~~gone~~ now", "<p><s>gone</s> now</p>"),
        ("see [a map](http://example.org/)", '<p>see <a href="http://example.org/">a map</a></p>'),
        ("### A heading", "<h3>A heading</h3>"),
        ("less < more & so on", "<p>less &lt; more &amp; so on</p>"),
    ],
)  # fmt: skip
def test_it_reads_what_html2text_writes(markdown, expected):
    assert fanficfare.markdown_to_html(markdown) == expected


@pytest.mark.parametrize("name", ["gullhaven-chapter1.txt", "gullhaven-chapter1.html"])
def test_a_story_of_one_chapter_has_no_table_of_contents_and_still_reads(name):
    assert b"TABLE OF CONTENTS" not in read(name) and b"TOCTOP" not in read(name)
    work = parse_file(name)
    assert work.title == "The Lamp at Gullhaven (Ch 1-1)"
    assert work.rating == TEEN
    assert [chapter.title for chapter in work.chapters] == ["The Lamp Goes Dark"]
    assert html_words(work.chapters[0].body) == source_chapter_words("gull1")


def test_it_reads_the_labels_fanficfare_adds_for_ao3():
    text = read("gullhaven.txt").decode()
    extra = (
        "Freeform Tags: Tea, Fog\r\nAO3 Categories: F/F, Gen\r\n"
        "Chapters/Total Chapters: 3/5\r\nKudos: 1,024\r\nHits: 5,000\r\n"
    )
    text = text.replace("Language: English\r\n", "Language: English\r\n" + extra)
    work = parse_file_from_bytes(text.encode(), "from-ao3.txt")
    assert work.freeforms[-2:] == ["Tea", "Fog"]
    assert work.categories == ["F/F", "Gen"]
    assert work.expected_chapters == 5
    assert (work.kudos, work.hits) == (1024, 5000)
    assert ("AO3 Categories", "F/F, Gen") in work.fields


LONG_TITLE = "The Harbourmaster's Almanac of Tides, Fogs, Lanterns and Other Unreliable Things"
LONG_CHAPTER = "In Which the Lamp at Gullhaven Goes Dark and Nobody Can Say Quite Why It Did"


@pytest.mark.parametrize("name", ["long-lines.txt", "long-lines.html"])
def test_it_reads_wrapped_titles_and_authors_with_and_in_their_names(name):
    if name.endswith(".txt"):
        assert f"{LONG_CHAPTER[:60]}".encode() in read(name)
        assert b"Unreliable\r\nThings" in read(name)
    work = parse_file(name)
    assert work.title == LONG_TITLE
    assert work.creators == ["Tern & Gull", "salt and pepper"]
    assert [chapter.title for chapter in work.chapters] == [LONG_CHAPTER, "Oil"]
    assert [html_words(c.body) for c in work.chapters] == [
        source_chapter_words("gull1"),
        source_chapter_words("gull2"),
    ]


def test_a_listed_chapter_fanficfare_wrote_no_text_for_is_skipped():
    text = read("salt-and-static.txt").decode()
    first = text.index("        3:17 & After")
    text = text[:first] + text[text.index("        Less Than < One") :]
    work = parse_file_from_bytes(text.encode(), "gap.txt")
    assert [chapter.title for chapter in work.chapters] == ["Less Than < One"]
    assert html_words(work.chapters[0].body) == source_chapter_words("salt2")


def test_a_txt_without_a_title_page_is_recognised_by_its_table_of_contents():
    assert b"Packaged:" not in read("gullhaven-no-titlepage.txt")
    assert registry.importer_for(FIXTURES / "gullhaven-no-titlepage.txt") is fanficfare
    work = parse_file("gullhaven-no-titlepage.txt")
    assert (work.title, work.creators) == (GULLHAVEN["title"], GULLHAVEN["creators"])
    assert work.fields == [("Title", GULLHAVEN["title"]), ("Author", "quillandlamp")]
    assert [chapter.title for chapter in work.chapters] == CHAPTER_TITLES[work.title]
    assert [html_words(c.body) for c in work.chapters] == [
        source_chapter_words(item) for item in SOURCE_ITEMS[work.title]
    ]


def test_it_reads_a_less_than_sign_fanficfare_left_unescaped_in_html():
    assert b"<h2>Less Than < One</h2>" in read("salt-and-static.html")
    assert b"Signal strength < 1.</td>" in read("salt-and-static.html")
    work = parse_file("salt-and-static.html")
    assert work.chapters[1].title == "Less Than < One"
    assert work.summary == STATIC["summary"]


@pytest.mark.parametrize("name", ["gullhaven.epub", "salt-and-static-epub3.epub"])
def test_it_undoes_double_escaping_in_epub_subjects(name):
    with zipfile.ZipFile(FIXTURES / name) as book:
        opf = book.read("content.opf").decode()
    assert "&amp;amp;" in opf
    work = parse_file(name)
    tags = work.relationships + work.freeforms + work.characters + work.fandoms
    assert not [tag for tag in tags if "&amp;" in tag]
    # The subjects themselves are kept as the book has them.
    assert any("&amp;" in value for value in field_values(work, "Subject"))


def test_plain_undoes_escaping_however_often_it_was_done():
    assert fanficfare.plain("Tides &amp;amp; Tempests") == "Tides & Tempests"
    assert fanficfare.plain("Salt &amp; Static") == "Salt & Static"
    assert fanficfare.plain("a  &lt;b&gt;\n c") == "a <b> c"


def test_an_epub_2_has_dates_in_its_opf_and_an_epub_3_only_on_its_title_page():
    with zipfile.ZipFile(FIXTURES / "gullhaven.epub") as book:
        assert 'opf:event="publication">2021-04-05' in book.read("content.opf").decode()
    with zipfile.ZipFile(FIXTURES / "gullhaven-epub3.epub") as book:
        assert "dc:date" not in book.read("content.opf").decode()
    assert parse_file("gullhaven-epub3.epub").published == date(2021, 4, 5)


def test_an_epub_without_a_title_page_is_read_from_its_opf():
    work = parse_file("gullhaven-no-titlepage.epub")

    assert work.title == "The Lamp at Gullhaven"
    assert work.creators == ["quillandlamp"]
    assert "one night to find out why" in work.summary
    assert work.language == "en"
    assert work.published == date(2021, 4, 5)
    assert work.updated == date(2021, 6, 19)
    assert work.source_url == "http://test1.com?sid=1001"
    assert work.archive_name == "test1.com"
    assert work.complete is True
    # Without the title page the subjects have lost their types.
    assert work.categories == ["Gen"]
    assert "Tidewater Chronicles" in work.freeforms
    assert "Mara Venn & Old Tobias" in work.freeforms
    assert not any(tag.startswith("Last Update") for tag in work.freeforms)
    assert work.rating is None
    assert field_values(work, "Packaged")
    assert [chapter.title for chapter in work.chapters] == CHAPTER_TITLES[work.title]


def test_it_reads_an_epub_title_page_laid_out_as_a_table():
    with zipfile.ZipFile(FIXTURES / "salt-and-static-table.epub") as book:
        page = book.read("OEBPS/title_page.xhtml").decode()
    assert '<table class="full">' in page and "<tr><td><b>Rating:</b></td>" in page
    assert parse_file("salt-and-static-table.epub").rating == MATURE


def test_it_reads_the_series_position_fanficfare_writes_in_brackets():
    assert series_from("Lamps Along the Coast [2]") == ParsedSeries("Lamps Along the Coast", 2)


# Recognising ------------------------------------------------------------------------

PLAIN_TEXTS = {
    "header.txt": (
        "Title: The Kettle Question\nAuthor: steamandsaucers\nCategory: Gen\n"
        "Words: 12\nChapters: 1\nStory URL: http://example.org/1\n\n"
        "The kettle had boiled dry twice.\n"
    ),
    "by-line.txt": (
        "The Kettle Question\n\nby steamandsaucers\n\nPublished: 2021-04-05\n"
        "Publisher: nobody\n\nThe kettle had boiled dry twice.\n"
    ),
    "contents.txt": (
        "The Kettle Question\n\nby steamandsaucers\n\nTABLE OF CONTENTS\n\nChapter 1\n\n"
        "Chapter 1\n\nThe kettle had boiled dry twice.\n"
    ),
}
GENERIC_HTML = {
    "story.html": (
        "<html><head><title>The Kettle Question</title></head><body>"
        "<h1>The Kettle Question</h1><p><b>Author:</b> steamandsaucers</p>"
        "<table><tr><td><b>Rating:</b></td><td>PG</td></tr></table>"
        "<a name='chapter1'><h2>Chapter 1</h2></a><p>The kettle had boiled dry.</p>"
        "</body></html>"
    ),
    "ao3.html": (
        '<html><body><div id="preface"><p class="message">Posted originally on the '
        '<a href="http://archiveofourown.org/">Archive of Our Own</a> at '
        '<a href="http://archiveofourown.org/works/1">http://archiveofourown.org/works/1</a>.'
        '</p><div class="meta"><dl class="tags"><dt>Rating:</dt><dd>General Audiences</dd>'
        "</dl><h1>The Kettle Question</h1><div class='byline'>by steamandsaucers</div></div>"
        '</div><div id="chapters"><div class="userstuff"><p>The kettle.</p></div></div>'
        "</body></html>"
    ),
}


OWN_TEXT_FILES = sorted(
    path.name for path in FIXTURES.iterdir() if path.suffix in {".txt", ".html"}
)


@pytest.mark.parametrize("name", OWN_TEXT_FILES)
def test_it_recognizes_its_own_txt_and_html(name):
    data = read(name)
    assert fanficfare.recognizes(data[: registry.HEAD_BYTES], "renamed.dat")
    assert registry.importer_for(FIXTURES / name) is fanficfare


@pytest.mark.parametrize("text", PLAIN_TEXTS.values(), ids=PLAIN_TEXTS)
def test_it_leaves_ordinary_plain_text_to_the_plain_text_importer(text):
    data = text.encode()
    assert not fanficfare.recognizes(data, "story.txt")
    assert registry.importer_for_head(data, "story.txt") is not fanficfare


@pytest.mark.parametrize("text", GENERIC_HTML.values(), ids=GENERIC_HTML)
def test_it_leaves_generic_and_ao3_html_alone(text):
    assert not fanficfare.recognizes(text.encode(), "story.html")


OTHER_FILES = sorted(
    path
    for path in OTHER_FIXTURES.rglob("*")
    if path.is_file()
    and FIXTURES not in path.parents
    and path.suffix.lower() in {".html", ".htm", ".xhtml", ".txt", ".text"}
)
OTHER_BOOKS = sorted(
    path.parent.parent
    for path in OTHER_FIXTURES.rglob("container.xml")
    if path.parent.name == "META-INF" and FIXTURES not in path.parents
)


@pytest.mark.parametrize("path", OTHER_FILES, ids=lambda p: str(p.relative_to(OTHER_FIXTURES)))
def test_it_claims_no_other_importers_fixture(path):
    head = path.read_bytes()[: registry.HEAD_BYTES]
    assert not fanficfare.recognizes(head, path.name)


def zipped_book(folder: Path) -> bytes:
    """An unpacked EPUB folder, zipped as an EPUB is (mimetype first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "mimetype":
                book.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.mark.parametrize("folder", OTHER_BOOKS, ids=lambda p: p.name)
def test_it_claims_no_other_importers_epub(folder):
    assert not fanficfare.recognizes_book(open_epub(io.BytesIO(zipped_book(folder))))


def test_it_does_not_claim_zip_files():
    assert not fanficfare.recognizes(read("gullhaven.epub")[: registry.HEAD_BYTES], "x.txt")


@pytest.mark.parametrize("name", [*EPUB_FILES, "gullhaven-no-titlepage.epub"])
def test_it_recognizes_its_own_epubs_which_the_epub_importer_hands_it(name):
    assert registry.importer_for(FIXTURES / name) is epub_importer
    assert fanficfare.recognizes_book(open_epub(io.BytesIO(read(name))))


@pytest.mark.parametrize("name", ["gullhaven.epub", "salt-and-static-epub3.epub"])
def test_parse_book_reads_an_opened_epub_directly(name):
    work = fanficfare.parse_book(open_epub(io.BytesIO(read(name))), name)
    for attribute, value in EXPECTED[name].items():
        assert getattr(work, attribute) == value, attribute


def epub(members: dict[str, str], opf_metadata: str = "") -> bytes:
    """A minimal EPUB 2 holding ``members`` (path: XHTML) in spine order."""
    manifest = "".join(
        f'<item id="i{n}" href="{path}" media-type="application/xhtml+xml"/>'
        for n, path in enumerate(members)
    )
    spine = "".join(f'<itemref idref="i{n}"/>' for n in range(len(members)))
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="u">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="u">x</dc:identifier><dc:title>The Kettle</dc:title>{opf_metadata}'
        f"</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        book.writestr("content.opf", opf)
        for path, text in members.items():
            book.writestr(path, text)
    return buffer.getvalue()


def xhtml(body: str, head: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>x</title>{head}</head><body>{body}</body></html>"
    )


def test_it_does_not_claim_an_ordinary_epub():
    book = open_epub(
        io.BytesIO(
            epub(
                {
                    "text/file0001.xhtml": xhtml("<h1>Chapter 1</h1><p>The kettle boiled.</p>"),
                },
                "<dc:creator>steamandsaucers</dc:creator><dc:contributor>calibre (7.1)"
                "</dc:contributor>",
            )
        )
    )
    assert not fanficfare.recognizes_book(book)


def test_it_recognizes_an_epub_by_its_chapter_marks_alone():
    chapter = xhtml(
        '<h3 class="fff_chapter_title">One</h3><p>The kettle boiled.</p>',
        '<meta name="chaptertitle" content="One"/>',
    )
    book = open_epub(io.BytesIO(epub({"OEBPS/file0001.xhtml": chapter})))
    assert fanficfare.recognizes_book(book)
    work = fanficfare.parse_book(book, "kettle.epub")
    assert work.title == "The Kettle"
    assert [(c.title, c.body) for c in work.chapters] == [("One", "<p>The kettle boiled.</p>")]


# Bad input and hostile input --------------------------------------------------------


def test_a_txt_title_page_without_chapters_is_an_error():
    text = read("gullhaven.txt").decode().split("TABLE OF CONTENTS")[0]
    with pytest.raises(ParseError, match="no chapters"):
        list(fanficfare.parse(io.BytesIO(text.encode()), "cut.txt"))


def test_an_html_title_page_without_chapters_is_an_error():
    text = read("gullhaven.html").decode().split('<a name="section0001">')[0]
    with pytest.raises(ParseError, match="no chapters"):
        list(fanficfare.parse(io.BytesIO(text.encode()), "cut.html"))


def test_a_file_that_is_not_fanficfares_is_an_error():
    with pytest.raises(ParseError, match="not a FanFicFare download"):
        list(fanficfare.parse(io.BytesIO(PLAIN_TEXTS["header.txt"].encode()), "x.txt"))
    with pytest.raises(ParseError):
        list(fanficfare.parse(io.BytesIO(b""), "empty.txt"))


def test_an_epub_without_chapters_is_an_error():
    page = xhtml('<h3><a href="u">T</a> by <a class="authorlink" href="a">A</a></h3>')
    book = open_epub(
        io.BytesIO(
            epub(
                {"OEBPS/title_page.xhtml": page},
                "<dc:contributor>FanFicFare [https://github.com/JimmXinu/FanFicFare]"
                "</dc:contributor>",
            )
        )
    )
    with pytest.raises(ParseError, match="no chapters"):
        fanficfare.parse_book(book, "empty.epub")


ENTITY_DOCTYPE = (
    '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
    '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_html_entities_declared_by_the_file_are_never_expanded():
    text = read("gullhaven.html").decode().replace("<!DOCTYPE html>", ENTITY_DOCTYPE)
    text = text.replace("Tidewater Chronicles", "Tidewater &xxe; &lol3;")
    text = text.replace("asking.</p>", "asking &xxe; &lol3;.</p>")
    work = parse_file_from_bytes(text.encode(), "hostile.html")
    everything = repr(work)
    assert "root:" not in everything
    assert "lollol" not in everything


def test_epub_entities_declared_by_a_document_are_never_expanded():
    with zipfile.ZipFile(FIXTURES / "gullhaven.epub") as book:
        members = {name: book.read(name) for name in book.namelist()}
    page = members["OEBPS/title_page.xhtml"].decode()
    page = page.replace('<?xml version="1.0" encoding="UTF-8"?>', "").replace(
        "<html", ENTITY_DOCTYPE + "<html", 1
    )
    members["OEBPS/title_page.xhtml"] = page.replace("Tidewater", "&xxe; &lol3;").encode()
    try:
        work = fanficfare.parse_book(open_epub(io.BytesIO(rezip(members))), "hostile.epub")
    except ParseError as error:  # refusing the book outright is as safe
        assert "entit" in str(error)
        return
    everything = repr(work)
    assert "root:" not in everything
    assert "lollol" not in everything


def parse_file_from_bytes(data: bytes, name: str) -> ParsedWork:
    (work,) = fanficfare.parse(io.BytesIO(data), name)
    return work


def rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for name, data in members.items():
            book.writestr(name, data)
    return buffer.getvalue()


# Fuzzing ----------------------------------------------------------------------------


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with a few bytes replaced, inserted or deleted, or cut short."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        result = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            if not result:
                break
            position = draw(st.integers(0, len(result) - 1))
            action = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
            if action == "replace":
                result[position] = draw(st.integers(0, 255))
            elif action == "insert":
                result[position:position] = draw(st.binary(min_size=1, max_size=16))
            elif action == "delete":
                del result[position : position + draw(st.integers(1, 64))]
            else:
                del result[position:]
        return bytes(result)

    return mutate()


def parses_or_refuses(data: bytes, name: str) -> None:
    try:
        works = list(fanficfare.parse(io.BytesIO(data), name))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].title and works[0].chapters


@pytest.mark.parametrize("name", TEXT_FILES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_files_give_a_work_or_a_parse_error(name, data):
    parses_or_refuses(data.draw(mutated(read(name))), name)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2048))
def test_random_bytes_give_a_work_or_a_parse_error(data):
    parses_or_refuses(data, "random.txt")


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab :\t\n_*~>#[]()\\<&;-"))
        | st.characters(blacklist_categories=["Cs"]),  # surrogates cannot be file bytes
        max_size=400,
    )
)
def test_random_chapter_text_gives_a_work_or_a_parse_error(text):
    head = read("gullhaven-chapter1.txt").decode().split("        The Lamp Goes Dark")[0]
    parses_or_refuses((head + "        The Lamp Goes Dark\r\n\r\n" + text).encode(), "r.txt")


@pytest.mark.parametrize("member", ["OEBPS/title_page.xhtml", "OEBPS/file0002.xhtml"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_epubs_with_mutated_documents_give_a_work_or_a_parse_error(member, data):
    with zipfile.ZipFile(FIXTURES / "gullhaven-epub3.epub") as book:
        members = {name: book.read(name) for name in book.namelist()}
    members[member] = data.draw(mutated(members[member]))
    try:
        book = open_epub(io.BytesIO(rezip(members)))
    except EpubError:
        return
    try:
        work = fanficfare.parse_book(book, "mutated.epub")
    except ParseError:
        return
    assert work.title and work.chapters


# Through the database ---------------------------------------------------------------


def stored_typed_tags(work) -> dict[str, list[str]]:
    grouped = work.tags_by_type()
    return {tag_type: sorted(tag.name for tag in grouped.get(tag_type, [])) for tag_type in TagType}


def import_one(path: Path):
    (outcome,) = list(import_paths([path]))
    assert outcome.status == "imported", outcome.error
    return outcome.work


@pytest.mark.django_db
@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_an_import_stores_every_field(name):
    work = import_one(FIXTURES / name)
    expected = EXPECTED[name]
    work.refresh_from_db()

    assert work.title == expected["title"]
    assert work.creator_names() == expected["creators"]
    tags = stored_typed_tags(work)
    assert tags[TagType.RATING] == [expected["rating"]]
    assert tags[TagType.WARNING] == sorted(expected["warnings"])
    assert tags[TagType.CATEGORY] == sorted(expected["categories"])
    assert tags[TagType.FANDOM] == sorted(expected["fandoms"])
    assert tags[TagType.RELATIONSHIP] == sorted(expected["relationships"])
    assert tags[TagType.CHARACTER] == sorted(expected["characters"])
    assert tags[TagType.FREEFORM] == sorted(expected["freeforms"])
    assert work.summary == expected["summary"]
    assert work.language == "en"
    assert work.complete is expected["complete"]
    assert work.published == expected["published"]
    assert work.updated == expected["updated"]
    assert work.source_url == expected["source_url"]
    assert work.imported_from == "test1.com"
    assert work.original_location == expected["source_url"]
    assert [(entry.series.title, entry.position) for entry in work.series_entries.all()] == [
        (series.title, series.position) for series in expected["series"]
    ]

    provenance = Provenance.objects.get(work=work)
    assert provenance.importer == "fanficfare"
    fields = {key: value for key, value in provenance.fields}
    for key, value in KEPT_FIELDS[work.title].items():
        assert fields[key] == value
    assert fields["Packaged"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_an_import_stores_every_word_of_the_text(name):
    work = import_one(FIXTURES / name)
    chapters = list(work.chapters.order_by("position"))
    assert [chapter.title for chapter in chapters] == CHAPTER_TITLES[work.title]
    for chapter, item in zip(chapters, SOURCE_ITEMS[work.title], strict=True):
        assert html_words(chapter.body) == source_chapter_words(item)


def alphanumeric_words(text: str) -> list[str]:
    """Words without punctuation or markup characters: what html2text's Markdown
    (``_gone_ ,``) and the HTML (``<i>gone</i>,``) have in common."""
    return re.findall(r"[^\W_]+", text)


def chapter_texts_in_file(name: str) -> list[str]:
    """The text of each chapter as the fixture file holds it, read independently of
    the importer."""
    data = read(name)
    if name.endswith(".txt"):
        text = data.decode().replace("\r\n", "\n")
        body = text.split("TABLE OF CONTENTS", 1)[1].rsplit("End file.", 1)[0]
        return re.split(r"\n\n\n+ {8}[^\n]+\n", body)[1:]
    if name.endswith(".html"):
        root = lxml.html.document_fromstring(data)
        anchors = root.xpath("//a[starts-with(@name, 'section')]")
        return [anchor.getnext().text_content() for anchor in anchors]
    texts = []
    with zipfile.ZipFile(FIXTURES / name) as book:
        for member in sorted(n for n in book.namelist() if re.search(r"file\d{4}\.xhtml$", n)):
            root = lxml.html.document_fromstring(book.read(member))
            for heading in root.xpath("//h3[@class='fff_chapter_title']"):
                heading.drop_tree()
            texts.append(root.body.text_content())
    return texts


@pytest.mark.django_db
@pytest.mark.parametrize("name", GULLHAVEN_FILES + STATIC_FILES)
def test_the_stored_chapters_hold_every_word_of_the_files_chapters(name):
    in_file = chapter_texts_in_file(name)
    work = import_one(FIXTURES / name)
    stored = [html_to_text(chapter.body) for chapter in work.chapters.order_by("position")]
    assert len(stored) == len(in_file) == len(CHAPTER_TITLES[work.title])
    for stored_text, file_text in zip(stored, in_file, strict=True):
        assert alphanumeric_words(stored_text) == alphanumeric_words(file_text)
