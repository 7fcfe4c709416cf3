"""One self-contained HTML file: inline CSS, no script, nothing loaded from elsewhere.

The preface, chapters and end notes are the EPUB's own fragments
(`templates/downloads/epub/`), serialised as HTML, so they carry the same marks
fanarchive's importer reads back; typed tags are also in the head as
`<meta name="fanarchive:fandom" content="...">`. Chapters are written as they are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from django.template.loader import render_to_string

from fanarchive.downloads.book import Book, chapter_heading
from fanarchive.downloads.formats import _parts

NAME = "html"
EXTENSION = "html"
MEDIA_TYPE = "text/html"
LABEL = "HTML"


def available() -> bool:
    return True


@dataclass
class _Entry:
    title: str
    anchor: str
    children: list[_Entry] = field(default_factory=list)


def _toc(book: Book) -> list[_Entry]:
    toc: list[_Entry] = []
    for index, work in enumerate(book.works, start=1):
        entries = [_Entry("Preface", f"preface-{work.work_id}")]
        for number, (position, title) in enumerate(work.chapter_titles, start=1):
            heading = chapter_heading(position, title)
            entries.append(_Entry(heading, f"{_chapter_prefix(index, number)}chapter"))
        if work.end_notes:
            entries.append(_Entry("End Notes", f"end-notes-{work.work_id}"))
        if book.is_series:
            toc.append(_Entry(work.title, entries[0].anchor, entries))
        else:
            toc.extend(entries)
    return toc


def _chapter_prefix(work_index: int, chapter_number: int) -> str:
    # Paragraph ids repeat from chapter to chapter; one page needs them unique.
    return f"w{work_index}c{chapter_number}-"


def write(book: Book, out: BinaryIO) -> None:
    context = {
        "book": book,
        "lang": _parts.language_tag(book.language),
        "typed_tags": book.typed_tags(),
        "css": render_to_string("downloads/epub/style.css"),
        "series_front": _parts.series_front(book) if book.is_series else "",
        "toc": _toc(book),
    }
    out.write(render_to_string("downloads/html/head.html", context).encode("utf-8"))
    for index, work in enumerate(book.works, start=1):
        out.write(_parts.preface(book, work, method="html").encode("utf-8"))
        expected = len(work.chapter_titles)
        for number, chapter in enumerate(work.chapters(), start=1):
            if number > expected:
                break
            prefix = _chapter_prefix(index, number)
            out.write(_parts.chapter(chapter, prefix, method="html").encode("utf-8"))
        if work.end_notes:
            out.write(_parts.end_notes(work, method="html").encode("utf-8"))
    out.write(b"</body>\n</html>\n")
