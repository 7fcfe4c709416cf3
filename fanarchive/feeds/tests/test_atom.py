"""Atom feeds of the whole archive and of each tag, and their autodiscovery links."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from lxml import etree, html

from fanarchive.feeds.tests.conftest import NS
from fanarchive.tags.constants import EXPLICIT
from fanarchive.tags.models import TagType
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db


def titles(feed: etree._Element) -> list[str]:
    return [entry.findtext("atom:title", namespaces=NS) for entry in feed.findall("atom:entry", NS)]


def entry_titled(feed: etree._Element, title: str) -> etree._Element:
    [entry] = [
        entry
        for entry in feed.findall("atom:entry", NS)
        if entry.findtext("atom:title", namespaces=NS) == title
    ]
    return entry


def test_the_archive_feed_lists_works_newest_first(fetch):
    make_work("First Light", updated=datetime.date(2024, 1, 1))
    make_work("Evening Tide", updated=datetime.date(2024, 6, 1))
    make_work("Midday Squall", updated=datetime.date(2024, 3, 1))
    feed = fetch("/feeds/works.atom")
    assert titles(feed) == ["Evening Tide", "Midday Squall", "First Light"]
    assert feed.findtext("atom:title", namespaces=NS).endswith("recently updated works")


@override_settings(SITE_URL="https://archive.example.org")
def test_an_entry_has_authors_link_id_dates_summary_and_categories(fetch):
    work = make_work(
        "Lamp & Ledger",
        creators=("harbourlight", "tidewatcher"),
        fandoms=("Original Work",),
        freeforms=("Found Family",),
        summary='<p>A <em>ledger</em> of ships.</p><script>alert("x")</script>',
        published=datetime.date(2023, 5, 4),
        updated=datetime.date(2024, 2, 3),
    )
    entry = entry_titled(fetch("/feeds/works.atom"), "Lamp & Ledger")
    names = [a.findtext("atom:name", namespaces=NS) for a in entry.findall("atom:author", NS)]
    assert names == ["harbourlight", "tidewatcher"]
    [link] = entry.findall("atom:link", NS)
    assert link.get("rel") == "alternate"
    assert urlsplit(link.get("href")).path == work.get_absolute_url()
    assert entry.findtext("atom:id", namespaces=NS) == (
        f"tag:archive.example.org,{work.created:%Y-%m-%d}:work/{work.pk}"
    )
    assert entry.findtext("atom:published", namespaces=NS).startswith("2023-05-04T00:00:00")
    terms = {category.get("term") for category in entry.findall("atom:category", NS)}
    assert {"Original Work", "Found Family", "General Audiences"} <= terms
    summary = entry.find("atom:summary", NS)
    assert summary.get("type") == "html"
    shown = html.fromstring(summary.text)
    assert shown.xpath("string(//em)") == "ledger"
    assert not shown.xpath("//script")
    assert "harbourlight, tidewatcher" in shown.text_content()
    assert "Found Family" in shown.text_content()


def test_a_tag_feed_holds_works_under_the_tag_its_synonyms_and_sub_tags(fetch):
    keeper = make_tag(TagType.CHARACTER, "Lighthouse Keeper")
    keeper.make_canonical()
    make_tag(TagType.CHARACTER, "The Keeper", synonym_of=keeper)
    assistant = make_tag(TagType.CHARACTER, "Lighthouse Keeper (Young)")
    assistant.make_canonical()
    assistant.add_meta_tag(keeper)
    make_work("Canonical", characters=("Lighthouse Keeper",))
    make_work("Synonym", characters=("The Keeper",))
    make_work("Sub Tag", characters=("Lighthouse Keeper (Young)",))
    make_work("Elsewhere", characters=("Ferryman",))
    feed = fetch(f"/feeds/tags/{keeper.pk}.atom")
    assert sorted(titles(feed)) == ["Canonical", "Sub Tag", "Synonym"]
    assert "Lighthouse Keeper" in feed.findtext("atom:title", namespaces=NS)
    # The synonym's own feed means its canonical tag, as a filter on it does.
    synonym = make_tag(TagType.CHARACTER, "The Keeper")
    assert sorted(titles(fetch(f"/feeds/tags/{synonym.pk}.atom"))) == [
        "Canonical",
        "Sub Tag",
        "Synonym",
    ]


def test_a_missing_tag_has_no_feed(client):
    assert client.get("/feeds/tags/999999.atom").status_code == 404


def test_adult_works_are_listed_with_their_summary_but_never_their_text(fetch):
    make_work(
        "Storm Night",
        rating=EXPLICIT,
        summary="<p>Two keepers wait out the storm.</p>",
        chapters=("<p>The secret words of chapter one.</p>",),
    )
    feed = fetch("/feeds/works.atom")
    entry = entry_titled(feed, "Storm Night")
    assert "Two keepers wait out the storm." in entry.findtext("atom:summary", namespaces=NS)
    assert b"secret words" not in etree.tostring(feed)


def test_pages_announce_the_archive_feed_and_the_catalog(client, fetch):
    make_work("Harbour Lights")
    page = html.fromstring(client.get("/").content)
    atom = page.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    assert len(atom) == 1
    assert titles(fetch(atom[0].get("href"))) == ["Harbour Lights"]
    [opds] = page.xpath('//head/link[@rel="alternate"][contains(@type, "opds-catalog")]')
    fetch(opds.get("href"), "application/atom+xml;profile=opds-catalog;kind=navigation")
    assert page.xpath('//footer//a[contains(@href, "/opds/")]')


def test_a_tag_page_announces_its_own_feed(client, fetch):
    make_work("Harbour Lights", fandoms=("Original Work",))
    fandom = make_tag(TagType.FANDOM, "Original Work")
    page = html.fromstring(client.get(fandom.get_absolute_url()).content)
    hrefs = [
        link.get("href")
        for link in page.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    ]
    assert hrefs == ["/feeds/works.atom", f"/feeds/tags/{fandom.pk}.atom"]
    assert titles(fetch(hrefs[1])) == ["Harbour Lights"]
