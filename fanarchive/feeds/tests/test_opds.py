"""The OPDS 1.2 catalog: navigation, acquisition, search and pagination, walked as an
e-reader app walks it, every document checked against RFC 4287's schema."""

from __future__ import annotations

import datetime
import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from lxml import etree

from fanarchive.feeds.opds import ACQUIRE, ACQUISITION, NAVIGATION
from fanarchive.feeds.tests.conftest import NS
from fanarchive.tags.constants import EXPLICIT, TEEN
from fanarchive.tags.models import TagType
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db

PROFILE = "application/atom+xml;profile=opds-catalog"


def links(element: etree._Element, rel: str | None = None) -> list[etree._Element]:
    found = element.findall("atom:link", NS)
    return [link for link in found if rel is None or link.get("rel") == rel]


def href(element: etree._Element, rel: str) -> str:
    [link] = links(element, rel)
    return link.get("href")


def entries(feed: etree._Element) -> list[etree._Element]:
    return feed.findall("atom:entry", NS)


def titles(feed: etree._Element) -> list[str]:
    return [entry.findtext("atom:title", namespaces=NS) for entry in entries(feed)]


def entry_titled(feed: etree._Element, title: str) -> etree._Element:
    [entry] = [
        entry for entry in entries(feed) if entry.findtext("atom:title", namespaces=NS) == title
    ]
    return entry


def day(n: int) -> datetime.date:
    return datetime.date(2024, 1, 1) + datetime.timedelta(days=n)


def test_the_root_is_a_navigation_feed_leading_everywhere(fetch):
    make_work("The Lighthouse Keeper")
    root = fetch("/opds/", NAVIGATION)
    assert root.tag == f"{{{NS['atom']}}}feed"
    assert href(root, "self").endswith("/opds/")
    assert links(root, "self")[0].get("type") == NAVIGATION
    assert links(root, "start")[0].get("type") == NAVIGATION
    [description] = [
        link for link in links(root, "search") if link.get("type").startswith("application/open")
    ]
    assert description.get("type") == "application/opensearchdescription+xml"
    by_title = {entry.findtext("atom:title", namespaces=NS): entry for entry in entries(root)}
    assert set(by_title) == {"Recently updated works", "Fandoms", "Tags", "Series"}
    [recent] = links(by_title["Recently updated works"])
    assert recent.get("rel") == "http://opds-spec.org/sort/new"
    assert recent.get("type") == ACQUISITION
    for name in ("Fandoms", "Tags", "Series"):
        [link] = links(by_title[name])
        assert link.get("rel") == "subsection"
        assert link.get("type") == NAVIGATION
        # Every link leads to a catalog document that validates.
        fetch(link.get("href"), PROFILE)
    fetch(recent.get("href"), ACQUISITION)


def test_an_acquisition_entry_describes_the_work_and_offers_its_epub(fetch):
    work = make_work(
        "Salt & Lanterns",
        creators=("harbourlight", "tidewatcher"),
        fandoms=("Original Work",),
        relationships=("Keeper/Ferryman",),
        freeforms=("Slow Burn",),
        summary="<p>Two keepers, one <em>lamp</em> &amp; a storm.</p>",
        language="en",
    )
    feed = fetch("/opds/recent/", ACQUISITION)
    assert href(feed, "self").endswith("/opds/recent/")
    entry = entry_titled(feed, "Salt & Lanterns")
    assert entry.findtext("atom:id", namespaces=NS).startswith("tag:")
    assert entry.findtext("atom:id", namespaces=NS).endswith(f":work/{work.pk}")
    names = [
        author.findtext("atom:name", namespaces=NS) for author in entry.findall("atom:author", NS)
    ]
    assert names == ["harbourlight", "tidewatcher"]
    assert entry.findtext("dc:language", namespaces=NS) == "en"
    terms = {category.get("term") for category in entry.findall("atom:category", NS)}
    assert {"Original Work", "Keeper/Ferryman", "Slow Burn", "General Audiences"} <= terms
    summary = entry.find("atom:summary", NS)
    assert summary.get("type") == "text"
    assert summary.text == "Two keepers, one lamp & a storm."
    content = entry.find("atom:content", NS)
    assert content.get("type") == "html"
    # Escaped HTML: the tags are text, not elements, in the feed.
    assert "<em>lamp</em>" in content.text
    assert len(content) == 0
    [epub] = [link for link in links(entry, ACQUIRE) if link.get("type") == "application/epub+zip"]
    assert urlsplit(epub.get("href")).path == f"/downloads/works/{work.pk}/salt-lanterns.epub"
    [page] = links(entry, "alternate")
    assert page.get("type") == "text/html"
    assert urlsplit(page.get("href")).path == work.get_absolute_url()


def test_search_finds_works_with_the_sites_query_language(client, fetch):
    make_work("Harbour Lights", summary="<p>Boats at dusk.</p>")
    make_work("Harbour Zombies", summary="<p>The dead come ashore.</p>")
    make_work("Mountain Pass")
    response = client.get("/opds/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    description = etree.fromstring(response.content)
    [url] = description.findall("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert url.get("type") == ACQUISITION
    template = url.get("template")
    assert urlsplit(template).path == "/opds/search/"
    assert template.endswith("?q={searchTerms}")

    found = fetch(template.replace("{searchTerms}", "harbour -zombies"), ACQUISITION)
    assert titles(found) == ["Harbour Lights"]
    assert found.findtext("opensearch:totalResults", namespaces=NS) == "1"
    found = fetch(template.replace("{searchTerms}", "title:mountain"), ACQUISITION)
    assert titles(found) == ["Mountain Pass"]


@override_settings(WORKS_PER_PAGE=2)
def test_acquisition_feeds_page_with_next_previous_first_and_last(fetch):
    for n in range(5):
        make_work(f"Tide {n}", updated=day(n))
    first = fetch("/opds/recent/", ACQUISITION)
    assert first.findtext("opensearch:totalResults", namespaces=NS) == "5"
    assert first.findtext("opensearch:itemsPerPage", namespaces=NS) == "2"
    assert first.findtext("opensearch:startIndex", namespaces=NS) == "1"
    assert not links(first, "previous")
    assert parse_qs(urlsplit(href(first, "last")).query) == {"page": ["3"]}
    seen = []
    feed = first
    while True:
        seen += titles(feed)
        for rel in ("first", "last", "next", "previous"):
            for link in links(feed, rel):
                assert link.get("type") == ACQUISITION
        if not links(feed, "next"):
            break
        feed = fetch(href(feed, "next"), ACQUISITION)
    assert seen == [f"Tide {n}" for n in (4, 3, 2, 1, 0)]
    assert feed.findtext("opensearch:startIndex", namespaces=NS) == "5"
    assert titles(fetch(href(feed, "previous"), ACQUISITION)) == ["Tide 2", "Tide 1"]
    assert titles(fetch(href(feed, "first"), ACQUISITION)) == ["Tide 4", "Tide 3"]


def test_tags_list_common_tags_with_works_and_lead_to_their_works(fetch):
    canonical = make_tag(TagType.CHARACTER, "Lighthouse Keeper")
    canonical.make_canonical()
    make_tag(TagType.CHARACTER, "The Keeper", synonym_of=canonical)
    make_work("Night Watch", characters=("The Keeper",))
    make_work("Unwrangled", characters=("Someone Nobody Wrangled",))
    feed = fetch("/opds/tags/", NAVIGATION)
    listed = titles(feed)
    assert "Lighthouse Keeper" in listed
    assert "Someone Nobody Wrangled" not in listed
    assert "The Keeper" not in listed  # a synonym counts under its canonical tag
    entry = entry_titled(feed, "Lighthouse Keeper")
    assert entry.findtext("atom:content", namespaces=NS) == "Character: 1 work"
    [link] = links(entry)
    assert link.get("type") == ACQUISITION
    assert titles(fetch(link.get("href"), ACQUISITION)) == ["Night Watch"]


def test_series_list_in_reading_order(fetch):
    make_work("Part Two", series=[("The Tide Cycle", 2)], updated=day(1))
    make_work("Part One", series=[("The Tide Cycle", 1)], updated=day(9))
    make_work("Part Three", series=[("The Tide Cycle", 3)], updated=day(5))
    feed = fetch("/opds/series/", NAVIGATION)
    assert titles(feed) == ["The Tide Cycle"]
    [link] = links(entries(feed)[0])
    assert link.get("type") == ACQUISITION
    series = fetch(link.get("href"), ACQUISITION)
    assert titles(series) == ["Part One", "Part Two", "Part Three"]
    assert href(series, "up").endswith("/opds/series/")


def _walk_to_epub(client, fetch, start: str, fandom: str, title: str) -> bytes:
    """Root -> fandoms -> the fandom's works -> the work's EPUB, following only links
    the documents give, as an app does."""
    root = fetch(start, NAVIGATION)
    fandoms = fetch(href(entry_titled(root, "Fandoms"), "subsection"), NAVIGATION)
    works = fetch(href(entry_titled(fandoms, fandom), "subsection"), ACQUISITION)
    entry = entry_titled(works, title)
    [epub] = [link for link in links(entry, ACQUIRE) if link.get("type") == "application/epub+zip"]
    response = client.get(epub.get("href"))
    assert response.status_code == 200, epub.get("href")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_epub(data: bytes, title: str) -> None:
    assert data.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert book.namelist()[0] == "mimetype"
        assert book.read("mimetype") == b"application/epub+zip"
        container = etree.fromstring(book.read("META-INF/container.xml"))
        [opf_path] = container.xpath(
            "//c:rootfile/@full-path",
            namespaces={"c": "urn:oasis:names:tc:opendocument:xmlns:container"},
        )
        opf = etree.fromstring(book.read(opf_path))
        titles = opf.xpath(
            "//dc:title/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"}
        )
        assert titles == [title]


def test_an_app_walks_from_the_root_to_an_epub(client, fetch, epubcheck):
    make_work(
        "The Keeper's Log",
        fandoms=("Original Work",),
        chapters=("<p>The lamp was lit at six, as always.</p>",),
    )
    data = _walk_to_epub(client, fetch, "/opds/", "Original Work", "The Keeper's Log")
    _assert_epub(data, "The Keeper's Log")
    epubcheck(data)


def test_a_consenting_catalog_walks_to_an_adult_works_epub(client, fetch, epubcheck):
    make_work(
        "Storm Night",
        rating=EXPLICIT,
        fandoms=("Original Work",),
        chapters=("<p>The storm broke over the lighthouse.</p>",),
    )
    make_work("Calm Morning", rating=TEEN, fandoms=("Original Work",))
    root = fetch("/opds/?view_adult=true", NAVIGATION)
    # Every link the consenting catalog gives keeps its consent.
    for link in root.iter(f"{{{NS['atom']}}}link"):
        assert parse_qs(urlsplit(link.get("href")).query).get("view_adult") == ["true"], link.get(
            "href"
        )
    data = _walk_to_epub(client, fetch, "/opds/?view_adult=true", "Original Work", "Storm Night")
    _assert_epub(data, "Storm Night")
    epubcheck(data)


def test_a_search_with_bytes_xml_cannot_hold_still_answers_a_valid_feed(fetch):
    make_work("Salt Lanterns")
    feed = fetch("/opds/search/?q=%00%01salt%EF%BF%BE&page=abc", ACQUISITION)
    assert titles(feed) == ["Salt Lanterns"]
    assert feed.findtext("atom:title", namespaces=NS) == "Search: salt"
