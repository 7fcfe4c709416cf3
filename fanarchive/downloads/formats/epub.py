"""EPUB 3 (with an NCX for older readers), written with zipfile and our templates.

The zip holds, in order: `mimetype` (first and stored, as the container format
requires), the container, the package document (stored too, so fanarchive's importer
recognises the book from its first bytes), the navigation document, the NCX, the
stylesheet, then each work's preface, chapters and end notes. A chapter is rendered
and written into the zip as it is read, so memory holds one chapter at a time.

Typed tags are in the package metadata as `<meta property="fanarchive:fandom">`
(prefix declared on the package) besides plain `dc:subject`s, and in each preface
with the marks `ingest/importers/fanarchive_book.py` reads back.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.template.loader import render_to_string

from fanarchive.downloads.book import Book, BookWork, chapter_heading
from fanarchive.downloads.formats import _parts
from fanarchive.ingest.importers.fanarchive_book import NAMESPACE
from fanarchive.lib.html import html_to_text

NAME = "epub"
EXTENSION = "epub"
MEDIA_TYPE = "application/epub+zip"
LABEL = "EPUB"

_DIR = "EPUB/"


def available() -> bool:
    return True


@dataclass
class _Document:
    id: str
    href: str
    title: str


@dataclass
class _Entry:
    title: str
    href: str
    order: int = 0
    children: list[_Entry] = field(default_factory=list)


@dataclass
class _Plan:
    """Every file of the book and its table of contents, known before any chapter
    text is read: the package document lists them all and comes first."""

    documents: list[_Document] = field(default_factory=list)
    toc: list[_Entry] = field(default_factory=list)


def _plan(book: Book) -> _Plan:
    plan = _Plan()
    if book.is_series:
        plan.documents.append(_Document("series-front", "series.xhtml", book.title))
        plan.toc.append(_Entry(book.title, "series.xhtml"))
    for index, work in enumerate(book.works, start=1):
        entries = _work_documents(plan, index, work)
        if book.is_series:
            # The part's own entry opens its preface; two entries for one file would
            # give the NCX two play orders for one target.
            plan.toc.append(_Entry(work.title, entries[0].href, children=entries[1:]))
        else:
            plan.toc.extend(entries)
    order = 0
    for entry in plan.toc:
        order += 1
        entry.order = order
        for child in entry.children:
            order += 1
            child.order = order
    return plan


def _work_documents(plan: _Plan, index: int, work: BookWork) -> list[_Entry]:
    stem = f"w{index}"
    documents = [_Document(f"{stem}-preface", f"{stem}-preface.xhtml", work.title)]
    entries = [_Entry("Preface", documents[0].href)]
    for number, (position, title) in enumerate(work.chapter_titles, start=1):
        heading = chapter_heading(position, title)
        documents.append(_Document(f"{stem}-c{number}", f"{stem}-c{number}.xhtml", heading))
        entries.append(_Entry(heading, documents[-1].href))
    if work.end_notes:
        documents.append(_Document(f"{stem}-end", f"{stem}-end.xhtml", "End Notes"))
        entries.append(_Entry("End Notes", documents[-1].href))
    plan.documents.extend(documents)
    return entries


def write(book: Book, out: BinaryIO) -> None:
    plan = _plan(book)
    lang = _parts.language_tag(book.language)
    stamp = _zip_time(book.updated)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, text: str, *, stored: bool = False) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        add("mimetype", MEDIA_TYPE, stored=True)
        add("META-INF/container.xml", render_to_string("downloads/epub/container.xml"))
        add(_DIR + "content.opf", _package(book, plan, lang), stored=True)
        start = plan.documents[0].href if plan.documents else "nav.xhtml"
        add(
            _DIR + "nav.xhtml",
            render_to_string(
                "downloads/epub/nav.xhtml", {"toc": plan.toc, "lang": lang, "start": start}
            ),
        )
        depth = 2 if any(entry.children for entry in plan.toc) else 1
        add(
            _DIR + "toc.ncx",
            render_to_string(
                "downloads/epub/toc.ncx",
                {"book": book, "toc": plan.toc, "lang": lang, "depth": depth},
            ),
        )
        add(_DIR + "style.css", render_to_string("downloads/epub/style.css"))
        if book.is_series:
            add(_DIR + "series.xhtml", _document(book.title, lang, _parts.series_front(book)))
        for index, work in enumerate(book.works, start=1):
            _write_work(add, book, index, work)


def _write_work(add: Callable[..., None], book: Book, index: int, work: BookWork) -> None:
    stem = f"w{index}"
    lang = _parts.language_tag(work.language)
    add(f"{_DIR}{stem}-preface.xhtml", _document(work.title, lang, _parts.preface(book, work)))
    expected = len(work.chapter_titles)
    for number, chapter in enumerate(work.chapters(), start=1):
        if number > expected:
            # A chapter posted after the book was planned: the next download has it.
            break
        add(
            f"{_DIR}{stem}-c{number}.xhtml",
            _document(chapter.heading, lang, _parts.chapter(chapter)),
        )
    if work.end_notes:
        add(f"{_DIR}{stem}-end.xhtml", _document("End Notes", lang, _parts.end_notes(work)))


def _document(title: str, lang: str, content: str) -> str:
    context = {"title": title, "lang": lang, "content": content}
    return render_to_string("downloads/epub/document.xhtml", context)


def _package(book: Book, plan: _Plan, lang: str) -> str:
    context = {
        "book": book,
        "lang": lang,
        "namespace": NAMESPACE,
        "description": " ".join(html_to_text(book.summary).split()),
        "modified": f"{book.updated.isoformat()}T00:00:00Z",
        "typed_tags": book.typed_tags(),
        "documents": plan.documents,
    }
    return render_to_string("downloads/epub/content.opf", context)


def _zip_time(day: datetime.date) -> tuple[int, int, int, int, int, int]:
    # Zip times start in 1980; the same work always gives the same bytes.
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)
