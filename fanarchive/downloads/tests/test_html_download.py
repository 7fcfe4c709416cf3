"""The single-file HTML download: self-contained, the preface, a table of contents
that links to every chapter, and typed tags a program can read."""

from __future__ import annotations

import io

import lxml.html
import pytest

from fanarchive.downloads.book import book_of_series, book_of_work
from fanarchive.downloads.formats import html
from fanarchive.works.models import Series
from fanarchive.works.tests.factories import make_work


def page(book) -> lxml.html.HtmlElement:
    out = io.BytesIO()
    html.write(book, out)
    return lxml.html.document_fromstring(out.getvalue().decode("utf-8"))


def test_it_is_one_self_contained_file_without_script(tagged_work):
    root = page(book_of_work(tagged_work))
    assert root.find(".//script") is None
    assert root.find(".//link") is None
    assert root.xpath("//*[@src]") == []
    assert "line-height" in root.findtext(".//style")
    assert root.get("lang") == "en"


def test_the_table_of_contents_links_to_every_chapter(tagged_work):
    root = page(book_of_work(tagged_work))
    links = root.xpath("//nav[@id='toc']//a")
    assert [a.text for a in links] == [
        "Preface",
        "Chapter 1: The Lamp Room",
        "Chapter 2: Signals",
        "Chapter 3",
        "End Notes",
    ]
    for link in links:
        [target] = root.xpath("//*[@id=$id]", id=link.get("href").removeprefix("#"))
        assert target.tag == "section"
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids)), "paragraph ids repeat across chapters"


def test_the_preface_chapters_and_notes_are_all_there(tagged_work):
    root = page(book_of_work(tagged_work))
    text = root.text_content()
    for expected in (
        "The Lighthouse at Fennick Point",
        "by saltandlantern, ada_writes",
        "Archive Warning:",
        "Graphic Depictions Of Violence, Major Character Death",
        "Part 2 of Tidewatch",
        "Mara climbs the long stair.",
        "Written for a rainy week.",
        "More soon & thanks for reading.",
        "By midnight the storm had found the coast.",
        "The lighthouse is invented; the storms are not.",
        "https://example.org/stories/fennick",
    ):
        assert expected in text


def test_typed_tags_are_in_the_head_for_programs(tagged_work):
    root = page(book_of_work(tagged_work))
    metas = [(m.get("name"), m.get("content")) for m in root.iter("meta") if m.get("name")]
    assert ("generator", "fanarchive") in metas
    assert ("fanarchive:relationship", "Mara Quill/Tobias Fenn") in metas
    assert ("fanarchive:warning", "Major Character Death") in metas
    assert ("fanarchive:freeform", "Slow Burn, Eventually") in metas


@pytest.mark.django_db
def test_story_html_cannot_add_script_or_marks(db):
    work = make_work(
        "<script>alert(1)</script>Title",
        chapters=['<p onclick="x()">Safe text.</p><script>alert(2)</script>'],
        freeforms=('"><script>alert(3)</script>',),
    )
    out = io.BytesIO()
    html.write(book_of_work(work), out)
    document = out.getvalue().decode()
    assert "<script" not in document
    assert "onclick" not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Title" in document


@pytest.mark.django_db
def test_a_series_lists_each_work_as_a_part(db):
    first = make_work("Low Tide", chapters=["<p>Sand.</p>"], series=[("Tidewatch", 1)])
    second = make_work("High Tide", chapters=["<p>Water.</p>"], series=[("Tidewatch", 2)])
    root = page(book_of_series(Series.objects.get(), [first, second]))
    titles = [a.text for a in root.xpath("//nav[@id='toc']/ol/li/a")]
    assert titles == ["Low Tide", "High Tide"]
    assert len(root.xpath("//section[@data-fanarchive-work]")) == 2
