"""A real Chromium, driven by Playwright, reading the archive as a visitor does.

Needs Debian's Chromium (`apt-get install -y chromium`): see the `chromium` fixture in
fanarchive/conftest.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

from fanarchive.tags.constants import EXPLICIT, GENERAL
from fanarchive.works.tests.factories import make_work

pytestmark = [
    pytest.mark.browser,
    # The live server reads the data from another thread, so it must be committed;
    # serialized_rollback puts the fixed tags back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STORY = "The stacks creaked as Cordelia turned the last page."
CHAPTER_TWO = "Morning came grey over the Hyperion's windows."


@pytest.fixture
def browser_page(chromium: Browser) -> Page:
    page = chromium.new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_reader_agrees_to_adult_content_and_reads_on(live_server, browser_page):
    from playwright.sync_api import expect

    make_work("A Quiet Library", rating=GENERAL, chapters=["<p>The library was quiet.</p>"])
    explicit = make_work(
        "Night Shift",
        rating=EXPLICIT,
        fandoms=["Angel: the Series"],
        relationships=["Angel/Cordelia Chase"],
        summary="<p>After hours at the agency.</p>",
        chapters=[f"<p>{STORY}</p>", {"body": f"<p>{CHAPTER_TWO}</p>", "title": "Dawn"}],
    )
    page = browser_page

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Night Shift").click()

    expect(page).to_have_url(live_server.url + explicit.get_absolute_url())
    expect(page.get_by_text("This work could have adult content.")).to_be_visible()
    expect(page.get_by_role("link", name="Angel/Cordelia Chase")).to_be_visible()
    assert STORY not in page.content()

    page.get_by_role("link", name="Yes, Continue").click()

    expect(page.get_by_text(STORY)).to_be_visible()
    expect(page.get_by_text("This work could have adult content.")).to_have_count(0)

    page.get_by_role("link", name="Next Chapter →").first.click()

    expect(page).to_have_url(f"{live_server.url}{explicit.get_absolute_url()}chapters/2/")
    expect(page.get_by_text(CHAPTER_TWO)).to_be_visible()
    expect(page.get_by_role("heading", name="Chapter 2: Dawn")).to_be_visible()


def test_story_html_cannot_run_script_in_the_browser(live_server, browser_page):
    from playwright.sync_api import expect

    work = make_work(
        "Trap",
        rating=EXPLICIT,
        chapters=[
            "<p>Before the trap.</p>"
            "<script>window.__pwned = true</script>"
            '<p><img src=x onerror="window.__pwned=true"></p>'
            '<p><a href="javascript:window.__pwned=true">Click me</a></p>'
            "<p>After the trap.</p>"
        ],
    )
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server.url}{work.get_absolute_url()}?view_adult=true")
    expect(page.get_by_text("After the trap.")).to_be_visible()
    page.get_by_text("Click me").click()
    page.wait_for_load_state("load")

    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []


def test_a_reader_searches_a_remembered_phrase_and_lands_on_its_paragraph(
    live_server, browser_page
):
    from playwright.sync_api import expect

    from fanarchive.search.tests.stories import store

    work = store(
        "The Long Watch",
        "<p>Chapter one keeps to the shore.</p>",
        "<p>The boats came in.</p>"
        "<p>Nobody spoke.</p>"
        "<p>Out past the breakwater the keeper counted every gull on the rocks.</p>",
    )
    page = browser_page

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search for").fill('"counted every gull"')
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.get_by_text("1 work found")).to_be_visible()
    page.get_by_role("link", name="Read in chapter 2").click()

    expect(page).to_have_url(f"{live_server.url}/works/{work.pk}/chapters/2/#p3")
    assert page.evaluate("document.querySelector(':target').id") == "p3"
    expect(page.locator(":target")).to_have_text(
        "Out past the breakwater the keeper counted every gull on the rocks."
    )


def test_a_reader_narrows_a_search_from_the_tag_counts_and_lands_on_the_paragraph(
    live_server, browser_page
):
    from playwright.sync_api import expect

    from fanarchive.search.tests.stories import store

    line = "<p>The salt wind came over the harbour wall at dusk.</p>"
    watson = store(
        "Harbour Lights",
        "<p>Fog.</p>",
        "<p>Rain.</p>" + line,
        fandoms=["Sherlock Holmes"],
        characters=["John Watson"],
    )
    store(
        "The Lamplighter",
        line,
        fandoms=["Sherlock Holmes"],
        characters=["John Watson", "Mrs Hudson"],
    )
    store("Baker Street Tea", line, fandoms=["Sherlock Holmes"], characters=["Mrs Hudson"])
    store("Netherfield by Sea", line, fandoms=["Pride and Prejudice"],
          characters=["Elizabeth Bennet"])  # fmt: skip
    page = browser_page

    def count_of(tag_type: str, name: str):
        facet = page.locator(f'details.facet[data-type="{tag_type}"] li', has_text=name)
        return facet.locator(".facet-count")

    page.goto(live_server.url + "/search/")
    page.get_by_label("Search for").fill('"salt wind"')
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("4 works found")).to_be_visible()
    expect(count_of("fandom", "Sherlock Holmes")).to_have_text("3")
    expect(count_of("character", "Mrs Hudson")).to_have_text("2")

    page.get_by_role("link", name="Include Sherlock Holmes").click()
    expect(page.get_by_text("3 works found")).to_be_visible()
    expect(page.locator('details.facet[data-type="fandom"] li')).to_have_count(1)
    expect(count_of("character", "John Watson")).to_have_text("2")

    page.get_by_role("link", name="Exclude Mrs Hudson").click()
    expect(page.get_by_text("1 work found")).to_be_visible()
    expect(count_of("character", "John Watson")).to_have_text("1")
    expect(
        page.locator('details.facet[data-type="character"] li', has_text="Mrs Hudson")
    ).to_have_count(0)
    assert "exclude=character%3AMrs+Hudson" in page.url

    page.get_by_role("link", name="Read in chapter 2").click()
    expect(page).to_have_url(f"{live_server.url}/works/{watson.pk}/chapters/2/#p2")
    expect(page.locator(":target")).to_have_text(
        "The salt wind came over the harbour wall at dusk."
    )
