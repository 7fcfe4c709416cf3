"""Plain UTF-8 text: the preface as `Label: value` lines, then each chapter under a
ruled heading, its paragraphs separated by blank lines (not wrapped: readers wrap),
scene breaks as `* * *`. No markup survives: story HTML becomes its text."""

from __future__ import annotations

import re
from typing import BinaryIO

import lxml.html
from django.template.loader import render_to_string

from fanarchive.downloads.book import Book, BookChapter, BookWork
from fanarchive.downloads.formats import _parts

NAME = "txt"
EXTENSION = "txt"
MEDIA_TYPE = "text/plain; charset=utf-8"
LABEL = "TXT"

RULE = "=" * 60
THIN_RULE = "-" * 60
SCENE_BREAK = "* * *"

_BLOCKS = (
    "p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "table",
    "tr", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "center",
)  # fmt: skip
_PARAGRAPH_BREAK = re.compile(r"[ \t]*\n[ \t]*\n\s*")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def available() -> bool:
    return True


def html_to_paragraphs(html: str) -> str:
    """The text of sanitised story HTML: blocks as paragraphs separated by a blank
    line, line breaks kept, images as their description, scene breaks as `* * *`."""
    if not html.strip():
        return ""
    wrapper = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in list(wrapper.iter()):
        if not isinstance(element.tag, str) or element is wrapper:
            continue
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag == "hr":
            element.tail = f"\n\n{SCENE_BREAK}\n\n" + (element.tail or "")
        elif element.tag == "img":
            alt = (element.get("alt") or "").strip()
            element.tail = (f"[image: {alt}]" if alt else "[image]") + (element.tail or "")
        elif element.tag in ("td", "th"):
            element.tail = "\t" + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(wrapper.text_content()):
        lines = [_SPACES.sub(" ", line).strip() for line in paragraph.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def write(book: Book, out: BinaryIO) -> None:
    if book.is_series:
        out.write(render_to_string("downloads/txt/series.txt", {"book": book}).encode("utf-8"))
    for work in book.works:
        out.write(_preface(book, work).encode("utf-8"))
        expected = len(work.chapter_titles)
        for number, chapter in enumerate(work.chapters(), start=1):
            if number > expected:
                break
            out.write(_chapter(chapter).encode("utf-8"))
        if work.end_notes:
            notes = html_to_paragraphs(work.end_notes)
            out.write(f"\n\n{RULE}\nEnd Notes\n{RULE}\n\n{notes}\n".encode())
        if book.is_series:
            out.write(b"\n\n")


def _preface(book: Book, work: BookWork) -> str:
    imported = bool(work.imported_from)
    context = {
        "book": book,
        "work": work,
        "imported": imported,
        "archive": work.imported_from if imported else book.archive_name,
        "location": work.original_location if imported else work.url,
        "tag_rows": _parts.tag_rows(work),
        "language_name": _parts.language_name(work.language),
        "summary": html_to_paragraphs(work.summary),
        "notes": html_to_paragraphs(work.notes),
    }
    return render_to_string("downloads/txt/preface.txt", context)


def _chapter(chapter: BookChapter) -> str:
    context = {
        "chapter": chapter,
        "rule": RULE,
        "thin_rule": THIN_RULE,
        "summary": html_to_paragraphs(chapter.summary),
        "notes": html_to_paragraphs(chapter.notes),
        "end_notes": html_to_paragraphs(chapter.end_notes),
        "body": html_to_paragraphs(chapter.body),
    }
    return render_to_string("downloads/txt/chapter.txt", context)
