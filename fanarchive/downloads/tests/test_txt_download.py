"""The plain-text download: the preface as `Label: value` lines, chapters under clear
headings, paragraphs separated by blank lines, and no markup."""

from __future__ import annotations

import io
import re

import pytest

from fanarchive.downloads.book import book_of_work
from fanarchive.downloads.formats import txt
from fanarchive.downloads.tests.conftest import NON_LATIN
from fanarchive.works.tests.factories import make_work


def text_of(work) -> str:
    out = io.BytesIO()
    txt.write(book_of_work(work), out)
    return out.getvalue().decode("utf-8")


def test_the_preface_is_label_value_lines(tagged_work):
    lines = text_of(tagged_work).splitlines()
    for line in (
        "Rating: Teen And Up Audiences",
        "Archive Warning: Graphic Depictions Of Violence, Major Character Death",
        "Category: F/M, Gen",
        "Fandom: Lighthouse Keepers (Original Work), Tidewatch Chronicles",
        "Relationship: Mara Quill & Ada Lorne, Mara Quill/Tobias Fenn",
        "Character: Ada Lorne, Mara Quill, Tobias Fenn",
        "Additional Tags: Found Family, Slow Burn, Eventually, Storms & Shipwrecks",
        "Language: English",
        "Series: Part 2 of Tidewatch",
        "Published: 2024-01-01",
        "Chapters: 3/3",
        "Source: https://example.org/stories/fennick",
        "The Lighthouse at Fennick Point",
        "by saltandlantern, ada_writes",
    ):
        assert line in lines


def test_chapters_are_marked_and_their_text_has_no_markup(tagged_work):
    text = text_of(tagged_work)
    assert not re.search(r"</?[a-z]+[ >/]", text)
    assert "&amp;" not in text
    assert "=" * 60 + "\nChapter 1: The Lamp Room\n" + "=" * 60 in text
    assert "Chapter Summary:\n\nMara climbs the long stair." in text
    assert "Chapter End Notes:\n\nMore soon & thanks for reading." in text
    assert (
        "Mara wiped the glass until it shone, then sat to wait.\n\n* * *\n\n"
        "By midnight the storm had found the coast.\nIt did not knock."
    ) in text
    assert "rope\n\nbread" in text
    assert text.index("Chapter 2: Signals") < text.index("End Notes\n" + "=" * 60)


@pytest.mark.django_db
def test_non_latin_text_is_utf8(db):
    work = make_work(
        "雨の図書館",
        chapters=["".join(f"<p>{sentence}</p>" for sentence in NON_LATIN.values())],
    )
    text = text_of(work)
    assert "\n\n".join(NON_LATIN.values()) in text
