"""The listing pages in a real Chromium: with JavaScript, htmx updates the results and
the sidebar in place and keeps the URL bookmarkable; without it, the same form is a
plain GET form. Needs Debian's Chromium, as fanarchive/works/tests/test_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from fanarchive.search.tests.stories import store
from fanarchive.tags.constants import GENERAL, TEEN

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [
    pytest.mark.browser,
    # The live server reads the data from another thread, so it must be committed;
    # serialized_rollback puts the fixed tags back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GULLS = "<p>Out past the breakwater the keeper counted every gull on the rocks.</p>"


@pytest.fixture
def browser(chromium: Browser) -> Browser:
    return chromium


@pytest.fixture
def page(browser) -> Iterator:
    """A page with JavaScript that fails the test on any script error or CSP refusal."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []

    def console(message) -> None:
        # The site has no favicon; Chromium asks for one anyway.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], "\n".join(errors)


@pytest.fixture
def harbour():
    store("Teen Gulls", GULLS, rating=TEEN)
    store("General Gulls", GULLS, rating=GENERAL)


def titles(page) -> list[str]:
    return page.locator("#listing .blurb-title > a").all_inner_texts()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_it_updates_results_without_reloading(live_server, harbour, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}{reverse('search:search')}?q=gull")
    expect(page.locator(".results-count")).to_have_text("2 works found")
    assert sorted(titles(page)) == ["General Gulls", "Teen Gulls"]
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__stay = 1")

    page.get_by_role("checkbox", name=TEEN).check()

    expect(page.locator(".results-count")).to_have_text("1 work found")
    assert titles(page) == ["Teen Gulls"]
    assert page.evaluate("window.__stay") == 1, "the page was reloaded"
    assert query(page) == {"q": ["gull"], "sort": ["best"], "rating": [TEEN]}, "no empty fields"
    # The sidebar came with the results, and focus is back on the box just ticked.
    expect(page.get_by_role("checkbox", name=TEEN)).to_be_checked()
    # Polled: focus is restored once htmx has settled the swap, which may come after
    # the new count is on the page.
    expect(page.locator(":focus")).to_have_value(TEEN)
    expect(page.get_by_label("Search for")).to_have_value("gull")

    page.go_back()

    expect(page.locator(".results-count")).to_have_text("2 works found")
    assert "rating" not in query(page)
    assert sorted(titles(page)) == ["General Gulls", "Teen Gulls"]
    expect(page.get_by_role("checkbox", name=TEEN)).not_to_be_checked()
    assert page.evaluate("window.__stay") == 1

    page.go_forward()

    expect(page.locator(".results-count")).to_have_text("1 work found")
    assert query(page)["rating"] == [TEEN]


def test_coming_back_from_a_work_shows_the_whole_filtered_page(live_server, harbour, page):
    """The filtered URL was answered with the region only; going back to it must not
    show that fragment (the answers vary on HX-Request)."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}{reverse('search:search')}?q=gull")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("checkbox", name=TEEN).check()
    expect(page.locator(".results-count")).to_have_text("1 work found")
    filtered = page.url

    page.get_by_role("link", name="Teen Gulls").click()
    expect(page.get_by_role("heading", name="Teen Gulls")).to_be_visible()
    page.go_back()

    expect(page.locator(".results-count")).to_have_text("1 work found")
    assert page.url == filtered
    expect(page.locator(".site-header")).to_be_visible()
    assert page.title() == "gull: Search [fanarchive]"


def test_it_waits_for_enter_in_a_text_field(live_server, harbour, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}{reverse('search:search')}?q=gull")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__stay = 1")
    url = page.url

    search_box = page.get_by_label("Search for")
    search_box.fill("gull -teen")
    # Leaving the field (a change event) asks for nothing.
    page.get_by_label("Sort by").focus()
    page.wait_for_timeout(300)
    assert page.url == url
    expect(page.locator(".results-count")).to_have_text("2 works found")

    search_box.press("Enter")

    expect(page.locator(".results-count")).to_have_text("1 work found")
    assert titles(page) == ["General Gulls"]
    assert query(page)["q"] == ["gull -teen"]
    assert page.evaluate("window.__stay") == 1
    assert page.evaluate("document.activeElement.id") == "id_q"
    assert page.title() == "gull -teen: Search [fanarchive]"


def test_it_filters_without_javascript(live_server, harbour, browser):
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}{reverse('search:search')}?q=gull")
        expect(page.locator(".results-count")).to_have_text("2 works found")

        page.get_by_role("checkbox", name=TEEN).check()
        page.wait_for_timeout(300)
        # Nothing happens until the form is sent.
        expect(page.locator(".results-count")).to_have_text("2 works found")
        page.get_by_role("button", name="Sort and Filter").click()

        expect(page.locator(".results-count")).to_have_text("1 work found")
        assert titles(page) == ["Teen Gulls"]
        assert query(page)["rating"] == [TEEN]
        assert query(page)["q"] == ["gull"]
    finally:
        context.close()


def test_page_links_and_removed_tags_update_the_works_index_in_place(live_server, settings, page):
    from playwright.sync_api import expect

    settings.WORKS_PER_PAGE = 1
    store("Teen Gulls", GULLS, rating=TEEN)
    store("General Gulls", GULLS, rating=GENERAL)
    store("Fluffy Gulls", GULLS, rating=GENERAL, freeforms=["Fluff"])
    heading = page.locator("#works-heading")

    page.goto(f"{live_server.url}{reverse('works:index')}?exclude=Fluff")
    expect(heading).to_have_text("1 - 1 of 2 Works")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__stay = 1")

    page.get_by_role("link", name="Next →").click()

    expect(heading).to_have_text("2 - 2 of 2 Works")
    assert query(page)["page"] == ["2"]
    assert query(page)["exclude"] == ["Fluff"]
    # The link pressed is gone with the old region: focus goes to the count.
    expect(heading).to_be_focused()

    page.get_by_role("link", name="Stop excluding Fluff").first.click()

    expect(heading).to_have_text("1 - 1 of 3 Works")
    assert "exclude" not in query(page)
    assert "page" not in query(page)

    page.get_by_role("checkbox", name=TEEN).check()

    expect(heading).to_have_text("1 Work")
    assert titles(page) == ["Teen Gulls"]
    assert query(page)["rating"] == [TEEN]
    assert page.evaluate("window.__stay") == 1
