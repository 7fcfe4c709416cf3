"""EPUB 3 downloads: every book the tests make passes EPUBCheck with no error and no
warning, and carries the metadata readers and fanarchive's importer need."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from fanarchive.downloads.book import book_of_series, book_of_work
from fanarchive.downloads.formats import epub
from fanarchive.downloads.tests.conftest import NON_LATIN
from fanarchive.ingest.importers import fanarchive_book
from fanarchive.works.models import Chapter, Series
from fanarchive.works.tests.factories import add_chapter, make_work

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"


def epub_bytes(book) -> bytes:
    out = io.BytesIO()
    epub.write(book, out)
    return out.getvalue()


def package(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("EPUB/content.opf"))


def meta(root: etree._Element, prop: str) -> list[str]:
    return [m.text for m in root.iter(f"{OPF}meta") if m.get("property") == prop]


@pytest.mark.django_db
def test_a_single_chapter_work_passes_epubcheck(epubcheck):
    work = make_work("One Evening", chapters=["<p>The tide went out and stayed out.</p>"])
    data = epub_bytes(book_of_work(work))
    assert epubcheck(data).startswith("5.")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert archive.read("mimetype") == b"application/epub+zip"
        chapter = archive.read("EPUB/w1-c1.xhtml").decode()
    assert "The tide went out and stayed out." in chapter


def test_many_chapters_every_tag_type_and_a_series_pass_epubcheck(tagged_work, epubcheck):
    data = epub_bytes(book_of_work(tagged_work))
    epubcheck(data)
    root = package(data)
    metadata = root.find(f"{OPF}metadata")
    assert metadata.findtext(f"{DC}title") == "The Lighthouse at Fennick Point"
    assert [c.text for c in metadata.iter(f"{DC}creator")] == ["saltandlantern", "ada_writes"]
    assert metadata.findtext(f"{DC}language") == "en"
    assert metadata.findtext(f"{DC}description") == (
        "A keeper, a storm, and a light that must not go out."
    )
    assert metadata.findtext(f"{DC}identifier").endswith(f":work:{tagged_work.pk}")
    assert metadata.findtext(f"{DC}source").endswith(f"/works/{tagged_work.pk}/")
    subjects = [s.text for s in metadata.iter(f"{DC}subject")]
    assert {"Found Family", "Mara Quill/Tobias Fenn", "Major Character Death"} <= set(subjects)
    assert meta(root, "fanarchive:relationship") == [
        "Mara Quill & Ada Lorne",
        "Mara Quill/Tobias Fenn",
    ]
    assert meta(root, "fanarchive:freeform") == sorted(
        ["Found Family", "Storms & Shipwrecks", "Slow Burn, Eventually"]
    )
    assert meta(root, "fanarchive:rating") == ["Teen And Up Audiences"]
    assert fanarchive_book.NAMESPACE in root.get("prefix")
    # Series in both calibre's and EPUB 3's forms.
    assert meta(root, "belongs-to-collection") == ["Tidewatch"]
    assert meta(root, "group-position") == ["2"]
    calibre = {m.get("name"): m.get("content") for m in root.iter(f"{OPF}meta") if m.get("name")}
    assert calibre == {"calibre:series": "Tidewatch", "calibre:series_index": "2"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        nav = archive.read("EPUB/nav.xhtml").decode()
        ncx = archive.read("EPUB/toc.ncx").decode()
        preface = archive.read("EPUB/w1-preface.xhtml").decode()
    assert [n for n in names if n.startswith("EPUB/w1-")] == [
        "EPUB/w1-preface.xhtml",
        "EPUB/w1-c1.xhtml",
        "EPUB/w1-c2.xhtml",
        "EPUB/w1-c3.xhtml",
        "EPUB/w1-end.xhtml",
    ]
    for heading in ("Chapter 1: The Lamp Room", "Chapter 2: Signals", "Chapter 3", "End Notes"):
        assert heading in nav
        assert heading in ncx
    for label in ("Archive Warning:", "Additional Tags:", "Part 2 of", "Kudos:", "Summary"):
        assert label in preface
    assert "Storms &amp; Shipwrecks" in preface


@pytest.mark.django_db
def test_a_series_book_passes_epubcheck_with_each_work_a_part(epubcheck):
    first = make_work("Low Tide", chapters=["<p>Sand.</p>"], series=[("Tidewatch", 1)])
    second = make_work(
        "High Tide",
        creators=("ada_writes",),
        chapters=["<p>Water.</p>", {"title": "Foam", "body": "<p>More water.</p>"}],
        series=[("Tidewatch", 2)],
        end_notes="<p>Fin.</p>",
    )
    series = Series.objects.get(title="Tidewatch")
    series.summary = "Two tides, one shore."
    series.save()
    data = epub_bytes(book_of_series(series, [first, second]))
    epubcheck(data)
    root = package(data)
    assert meta(root, "belongs-to-collection") == ["Tidewatch"]
    assert root.find(f"{OPF}metadata").findtext(f"{DC}identifier").endswith(f":series:{series.pk}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode()
        assert "Two tides, one shore." in archive.read("EPUB/series.xhtml").decode()
        assert "More water." in archive.read("EPUB/w2-c2.xhtml").decode()
    assert nav.index("Low Tide") < nav.index("High Tide") < nav.index("Chapter 2: Foam")


@pytest.mark.django_db
def test_non_latin_text_passes_epubcheck(epubcheck):
    paragraphs = "".join(
        f'<p lang="{lang}"{' dir="rtl"' if lang == "ar" else ""}>{text}</p>'
        for lang, text in NON_LATIN.items()
    )
    work = make_work(
        "雨の図書館",
        creators=("Σοφία", "Мария"),
        fandoms=("Ρωσικά Παραμύθια",),
        freeforms=("雨", "مكتبة"),
        chapters=[{"title": "Глава первая", "body": paragraphs}],
        summary=f"<p>{NON_LATIN['el']}</p>",
        language="ja",
    )
    data = epub_bytes(book_of_work(work))
    epubcheck(data)
    metadata = package(data).find(f"{OPF}metadata")
    assert metadata.findtext(f"{DC}title") == "雨の図書館"
    assert metadata.findtext(f"{DC}language") == "ja"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        chapter = archive.read("EPUB/w1-c1.xhtml").decode()
    for text in NON_LATIN.values():
        assert text in chapter
    assert 'xml:lang="ja"' in chapter


@pytest.mark.django_db
def test_obsolete_and_unsafe_story_markup_still_passes_epubcheck(epubcheck):
    body = (
        '<center>centred</center><p align="right">right <big>big</big> <strike>gone</strike>'
        ' <tt>typed</tt> <acronym title="x">X</acronym> <a name="top">anchor</a>'
        ' <a href="/works/9/chapters/2">a page of the old site</a>'
        ' <img src="https://example.org/map.png" alt="a map"></p>'
        "<p>Broken <b><i>nesting</b></i> & a stray < sign<p>unclosed"
    )
    work = make_work("Old Markup", chapters=[body], notes='<p id="p1">note</p>')
    epubcheck(epub_bytes(book_of_work(work)))


@pytest.mark.django_db
def test_a_500000_word_work_passes_epubcheck(epubcheck):
    work = make_work("The Long Watch", chapters=[])
    # 40 chapters of 12,500 words: 500,000, each paragraph different enough to compress
    # as prose does rather than as one repeated line.
    sentence = "The keeper wrote the hour, the wind and the sea state in the {n}th log."
    for position in range(1, 41):
        paragraphs = "".join(
            f"<p>{' '.join(sentence.format(n=position * 1000 + i + k) for k in range(5))}</p>"
            for i in range(0, 180)
        )
        add_chapter(work, paragraphs, title=f"Watch {position}")
    work.word_count = sum(Chapter.objects.filter(work=work).values_list("word_count", flat=True))
    work.save(update_fields=["word_count"])
    assert work.word_count >= 500_000
    # Its time and peak memory are measured by bench/downloads.py, not here.
    out = io.BytesIO()
    epub.write(book_of_work(work), out)
    epubcheck(out.getvalue())
