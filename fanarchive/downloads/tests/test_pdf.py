"""The PDF download, read back with pypdf: preface, tags, chapters, outline, metadata."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from fanarchive.downloads.book import book_of_series, book_of_work
from fanarchive.downloads.formats import pdf
from fanarchive.tags.constants import MATURE, NO_WARNINGS
from fanarchive.works.models import Series, Work
from fanarchive.works.tests.factories import make_work

pytestmark = pytest.mark.django_db

GREEK = "Η βιβλιοθήκη ήταν ήσυχη"  # noqa: RUF001
CYRILLIC = "Библиотека была тихой"
CHINESE = "图书馆很安静"


def lighthouse() -> Work:
    return make_work(
        "The Lighthouse Keeper's Ledger",
        creators=("saltwind", "harbourlight"),
        rating=MATURE,
        warnings=(NO_WARNINGS,),
        categories=("F/M",),
        fandoms=("Original Work",),
        relationships=("Keeper/Cartographer",),
        characters=("The Keeper", "The Cartographer"),
        freeforms=("Slow Burn", "Storms"),
        summary="<p>A keeper counts the ships that <em>never</em> arrive.</p>",
        notes="<p>Written for a winter exchange.</p>",
        end_notes="<p>Thank you for reading to the end.</p>",
        series=[("Coastal Lights", 2)],
        source_url="https://stories.example.org/ledger",
        hits=1234,
        kudos=56,
        chapters=[
            {
                "title": "Fog",
                "summary": "<p>The fog rolls in over the headland.</p>",
                "notes": "<p>A note before the first chapter.</p>",
                "end_notes": "<p>A note after the first chapter.</p>",
                "body": (
                    "<p>The lamp turned all night, and the keeper wrote "
                    "<em>every</em> hull she saw in the ledger.</p>"
                    "<blockquote><p>Seven ships, three boats, one gull.</p></blockquote>"
                    '<hr class="scene-break">'
                    "<ul><li>oil for the lamp</li><li>wicks</li></ul>"
                    f"<p>{GREEK}. {CYRILLIC}.</p>"
                ),
            },
            {
                "title": "Charts",
                "body": (
                    "<p>The cartographer arrived with <strong>maps</strong> of coasts "
                    "that did not exist.</p>"
                    f"<p>{CHINESE}</p>"
                ),
            },
        ],
    )


def render(book) -> bytes:
    out = io.BytesIO()
    pdf.write(book, out)
    return out.getvalue()


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def outline_titles(reader: PdfReader) -> list[object]:
    def walk(items: list) -> list[object]:
        out: list[object] = []
        for item in items:
            out.append(walk(item) if isinstance(item, list) else item.title)
        return out

    return walk(reader.outline)


def test_it_writes_a_pdf_with_the_preface_tags_and_chapters() -> None:
    data = render(book_of_work(lighthouse()))
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = squash(text_of(reader))
    for expected in (
        "The Lighthouse Keeper's Ledger",
        "by saltwind, harbourlight",
        "Rating: Mature",
        "Archive Warning: No Archive Warnings Apply",
        "Fandom: Original Work",
        "Relationship: Keeper/Cartographer",
        "Character: The Cartographer, The Keeper",
        "Additional Tags: Slow Burn, Storms",
        "Part 2 of Coastal Lights",
        "Words: ",
        "Chapters: 2/2",
        "Hits: 1,234",
        "https://stories.example.org/ledger",
        "A keeper counts the ships that never arrive.",
        "Written for a winter exchange.",
        "Chapter 1: Fog",
        "The fog rolls in over the headland.",
        "A note before the first chapter.",
        "A note after the first chapter.",
        "Seven ships, three boats, one gull.",
        "\u2022 oil for the lamp",
        "Chapter 2: Charts",
        "that did not exist.",
        "Thank you for reading to the end.",
    ):
        assert expected in text, expected
    assert "This work was posted on" in text
    # Each heading is in the contents list first, then over its chapter.
    assert text.rindex("Chapter 1: Fog") < text.index("Seven ships") < text.rindex("Charts")


def test_it_embeds_fonts_for_greek_and_cyrillic_and_names_a_cjk_font() -> None:
    reader = PdfReader(io.BytesIO(render(book_of_work(lighthouse()))))
    text = squash(text_of(reader))
    assert GREEK in text
    assert CYRILLIC in text
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("DejaVuSerif" in name for name in fonts), fonts
    # Chinese is set in the Adobe-GB1 font every PDF reader has, not left as missing boxes.
    assert any("STSong-Light" in name for name in fonts), fonts


def test_it_has_an_outline_entry_per_chapter_and_a_contents_list_with_pages() -> None:
    reader = PdfReader(io.BytesIO(render(book_of_work(lighthouse()))))
    assert outline_titles(reader) == ["Contents", "Chapter 1: Fog", "Chapter 2: Charts"]
    chapter_pages = {
        item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
    }
    contents = squash(reader.pages[chapter_pages["Contents"] - 1].extract_text())
    assert f"Chapter 1: Fog {chapter_pages['Chapter 1: Fog']}" in contents
    assert f"Chapter 2: Charts {chapter_pages['Chapter 2: Charts']}" in contents
    second = reader.pages[chapter_pages["Chapter 2: Charts"] - 1]
    assert "Chapter 2: Charts" in second.extract_text()


def test_it_numbers_the_pages_after_the_title_page() -> None:
    reader = PdfReader(io.BytesIO(render(book_of_work(lighthouse()))))
    assert len(reader.pages) >= 4
    for number in range(2, len(reader.pages) + 1):
        lines = reader.pages[number - 1].extract_text().split("\n")
        assert str(number) in [line.strip() for line in lines], number


def test_it_carries_the_metadata() -> None:
    reader = PdfReader(io.BytesIO(render(book_of_work(lighthouse()))))
    info = reader.metadata
    assert info.title == "The Lighthouse Keeper's Ledger"
    assert info.author == "saltwind, harbourlight"
    assert info.subject == "A keeper counts the ships that never arrive."
    keywords = info["/Keywords"]
    for tag in ("Mature", "Original Work", "Keeper/Cartographer", "Slow Burn"):
        assert tag in keywords


def test_story_html_cannot_inject_reportlab_markup() -> None:
    work = make_work(
        "Markup",
        chapters=[
            "<p>&lt;font color=red size=40&gt;loud&lt;/font&gt; and a &amp; b &lt;br/&gt;</p>"
            '<p><a href="javascript:alert(1)">a link</a> <img src="x.png" alt="a gull"></p>'
        ],
    )
    reader = PdfReader(io.BytesIO(render(book_of_work(work))))
    text = squash(text_of(reader))
    assert "<font color=red size=40>loud</font> and a & b <br/>" in text
    assert "[image: a gull]" in text
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "javascript" not in str(action.get("/URI", "")).lower()


def test_it_sets_a_series_as_one_book_with_each_work_in_the_outline() -> None:
    make_work("First Light", chapters=["<p>The first lamp.</p>"], series=[("Beacons", 1)])
    make_work(
        "Second Light",
        chapters=["<p>The second lamp.</p>", "<p>The third lamp.</p>"],
        series=[("Beacons", 2)],
    )
    series = Series.objects.get(title="Beacons")
    works = [entry.work for entry in series.entries.order_by("position")]
    reader = PdfReader(io.BytesIO(render(book_of_series(series, works))))
    assert outline_titles(reader) == [
        "Contents",
        "First Light",
        ["First Light"],
        "Second Light",
        ["Chapter 1", "Chapter 2"],
    ]
    text = squash(text_of(reader))
    assert text.index("The first lamp.") < text.index("The second lamp.")
    assert reader.metadata.title == "Beacons"


def test_it_renders_a_chapter_of_tables_lists_and_preformatted_text() -> None:
    work = make_work(
        "Inventory",
        chapters=[
            "<table><tr><th>Item</th><th>Count</th></tr><tr><td>Rope</td><td>3</td></tr></table>"
            '<ol start="3"><li>third</li><li>fourth</li></ol>'
            "<pre>  two  spaces</pre><h3>A heading inside</h3><p>After.</p>"
        ],
    )
    text = text_of(PdfReader(io.BytesIO(render(book_of_work(work)))))
    for expected in ("Item", "Rope", "3. third", "4. fourth", "two  spaces", "A heading inside"):
        assert expected in text, expected


def test_japanese_and_arabic_are_set_in_fonts_that_have_them() -> None:
    japanese = "図書館の窓から雨の音が聞こえた"
    arabic = "كانت المكتبة هادئة"
    work = make_work("Rain", language="ja", chapters=[f"<p>{japanese}</p><p>{arabic}</p>"])
    reader = PdfReader(io.BytesIO(render(book_of_work(work))))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values()
    }
    assert any("HeiseiMin-W3" in name for name in fonts), fonts
    # Arabic letters are in DejaVu Sans (unshaped: ReportLab does not join them).
    assert any(name.split("+")[-1] == "DejaVuSans" for name in fonts), fonts
    assert japanese in squash(text_of(reader))
