"""htmx on the listing pages (the search page and the works index): a request from htmx
gets the `#listing` region only, every other request the whole page; the pages load the
vendored htmx under the CSP, and reader pages still run no script at all."""

import hashlib
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from fanarchive.search.tests.stories import store
from fanarchive.tags.constants import GENERAL, TEEN

pytestmark = pytest.mark.django_db

HTMX_SCRIPT = "fanarchive/vendor/htmx-2.0.11.min.js"
HTMX = {"HX-Request": "true"}
# One URL per listing page, each with a filter so the results are a real selection.
LISTINGS = [
    pytest.param(f"{reverse('search:search')}?rating={TEEN}", id="search"),
    pytest.param(f"{reverse('works:index')}?rating={TEEN}", id="works-index"),
]


@pytest.fixture
def works():
    store("Teen Harbour", "<p>The gulls came in.</p>", rating=TEEN)
    store("General Harbour", "<p>The boats came in.</p>", rating=GENERAL)


def region(content: str) -> str:
    """The `#listing` region of a page: from its opening tag to the end of the form."""
    start = content.index('<div id="listing"')
    return content[start : content.index("</form>", start)].strip()


def csp_meta(content: str) -> str:
    """The policy of the page's CSP meta tag, which only counts inside <head>, before
    any text (a stray character there ends the head early)."""
    head = content[: content.index("</head>")]
    text = re.findall(r">([^<]*)<", re.sub(r"<title>.*</title>", "", head))
    assert not "".join(text).strip(), "text in <head>"
    return re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)[1]


def scripts(content: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", content)


@pytest.mark.parametrize("url", LISTINGS)
def test_an_htmx_request_gets_the_title_and_the_listing_region_only(client, works, url):
    response = client.get(url, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith("<title>")
    assert content.rstrip().endswith("</div>")
    assert '<div id="listing" class="listing-layout">' in content
    assert "Teen Harbour" in content
    assert "General Harbour" not in content
    assert 'id="work-filters"' in content, "the sidebar is swapped with the results"
    for outside in ("<html", "<head", "site-header", "<script", "<form", "</form>"):
        assert outside not in content


@pytest.mark.parametrize("url", LISTINGS)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_both_answers_vary_on_the_htmx_headers(client, works, url, headers):
    vary = client.get(url, headers=headers)["Vary"]

    assert "HX-Request" in vary
    assert "HX-History-Restore-Request" in vary


@pytest.mark.parametrize("url", LISTINGS)
def test_a_plain_request_gets_the_whole_page_with_the_same_region(client, works, url):
    whole = client.get(url).content.decode()
    partial = client.get(url, headers=HTMX).content.decode()

    assert whole.startswith("<!doctype html>")
    assert "site-header" in whole
    assert region(whole) == partial[partial.index('<div id="listing"') :].strip()


@pytest.mark.parametrize("url", LISTINGS)
def test_a_history_restore_gets_the_whole_page(client, works, url):
    # htmx's back button without a cached page; our config leaves HX-Request off, but
    # htmx's default sends it, and the answer must still be the whole page.
    for headers in (
        {"HX-History-Restore-Request": "true"},
        {**HTMX, "HX-History-Restore-Request": "true"},
    ):
        content = client.get(url, headers=headers).content.decode()
        assert content.startswith("<!doctype html>"), headers
        assert "Teen Harbour" in content


def test_the_title_of_an_htmx_answer_follows_the_query(client, works):
    content = client.get(reverse("search:search"), {"q": "gulls"}, headers=HTMX).content.decode()

    assert content.startswith("<title>gulls: Search [fanarchive]</title>")


def test_the_works_index_title_names_the_tags_asked_for(client, works):
    url = reverse("works:index")
    content = client.get(url, {"tag": "rating:Teen And Up Audiences"}, headers=HTMX)

    assert content.content.decode().startswith(
        "<title>Works in Teen And Up Audiences [fanarchive]</title>"
    )


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_pages_load_htmx_configured_for_the_csp(client, works, url):
    response = client.get(url)
    content = response.content.decode()

    assert scripts(content) == [
        f'<script src="/static/{HTMX_SCRIPT}" defer>',
        '<script src="/static/fanarchive/listing.js" defer>',
    ]
    assert "script-src 'self';" in csp_meta(content)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", content)[1])
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert config["historyRestoreAsHxRequest"] is False
    # Nothing that needs eval.
    assert "hx-on" not in content
    assert "hx-vars" not in content


@pytest.mark.parametrize("url", LISTINGS)
def test_the_form_fetches_the_listing_in_place_and_pushes_its_url(client, works, url):
    content = client.get(url).content.decode()

    form = re.search(r"<form [^>]*>", content)[0]
    path = url.split("?")[0]
    assert f'method="get" action="{path}"' in form
    assert f'hx-get="{path}"' in form
    assert 'hx-target="#listing" hx-select="#listing" hx-swap="outerHTML"' in form
    assert 'hx-push-url="true"' in form
    # Boxes, radios and the sort fetch at once; text fields only on Enter or the button.
    trigger = re.search(r'hx-trigger="([^"]+)"', form)[1]
    assert trigger == "submit, change target:(select, input[type=checkbox], input[type=radio])"
    listing = region(content)
    aside = re.search(r'<aside id="work-filters"[^>]*>', listing)[0]
    assert 'hx-boost="true"' in aside, "links in the sidebar update the listing too"
    assert 'aria-live="polite"' in listing


def test_the_results_count_is_a_live_region(client, works):
    content = client.get(reverse("search:search"), {"rating": TEEN}).content.decode()

    count = re.search(r'<h2 class="results-count[^>]*>([^<]*)</h2>', content)
    assert count[1] == "1 work found"
    assert 'aria-live="polite"' in count[0]


def test_result_links_are_not_boosted(client, works):
    """A work's link must load its page, not be swapped into the listing."""
    content = client.get(reverse("search:search"), {"rating": TEEN}).content.decode()

    listing = region(content)
    results = listing[listing.index('<ol class="work-index') : listing.index("</ol>")]
    assert "hx-boost" not in listing[: listing.index('<ol class="work-index')]
    assert "hx-" not in results


def reader_pages(work) -> list[str]:
    return [
        work.get_absolute_url(),
        reverse("works:chapter", args=[work.pk, 1]),
        reverse("home"),
        reverse("works:fandoms"),
    ]


def test_reader_pages_keep_script_src_none(client, works):
    work = store("A Reader's Page", "<p>One.</p>", "<p>Two.</p>")

    for url in reader_pages(work):
        content = client.get(url).content.decode()
        assert "script-src 'none';" in csp_meta(content), url
        assert scripts(content) == [], url
        assert "htmx-config" not in content, url


def test_the_vendored_htmx_is_served_and_matches_its_record(client):
    path = finders.find(HTMX_SCRIPT)
    readme = finders.find("fanarchive/vendor/README.md")
    assert path and readme
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    with open(readme, encoding="utf-8") as handle:
        assert f"`{digest}`" in handle.read()
    assert finders.find("fanarchive/vendor/htmx-LICENSE.txt")

    served = client.get(f"/static/{HTMX_SCRIPT}")
    assert served.status_code == 200
    assert hashlib.sha256(b"".join(served.streaming_content)).hexdigest() == digest
    assert client.get("/static/fanarchive/listing.js").status_code == 200
