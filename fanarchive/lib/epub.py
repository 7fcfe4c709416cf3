"""EPUB books (2 and 3), read safely: the package metadata, the spine, the table of
contents and the documents' text.

An EPUB is a zip archive (opened through :mod:`fanarchive.lib.safezip`, so bombs and
escaping member names are refused) holding ``META-INF/container.xml``, which names the
package document (the OPF). The OPF lists the book's metadata (Dublin Core elements
and ``<meta>``), its manifest (every file, with an id and media type) and its spine
(the reading order, by manifest id). The table of contents is the EPUB 3 navigation
document (the manifest item with ``properties="nav"``) or, in EPUB 2, the NCX.

Every XML document is parsed with entities never resolved, no DTD and no network, so
an EPUB cannot read local files (XXE) or expand an entity a billion times.

What :class:`Epub` exposes:

* ``metadata``: each Dublin Core element of the OPF in document order, as a
  :class:`MetadataItem` whose ``name`` is the element's local name ("title",
  "creator", "subject", ...) and whose ``attributes`` have their namespace prefixes
  dropped ("role", "file-as", "event", "id", "scheme"). EPUB 3 refinements of an
  element (``<meta refines="#creator1" property="role">aut</meta>``) are copied into
  its attributes too, unless the element carries that attribute itself.
* ``meta``: the ``<meta>`` elements as one dict, first value winning. EPUB 2
  ``<meta name="calibre:series" content="..."/>`` is keyed by its name; EPUB 3
  ``<meta property="belongs-to-collection" id="c1">Name</meta>`` by its property; an
  EPUB 3 refinement ``<meta refines="#c1" property="group-position">2</meta>`` by
  property, "#" and the refined id: ``"group-position#c1"``. ``meta_items`` keeps
  them all, in order, as MetadataItems (name = the name or property), for books that
  repeat a property (several collections).
* ``spine``: :class:`EpubDocument` objects in reading order; ``href`` is the
  document's path inside the zip.
* ``toc``: (title, href) pairs in document order, nested entries flattened, hrefs as
  zip paths without their fragment. A damaged table of contents gives an empty
  list rather than an error: the book's text is all there without it.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import unquote, urldefrag

import lxml.html
from lxml import etree

from fanarchive.lib.safezip import SafeZip, UnsafeArchive, open_zip
from fanarchive.lib.textdecode import UndecodableText, decode_text

MAX_XML = 16 * 1024 * 1024
"""The largest container, OPF, NCX or navigation document read."""
MAX_DOCUMENT = 32 * 1024 * 1024
"""The largest content document :meth:`EpubDocument.text` reads."""
MAX_MEMBER = 128 * 1024 * 1024
"""The largest member :meth:`Epub.read` returns (images, fonts)."""

CONTAINER = "META-INF/container.xml"
DC_NAMESPACES = frozenset({"http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"})
OPS_NAMESPACE = "http://www.idpf.org/2007/ops"
NCX_MEDIA_TYPE = "application/x-dtbncx+xml"


class EpubError(ValueError):
    """A book that cannot be read: corrupt, truncated, unsafe or missing a part. The
    message says which, without the file name."""


class UnsafeEpub(EpubError):
    """A book built to attack its reader: an entity that would read a file or expand
    without end."""


@dataclass
class MetadataItem:
    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ManifestItem:
    id: str
    href: str
    """Path inside the zip."""
    media_type: str
    properties: frozenset[str] = frozenset()


@dataclass
class EpubDocument:
    href: str
    """Path inside the zip."""
    media_type: str
    linear: bool
    id: str
    properties: frozenset[str]
    _book: Epub = field(repr=False, compare=False)

    def data(self) -> bytes:
        return self._book.read(self.href, limit=MAX_DOCUMENT)

    def text(self) -> str:
        """The document decoded: by its byte order mark, else its XML declaration or
        meta charset, else UTF-8; undeclared legacy encodings are guessed."""
        return decode_document(self.data())

    def html(self) -> lxml.html.HtmlElement:
        """The document as an lxml.html tree without namespaces (``<p>``, not
        ``{http://www.w3.org/1999/xhtml}p``), whether it is well-formed XHTML or tag
        soup. Entities are never resolved from a DTD."""
        return parse_html_document(self.text())


@dataclass
class Epub:
    version: str
    opf_path: str
    metadata: list[MetadataItem]
    meta: dict[str, str]
    meta_items: list[MetadataItem]
    manifest: list[ManifestItem]
    spine: list[EpubDocument]
    toc: list[tuple[str, str]]
    guide: list[tuple[str, str]]
    """(type, href) of the EPUB 2 guide's references ("cover", "title-page", "text")."""
    _zip: SafeZip = field(repr=False, compare=False)

    def values(self, name: str) -> list[str]:
        """The values of every metadata element called ``name`` ("subject"), in order."""
        return [item.value for item in self.metadata if item.name == name]

    def first(self, name: str) -> str:
        return next(iter(self.values(name)), "")

    def names(self) -> list[str]:
        return self._zip.names()

    def read(self, path: str, limit: int = MAX_MEMBER) -> bytes:
        """The bytes of the member at ``path`` (a zip path, as ``href`` gives it)."""
        try:
            return self._zip.read(path, limit)
        except UnsafeArchive as error:
            raise EpubError(str(error)) from None


def open_epub(stream: BinaryIO) -> Epub:
    """The book in ``stream``. Raises EpubError."""
    try:
        archive = open_zip(stream)
    except UnsafeArchive as error:
        raise EpubError(str(error)) from None
    try:
        return _read_book(archive)
    except UnsafeArchive as error:
        raise EpubError(str(error)) from None
    except (etree.LxmlError, ValueError, LookupError, RecursionError) as error:
        if isinstance(error, EpubError):
            raise
        raise EpubError(f"unreadable EPUB ({error})") from None


def _read_book(archive: SafeZip) -> Epub:
    names = set(archive.names())
    if CONTAINER not in names:
        raise EpubError("not an EPUB: no META-INF/container.xml")
    container = _parse_xml(archive.read(CONTAINER, MAX_XML), "META-INF/container.xml")
    opf_path = next(
        (
            _zip_path("", unquote(element.get("full-path", "")))
            for element in container.iter()
            if _local(element) == "rootfile" and element.get("full-path")
        ),
        None,
    )
    if not opf_path or opf_path not in names:
        raise EpubError("not an EPUB: container.xml names no package document (OPF) in the book")
    package = _parse_xml(archive.read(opf_path, MAX_XML), "the package document (OPF)")
    if _local(package) != "package":
        raise EpubError("the package document (OPF) has no <package> element")
    opf_dir = posixpath.dirname(opf_path)

    metadata, meta, meta_items = _metadata(package)
    manifest = _manifest(package, opf_dir)
    by_id = {item.id: item for item in manifest}
    book = Epub(
        version=package.get("version", "").strip(),
        opf_path=opf_path,
        metadata=metadata,
        meta=meta,
        meta_items=meta_items,
        manifest=manifest,
        spine=[],
        toc=[],
        guide=_guide(package, opf_dir),
        _zip=archive,
    )
    spine_element = _child(package, "spine")
    if spine_element is None:
        raise EpubError("the package document (OPF) has no spine")
    for itemref in spine_element:
        if _local(itemref) != "itemref":
            continue
        item = by_id.get(itemref.get("idref", ""))
        if item is None:
            continue
        if item.href not in names:
            raise EpubError(f"the spine names {item.href!r}, which is not in the book")
        book.spine.append(
            EpubDocument(
                href=item.href,
                media_type=item.media_type,
                linear=itemref.get("linear", "yes").strip().lower() != "no",
                id=item.id,
                properties=item.properties,
                _book=book,
            )
        )
    if not book.spine:
        raise EpubError("the package document (OPF) has an empty spine")
    book.toc = _toc(book, by_id.get(spine_element.get("toc", "")), names)
    return book


# XML --------------------------------------------------------------------------------


def safe_xml_parser(*, recover: bool = False) -> etree.XMLParser:
    """An XML parser that never resolves entities, loads no DTD and touches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=recover,
        remove_comments=False,
    )


def _parse_xml(data: bytes, what: str) -> etree._Element:
    check_entities(data.decode("latin-1"), what)
    try:
        root = etree.fromstring(data, safe_xml_parser())
    except etree.XMLSyntaxError as error:
        raise EpubError(f"{what} is not well-formed XML ({error})") from None
    if root is None:
        raise EpubError(f"{what} is empty")
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in parent if _local(child) == name), None)


def _attributes(element: etree._Element) -> dict[str, str]:
    return {key.rsplit("}", 1)[-1].split(":")[-1]: value for key, value in element.attrib.items()}


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _zip_path(base_dir: str, href: str) -> str:
    """The zip path of ``href`` relative to ``base_dir``, or "" if it leaves the book."""
    path = posixpath.normpath(posixpath.join(base_dir, href)) if href else ""
    if not path or path == "." or path.startswith("../") or path == ".." or path.startswith("/"):
        return ""
    return path


# The package document -----------------------------------------------------------------


def _metadata(
    package: etree._Element,
) -> tuple[list[MetadataItem], dict[str, str], list[MetadataItem]]:
    container = _child(package, "metadata")
    if container is None:
        return [], {}, []
    metadata: list[MetadataItem] = []
    meta: dict[str, str] = {}
    meta_items: list[MetadataItem] = []
    # OEBPS 1.x nests the elements in <dc-metadata> and <x-metadata>: iterate them all.
    for element in container.iter():
        if element is container or not isinstance(element.tag, str):
            continue
        name = _local(element)
        if _namespace(element) in DC_NAMESPACES or (name in _DC_NAMES and not _namespace(element)):
            # A description keeps its line breaks: it may be plain text in paragraphs.
            value = "".join(element.itertext()).strip() if name == "description" else _text(element)
            metadata.append(MetadataItem(name, value, _attributes(element)))
        elif name == "meta":
            item = _meta_item(element)
            if item is not None:
                meta_items.append(item)
                key = item.name
                if refines := item.attributes.get("refines", "").lstrip("#"):
                    key = f"{key}#{refines}"
                meta.setdefault(key, item.value)
    by_id = {item.attributes["id"]: item for item in metadata if "id" in item.attributes}
    for item in meta_items:
        target = by_id.get(item.attributes.get("refines", "").lstrip("#"))
        if target is not None:
            target.attributes.setdefault(item.name.split(":")[-1], item.value)
    return metadata, meta, meta_items


# Dublin Core names seen without their namespace in careless OPFs.
_DC_NAMES = frozenset(
    {"title", "creator", "subject", "description", "publisher", "contributor", "date",
     "type", "format", "identifier", "source", "language", "relation", "coverage", "rights"}
)  # fmt: skip


def _meta_item(element: etree._Element) -> MetadataItem | None:
    attributes = _attributes(element)
    if element.get("property"):
        return MetadataItem(element.get("property", "").strip(), _text(element), attributes)
    if element.get("name"):
        name = element.get("name", "").strip()
        return MetadataItem(name, (element.get("content") or "").strip(), attributes)
    return None


def _manifest(package: etree._Element, opf_dir: str) -> list[ManifestItem]:
    container = _child(package, "manifest")
    if container is None:
        raise EpubError("the package document (OPF) has no manifest")
    items = []
    for element in container:
        if _local(element) != "item" or not element.get("id"):
            continue
        path = _zip_path(opf_dir, unquote(element.get("href", "")))
        if not path:
            continue
        items.append(
            ManifestItem(
                id=element.get("id", ""),
                href=path,
                media_type=element.get("media-type", "").strip().lower(),
                properties=frozenset(element.get("properties", "").split()),
            )
        )
    return items


def _guide(package: etree._Element, opf_dir: str) -> list[tuple[str, str]]:
    container = _child(package, "guide")
    if container is None:
        return []
    references = []
    for element in container:
        if _local(element) == "reference" and element.get("href"):
            path = _zip_path(opf_dir, unquote(urldefrag(element.get("href", "")).url))
            if path:
                references.append((element.get("type", "").strip().lower(), path))
    return references


# The table of contents ----------------------------------------------------------------


def _toc(book: Epub, ncx_item: ManifestItem | None, names: set[str]) -> list[tuple[str, str]]:
    nav = next((item for item in book.manifest if "nav" in item.properties), None)
    if ncx_item is None or ncx_item.media_type != NCX_MEDIA_TYPE:
        ncx_item = next((item for item in book.manifest if item.media_type == NCX_MEDIA_TYPE), None)
    for item, reader in ((nav, _nav_toc), (ncx_item, _ncx_toc)):
        if item is None or item.href not in names:
            continue
        try:
            entries = reader(book.read(item.href, MAX_XML), posixpath.dirname(item.href))
        except UnsafeEpub:
            raise
        except (EpubError, etree.LxmlError, ValueError):
            # A damaged table of contents loses titles, not text.
            continue
        if entries:
            return entries
    return []


def _entry(title: str, base_dir: str, href: str) -> tuple[str, str] | None:
    path = _zip_path(base_dir, unquote(urldefrag(href.strip()).url))
    title = " ".join(title.split())
    return (title, path) if path else None


def _nav_toc(data: bytes, base_dir: str) -> list[tuple[str, str]]:
    tree = parse_html_document(decode_document(data))
    navs = tree.xpath("//nav")
    toc = next(
        (nav for nav in navs if "toc" in (nav.get("epub:type") or nav.get("type") or "").split()),
        navs[0] if navs else None,
    )
    if toc is None:
        return []
    entries = []
    for link in toc.iter("a"):
        entry = _entry(link.text_content(), base_dir, link.get("href", ""))
        if entry is not None:
            entries.append(entry)
    return entries


def _ncx_toc(data: bytes, base_dir: str) -> list[tuple[str, str]]:
    root = _parse_xml(data, "the NCX")
    nav_map = next((element for element in root.iter() if _local(element) == "navMap"), None)
    if nav_map is None:
        return []
    entries = []
    for point in nav_map.iter():
        if _local(point) != "navPoint":
            continue
        label = next((child for child in point if _local(child) == "navLabel"), None)
        content = next((child for child in point if _local(child) == "content"), None)
        if content is None or not content.get("src"):
            continue
        title = _text(label) if label is not None else ""
        entry = _entry(title, base_dir, content.get("src", ""))
        if entry is not None:
            entries.append(entry)
    return entries


# Content documents ----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A DOCTYPE, with its internal subset if it has one (where hostile entities live).
_DOCTYPE = re.compile(r"<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.I | re.S)


# An entity declaration: its name (with "%" for a parameter entity) and what follows.
_ENTITY = re.compile(r"<!ENTITY\s+(?P<percent>%\s+)?(?P<name>[^\s>]+)\s+(?P<rest>[^>]*)>", re.S)
_ENTITY_REFERENCE = re.compile(r"[&%][A-Za-z_:]")


def check_entities(text: str, what: str) -> None:
    """Refuse a document whose DOCTYPE declares an entity that is external (SYSTEM or
    PUBLIC: it would read a file or the network), a parameter entity, or one whose
    value refers to another entity (the "billion laughs"). A plain entity such as
    ``<!ENTITY nbsp "&#160;">`` is allowed; entities are never expanded anyway."""
    if "<!ENTITY" not in text:
        return
    for match in _ENTITY.finditer(text):
        rest = match["rest"].lstrip()
        external = rest.startswith(("SYSTEM", "PUBLIC"))
        if match["percent"] or external or _ENTITY_REFERENCE.search(rest):
            raise UnsafeEpub(
                f"{what} declares the XML entity {match['name']!r}, which could read files "
                "or expand without end (refused as unsafe)"
            )


def decode_document(data: bytes) -> str:
    """Text of an XML or HTML document: its BOM, declared encoding or UTF-8; when
    those fail, :func:`fanarchive.lib.textdecode.decode_text` guesses."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _XML_ENCODING.match(data[:1024]) or _META_CHARSET.search(data[:4096])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return decode_text(data)
    except UndecodableText as error:
        raise EpubError(f"a document in the book is {error}") from None


def parse_html_document(text: str, what: str = "a document in the book") -> lxml.html.HtmlElement:
    """An XHTML or HTML document as an lxml.html tree without namespaces. A document
    declaring a dangerous entity is refused (:func:`check_entities`); the declaration
    and DOCTYPE, with any other entities, are dropped, so none is ever expanded.
    ``what`` names the document in error messages."""
    check_entities(text, what)
    text = _DOCTYPE.sub("", _XML_DECLARATION.sub("", text, count=1), count=1)
    if not text.strip():
        raise EpubError(f"{what} is empty")
    try:
        root = etree.fromstring(text.encode("utf-8"), safe_xml_parser())
    except etree.XMLSyntaxError:
        root = None
    if root is not None:
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith("{"):
                element.tag = element.tag.rsplit("}", 1)[1]
        etree.cleanup_namespaces(root)
        text = etree.tostring(root, method="html", encoding="unicode")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise EpubError(f"{what} is unreadable ({error})") from None
