"""OPDS 1.2 catalog documents (https://specs.opds.io/opds-1.2), built with lxml.

Every text and attribute goes in through lxml, which escapes it; summaries are stored
as sanitised HTML and go out as escaped `html` content, with a plain-text summary beside
them for apps that show only that.

A catalog opened with consent to adult content (`?view_adult=true`) must stay that way
as an app follows it, so `Catalog.url` puts the parameter on every link it makes:
navigation, pagination, search, work pages and downloads.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree, html

from fanarchive.downloads.links import work_download_path
from fanarchive.feeds.identity import work_entry_id
from fanarchive.works.gate import CONSENT_PARAM

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fanarchive.feeds.catalog import Page
    from fanarchive.works.models import Work

ATOM = "http://www.w3.org/2005/Atom"
OPDS = "http://opds-spec.org/2010/catalog"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
DC = "http://purl.org/dc/terms/"
NSMAP = {None: ATOM, "opds": OPDS, "opensearch": OPENSEARCH, "dc": DC}

NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
ACQUIRE = "http://opds-spec.org/acquisition"
SORT_NEW = "http://opds-spec.org/sort/new"
EPUB_TYPE = "application/epub+zip"


def _atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _stamp(moment: datetime.datetime | datetime.date) -> str:
    """An RFC 3339 date-time, as Atom's date constructs must be."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(), tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def plain_text(stored_html: str) -> str:
    """Sanitised HTML as the words a reader sees, for a plain-text summary."""
    if not stored_html.strip():
        return ""
    return " ".join(html.fromstring(f"<div>{stored_html}</div>").text_content().split())


@dataclass(frozen=True)
class Catalog:
    """The catalog an app opened: its absolute base and whether it consented to adult
    content."""

    base: str
    adult: bool

    def url(self, path: str, **params: str | int) -> str:
        """An absolute link inside this catalog, carrying its consent."""
        query = {name: value for name, value in params.items() if value not in ("", None)}
        if self.adult:
            query[CONSENT_PARAM] = "true"
        return f"{self.base}{path}" + (f"?{urlencode(query)}" if query else "")

    def view_url(self, name: str, *args: object, **params: str | int) -> str:
        return self.url(reverse(name, args=args), **params)


# Characters XML 1.0 cannot hold at all, escaped or not (lxml refuses them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _link(parent: etree._Element, rel: str, href: str, kind: str, **extra: str) -> None:
    etree.SubElement(parent, _atom("link"), rel=rel, href=href, type=kind, **extra)


def _text(parent: etree._Element, name: str, value: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, name, **attributes)
    element.text = xml_safe(value)
    return element


@dataclass(frozen=True)
class FeedInfo:
    """What a catalog feed says about itself: its title, where it lives (a view name and
    its arguments), where it belongs and when it last changed."""

    title: str
    view: str
    args: tuple[object, ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    up: str = "feeds:opds_root"
    updated: datetime.datetime | None = None


def _feed(catalog: Catalog, info: FeedInfo, kind: str) -> etree._Element:
    feed = etree.Element(_atom("feed"), nsmap=NSMAP)
    self_url = catalog.view_url(info.view, *info.args, **dict(info.params))
    # A feed's id is the address of its first page: stable, and the same for every page.
    _text(feed, _atom("id"), self_url)
    _text(feed, _atom("title"), info.title)
    _text(feed, _atom("updated"), _stamp(info.updated or timezone.now()))
    author = etree.SubElement(feed, _atom("author"))
    _text(author, _atom("name"), settings.SITE_NAME)
    _text(author, _atom("uri"), catalog.url(reverse("home")))
    _link(feed, "self", self_url, kind)
    _link(feed, "start", catalog.view_url("feeds:opds_root"), NAVIGATION)
    if info.view != "feeds:opds_root":
        _link(feed, "up", catalog.view_url(info.up), NAVIGATION)
    _link(feed, "search", catalog.view_url("feeds:opensearch"), OPENSEARCH_TYPE)
    # Apps that fill a template themselves (not all read the description document).
    template = catalog.view_url("feeds:opds_search") + ("&" if catalog.adult else "?")
    _link(feed, "search", f"{template}q={{searchTerms}}", ACQUISITION)
    return feed


def _paginate(
    feed: etree._Element, catalog: Catalog, info: FeedInfo, kind: str, page: Page
) -> None:
    params = dict(info.params)

    def at(number: int) -> str:
        return catalog.view_url(info.view, *info.args, **params, page=number)

    _link(feed, "first", at(1), kind)
    _link(feed, "last", at(page.last), kind)
    if page.number > 1:
        _link(feed, "previous", at(page.number - 1), kind)
    if page.number < page.last:
        _link(feed, "next", at(page.number + 1), kind)
    _text(feed, f"{{{OPENSEARCH}}}totalResults", str(page.total))
    _text(feed, f"{{{OPENSEARCH}}}itemsPerPage", str(page.per_page))
    _text(feed, f"{{{OPENSEARCH}}}startIndex", str(page.start_index))


@dataclass(frozen=True)
class NavigationEntry:
    title: str
    description: str
    href: str
    kind: str
    rel: str = "subsection"


def navigation_feed(
    catalog: Catalog,
    info: FeedInfo,
    entries: Iterable[NavigationEntry],
    page: Page | None = None,
) -> bytes:
    feed = _feed(catalog, info, NAVIGATION)
    if page is not None:
        _paginate(feed, catalog, info, NAVIGATION, page)
    updated = _stamp(info.updated or timezone.now())
    for item in entries:
        entry = etree.SubElement(feed, _atom("entry"))
        _text(entry, _atom("title"), item.title)
        _text(entry, _atom("id"), item.href)
        _text(entry, _atom("updated"), updated)
        _text(entry, _atom("content"), item.description, type="text")
        _link(entry, item.rel, item.href, item.kind)
    return _document(feed)


@dataclass(frozen=True)
class DownloadFormat:
    """A download an acquisition entry offers: file extension and media type."""

    extension: str
    media_type: str


def acquisition_feed(
    catalog: Catalog, info: FeedInfo, page: Page[Work], formats: Iterable[DownloadFormat]
) -> bytes:
    feed = _feed(catalog, info, ACQUISITION)
    _paginate(feed, catalog, info, ACQUISITION, page)
    formats = list(formats)
    for work in page.items:
        _work_entry(feed, catalog, work, formats)
    return _document(feed)


def _work_entry(
    feed: etree._Element, catalog: Catalog, work: Work, formats: list[DownloadFormat]
) -> None:
    entry = etree.SubElement(feed, _atom("entry"))
    _text(entry, _atom("title"), work.title)
    _text(entry, _atom("id"), work_entry_id(work))
    _text(entry, _atom("updated"), _stamp(work.modified))
    for link in work.creator_links.all():
        author = etree.SubElement(entry, _atom("author"))
        _text(author, _atom("name"), link.creator.name)
        _text(author, _atom("uri"), catalog.url(link.creator.get_absolute_url()))
    if language := work.language_tag:
        _text(entry, f"{{{DC}}}language", language)
    _text(entry, f"{{{DC}}}issued", work.published.isoformat())
    for tag in sorted(work.tags.all(), key=lambda tag: (tag.type, tag.name)):
        etree.SubElement(
            entry,
            _atom("category"),
            term=xml_safe(tag.name),
            label=xml_safe(f"{tag.type_label}: {tag.name}"),
        )
    if summary := plain_text(work.summary):
        _text(entry, _atom("summary"), summary, type="text")
    if work.summary.strip():
        # Stored sanitised; lxml escapes it, and `type="html"` tells apps to unescape.
        _text(entry, _atom("content"), work.summary, type="html")
    _link(entry, "alternate", catalog.url(work.get_absolute_url()), "text/html")
    for download in formats:
        path = work_download_path(work.pk, work.title, download.extension)
        _link(entry, ACQUIRE, catalog.url(path), download.media_type)


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def opensearch_description(catalog: Catalog) -> bytes:
    """The OpenSearch 1.1 description apps read to search the catalog: one template,
    answered with an acquisition feed in the site's query language."""
    root = etree.Element(f"{{{OPENSEARCH}}}OpenSearchDescription", nsmap={None: OPENSEARCH})
    # OpenSearch caps ShortName at 16 characters.
    _text(root, f"{{{OPENSEARCH}}}ShortName", settings.SITE_NAME[:16])
    _text(root, f"{{{OPENSEARCH}}}Description", f"Search the works of {settings.SITE_NAME}")
    _text(root, f"{{{OPENSEARCH}}}InputEncoding", "UTF-8")
    _text(root, f"{{{OPENSEARCH}}}OutputEncoding", "UTF-8")
    template = catalog.view_url("feeds:opds_search") + ("&" if catalog.adult else "?")
    etree.SubElement(
        root,
        f"{{{OPENSEARCH}}}Url",
        type=ACQUISITION,
        template=f"{template}q={{searchTerms}}",
    )
    return _document(root)
