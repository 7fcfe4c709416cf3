"""Fixtures the download tests share: works to download. (EPUBCheck, which every test
that makes an EPUB runs, is in fanarchive/conftest.py.)"""

from __future__ import annotations

import pytest

# Works to download: original sample text, written for these tests. ------------------

# Greek and Cyrillic letters that look Latin are the point here.
NON_LATIN = {
    "ja": "図書館の窓から、雨の音が静かに聞こえていた。司書は古い地図を広げた。",
    "el": "Η βιβλιοθήκη ήταν ήσυχη όταν έπεσε η νύχτα, και οι λάμπες έκαιγαν χαμηλά.",  # noqa: RUF001
    "ru": "В библиотеке было тихо, только часы тикали на стене над картами.",  # noqa: RUF001
    "ar": "كانت المكتبة هادئة، والمطر يطرق النوافذ بلطف طوال المساء.",
}

EVERY_TAG_TYPE = {
    "rating": "Teen And Up Audiences",
    "warnings": ("Graphic Depictions Of Violence", "Major Character Death"),
    "categories": ("F/M", "Gen"),
    "fandoms": ("Lighthouse Keepers (Original Work)", "Tidewatch Chronicles"),
    "relationships": ("Mara Quill/Tobias Fenn", "Mara Quill & Ada Lorne"),
    "characters": ("Mara Quill", "Tobias Fenn", "Ada Lorne"),
    "freeforms": ("Found Family", "Storms & Shipwrecks", "Slow Burn, Eventually"),
}


def three_chapters() -> list[dict[str, object]]:
    return [
        {
            "title": "The Lamp Room",
            "summary": "<p>Mara climbs the <em>long</em> stair.</p>",
            "notes": "<p>Written for a rainy week.</p>",
            "end_notes": "<p>More soon &amp; thanks for reading.</p>",
            "body": (
                "<p>The lamp room smelled of oil and salt.</p>"
                "<p>Mara wiped the glass until it <i>shone</i>, then sat to wait.</p>"
                '<hr class="scene-break">'
                "<p>By midnight the storm had found the coast.<br>It did not knock.</p>"
            ),
        },
        {
            "title": "Signals",
            "body": (
                "<p>Tobias counted the flashes: one, two, a pause, three.</p>"
                "<blockquote><p>“Hold the light steady,” the logbook said.</p></blockquote>"
                "<center>— ✦ —</center>"
                '<p align="center">Nobody answered the radio.</p>'
            ),
        },
        {
            "title": "",
            "notes": "<p>A short one.</p>",
            "body": "<p>Morning came grey and kind.</p><ul><li>rope</li><li>bread</li></ul>",
        },
    ]


@pytest.fixture
def tagged_work(db):
    """A work with every tag type, three chapters with titles, summaries and notes,
    work notes and end notes, in a series."""
    from fanarchive.works.tests.factories import make_work

    return make_work(
        "The Lighthouse at Fennick Point",
        creators=("saltandlantern", "ada_writes"),
        **EVERY_TAG_TYPE,
        chapters=three_chapters(),
        series=[("Tidewatch", 2)],
        summary="<p>A keeper, a storm, and a <b>light</b> that must not go out.</p>",
        notes="<p>Thanks to my beta, who knows boats.</p>",
        end_notes="<p>The lighthouse is invented; the storms are not.</p>",
        language="en",
        source_url="https://example.org/stories/fennick",
    )
