"""Fixtures every app's tests share."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
