"""PDF download, typeset with ReportLab's platypus.

ReportLab rather than WeasyPrint, by measurement (docs/performance.md, "Downloads"):
on the 500,000-word work WeasyPrint took 78 s and 635 MB to set the HTML download,
this module 11 s and 152 MB (Django's 99 MB included). ReportLab's memory does not grow
with the work: its story is fed one chapter at a time (`_Flowing`), while WeasyPrint
lays out the whole document at once. The price is this module's own mapping of story
HTML to flowables (`_pdf_html.py`) and no text shaping (`_pdf_fonts.py`).

The book: a title page with AO3's preface (typed tags, language, series, stats, where
the work was posted and where it came from, summary, notes), a printed contents list
whose page numbers are PDF forms filled in once each chapter is placed (one pass, no
second layout), then the chapters, each on a new page with its summary, notes, text and
end notes, and the work's end notes last. Every chapter (and, in a series book, every
work) is a PDF outline entry; pages are numbered; title, author, subject, keywords (the
tags) and language are in the document's metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.sax.saxutils import quoteattr

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from fanarchive.downloads.book import TAG_LABELS, Book, BookChapter, BookWork, chapter_heading
from fanarchive.downloads.formats import _pdf_fonts
from fanarchive.downloads.formats._parts import language_name, language_tag
from fanarchive.downloads.formats._pdf_fonts import SANS, SERIF
from fanarchive.downloads.formats._pdf_html import LINK_COLOUR, Converter, Styles, make_styles
from fanarchive.lib.html import html_to_text

NAME = "pdf"
EXTENSION = "pdf"
MEDIA_TYPE = "application/pdf"
LABEL = "PDF"
VERSION = "1"

PAGE = A5
MARGIN = 16 * mm
BOTTOM = 18 * mm
PAGE_NUMBER_WIDTH = 12 * mm
# Flowables kept ahead of the one being laid out: enough for keep-with-next headings.
LOOKAHEAD = 48


def available() -> bool:
    return _pdf_fonts.font_dir() is not None


def write(book: Book, out: BinaryIO) -> None:
    _pdf_fonts.register()
    document = _Document(out, book)
    document.build(_Flowing(_Story(book, document.styles).flowables()))


# The document --------------------------------------------------------------------------


class _Document(BaseDocTemplate):
    def __init__(self, out: BinaryIO, book: Book) -> None:
        super().__init__(
            out,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=BOTTOM,
            title=book.title,
            author=", ".join(book.creators),
            subject=_plain(book.summary)[:1000],
            keywords=", ".join(book.subjects),
            creator=book.archive_name,
            lang=language_tag(book.language),
            pageCompression=1,
        )
        self.styles = _BookStyles(make_styles())
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="text")
        running = Paragraph(_pdf_fonts.markup(book.title, book.language), self.styles.running_head)
        self._running = running
        self.addPageTemplates(
            [
                PageTemplate("title", [frame]),
                PageTemplate("text", [frame], onPage=self._decorate),
            ]
        )

    def _decorate(self, canvas: Any, document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(SERIF, 8.5)
        canvas.setFillColor(colors.dimgrey)
        canvas.drawCentredString(PAGE[0] / 2, BOTTOM / 2, str(canvas.getPageNumber()))
        _, height = self._running.wrap(self.width, MARGIN)
        self._running.drawOn(canvas, self.leftMargin, PAGE[1] - MARGIN / 2 - height / 2)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        mark: _Mark | None = getattr(flowable, "fa_mark", None)
        if mark is None:
            return
        canvas = self.canv
        canvas.bookmarkPage(mark.key)
        canvas.addOutlineEntry(mark.title, mark.key, level=mark.level, closed=False)
        if mark.listed:
            # The contents list drew this form where the page number goes.
            canvas.beginForm(_form_name(mark.key), 0, 0, PAGE_NUMBER_WIDTH, _PageRef.HEIGHT)
            canvas.setFont(SERIF, self.styles.base.body.fontSize)
            canvas.drawRightString(PAGE_NUMBER_WIDTH, 2.5, str(canvas.getPageNumber()))
            canvas.endForm()


class _Flowing(list):
    """ReportLab's story list, filled from a generator as it is consumed: the layout
    takes flowables from the front, so only a few chapters' worth exist at a time."""

    def __init__(self, source: Iterator[Flowable]) -> None:
        super().__init__()
        self._source = source
        self._fill()

    def _fill(self) -> None:
        while len(self) < LOOKAHEAD:
            item = next(self._source, None)
            if item is None:
                return
            self.append(item)

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._fill()


class _Mark:
    """An outline entry (and destination) at the flowable that carries it."""

    __slots__ = ("key", "level", "listed", "title")

    def __init__(self, key: str, title: str, level: int, *, listed: bool) -> None:
        self.key = key
        self.title = title
        self.level = level
        self.listed = listed


class _PageRef(Flowable):
    """The page number of a heading, drawn as a form defined when the heading is placed."""

    HEIGHT = 12.0

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return PAGE_NUMBER_WIDTH, self.HEIGHT

    def draw(self) -> None:
        self.canv.doForm(_form_name(self.key))


def _form_name(key: str) -> str:
    return f"page-{key}"


def _marked(flowable: Flowable, mark: _Mark) -> Flowable:
    flowable.fa_mark = mark  # type: ignore[attr-defined]
    return flowable


# Styles ---------------------------------------------------------------------------------


class _BookStyles:
    def __init__(self, base: Styles) -> None:
        self.base = base
        body = base.body
        size = body.fontSize

        def style(name: str, **fields: Any) -> ParagraphStyle:
            return ParagraphStyle(f"fa-{name}", parent=body, **fields)

        self.title = style(
            "title",
            fontName=SERIF + "-Bold",
            fontSize=size * 2.0,
            leading=size * 2.5,
            alignment=TA_CENTER,
            spaceBefore=size * 2,
            spaceAfter=size * 0.6,
        )
        self.byline = style("byline", fontSize=size * 1.2, leading=size * 1.7, alignment=TA_CENTER)
        self.posted = style(
            "posted",
            fontSize=size * 0.85,
            leading=size * 1.15,
            alignment=TA_CENTER,
            textColor=colors.dimgrey,
        )
        self.label = style("label", fontName=SANS + "-Bold", fontSize=size * 0.85)
        self.tags = style("tags", fontSize=size * 0.9, leading=size * 1.25, spaceAfter=0)
        self.section = style(
            "section",
            fontName=SANS + "-Bold",
            fontSize=size * 1.05,
            spaceBefore=size * 0.8,
            spaceAfter=size * 0.3,
            keepWithNext=1,
        )
        self.contents_title = style(
            "contents", fontName=SANS + "-Bold", fontSize=size * 1.5, leading=size * 2
        )
        self.contents = style("contents-entry", spaceAfter=0)
        self.contents_sub = style("contents-sub", spaceAfter=0, leftIndent=size * 1.5)
        self.work_title = style(
            "work-title",
            fontName=SERIF + "-Bold",
            fontSize=size * 1.7,
            leading=size * 2.2,
            alignment=TA_CENTER,
            spaceAfter=size * 0.4,
        )
        self.chapter = style(
            "chapter",
            fontName=SANS + "-Bold",
            fontSize=size * 1.4,
            leading=size * 1.8,
            spaceBefore=size,
            spaceAfter=size,
            keepWithNext=1,
        )
        self.running_head = style(
            "running",
            fontSize=size * 0.75,
            leading=size * 0.9,
            alignment=TA_CENTER,
            textColor=colors.dimgrey,
        )


# The story --------------------------------------------------------------------------------


class _Story:
    def __init__(self, book: Book, styles: _BookStyles) -> None:
        self.book = book
        self.styles = styles
        self.html = Converter(styles.base, book.language)

    def flowables(self) -> Iterator[Flowable]:
        book = self.book
        if book.is_series:
            yield from self._series_title_page()
        else:
            yield from self._work_preface(book.works[0], level=0, in_series=False)
        yield from self._contents()
        for index, work in enumerate(book.works):
            if book.is_series:
                if index:
                    yield PageBreak()
                yield from self._work_preface(work, level=0, in_series=True)
            yield from self._chapters(work, level=1 if book.is_series else 0)
            if work.end_notes.strip():
                yield CondPageBreak(self.styles.base.body.leading * 6)
                yield self._section("End Notes")
                yield from self.html.flowables(work.end_notes)

    # Front matter -------------------------------------------------------------------------

    def _series_title_page(self) -> Iterator[Flowable]:
        book, styles = self.book, self.styles
        yield Paragraph(self.html.text(book.title), styles.title)
        if book.creators:
            yield Paragraph(self.html.text("by " + ", ".join(book.creators)), styles.byline)
        yield Spacer(1, styles.base.body.leading)
        yield self._posted(book.url, "series")
        yield Spacer(1, styles.base.body.leading)
        yield self._label_row("Works", f"{len(book.works):,}")
        yield self._label_row("Words", f"{book.words:,}")
        if book.summary.strip():
            yield self._section("Summary")
            yield from self.html.flowables(book.summary)

    def _work_preface(self, work: BookWork, *, level: int, in_series: bool) -> Iterator[Flowable]:
        styles = self.styles
        style = styles.work_title if in_series else styles.title
        title = Paragraph(self.html.text(work.title), style)
        if in_series:
            title = _marked(title, _Mark(f"w{work.work_id}", work.title, level, listed=True))
        yield title
        if work.creators:
            yield Paragraph(self.html.text("by " + ", ".join(work.creators)), styles.byline)
        yield Spacer(1, styles.base.body.leading * 0.5)
        yield self._posted(work.url, "work")
        yield Spacer(1, styles.base.body.leading * 0.5)
        yield HRFlowable(width="100%", thickness=0.5, color=colors.lightgrey, spaceAfter=6)
        rows = [(TAG_LABELS[tag_type], ", ".join(names)) for tag_type, names in work.tags.items()]
        rows.append(("Language", language_name(work.language)))
        for place in work.series:
            rows.append(("Series", f"Part {place.position} of {place.title}"))
        rows.append(("Stats", _stats(work)))
        if work.source_url:
            rows.append(("Source", work.source_url))
        if work.imported_from:
            where = work.imported_from
            if work.original_location:
                where += f", {work.original_location}"
            rows.append(("Posted originally on", where))
        yield self._label_table(rows)
        yield HRFlowable(width="100%", thickness=0.5, color=colors.lightgrey, spaceBefore=6)
        if work.summary.strip():
            yield self._section("Summary")
            yield from self.html.flowables(work.summary)
        if work.notes.strip():
            yield self._section("Notes")
            yield from self.html.flowables(work.notes)
        if not in_series:
            yield NextPageTemplate("text")

    def _posted(self, url: str, what: str) -> Paragraph:
        link = f"<a href={quoteattr(url)} color={quoteattr(LINK_COLOUR)}>{self.html.text(url)}</a>"
        archive = self.html.text(self.book.archive_name)
        return Paragraph(f"This {what} was posted on {archive} at {link}.", self.styles.posted)

    def _label_row(self, label: str, value: str) -> Flowable:
        return self._label_table([(label, value)])

    def _label_table(self, rows: list[tuple[str, str]]) -> Flowable:
        styles = self.styles
        label_width = 33 * mm
        data = [
            [
                Paragraph(self.html.text(label + ":"), styles.label),
                self.html.paragraph(self.html.text(value), styles.tags),
            ]
            for label, value in rows
        ]
        table = Table(data, colWidths=[label_width, None], hAlign="LEFT", splitByRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (0, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    def _contents(self) -> Iterator[Flowable]:
        book, styles = self.book, self.styles
        yield NextPageTemplate("text")
        yield PageBreak()
        yield _marked(
            Paragraph("Contents", styles.contents_title),
            _Mark("contents", "Contents", 0, listed=False),
        )
        rows: list[tuple[str, str, ParagraphStyle]] = []
        for work in book.works:
            if book.is_series:
                rows.append((f"w{work.work_id}", work.title, styles.contents))
            chapter_style = styles.contents_sub if book.is_series else styles.contents
            for position, title in work.chapter_titles:
                key = _chapter_key(work, position)
                rows.append((key, _chapter_heading(work, position, title), chapter_style))
        data = [
            [
                Paragraph(f'<a href="#{key}">{self.html.text(text)}</a>', style),
                _PageRef(key),
            ]
            for key, text, style in rows
        ]
        if data:
            table = Table(
                data,
                colWidths=[None, PAGE_NUMBER_WIDTH],
                hAlign="LEFT",
                splitByRow=1,
            )
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            yield table

    # Chapters -----------------------------------------------------------------------------

    def _chapters(self, work: BookWork, *, level: int) -> Iterator[Flowable]:
        for chapter in work.chapters():
            yield PageBreak()
            yield from self._chapter(work, chapter, level)

    def _chapter(self, work: BookWork, chapter: BookChapter, level: int) -> Iterator[Flowable]:
        heading = _chapter_heading(work, chapter.position, chapter.title)
        key = _chapter_key(work, chapter.position)
        yield _marked(
            Paragraph(self.html.text(heading), self.styles.chapter),
            _Mark(key, heading, level, listed=True),
        )
        if chapter.summary.strip():
            yield self._section("Summary")
            yield from self.html.flowables(chapter.summary)
        if chapter.notes.strip():
            yield self._section("Notes")
            yield from self.html.flowables(chapter.notes)
        if chapter.summary.strip() or chapter.notes.strip():
            yield HRFlowable(
                width="100%", thickness=0.5, color=colors.lightgrey, spaceBefore=4, spaceAfter=10
            )
        yield from self.html.flowables(chapter.body)
        if chapter.end_notes.strip():
            yield self._section("Chapter End Notes")
            yield from self.html.flowables(chapter.end_notes)

    def _section(self, title: str) -> Paragraph:
        return Paragraph(title, self.styles.section)


def _chapter_key(work: BookWork, position: int) -> str:
    return f"w{work.work_id}c{position}"


def _chapter_heading(work: BookWork, position: int, title: str) -> str:
    if len(work.chapter_titles) == 1 and not title:
        return work.title
    return chapter_heading(position, title)


def _stats(work: BookWork) -> str:
    parts = [f"Published: {work.published.isoformat()}"]
    if work.updated != work.published:
        label = "Completed" if work.complete else "Updated"
        parts.append(f"{label}: {work.updated.isoformat()}")
    parts.append(f"Words: {work.words:,}")
    parts.append(f"Chapters: {work.chapters_display}")
    for label, count in (
        ("Comments", work.comments),
        ("Kudos", work.kudos),
        ("Bookmarks", work.bookmarks),
        ("Hits", work.hits),
    ):
        if count:
            parts.append(f"{label}: {count:,}")
    return " \u00b7 ".join(parts)


def _plain(html: str) -> str:
    return " ".join(html_to_text(html).split()) if html else ""
