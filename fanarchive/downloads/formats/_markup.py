"""Stored story HTML as the XHTML an EPUB needs, and the marks fanarchive's own
importer reads back (`ingest/importers/fanarchive_book.py` holds the vocabulary and
undoes every change made here).

Stored HTML is sanitised HTML5 (`lib/html.sanitize`) that may use elements and
attributes HTML5 made obsolete (`<center>`, `<big>`, `align`, `<a name>`) and images
or links EPUBCheck refuses in a book (remote images, relative links to pages the book
does not hold). Each becomes its HTML5 equivalent with a `data-fa-*` attribute saying
what it was, so the book validates and an import restores the story exactly.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

from fanarchive.ingest.importers.fanarchive_book import (
    ATTR_ALIGN,
    ATTR_HREF,
    ATTR_IMAGE,
    ATTR_NAME,
    ATTR_WAS,
)
from fanarchive.lib.html import is_allowed_link

# Obsolete elements: (replacement, style keeping their look).
_OBSOLETE: dict[str, tuple[str, str]] = {
    "center": ("div", "text-align: center"),
    "big": ("span", "font-size: larger"),
    "strike": ("s", ""),
    "tt": ("code", ""),
    "acronym": ("abbr", ""),
}
_ALIGNMENTS = frozenset({"left", "right", "center", "justify"})


def to_xhtml(
    fragment: str, *, id_prefix: str = "", keep_ids: bool = True, method: str = "xml"
) -> str:
    """`fragment` (sanitised HTML) as well-formed XHTML elements without a namespace,
    to sit inside an XHTML document's body (`method="html"`: as HTML5, for an HTML
    page, where `<p/>` would not be empty). Paragraph ids are prefixed with
    `id_prefix` (unique within one file) or dropped when `keep_ids` is false."""
    if not fragment.strip():
        return ""
    wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in list(wrapper.iter()):
        if element is wrapper:
            continue
        if not isinstance(element.tag, str):
            # Comments and processing instructions: sanitising removed them already.
            element.drop_tree()
            continue
        _modernise(element, id_prefix, keep_ids)
    parts = [_escape(wrapper.text or "")]
    parts += [etree.tostring(child, encoding="unicode", method=method) for child in wrapper]
    return "".join(parts)


def _modernise(element: lxml.html.HtmlElement, id_prefix: str, keep_ids: bool) -> None:
    tag = element.tag.lower()
    styles: list[str] = []
    if tag in _OBSOLETE:
        element.tag, style = _OBSOLETE[tag]
        element.set(ATTR_WAS, tag)
        styles.append(style)
    elif tag == "img":
        _image_to_text(element)
        return
    align = element.attrib.pop("align", None)
    if align is not None:
        element.set(ATTR_ALIGN, align)
        if align.lower() in _ALIGNMENTS:
            styles.append(f"text-align: {align.lower()}")
    if tag == "a":
        name = element.attrib.pop("name", None)
        if name is not None:
            element.set(ATTR_NAME, name)
        href = element.get("href")
        if href is not None and not is_allowed_link(href):
            # A link to a page of the site the story came from: not in the book.
            element.set(ATTR_HREF, element.attrib.pop("href"))
        if element.get("href") is None:
            # `rel` needs an `href`; sanitising adds it to every link again on import.
            element.attrib.pop("rel", None)
    if "id" in element.attrib:
        if keep_ids:
            element.set("id", id_prefix + element.get("id", ""))
        else:
            del element.attrib["id"]
    styles = [style for style in styles if style]
    if styles:
        element.set("style", "; ".join(styles))


def _image_to_text(element: lxml.html.HtmlElement) -> None:
    """A remote image as its description: a book may not load it from the web."""
    attributes = dict(element.attrib)
    alt = attributes.get("alt", "").strip()
    element.attrib.clear()
    element.tag = "span"
    element.set(ATTR_WAS, "img")
    for name, value in attributes.items():
        element.set(f"{ATTR_IMAGE}{name}", value)
    element.text = f"[image: {alt}]" if alt else "[image]"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
