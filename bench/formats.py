"""Benchmark: import throughput for each rescue format, beside a bare FTS5 floor.

The same synthetic works (seeded: the same bytes on every machine) are rendered into
every format the rescue importers read, in the shapes of this project's own fixtures
(fanarchive/ingest/tests/fixtures/<format>/) and the importers' docstrings:

  plaintext        a `key: value` header, a blank line, "Chapter N: Title" headings
  html             an old archive's page: `<b>Label:</b> value<br>` lines, then the story
  ao3              AO3's "Download HTML": preface `dl.tags`, byline, summary, notes,
                   chapters between `<!--chapter content-->` markers, afterword
  ao3-epub         the same page as calibre makes AO3's EPUB of it (split documents,
                   renamed classes, no comments)
  fanficfare-txt   CRLF, wrapped at 78 columns, labels, TABLE OF CONTENTS, "End file."
  fanficfare-html  `table.full` of labels, `sectionNNNN` anchors
  fanficfare-epub  content.opf, OEBPS/title_page.xhtml and OEBPS/fileNNNN.xhtml
  epub             a generic EPUB 3 with a navigation document (tags as dc:subject)
  efiction         a whole eFiction 3.5 archive: a mysqldump of the `fanfiction_`
                   tables (classes schema) and its stories/<uid>/<chapid>.txt files

A work is lognormal in length around 5,000 words (bench/synthetic.py's constants and
text generator), in several chapters, with about a dozen characters, relationships and
additional tags, one or two fandoms, categories and warnings, and a rating; names come
from the vocabulary of a synthetic archive (synthetic.SyntheticArchive). Work i has
the same text and tags in every format, and its own text and source URL, so every
import finds every work new (never `unchanged` or `duplicate`).

For each format:

1. check: a handful of works imported with `fanarchive import FILES --json` (eFiction:
   `import-efiction DUMP --stories DIR --json`) in a fresh data directory; every one
   must be `imported` with its title, rating, chapter count, number of creators and of
   tags of each type, and its words within 2% of the source's. Anything else stops the
   benchmark (tag lists of the right length with other names are reported, not fatal);
2. read alone: `fanarchive.ingest.reading.read_path` over every file in this process,
   one core (decode, parse, sanitise, count, search text, MinHash; no database). For
   eFiction, the dump read (lib/sqldump) and `efiction.Archive` with `reading.prepare`;
3. import: the real console script, `python -m fanarchive import DIR --jobs J` (and
   `import-efiction DUMP --stories DIR`, which has no --jobs), in a fresh SQLite data
   directory each time (FANARCHIVE_DATA_DIR; migrated first, untimed), with
   FANARCHIVE_TASKS=database as bench/search.py: the suggested-tag inference is queued
   for `fanarchive db_worker`, not run. Timed from start to exit of the process (the
   fastest of `--repeat` runs); the run fails unless it exits 0 and its summary says
   every work was imported.

The floor: the plain-text files' story text inserted into a bare FTS5 table with the
app's tokenizer in one transaction (bench/search.py's SqliteFloor.import_text, the
floor of the search benchmark), measured at the start and again at the end of the run.

Run `python bench/formats.py --preset small` (under a minute; `--preset full`, 2,000
works a format, about 15 minutes on 2 cores); `--help` lists the options. `make bench`
runs it; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import html
import io
import json
import math
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from search import SqliteFloor, log, machine, stopwatch, story_body, story_path
from synthetic import (
    CATEGORY_WEIGHTS,
    MAX_WORDS,
    MEAN_WORDS,
    RATING_WEIGHTS,
    WORDS_SIGMA,
    SyntheticArchive,
)

from fanarchive.tags.constants import (
    CATEGORIES,
    CHOSE_NOT_TO_WARN,
    EXPLICIT,
    GENERAL,
    GRAPHIC_VIOLENCE,
    MAJOR_CHARACTER_DEATH,
    MATURE,
    NO_WARNINGS,
    NONCON,
    NOT_RATED,
    TEEN,
    UNDERAGE,
)

ROOT = Path(__file__).resolve().parent.parent
JOBS = (1, 3)
# The tag vocabulary is that of a synthetic archive this big (100 fandoms, thousands
# of characters), whatever the number of works rendered: a small preset then has the
# same kind of tags, most of them new to the database, as a large one.
VOCABULARY_WORKS = 20_000
MIN_WORDS = 1_000
CHAPTER_WORDS_MEDIAN = 1_500
MAX_CHAPTERS = 60
DOZEN = (9, 16)  # characters, relationships and additional tags a work: 9 to 15
WORD_TOLERANCE = 0.02
PACKAGED = "2026-11-30 12:00:00"  # FanFicFare's "Packaged:" stamp, fixed: same bytes each run
ZIP_TIME = (2026, 11, 30, 12, 0, 0)
SUMMARY_LINE = re.compile(
    r"(\d+) imported, (\d+) updated, (\d+) unchanged, (\d+) duplicate, (\d+) failed "
    r"in ([\d.]+)s"
)
STATUSES = ("imported", "updated", "unchanged", "duplicate", "failed")


@dataclass(frozen=True)
class Preset:
    works: int
    """Works rendered in each format."""
    check: int
    """Works of each format imported and checked field by field before timing."""


PRESETS = {
    "small": Preset(50, 4),  # under a minute in all
    "medium": Preset(500, 6),
    "full": Preset(2_000, 8),  # about 15 minutes on 2 cores
}


class BenchmarkFailure(RuntimeError):
    """An import or a check did not do what the benchmark needs: never a figure."""


# The works -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    title: str
    """"" for a chapter without a title of its own ("Chapter 2")."""
    text: str
    """Paragraphs separated by blank lines; "* * *" alone is a scene break."""
    summary: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Story:
    index: int
    title: str
    creators: tuple[str, ...]
    rating: str
    warnings: tuple[str, ...]
    categories: tuple[str, ...]
    fandoms: tuple[str, ...]
    relationships: tuple[str, ...]
    characters: tuple[str, ...]
    freeforms: tuple[str, ...]
    summary: str
    notes: str
    end_notes: str
    complete: bool
    published: datetime.date
    updated: datetime.date
    hits: int
    chapters: tuple[Chapter, ...]

    @property
    def words(self) -> int:
        """The words of the story text, scene breaks not counted."""
        return sum(
            sum(1 for word in chapter.text.split() if word != "*") for chapter in self.chapters
        )

    @property
    def chapter_label(self) -> str:
        """AO3's "3/3" or "3/?"."""
        count = len(self.chapters)
        return f"{count}/{count if self.complete else '?'}"

    def chapter_heading(self, position: int) -> str:
        title = self.chapters[position - 1].title
        return f"Chapter {position}: {title}" if title else f"Chapter {position}"


def _weighted_pick(rng: np.random.Generator, pool: list[str], count: int) -> list[str]:
    """`count` distinct names of `pool`, the first ones likeliest (p ~ 1 / rank)."""
    count = min(count, len(pool))
    weights = 1.0 / np.arange(1, len(pool) + 1, dtype=np.float64)
    chosen = rng.choice(len(pool), size=count, replace=False, p=weights / weights.sum())
    return [pool[i] for i in sorted(chosen.tolist())]


class Corpus:
    """The works of one run: work i is made from the generator seeded (seed, 10, i),
    its names drawn from a synthetic archive's vocabulary (bench/synthetic.py)."""

    def __init__(self, works: int, seed: int) -> None:
        self.works = works
        self.seed = seed
        # full_text = works: SqliteFloor.import_text reads that many story files.
        self.archive = SyntheticArchive(max(works, VOCABULARY_WORKS), works, seed)
        archive = self.archive
        self.maker = archive.text_maker
        names, types = archive.tag_names, archive.tag_types
        self.fandom_names = names[archive.fandom_base : archive.character_base]
        self.characters_of = [
            names[start : start + count]
            for start, count in zip(
                archive.character_offsets.tolist(),
                archive.characters_per_fandom.tolist(),
                strict=True,
            )
        ]
        self.relationships_of = [
            names[start : start + count]
            for start, count in zip(
                archive.relationship_offsets.tolist(),
                archive.relationships_per_fandom.tolist(),
                strict=True,
            )
        ]
        self.all_characters = [n for n, t in zip(names, types, strict=True) if t == "character"]
        self.all_relationships = [
            n for n, t in zip(names, types, strict=True) if t == "relationship"
        ]
        # An additional tag called "Gen" would be read as the category by the formats
        # that list both under one label (FanFicFare's Genre).
        categories = {c.lower() for c in CATEGORIES}
        self.freeform_names = [
            n
            for n, t in zip(names, types, strict=True)
            if t == "freeform" and n.lower() not in categories
        ]

    def story(self, index: int) -> Story:
        rng = np.random.default_rng([self.seed, 10, index])
        maker = self.maker
        archive = self.archive
        median = MEAN_WORDS / math.exp(WORDS_SIGMA**2 / 2)
        words = int(
            np.clip(round(rng.lognormal(math.log(median), WORDS_SIGMA)), MIN_WORDS, MAX_WORDS)
        )
        per_chapter = rng.lognormal(math.log(CHAPTER_WORDS_MEDIAN), 0.4)
        count = int(np.clip(round(words / per_chapter), 2, MAX_CHAPTERS))
        sizes = np.maximum(100, np.round(rng.dirichlet(np.full(count, 4.0)) * words))
        titled = rng.random() < 0.5
        chapters = []
        for size in sizes.tolist():
            title = maker.title(rng) if titled else ""
            summary = maker.summaries(rng, np.array([12]))[0] if rng.random() < 0.2 else ""
            notes = maker.summaries(rng, np.array([20]))[0] if rng.random() < 0.3 else ""
            chapters.append(Chapter(title, maker.text(rng, int(size)), summary, notes))

        fandom = int(rng.choice(len(self.fandom_names), p=archive.fandom_weights))
        fandoms = [fandom]
        if rng.random() < 0.1:
            other = int(rng.choice(len(self.fandom_names), p=archive.fandom_weights))
            if other != fandom:
                fandoms.append(other)

        def dozen(pools: list[list[str]], everything: list[str]) -> tuple[str, ...]:
            wanted = int(rng.integers(*DOZEN))
            pool = list(dict.fromkeys(name for f in fandoms for name in pools[f]))
            chosen = _weighted_pick(rng, pool, wanted)
            if len(chosen) < wanted:  # a small fandom: others' names make up the dozen
                rest = [name for name in everything if name not in set(chosen)]
                picks = rng.choice(len(rest), size=wanted - len(chosen), replace=False)
                chosen += [rest[i] for i in sorted(picks.tolist())]
            return tuple(chosen)

        ratings = list(RATING_WEIGHTS)
        p = np.array(list(RATING_WEIGHTS.values()))
        rating = ratings[int(rng.choice(len(ratings), p=p / p.sum()))]
        draw = rng.random()
        if draw < 0.45:
            warnings: tuple[str, ...] = (NO_WARNINGS,)
        elif draw < 0.75:
            warnings = (CHOSE_NOT_TO_WARN,)
        else:
            specific = [GRAPHIC_VIOLENCE, MAJOR_CHARACTER_DEATH, NONCON, UNDERAGE]
            picks = rng.choice(len(specific), size=int(rng.integers(1, 3)), replace=False)
            warnings = tuple(specific[i] for i in sorted(picks.tolist()))
        kinds = list(CATEGORY_WEIGHTS)
        p = np.array(list(CATEGORY_WEIGHTS.values()))
        picks = rng.choice(
            len(kinds), size=1 + int(rng.random() < 0.15), replace=False, p=p / p.sum()
        )
        categories = tuple(kinds[i] for i in sorted(picks.tolist()))
        creators = [archive.creator_names[int(rng.integers(len(archive.creator_names)))]]
        if rng.random() < 0.05:
            second = archive.creator_names[int(rng.integers(len(archive.creator_names)))]
            if second != creators[0]:
                creators.append(second)
        published = datetime.date(2008, 11, 1) + datetime.timedelta(days=int(rng.integers(6400)))
        updated = published + datetime.timedelta(days=int(rng.integers(0, 400)))
        return Story(
            index=index,
            title=maker.title(rng),
            creators=tuple(creators),
            rating=rating,
            warnings=warnings,
            categories=categories,
            fandoms=tuple(self.fandom_names[f] for f in fandoms),
            relationships=dozen(self.relationships_of, self.all_relationships),
            characters=dozen(self.characters_of, self.all_characters),
            freeforms=tuple(_weighted_pick(rng, self.freeform_names, int(rng.integers(*DOZEN)))),
            summary=maker.summaries(rng, np.array([int(rng.integers(15, 60))]))[0],
            notes=maker.summaries(rng, np.array([25]))[0] if rng.random() < 0.5 else "",
            end_notes=maker.summaries(rng, np.array([15]))[0] if rng.random() < 0.3 else "",
            complete=bool(rng.random() < 0.7),
            published=published,
            updated=updated,
            hits=int(rng.lognormal(math.log(500), 1.2)),
            chapters=tuple(chapters),
        )


# Rendering -------------------------------------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def blocks(text: str) -> list[str]:
    return text.split("\n\n")


def html_paragraphs(text: str, p: str = "<p>", hr: str = "<hr/>") -> str:
    return "\n".join(hr if block == "* * *" else f"{p}{esc(block)}</p>" for block in blocks(text))


def source_url(site: str, story: Story) -> str:
    return {
        "plain": f"https://stories.example.org/plain/{story.index + 1}",
        "html": f"https://mossbridge.example.net/archive/story.php?no={story.index + 1}",
        "ao3": f"https://archiveofourown.org/works/{80_000_000 + story.index}",
        "fff": f"https://fanfic.example.net/viewstory.php?sid={story.index + 1000}",
        "epub": f"https://books.example.org/works/{story.index + 1}",
    }[site]


def status_word(story: Story) -> str:
    return "complete" if story.complete else "wip"


def render_plaintext(story: Story) -> bytes:
    """docs/cli.md, "Plain-text stories"; bench/synthetic.py's story_file with every
    field this benchmark checks."""
    header = [
        ("title", story.title),
        ("author", ", ".join(story.creators)),
        ("fandom", ", ".join(story.fandoms)),
        ("category", ", ".join(story.categories)),
        ("rating", story.rating),
        ("warnings", ", ".join(story.warnings)),
        ("pairing", ", ".join(story.relationships)),
        ("characters", ", ".join(story.characters)),
        ("tags", ", ".join(story.freeforms)),
        ("summary", story.summary),
        ("notes", story.notes),
        ("language", "en"),
        ("status", status_word(story)),
        ("chapters", story.chapter_label),
        ("published", story.published.isoformat()),
        ("updated", story.updated.isoformat()),
        ("source", source_url("plain", story)),
    ]
    lines = [f"{key}: {value}" for key, value in header if value]
    body = "\n\n".join(
        f"{story.chapter_heading(n)}\n\n{chapter.text}"
        for n, chapter in enumerate(story.chapters, start=1)
    )
    return ("\n".join(lines) + "\n\n" + body + "\n").encode()


def render_html(story: Story) -> bytes:
    """An old archive's story page (fixtures/html/bold_labels.html, multi_chapter.html)."""
    labels = [
        ("Title", story.title),
        ("Author", ", ".join(story.creators)),
        ("Fandom", ", ".join(story.fandoms)),
        ("Category", ", ".join(story.categories)),
        ("Pairing", ", ".join(story.relationships)),
        ("Characters", ", ".join(story.characters)),
        ("Rating", story.rating),
        ("Warnings", ", ".join(story.warnings)),
        ("Genre", ", ".join(story.freeforms)),
        ("Summary", story.summary),
        ("Notes", story.notes),
        ("Status", "Complete" if story.complete else "Work in Progress"),
        ("Chapters", story.chapter_label),
        ("Published", story.published.isoformat()),
        ("Updated", story.updated.isoformat()),
        ("Source", source_url("html", story)),
    ]
    head = "\n".join(f"<b>{label}:</b> {esc(value)}<br>" for label, value in labels if value)
    chapters = "\n".join(
        f"<h2>{esc(story.chapter_heading(n))}</h2>\n{html_paragraphs(chapter.text)}"
        for n, chapter in enumerate(story.chapters, start=1)
    )
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>Mossbridge Fic Archive :: {esc(story.title)}</title>\n</head>\n"
        f'<body bgcolor="#ffffff">\n<font face="Verdana" size="2">\n{head}\n<br>\n<hr>\n'
        f"{chapters}\n<hr>\n</font>\n</body>\n</html>\n"
    ).encode()


def _ao3_tag_link(name: str, css: str = "") -> str:
    slug = quote(name.replace("/", "*s*").replace("&", "*a*"))
    return f'<a href="https://archiveofourown.org/tags/{slug}"{css}>{esc(name)}</a>'


def _ao3_creator_link(name: str, css: str = "") -> str:
    url = f"https://archiveofourown.org/users/{quote(name)}/pseuds/{quote(name)}"
    return f'<a rel="author" href="{url}"{css}>{esc(name)}</a>'


def _ao3_tag_rows(story: Story, dt: str = "", dd: str = "", a: str = "") -> str:
    groups = [
        ("Rating", (story.rating,)),
        ("Archive Warnings", story.warnings),
        ("Categories" if len(story.categories) > 1 else "Category", story.categories),
        ("Fandoms" if len(story.fandoms) > 1 else "Fandom", story.fandoms),
        ("Relationships", story.relationships),
        ("Characters", story.characters),
        ("Additional Tags", story.freeforms),
    ]
    rows = [
        f"<dt{dt}>{label}:</dt>\n<dd{dd}>{', '.join(_ao3_tag_link(n, a) for n in names)}</dd>"
        for label, names in groups
    ]
    ended = "Completed" if story.complete else "Updated"
    rows += [
        f"<dt{dt}>Language:</dt>\n<dd{dd}>English</dd>",
        f"<dt{dt}>Stats:</dt>\n<dd{dd}>\n  Published: {story.published.isoformat()}\n"
        f"  {ended}: {story.updated.isoformat()}\n  Words: {story.words:,}\n"
        f"  Chapters: {story.chapter_label}\n</dd>",
    ]
    return "\n".join(rows)


def render_ao3(story: Story) -> bytes:
    """AO3's "Download HTML" (fixtures/ao3/lantern_keepers.html)."""
    url = source_url("ao3", story)
    byline = ", ".join(_ao3_creator_link(name) for name in story.creators)
    notes = (
        f'<p>Notes</p>\n<blockquote class="userstuff"><p>{esc(story.notes)}</p></blockquote>\n'
        if story.notes
        else ""
    )
    parts = []
    for n, chapter in enumerate(story.chapters, start=1):
        meta = f'<h2 class="heading">{esc(story.chapter_heading(n))}</h2>\n'
        if chapter.summary:
            meta += (
                '<p>Chapter Summary</p>\n<blockquote class="userstuff">'
                f"<p>{esc(chapter.summary)}</p></blockquote>\n"
            )
        if chapter.notes:
            meta += (
                '<p>Chapter Notes</p>\n<blockquote class="userstuff">'
                f"<p>{esc(chapter.notes)}</p></blockquote>\n"
            )
        parts.append(
            f'<div class="meta group">\n{meta}</div>\n\n<!--chapter content-->\n'
            f'<div class="userstuff">\n{html_paragraphs(chapter.text)}\n</div>\n'
            "<!--/chapter content-->\n"
        )
    end_notes = (
        '<div class="meta">\n<div id="endnotes">\n<p>End Notes</p>\n'
        f'<blockquote class="userstuff"><p>{esc(story.end_notes)}</p></blockquote>\n</div>\n'
        "</div>\n"
        if story.end_notes
        else ""
    )
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>{esc(story.title)} - {esc(", ".join(story.creators))} - {esc(story.fandoms[0])}</title>
</head>
<body>
<div id="preface">
<h2 class="toc-heading">Preface</h2>
<p class="message">
<b>{esc(story.title)}</b><br/>
Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a> at \
<a href="{url}">{url}</a>.
</p>
<div class="meta">
<dl class="tags">
{_ao3_tag_rows(story)}
</dl>
<h1>{esc(story.title)}</h1>
<div class="byline">by {byline}</div>
<p>Summary</p>
<blockquote class="userstuff"><p>{esc(story.summary)}</p></blockquote>
{notes}</div>
</div>
<div id="chapters" class="userstuff">
{"".join(parts)}</div>
<div id="afterword">
<h2 class="toc-heading">Afterword</h2>
{end_notes}<p class="message">Please <a href="{url}/comments/new">drop by the Archive and \
comment</a> to let the creator know if you enjoyed their work!</p>
</div>
</body>
</html>
"""
    return page.encode()


def zip_book(members: dict[str, str | bytes]) -> bytes:
    """An EPUB: `mimetype` first and stored, the rest deflated, with fixed timestamps so
    the bytes are the same on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype", ZIP_TIME), "application/epub+zip")
        for name, data in members.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            book.writestr(info, data)
    return buffer.getvalue()


CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="{path}" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def _calibre_document(title: str, body: str) -> str:
    return f"""<?xml version='1.0' encoding='utf-8'?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{esc(title)}</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<link rel="stylesheet" type="text/css" href="stylesheet.css"/>
</head>
<body class="calibre">
{body}
</body></html>
"""


def render_ao3_epub(story: Story) -> bytes:
    """AO3's EPUB, which calibre makes of the download page
    (fixtures/ao3/lantern_keepers_calibre_epub/): the page split into documents,
    classes renamed, the chapter-content comments gone."""
    url = source_url("ao3", story)
    a = ' class="calibre4"'
    preface = (
        f'<div id="preface" class="calibre1">\n<h2 class="toc-heading" id="calibre_toc_1">'
        f'Preface</h2>\n<p class="message"><b class="calibre2">{esc(story.title)}</b>'
        f'<br class="calibre1"/>\nPosted originally on the <a href="https://archiveofourown.org/"'
        f'{a}>Archive of Our Own</a> at <a href="{url}"{a}>{url}</a>.</p>\n'
        f'<div class="calibre3">\n<dl class="tags">\n'
        f"{_ao3_tag_rows(story, ' class="calibre6"', ' class="calibre7"', a)}\n"
        "</dl>\n</div>\n</div>"
    )
    byline = ", ".join(_ao3_creator_link(name, a) for name in story.creators)
    front = (
        f'<div class="calibre3">\n<h1 class="calibre9">{esc(story.title)}</h1>\n'
        f'<div class="calibre10">by {byline}</div>\n<p class="calibre11">Summary</p>\n'
        f'<blockquote class="calibre12"><p class="calibre13">{esc(story.summary)}</p>'
        "</blockquote>\n"
    )
    if story.notes:
        front += (
            '<p class="calibre11">Notes</p>\n<blockquote class="calibre12">'
            f'<p class="calibre13">{esc(story.notes)}</p></blockquote>\n'
        )
    front += "</div>"
    documents = [preface, front]
    for n, chapter in enumerate(story.chapters, start=1):
        meta = (
            f'<h2 class="heading" id="calibre_toc_{n + 2}">{esc(story.chapter_heading(n))}</h2>\n'
        )
        for label, text in (("Chapter Summary", chapter.summary), ("Chapter Notes", chapter.notes)):
            if text:
                meta += (
                    f'<p class="calibre11">{label}</p>\n<blockquote class="calibre12">'
                    f'<p class="calibre13">{esc(text)}</p></blockquote>\n'
                )
        text = html_paragraphs(chapter.text, '<p class="calibre13">', '<hr class="calibre8"/>')
        documents.append(
            f'<div class="calibre5">\n<div class="calibre3">\n{meta}</div>\n'
            f'<div class="calibre5">\n{text}\n</div>\n</div>'
        )
    afterword = '<div class="calibre1">\n<h2 class="toc-heading">Afterword</h2>\n'
    if story.end_notes:
        afterword += (
            '<div class="calibre3">\n<div class="calibre1" id="endnotes">\n'
            '<p class="calibre11">End Notes</p>\n<blockquote class="calibre12">'
            f'<p class="calibre13">{esc(story.end_notes)}</p></blockquote>\n</div>\n</div>\n'
        )
    afterword += (
        f'<p class="message">Please <a href="{url}/comments/new"{a}>drop by the Archive and '
        "comment</a> to let the creator know if you enjoyed their work!</p>\n</div>"
    )
    documents.append(afterword)
    names = [f"index_split_{i:03d}.html" for i in range(len(documents))]
    book_id = uuid.UUID(int=story.index + (1 << 64))
    subjects = [
        "Fanworks",
        story.rating,
        *story.warnings,
        *story.categories,
        *story.fandoms,
        *story.relationships,
        *story.characters,
        *story.freeforms,
    ]
    creators = "\n".join(
        f'<dc:creator opf:role="aut">{esc(name)}</dc:creator>' for name in story.creators
    )
    opf = f"""<?xml version='1.0' encoding='utf-8'?>
<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="uuid_id" version="2.0">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf" \
xmlns:calibre="http://calibre.kovidgoyal.net/2009/metadata">
<dc:title>{esc(story.title)}</dc:title>
{creators}
<dc:description>{esc(f"<p>{esc(story.summary)}</p>")}</dc:description>
<dc:publisher>Archive of Our Own</dc:publisher>
<dc:identifier id="uuid_id" opf:scheme="uuid">{book_id}</dc:identifier>
<dc:identifier opf:scheme="URL">{url}</dc:identifier>
<dc:language>en</dc:language>
<dc:date>{story.updated.isoformat()}T00:00:00+00:00</dc:date>
{"".join(f"<dc:subject>{esc(s)}</dc:subject>{chr(10)}" for s in subjects)}</metadata>
<manifest>
{
        "".join(
            f'<item href="{n}" id="id{i}" media-type="application/xhtml+xml"/>{chr(10)}'
            for i, n in enumerate(names)
        )
    }<item href="stylesheet.css" id="css" media-type="text/css"/>
<item href="toc.ncx" id="ncx" media-type="application/x-dtbncx+xml"/>
</manifest>
<spine toc="ncx">
{"".join(f'<itemref idref="id{i}"/>{chr(10)}' for i in range(len(names)))}</spine>
</package>
"""
    points = [("Preface", names[0])] + [
        (story.chapter_heading(n), names[n + 1]) for n in range(1, len(story.chapters) + 1)
    ]
    points.append(("Afterword", names[-1]))
    ncx = (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="eng">\n'
        f'<head><meta content="{book_id}" name="dtb:uid"/></head>\n'
        f"<docTitle><text>{esc(story.title)}</text></docTitle>\n<navMap>\n"
        + "".join(
            f'<navPoint id="n{i}" playOrder="{i}"><navLabel><text>{esc(label)}</text>'
            f'</navLabel><content src="{src}"/></navPoint>\n'
            for i, (label, src) in enumerate(points, start=1)
        )
        + "</navMap>\n</ncx>\n"
    )
    members: dict[str, str | bytes] = {
        "META-INF/container.xml": CONTAINER.format(path="content.opf")
    }
    members["content.opf"] = opf
    members["toc.ncx"] = ncx
    members["stylesheet.css"] = ".calibre { display: block }\n"
    for name, body in zip(names, documents, strict=True):
        members[name] = _calibre_document(story.title, body)
    return zip_book(members)


def _fff_entries(story: Story) -> list[tuple[str, str]]:
    """FanFicFare's title page labels (titlepage_entries), in its order."""
    return [
        ("Category", ", ".join(story.fandoms)),
        ("Genre", ", ".join([*story.categories, *story.freeforms])),
        ("Language", "English"),
        ("Characters", ", ".join(story.characters)),
        ("Relationships", ", ".join(story.relationships)),
        ("Status", "Completed" if story.complete else "In-Progress"),
        ("Published", story.published.isoformat()),
        ("Updated", story.updated.isoformat()),
        ("Packaged", PACKAGED),
        ("Rating", story.rating),
        ("Warnings", ", ".join(story.warnings)),
        ("Chapters", str(len(story.chapters))),
        ("Words", f"{story.words:,}"),
        ("Publisher", "fanfic.example.net"),
        ("Story URL", source_url("fff", story)),
        ("Author URL", ", ".join(_fff_author_url(n) for n in story.creators)),
        ("Summary", story.summary),
    ]


def _fff_author_url(name: str) -> str:
    return f"https://fanfic.example.net/viewuser.php?name={quote(name)}"


def _fff_chapter_title(story: Story, position: int) -> str:
    return story.chapters[position - 1].title or f"Chapter {position}"


_WRAP = re.compile(r"(.{1,78})(?: +|$)")


def wrap78(line: str) -> list[str]:
    """A line wrapped at 78 columns at spaces, as FanFicFare's TXT writer wraps."""
    if len(line) <= 78:
        return [line]
    return [match.group(1) for match in _WRAP.finditer(line) if match.group(1)]


def render_fanficfare_txt(story: Story) -> bytes:
    """FanFicFare's TXT (fixtures/fanficfare/salt-and-static.txt)."""
    lines = ["", "", "", *wrap78(story.title), "", f"by {', '.join(story.creators)}", "", "", ""]
    for label, value in _fff_entries(story):
        lines += wrap78(f"{label}: {value}")
    lines += ["", "", "", "", "", "TABLE OF CONTENTS", "", ""]
    for n in range(1, len(story.chapters) + 1):
        lines += [_fff_chapter_title(story, n), ""]
    for n, chapter in enumerate(story.chapters, start=1):
        lines += ["", "", "", "", "        " + _fff_chapter_title(story, n), "", ""]
        for block in blocks(chapter.text):
            lines += [*wrap78(block), ""]
    lines += ["", "", "", "", "End file.", ""]
    return "\r\n".join(lines).encode()


def render_fanficfare_html(story: Story) -> bytes:
    """FanFicFare's HTML (fixtures/fanficfare/salt-and-static.html)."""
    url = source_url("fff", story)
    authors = ", ".join(
        f"<a class='authorlink' href='{attr(_fff_author_url(n))}'>{esc(n)}</a>"
        for n in story.creators
    )
    rows = "\n".join(
        f"<tr><td><b>{label}:</b></td><td>{esc(value)}</td></tr>\n"
        for label, value in _fff_entries(story)
        if label not in ("Story URL", "Author URL")
    )
    toc = "\n".join(
        f'<a href="#section{n:04d}">{esc(_fff_chapter_title(story, n))}</a><br />'
        for n in range(1, len(story.chapters) + 1)
    )
    chapters = "\n".join(
        f'<a name="section{n:04d}"><h2>{esc(_fff_chapter_title(story, n))}</h2></a>\n'
        f"<div>\n{html_paragraphs(chapter.text)}\n</div>"
        for n, chapter in enumerate(story.chapters, start=1)
    )
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(story.title)} by {esc(', '.join(story.creators))}</title>\n"
        '<style type="text/css">\n.full {width: 100%; }\n</style>\n</head>\n<body>\n'
        f'<h1><a href="{attr(url)}">{esc(story.title)}</a> by {authors}</h1>\n\n'
        f'<table class="full">\n\n{rows}\n</table>\n\n'
        f'<a name="TOCTOP"><h2>Table of Contents</h2></a>\n<p>\n{toc}\n</p>\n\n'
        f"{chapters}\n</body>\n</html>\n"
    ).encode()


def render_fanficfare_epub(story: Story) -> bytes:
    """FanFicFare's EPUB 2 (fixtures/fanficfare/salt-and-static.epub)."""
    url = source_url("fff", story)
    sid = story.index + 1000
    authors = ", ".join(
        f"<a class='authorlink' href='{attr(_fff_author_url(n))}'>{esc(n)}</a>"
        for n in story.creators
    )
    entries = "\n".join(
        f"<b>{label}:</b> {esc(value)}<br />\n"
        for label, value in _fff_entries(story)
        if label not in ("Story URL", "Author URL")
    )
    title_page = f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{esc(story.title)} by {esc(", ".join(story.creators))}</title>
<link href="stylesheet.css" type="text/css" rel="stylesheet"/>
</head>
<body class="fff_titlepage">
<h3><a href="{attr(url)}">{esc(story.title)}</a> by {authors}</h3>
<div>
{entries}
</div>
</body>
</html>
"""
    members: dict[str, str | bytes] = {
        "META-INF/container.xml": CONTAINER.format(path="content.opf")
    }
    files = []
    for n, chapter in enumerate(story.chapters, start=1):
        title = esc(_fff_chapter_title(story, n))
        name = f"file{n:04d}"
        files.append((name, _fff_chapter_title(story, n)))
        members[f"OEBPS/{name}.xhtml"] = f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{title}</title>
<link href="stylesheet.css" type="text/css" rel="stylesheet"/>
<meta name="chapterurl" content="{attr(url)}&amp;chapter={n}" />
<meta name="chapterorigtitle" content="{attr(_fff_chapter_title(story, n))}" />
<meta name="chaptertoctitle" content="{attr(_fff_chapter_title(story, n))}" />
<meta name="chaptertitle" content="{attr(_fff_chapter_title(story, n))}" />
</head>
<body class="fff_chapter">
<h3 class="fff_chapter_title">{title}</h3>
<div>
{html_paragraphs(chapter.text)}
</div>
</body>
</html>
"""
    # FanFicFare escapes list values twice in dc:subject ("A &amp;amp; B").
    subjects = [
        *story.categories,
        *story.freeforms,
        *story.fandoms,
        *story.characters,
        *story.relationships,
        f"Last Update: {story.updated:%Y/%m/%d}",
        "Completed" if story.complete else "In-Progress",
    ]
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="fanficfare-uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:identifier id="fanficfare-uid">fanficfare-uid:fanfic.example.net-s{sid}</dc:identifier>
<dc:title id="id">{esc(story.title)}</dc:title>
{"".join(f'<dc:creator opf:role="aut">{esc(n)}</dc:creator>{chr(10)}' for n in story.creators)}\
<dc:contributor id="id-3">FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>
<dc:language>en</dc:language>
<dc:date opf:event="publication">{story.published.isoformat()}</dc:date>
<dc:date opf:event="creation">2026-11-30</dc:date>
<dc:date opf:event="modification">{story.updated.isoformat()}</dc:date>
<dc:description>{esc(story.summary)}</dc:description>
{"".join(f"<dc:subject>{esc(esc(s))}</dc:subject>{chr(10)}" for s in subjects)}\
<dc:publisher>fanfic.example.net</dc:publisher>
<dc:identifier opf:scheme="URL">{esc(url)}</dc:identifier>
<dc:source>{esc(url)}</dc:source>
</metadata>
<manifest>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="style" href="OEBPS/stylesheet.css" media-type="text/css"/>
<item id="title_page" href="OEBPS/title_page.xhtml" media-type="application/xhtml+xml"/>
{
        "".join(
            f'<item id="{n}" href="OEBPS/{n}.xhtml" media-type="application/xhtml+xml"/>{chr(10)}'
            for n, _ in files
        )
    }</manifest>
<spine toc="ncx">
<itemref idref="title_page" linear="yes"/>
{"".join(f'<itemref idref="{n}" linear="yes"/>{chr(10)}' for n, _ in files)}</spine>
</package>
"""
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx version="2005-1" xmlns="http://www.daisy.org/z3986/2005/ncx/">\n<head>\n'
        f'<meta name="dtb:uid" content="fanficfare-uid:fanfic.example.net-s{sid}"/>\n'
        f"</head>\n<docTitle><text>{esc(story.title)}</text></docTitle>\n<navMap>\n"
        '<navPoint id="title_page" playOrder="0"><navLabel><text>Title Page</text></navLabel>'
        '<content src="OEBPS/title_page.xhtml"/></navPoint>\n'
        + "".join(
            f'<navPoint id="{n}" playOrder="{i}"><navLabel><text>{esc(t)}</text></navLabel>'
            f'<content src="OEBPS/{n}.xhtml"/></navPoint>\n'
            for i, (n, t) in enumerate(files, start=1)
        )
        + "</navMap>\n</ncx>\n"
    )
    members["content.opf"] = opf
    members["toc.ncx"] = ncx
    members["OEBPS/stylesheet.css"] = "body { background-color: #ffffff; }\n"
    members["OEBPS/title_page.xhtml"] = title_page
    return zip_book(members)


def generic_epub_subjects(story: Story) -> list[str]:
    """The tags a generic EPUB carries: dc:subject has no types, so all of them are
    read as additional tags."""
    return list(
        dict.fromkeys([*story.fandoms, *story.relationships, *story.characters, *story.freeforms])
    )


def render_epub(story: Story) -> bytes:
    """A generic EPUB 3 with a navigation document (fixtures/epub/moth_hours_epub3/)."""
    url = source_url("epub", story)
    book_id = uuid.UUID(int=story.index + (2 << 64))
    creators = "".join(
        f'<dc:creator id="c{i}">{esc(name)}</dc:creator>\n'
        f'<meta refines="#c{i}" property="role" scheme="marc:relators">aut</meta>\n'
        for i, name in enumerate(story.creators, start=1)
    )
    names = [f"chapter{n:03d}.xhtml" for n in range(1, len(story.chapters) + 1)]
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" \
xml:lang="en">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="pub-id">urn:uuid:{book_id}</dc:identifier>
<dc:title id="t1">{esc(story.title)}</dc:title>
<meta refines="#t1" property="title-type">main</meta>
{creators}<dc:description>{esc(f"<p>{esc(story.summary)}</p>")}</dc:description>
{"".join(f"<dc:subject>{esc(s)}</dc:subject>{chr(10)}" for s in generic_epub_subjects(story))}\
<dc:language>en</dc:language>
<dc:date>{story.published.isoformat()}</dc:date>
<dc:publisher>Quire Editions</dc:publisher>
<dc:source>{esc(url)}</dc:source>
<meta property="dcterms:modified">{story.updated.isoformat()}T00:00:00Z</meta>
</metadata>
<manifest>
<item id="nav" href="xhtml/nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
{
        "".join(
            f'<item id="ch{i}" href="xhtml/{n}" media-type="application/xhtml+xml"/>{chr(10)}'
            for i, n in enumerate(names, start=1)
        )
    }</manifest>
<spine>
<itemref idref="nav"/>
{"".join(f'<itemref idref="ch{i}"/>{chr(10)}' for i in range(1, len(names) + 1))}</spine>
</package>
"""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
    )
    nav = (
        f"{head}<head><title>Contents</title></head>\n<body>\n"
        '<nav epub:type="toc" id="toc">\n<h1>Contents</h1>\n<ol>\n'
        + "".join(
            f'<li><a href="{n}">{esc(story.chapter_heading(i))}</a></li>\n'
            for i, n in enumerate(names, start=1)
        )
        + "</ol>\n</nav>\n</body>\n</html>\n"
    )
    members: dict[str, str | bytes] = {
        "META-INF/container.xml": CONTAINER.format(path="EPUB/package.opf"),
        "EPUB/package.opf": opf,
        "EPUB/xhtml/nav.xhtml": nav,
    }
    for n, (name, chapter) in enumerate(zip(names, story.chapters, strict=True), start=1):
        heading = esc(story.chapter_heading(n))
        members[f"EPUB/xhtml/{name}"] = (
            f'{head}<head><title>{heading}</title></head>\n<body epub:type="bodymatter">\n'
            f'<section epub:type="chapter">\n<h1>{heading}</h1>\n'
            f"{html_paragraphs(chapter.text)}\n</section>\n</body>\n</html>\n"
        )
    return zip_book(members)


# eFiction --------------------------------------------------------------------------------

# An old archive's rating scale, as eFiction's ratings table names it.
EFICTION_RATINGS = {
    GENERAL: "G",
    TEEN: "PG-13",
    MATURE: "R",
    EXPLICIT: "NC-17",
    NOT_RATED: "Not Rated",
}
EFICTION_SITE = "http://archive.example.org/efiction/"
_SQL_ESCAPES = str.maketrans(
    {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\0": "\\0", "\x1a": "\\Z"}
)


def sql_value(value: object) -> str:
    """A value as mysqldump writes it."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).translate(_SQL_ESCAPES) + "'"


@dataclass
class DumpTable:
    name: str
    columns: list[tuple[str, str]]
    """(name, MySQL column definition)."""
    key: str
    rows: list[tuple[object, ...]] = field(default_factory=list)

    def sql(self) -> str:
        """The table as mysqldump writes it: DROP, CREATE, then extended INSERTs of
        about 1 MB each (its net_buffer_length)."""
        table = f"fanfiction_{self.name}"
        columns = ",\n".join(f"  `{name}` {kind}" for name, kind in self.columns)
        out = [
            f"--\n-- Table structure for table `{table}`\n--\n",
            f"DROP TABLE IF EXISTS `{table}`;",
            "/*!40101 SET @saved_cs_client     = @@character_set_client */;",
            "/*!40101 SET character_set_client = utf8mb4 */;",
            f"CREATE TABLE `{table}` (\n{columns},\n  {self.key}\n) ENGINE=InnoDB "
            "DEFAULT CHARSET=utf8mb4;",
            "/*!40101 SET character_set_client = @saved_cs_client */;\n",
            f"--\n-- Dumping data for table `{table}`\n--\n",
            f"LOCK TABLES `{table}` WRITE;",
            f"/*!40000 ALTER TABLE `{table}` DISABLE KEYS */;",
        ]
        statement: list[str] = []
        size = 0
        for row in self.rows:
            values = "(" + ",".join(sql_value(v) for v in row) + ")"
            statement.append(values)
            size += len(values)
            if size > 1_000_000:
                out.append(f"INSERT INTO `{table}` VALUES {','.join(statement)};")  # noqa: S608
                statement, size = [], 0
        if statement:
            out.append(f"INSERT INTO `{table}` VALUES {','.join(statement)};")  # noqa: S608
        out += [f"/*!40000 ALTER TABLE `{table}` ENABLE KEYS */;", "UNLOCK TABLES;\n"]
        return "\n".join(out)


INT = "int(11) NOT NULL DEFAULT '0'"
NAME = "varchar(200) NOT NULL DEFAULT ''"
TEXT = "text"
FLAG = "char(1) NOT NULL DEFAULT '0'"
DATETIME = "datetime DEFAULT NULL"


def efiction_dump(stories: list[Story], stories_dir: Path) -> str:
    """An eFiction 3.5 archive of these stories (fixtures/efiction/lantern.sql): the
    dump's text, with each chapter written to stories_dir/<uid>/<chapid>.txt (the
    `files` store), half as plain text and half as HTML fragments."""
    authors = DumpTable(
        "authors",
        [("uid", "int(11) NOT NULL AUTO_INCREMENT"), ("penname", NAME), ("realname", NAME),
         ("email", NAME), ("website", NAME), ("bio", TEXT), ("image", NAME),
         ("date", DATETIME), ("admincreated", FLAG), ("password", "varchar(40) NOT NULL")],
        "PRIMARY KEY (`uid`)",
    )  # fmt: skip
    categories = DumpTable(
        "categories",
        [("catid", "int(11) NOT NULL AUTO_INCREMENT"),
         ("parentcatid", "int(11) NOT NULL DEFAULT '-1'"),
         ("category", "varchar(60) NOT NULL DEFAULT ''"), ("description", "text NOT NULL"),
         ("image", NAME), ("locked", FLAG), ("leveldown", "tinyint(4) NOT NULL DEFAULT '0'"),
         ("displayorder", INT), ("numitems", INT)],
        "PRIMARY KEY (`catid`)",
    )  # fmt: skip
    characters = DumpTable(
        "characters",
        [("charid", "int(11) NOT NULL AUTO_INCREMENT"), ("catid", INT),
         ("charname", "varchar(60) NOT NULL DEFAULT ''"), ("bio", "text NOT NULL"),
         ("image", NAME)],
        "PRIMARY KEY (`charid`)",
    )  # fmt: skip
    classtypes = DumpTable(
        "classtypes",
        [("classtype_id", "int(11) NOT NULL AUTO_INCREMENT"),
         ("classtype_name", "varchar(50) NOT NULL DEFAULT ''"),
         ("classtype_title", "varchar(50) NOT NULL DEFAULT ''")],
        "PRIMARY KEY (`classtype_id`)",
        [(1, "genres", "Genres"), (2, "warnings", "Warnings"), (3, "pairings", "Pairings")],
    )  # fmt: skip
    classes = DumpTable(
        "classes",
        [("class_id", "int(11) NOT NULL AUTO_INCREMENT"), ("class_type", INT),
         ("class_name", "varchar(100) NOT NULL DEFAULT ''")],
        "PRIMARY KEY (`class_id`)",
    )  # fmt: skip
    ratings = DumpTable(
        "ratings",
        [("rid", "int(11) NOT NULL AUTO_INCREMENT"), ("rating", "varchar(60) NOT NULL"),
         ("ratingwarning", FLAG), ("warningtext", "text NOT NULL")],
        "PRIMARY KEY (`rid`)",
        [(i, name, "1" if name == "NC-17" else "0",
          "Adults only." if name == "NC-17" else "")
         for i, name in enumerate(EFICTION_RATINGS.values(), start=1)],
    )  # fmt: skip
    coauthors = DumpTable("coauthors", [("sid", INT), ("uid", INT)], "PRIMARY KEY (`sid`,`uid`)")
    settings = DumpTable(
        "settings",
        [("sitekey", "varchar(50) NOT NULL DEFAULT '1'"), ("sitename", NAME), ("slogan", NAME),
         ("url", NAME), ("siteemail", NAME), ("tableprefix", NAME),
         ("language", "varchar(10) NOT NULL DEFAULT 'en'"),
         ("storiespath", "varchar(20) NOT NULL DEFAULT 'stories'"),
         ("store", "varchar(5) NOT NULL DEFAULT 'files'")],
        "PRIMARY KEY (`sitekey`)",
        [("1", "The Synthetic Archive", "Stories made of numbers", EFICTION_SITE,
          "keeper@example.org", "", "en", "stories", "files")],
    )  # fmt: skip
    story_table = DumpTable(
        "stories",
        [("sid", "int(11) NOT NULL AUTO_INCREMENT"), ("title", NAME), ("summary", TEXT),
         ("storynotes", TEXT), ("catid", "varchar(100) NOT NULL DEFAULT '0'"),
         ("classes", "varchar(200) DEFAULT NULL"), ("charid", "varchar(250) NOT NULL DEFAULT '0'"),
         ("rid", "varchar(25) NOT NULL DEFAULT '0'"), ("date", DATETIME), ("updated", DATETIME),
         ("uid", INT), ("coauthors", "varchar(200) DEFAULT NULL"), ("featured", FLAG),
         ("validated", FLAG), ("completed", FLAG), ("rr", FLAG), ("wordcount", INT),
         ("rating", "tinyint(4) NOT NULL DEFAULT '0'"),
         ("reviews", "smallint(6) NOT NULL DEFAULT '0'"), ("count", INT),
         ("challenges", "varchar(200) NOT NULL DEFAULT '0'")],
        "PRIMARY KEY (`sid`)",
    )  # fmt: skip
    chapters = DumpTable(
        "chapters",
        [("chapid", "int(11) NOT NULL AUTO_INCREMENT"),
         ("title", "varchar(250) NOT NULL DEFAULT ''"), ("inorder", INT),
         ("notes", "text NOT NULL"), ("storytext", TEXT), ("endnotes", TEXT),
         ("validated", FLAG), ("wordcount", INT), ("rating", "tinyint(4) NOT NULL DEFAULT '0'"),
         ("reviews", "smallint(6) NOT NULL DEFAULT '0'"), ("sid", INT), ("uid", INT),
         ("count", INT)],
        "PRIMARY KEY (`chapid`),\n  KEY `sid` (`sid`)",
    )  # fmt: skip

    def registry(
        table: DumpTable, make: Callable[[int, str], tuple[object, ...]]
    ) -> Callable[[str], int]:
        ids: dict[str, int] = {}

        def get(name: str) -> int:
            if name not in ids:
                ids[name] = len(ids) + 1
                table.rows.append(make(ids[name], name))
            return ids[name]

        return get

    uid_of = registry(
        authors,
        lambda i, name: (i, name, "", f"{quote(name)}@example.org", "", "", "",
                         "2006-01-01 00:00:00", "0", "5f4dcc3b5aa765d61d8327deb882cf99"),
    )  # fmt: skip
    catid_of = registry(categories, lambda i, name: (i, -1, name, "", "", "0", 0, i, 0))
    class_ids: dict[tuple[int, str], int] = {}

    def class_of(kind: int, name: str) -> int:
        if (kind, name) not in class_ids:
            class_ids[kind, name] = len(class_ids) + 1
            classes.rows.append((class_ids[kind, name], kind, name))
        return class_ids[kind, name]

    char_ids: dict[str, int] = {}
    rid_of = {rating: i for i, rating in enumerate(EFICTION_RATINGS, start=1)}
    chapid = 0
    for story in stories:
        sid = story.index + 1
        uids = [uid_of(name) for name in story.creators]
        for uid in uids[1:]:
            coauthors.rows.append((sid, uid))
        catids = [catid_of(name) for name in (*story.fandoms, *story.categories)]
        charids = []
        for name in story.characters:
            if name not in char_ids:
                char_ids[name] = len(char_ids) + 1
                characters.rows.append((char_ids[name], catids[0], name, "", ""))
            charids.append(char_ids[name])
        class_list = (
            [class_of(1, name) for name in story.freeforms]
            + [class_of(2, name) for name in story.warnings]
            + [class_of(3, name) for name in story.relationships]
        )
        stamp = f"{story.published.isoformat()} 20:11:05"
        story_table.rows.append(
            (sid, story.title, story.summary, story.notes, ",".join(map(str, catids)),
             ",".join(map(str, class_list)), ",".join(map(str, charids)),
             str(rid_of[story.rating]), stamp, f"{story.updated.isoformat()} 08:00:00",
             uids[0], "1" if len(uids) > 1 else "0", "0", "1", "1" if story.complete else "0",
             "0", story.words, 0, 0, story.hits, "0")
        )  # fmt: skip
        for position, chapter in enumerate(story.chapters, start=1):
            chapid += 1
            if sid % 2:
                text = "\r\n\r\n".join(blocks(chapter.text))
            else:
                text = "\r\n".join(
                    "<hr />" if b == "* * *" else f"<p>{esc(b)}</p>" for b in blocks(chapter.text)
                )
            folder = stories_dir / str(uids[0])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{chapid}.txt").write_bytes(text.encode())
            words = sum(1 for w in chapter.text.split() if w != "*")
            chapters.rows.append(
                (chapid, chapter.title, position, chapter.notes, "", None, "1", words, 0, 0,
                 sid, uids[0], story.hits // len(story.chapters))
            )  # fmt: skip
    tables = [authors, categories, chapters, characters, classes, classtypes, coauthors,
              ratings, settings, story_table]  # fmt: skip
    head = (
        "-- MySQL dump 10.13  Distrib 5.7.44, for Linux (x86_64)\n--\n"
        "-- Host: localhost    Database: synthetic\n"
        "-- ------------------------------------------------------\n"
        "-- Server version\t5.7.44\n\n"
        "/*!40101 SET NAMES utf8mb4 */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n"
        "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n\n"
    )
    return head + "\n".join(table.sql() for table in tables) + "\n-- Dump completed\n"


# Formats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    render: Callable[[Story], bytes] | None
    """One file a work; None for a whole archive (eFiction)."""
    typed_tags: bool = True
    """False: every tag arrives as an additional tag (a generic EPUB's dc:subject)."""


FORMATS = {
    f.name: f
    for f in (
        Format("plaintext", ".txt", render_plaintext),
        Format("html", ".html", render_html),
        Format("ao3", ".html", render_ao3),
        Format("ao3-epub", ".epub", render_ao3_epub),
        Format("fanficfare-txt", ".txt", render_fanficfare_txt),
        Format("fanficfare-html", ".html", render_fanficfare_html),
        Format("fanficfare-epub", ".epub", render_fanficfare_epub),
        Format("epub", ".epub", render_epub, typed_tags=False),
        Format("efiction", ".sql", None),
    )
}


_CORPUS: Corpus | None = None  # for the forked writers
_RENDER: Callable[[Story], bytes] | None = None


def _write_files(task: tuple[Path, str, list[int]]) -> list[tuple[int, int, str]]:
    directory, extension, indexes = task
    assert _CORPUS is not None and _RENDER is not None
    written = []
    for index in indexes:
        data = _RENDER(_CORPUS.story(index))
        path = story_path(directory, index).with_suffix(extension)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append((index, len(data), hashlib.sha256(data).hexdigest()))
    return written


@dataclass
class Inputs:
    """What was written for one format."""

    paths: list[Path]
    """The story files (eFiction: the dump)."""
    bytes: int
    files: int
    digest: str
    """SHA-256 over the files' own digests, in order: equal across runs means the
    same input."""
    seconds: float
    stories_dir: Path | None = None


def write_inputs(
    corpus: Corpus, fmt: Format, directory: Path, indexes: list[int], jobs: int
) -> Inputs:
    """Works `indexes` in format `fmt` under `directory`, rendered by `jobs` forked
    processes (the corpus is inherited, not pickled)."""
    global _CORPUS, _RENDER
    directory.mkdir(parents=True, exist_ok=True)
    with stopwatch() as elapsed:
        if fmt.render is None:
            stories_dir = directory / "stories"
            dump = directory / "archive.sql"
            data = efiction_dump([corpus.story(i) for i in indexes], stories_dir).encode()
            dump.write_bytes(data)
            chapter_files = sorted(stories_dir.rglob("*.txt"))
            digest = hashlib.sha256(hashlib.sha256(data).digest())
            size = len(data)
            for path in chapter_files:
                chunk = path.read_bytes()
                size += len(chunk)
                digest.update(hashlib.sha256(chunk).digest())
            inputs = Inputs([dump], size, 1 + len(chapter_files), digest.hexdigest(), 0.0)
            inputs.stories_dir = stories_dir
        else:
            _CORPUS, _RENDER = corpus, fmt.render
            step = max(1, min(50, len(indexes) // (4 * jobs) or 1))
            tasks = [
                (directory, fmt.extension, indexes[i : i + step])
                for i in range(0, len(indexes), step)
            ]
            if jobs > 1 and len(tasks) > 1:
                with multiprocessing.get_context("fork").Pool(jobs) as pool:
                    parts = list(pool.imap(_write_files, tasks))
            else:
                parts = list(map(_write_files, tasks))
            _CORPUS = _RENDER = None
            rows = [row for part in parts for row in part]
            digest = hashlib.sha256()
            for _, _, sha in rows:
                digest.update(bytes.fromhex(sha))
            paths = [story_path(directory, i).with_suffix(fmt.extension) for i in indexes]
            inputs = Inputs(paths, sum(r[1] for r in rows), len(rows), digest.hexdigest(), 0.0)
    inputs.seconds = elapsed[0]
    return inputs


# Running the app -------------------------------------------------------------------------


def app_env(data_dir: Path, tasks: str) -> dict[str, str]:
    """The environment of a console-script run: SQLite in its own data directory."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["FANARCHIVE_DATA_DIR"] = str(data_dir)
    env["FANARCHIVE_TASKS"] = tasks
    env.setdefault("LOG_LEVEL", "ERROR")
    return env


def fanarchive(args: list[str], env: dict[str, str], stdout: Any, stderr: Any) -> int:
    command = [sys.executable, "-m", "fanarchive", *args]
    return subprocess.run(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr).returncode  # noqa: S603


def migrated_template(parent: Path, tasks: str) -> Path:
    """An empty archive, migrated once: each run starts from a copy of it, so no
    timing includes migrations and a small run does not spend its time on them."""
    template = parent / "empty-archive"
    template.mkdir()
    log_path = parent / "migrate.log"
    with log_path.open("w") as out:
        code = fanarchive(["migrate", "--no-input", "-v", "0"], app_env(template, tasks), out, out)
    if code:
        raise BenchmarkFailure(f"migrate failed ({code}): {log_path.read_text()[-2000:]}")
    return template


def fresh_data_dir(parent: Path, name: str, tasks: str) -> tuple[Path, dict[str, str]]:
    """A new data directory holding a copy of the migrated empty archive."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))
    shutil.copytree(parent / "empty-archive", data_dir, dirs_exist_ok=True)
    return data_dir, app_env(data_dir, tasks)


def import_command(fmt: Format, inputs: Inputs, jobs: int) -> list[str]:
    if fmt.render is None:
        assert inputs.stories_dir is not None
        return ["import-efiction", str(inputs.paths[0]), "--stories", str(inputs.stories_dir)]
    directory = inputs.paths[0].parent.parent
    return ["import", str(directory), "--jobs", str(jobs)]


def summary_of(stderr: str) -> tuple[dict[str, int], float | None]:
    """The counts and seconds of the command's last summary line."""
    found = SUMMARY_LINE.findall(stderr)
    if not found:
        return {}, None
    *counts, seconds = found[-1]
    return dict(zip(STATUSES, map(int, counts), strict=True)), float(seconds)


def failure_lines(stderr: str, limit: int = 10) -> str:
    lines = [line for line in stderr.splitlines() if not line.startswith(("imported", "progress"))]
    return "\n".join(lines[-limit:])


def import_once(
    fmt: Format, inputs: Inputs, works: int, jobs: int, parent: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """One timed run of the console script in a fresh data directory."""
    data_dir, env = fresh_data_dir(parent, f"{fmt.name}-jobs{jobs}", args.tasks)
    err_path = data_dir / "import.log"
    # Other processes on a shared machine slow a run: the load says when they did.
    load = round(os.getloadavg()[0], 2)
    with err_path.open("w") as err:
        started = time.perf_counter()
        code = fanarchive(import_command(fmt, inputs, jobs), env, subprocess.DEVNULL, err)
        seconds = time.perf_counter() - started
    stderr = err_path.read_text()
    counts, inside = summary_of(stderr)
    if code != 0 or counts.get("imported") != works or sum(counts.values()) != works:
        raise BenchmarkFailure(
            f"{fmt.name} --jobs {jobs}: exit code {code}, {counts or 'no summary'} for "
            f"{works} works\n{failure_lines(stderr)}"
        )
    database = data_dir / "fanarchive.sqlite3"
    size = database.stat().st_size if database.exists() else None
    if not args.keep:
        shutil.rmtree(data_dir)
    return {
        "seconds": seconds,
        "inside_seconds": inside,
        "database_bytes": size,
        "load_average_before": load,
    }


def timed_import(
    fmt: Format, inputs: Inputs, works: int, jobs: int, parent: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """The fastest of `--repeat` runs: on a shared machine the other processes only
    ever slow a run down."""
    runs = [import_once(fmt, inputs, works, jobs, parent, args) for _ in range(args.repeat)]
    best = min(runs, key=lambda run: run["seconds"])
    return {
        "jobs": jobs if fmt.render is not None else None,
        **best,
        "mb_per_s": inputs.bytes / 1e6 / best["seconds"],
        "works_per_s": works / best["seconds"],
        "all_seconds": [round(run["seconds"], 2) for run in runs],
        "all_load_averages": [run["load_average_before"] for run in runs],
    }


def startup_seconds(parent: Path, args: argparse.Namespace) -> float:
    """`fanarchive import` of an empty folder: the interpreter, Django and the command,
    which every timed run includes once."""
    data_dir, env = fresh_data_dir(parent, "startup", args.tasks)
    empty = data_dir / "empty"
    empty.mkdir()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        code = fanarchive(["import", str(empty)], env, subprocess.DEVNULL, subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        if code:
            raise BenchmarkFailure(f"importing an empty folder failed ({code})")
    shutil.rmtree(data_dir)
    return min(times)


# Checking --------------------------------------------------------------------------------


def expected_fields(story: Story, fmt: Format) -> dict[str, Any]:
    """What `--json` must say of the work; None: not compared."""
    fields: dict[str, Any] = {
        "status": "imported",
        "title": story.title,
        "chapters": len(story.chapters),
        "rating": story.rating,
        "warnings": sorted(story.warnings),
        "category": sorted(story.categories),
        "fandoms": sorted(story.fandoms),
        "relationships": sorted(story.relationships),
        "characters": sorted(story.characters),
        "freeforms": sorted(story.freeforms),
        "creators": list(story.creators),
    }
    if not fmt.typed_tags:
        fields.update(
            rating=None,
            warnings=None,
            category=[],
            fandoms=[],
            relationships=[],
            characters=[],
            freeforms=sorted(generic_epub_subjects(story)),
        )
    return fields


TAG_KEYS = ("warnings", "category", "fandoms", "relationships", "characters", "freeforms")


def compare(story: Story, fmt: Format, got: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(failures, notes): a failure is a wrong status, title, rating, chapter count,
    number of tags of a type or word count beyond WORD_TOLERANCE; a note is a tag list
    of the right length with other names in it (the count is what the benchmark
    needs; the names are reported for the importers' owners)."""
    failures, notes = [], []
    for key, want in expected_fields(story, fmt).items():
        if want is None:
            continue
        have = got.get(key)
        if key in TAG_KEYS or key == "creators":
            if len(have or []) != len(want):
                failures.append(f"{key}: {len(have or [])} instead of {len(want)}: {have}")
            elif sorted(have) != sorted(want):
                notes.append(f"{key}: {sorted(set(have) ^ set(want))}")
        elif have != want:
            failures.append(f"{key}: {have!r} instead of {want!r}")
    words = got.get("words") or 0
    if abs(words - story.words) > WORD_TOLERANCE * story.words:
        failures.append(f"words: {words} instead of about {story.words}")
    return failures, notes


def check_format(
    corpus: Corpus, fmt: Format, indexes: list[int], parent: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Import works `indexes` with --json and compare each with its source."""
    inputs = write_inputs(corpus, fmt, parent / f"check-{fmt.name}", indexes, 1)
    data_dir, env = fresh_data_dir(parent, f"check-{fmt.name}", args.tasks)
    if fmt.render is None:
        command = [*import_command(fmt, inputs, 1), "--json"]
    else:
        command = ["import", *map(str, inputs.paths), "--json"]
    out_path, err_path = data_dir / "check.json", data_dir / "check.log"
    with out_path.open("w") as out, err_path.open("w") as err:
        code = fanarchive(command, env, out, err)
    results = [json.loads(line) for line in out_path.read_text().splitlines() if line.strip()]
    if code != 0 or len(results) != len(indexes):
        raise BenchmarkFailure(
            f"check of {fmt.name}: exit code {code}, {len(results)} results for "
            f"{len(indexes)} works\n{failure_lines(err_path.read_text())}"
        )
    failures, notes = [], []
    for index, got in zip(indexes, results, strict=True):
        story = corpus.story(index)
        bad, odd = compare(story, fmt, got)
        failures += [f"work {index} ({got.get('file')}): {line}" for line in bad]
        notes += [f"work {index}: {line}" for line in odd]
    if failures:
        raise BenchmarkFailure(f"check of {fmt.name} failed:\n" + "\n".join(failures[:20]))
    if not args.keep:
        shutil.rmtree(data_dir)
        shutil.rmtree(parent / f"check-{fmt.name}")
    return {"works": len(indexes), "name_differences": notes[:20]}


# Reading alone and the floor -------------------------------------------------------------


def read_alone(fmt: Format, inputs: Inputs, works: int) -> dict[str, Any]:
    """The read step in this process, on one core: what a --jobs worker does."""
    from fanarchive.ingest.reading import prepare, read_path

    count = 0
    errors: list[str] = []
    with stopwatch() as elapsed:
        if fmt.render is None:
            from fanarchive.ingest.efiction import Archive, DumpTables

            dump = inputs.paths[0]
            tables = DumpTables(dump)
            try:
                archive = Archive(
                    tables,
                    label=str(dump),
                    source=str(dump.resolve()),
                    default_name=dump.stem,
                    stories_dir=inputs.stories_dir,
                )
                for story in archive.stories():
                    if story.work is None:
                        errors.append(f"{story.label}: {story.error}")
                        continue
                    prepare(story.work)
                    count += 1
            finally:
                tables.close()
        else:
            for path in inputs.paths:
                for read in read_path(path):
                    if read.error:
                        errors.append(f"{read.file}: {read.error}")
                    count += len(read.works)
    if errors or count != works:
        raise BenchmarkFailure(
            f"reading {fmt.name}: {count} works of {works}; " + "; ".join(errors[:5])
        )
    return {
        "seconds": elapsed[0],
        "mb_per_s": inputs.bytes / 1e6 / elapsed[0],
        "works_per_s": works / elapsed[0],
    }


def measure_floor(corpus: Corpus, plaintext_dir: Path, parent: Path) -> dict[str, Any]:
    """bench/search.py's FTS5 floor over the plain-text files' story text."""
    text_bytes = sum(
        len(story_body(story_path(plaintext_dir, i).read_bytes()).encode())
        for i in range(corpus.works)
    )
    path = parent / f"floor-{time.monotonic_ns()}.sqlite3"
    floor = SqliteFloor(path)
    try:
        seconds = floor.import_text(corpus.archive, plaintext_dir)
    finally:
        floor.close()
    for leftover in parent.glob(f"{path.name}*"):
        leftover.unlink()
    return {
        "text_bytes": text_bytes,
        "seconds": seconds,
        "mb_per_s": text_bytes / 1e6 / seconds,
        "works_per_s": corpus.works / seconds,
    }


# The run ---------------------------------------------------------------------------------


@dataclass
class FormatResult:
    name: str
    files: int
    works: int
    input_bytes: int
    digest: str
    render_seconds: float
    check: dict[str, Any]
    read: dict[str, Any]
    imports: list[dict[str, Any]]


def describe(corpus: Corpus) -> dict[str, Any]:
    """The corpus in figures (every work made once, its text dropped again)."""
    words, chapters, tags = [], [], []
    for index in range(corpus.works):
        story = corpus.story(index)
        words.append(story.words)
        chapters.append(len(story.chapters))
        tags.append(
            1 + len(story.warnings) + len(story.categories) + len(story.fandoms)
            + len(story.relationships) + len(story.characters) + len(story.freeforms)
        )  # fmt: skip
    return {
        "words_total": int(sum(words)),
        "words_mean": round(float(np.mean(words))),
        "words_median": round(float(np.median(words))),
        "words_max": int(max(words)),
        "chapters_mean": round(float(np.mean(chapters)), 1),
        "chapters_max": int(max(chapters)),
        "tags_mean": round(float(np.mean(tags)), 1),
        "most_chapters": int(np.argmax(chapters)),
    }


def check_indexes(works: int, count: int, longest: int) -> list[int]:
    """`count` works spread evenly over the corpus, and the one of most chapters."""
    spread = np.linspace(0, works - 1, max(1, min(count, works)))
    return sorted({*(int(i) for i in spread), longest})


def run(args: argparse.Namespace) -> dict[str, Any]:
    preset = PRESETS[args.preset]
    works = args.works or preset.works
    formats = [FORMATS[name] for name in FORMATS if name in args.formats]
    parent = Path(tempfile.mkdtemp(prefix="fanarchive-formats-", dir=args.dir))
    started = time.perf_counter()
    report: dict[str, Any] = {
        "preset": args.preset,
        "works": works,
        "seed": args.seed,
        "tasks": args.tasks,
        "machine": machine(),
        "directory": str(parent),
    }
    try:
        log(f"making the corpus: {works:,} works, seed {args.seed}")
        corpus = Corpus(works, args.seed)
        indexes = list(range(works))
        report["corpus"] = describe(corpus)
        log(f"corpus: {report['corpus']}")
        # The floor reads the plain-text story files: they are written first and kept.
        plaintext_dir = parent / "inputs-plaintext"
        plaintext = write_inputs(
            corpus, FORMATS["plaintext"], plaintext_dir, indexes, args.render_jobs
        )
        floors = [measure_floor(corpus, plaintext_dir, parent)]
        log(
            f"floor (FTS5 insert): {floors[0]['mb_per_s']:.2f} MB/s, "
            f"{floors[0]['works_per_s']:.0f} works/s"
        )
        migrated_template(parent, args.tasks)
        report["startup_seconds"] = startup_seconds(parent, args)
        log(f"startup (import of an empty folder): {report['startup_seconds']:.2f} s")
        results = []
        for fmt in formats:
            log(f"{fmt.name}: checking {args.check or preset.check} works")
            check = check_format(
                corpus,
                fmt,
                check_indexes(works, args.check or preset.check, report["corpus"]["most_chapters"]),
                parent,
                args,
            )
            if check["name_differences"]:
                log(f"  names differ (counts agree): {check['name_differences'][:3]}")
            if fmt.name == "plaintext":
                inputs = plaintext
            else:
                log(f"{fmt.name}: rendering {works:,} works")
                inputs = write_inputs(
                    corpus, fmt, parent / f"inputs-{fmt.name}", indexes, args.render_jobs
                )
            log(
                f"{fmt.name}: {inputs.files:,} files, {inputs.bytes / 1e6:.1f} MB "
                f"({inputs.seconds:.1f} s); reading alone"
            )
            read = read_alone(fmt, inputs, works)
            log(f"{fmt.name}: read alone {read['mb_per_s']:.2f} MB/s")
            imports = []
            for jobs in args.jobs if fmt.render is not None else [1]:
                result = timed_import(fmt, inputs, works, jobs, parent, args)
                imports.append(result)
                log(
                    f"{fmt.name}: import --jobs {jobs}: {result['seconds']:.1f} s, "
                    f"{result['mb_per_s']:.2f} MB/s, {result['works_per_s']:.1f} works/s"
                )
            results.append(
                FormatResult(
                    fmt.name, inputs.files, works, inputs.bytes, inputs.digest[:16],
                    inputs.seconds, check, read, imports,
                )
            )  # fmt: skip
            if fmt.name != "plaintext" and not args.keep:
                shutil.rmtree(parent / f"inputs-{fmt.name}")
        floors.append(measure_floor(corpus, plaintext_dir, parent))
        log(f"floor again: {floors[1]['mb_per_s']:.2f} MB/s")
        report["floor"] = floors
        report["formats"] = [asdict(result) for result in results]
    finally:
        if not args.keep:
            shutil.rmtree(parent, ignore_errors=True)
    report["wall_seconds"] = time.perf_counter() - started
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def print_report(report: dict[str, Any], jobs: Iterable[int]) -> None:
    jobs = list(jobs)
    m, c = report["machine"], report["corpus"]
    floor_rates = [f["mb_per_s"] for f in report["floor"]]
    floor_works = [f["works_per_s"] for f in report["floor"]]
    best_floor = max(floor_works)
    lines = [
        f"date: {m['date']}  machine: {m['machine']}, {m['cpus']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, SQLite {m['sqlite']}",
        f"works: {report['works']:,} per format (seed {report['seed']}): "
        f"{c['words_total']:,} words, a work {c['words_mean']:,} on average (median "
        f"{c['words_median']:,}, at most {c['words_max']:,}), {c['chapters_mean']} chapters "
        f"(at most {c['chapters_max']}), {c['tags_mean']} tags; tasks: {report['tasks']}",
        f"startup of the console script (import of an empty folder): "
        f"{report['startup_seconds']:.2f} s, included in every time below",
        "",
    ]
    header = "| format | files | works | MB |"
    rule = "|---|---:|---:|---:|"
    for j in jobs:
        header += f" `--jobs {j}` s | MB/s | works/s |"
        rule += "---:|---:|---:|"
    header += " read alone, 1 core: MB/s | works/s | best import / floor, works/s |"
    rule += "---:|---:|---:|"
    lines += [header, rule]
    for result in report["formats"]:
        by_jobs = {r["jobs"]: r for r in result["imports"]}
        row = (
            f"| {result['name']} | {result['files']:,} | {result['works']:,} | "
            f"{result['input_bytes'] / 1e6:,.1f} |"
        )
        for j in jobs:
            r = by_jobs.get(j) or (by_jobs.get(None) if j == jobs[0] else None)
            row += (
                f" {r['seconds']:.1f} | {r['mb_per_s']:.2f} | {r['works_per_s']:.1f} |"
                if r
                else " - | - | - |"
            )
        best = max(r["works_per_s"] for r in result["imports"])
        row += (
            f" {result['read']['mb_per_s']:.2f} | {result['read']['works_per_s']:.1f} | "
            f"{best / best_floor:.0%} |"
        )
        lines.append(row)
    text_mb = report["floor"][0]["text_bytes"] / 1e6
    lines += [
        "",
        f"floor, bare FTS5 insert of the same story text ({text_mb:.1f} MB, "
        f"{report['works']:,} works), start / end of the run: "
        + " / ".join(f"{r:.2f}" for r in floor_rates)
        + " MB/s, "
        + " / ".join(f"{w:.0f}" for w in floor_works)
        + " works/s",
        f"wall time {report['wall_seconds']:.0f} s; load average at the end "
        f"{report['load_average_end']}",
    ]
    for result in report["formats"]:
        if result["check"]["name_differences"]:
            lines.append(
                f"note: {result['name']}: tag names differ from the source (counts agree): "
                + "; ".join(result["check"]["name_differences"][:3])
            )
    print("\n".join(lines), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Import throughput for each rescue format, beside a bare FTS5 floor.",
        epilog="Works per format: "
        + ", ".join(f"{name} {p.works:,}" for name, p in PRESETS.items()),
    )
    parser.add_argument("--preset", choices=PRESETS, default="small")
    parser.add_argument("--works", type=int, help="override the preset's works per format")
    parser.add_argument("--check", type=int, help="works checked field by field per format")
    parser.add_argument(
        "--formats", nargs="+", choices=FORMATS, default=list(FORMATS), metavar="FORMAT",
        help=f"formats to measure (default all: {', '.join(FORMATS)})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=list(JOBS), help="`import --jobs` values (1 3)"
    )
    parser.add_argument(
        "--tasks", choices=("database", "immediate"), default="database",
        help="FANARCHIVE_TASKS for the imports: database (default) queues the tag inference "
        "as bench/search.py does; immediate runs it inside the import, as a plain install does",
    )  # fmt: skip
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed runs of each import; the fastest counts"
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--out", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the inputs and data dirs")
    parser.add_argument("--dir", type=Path, help="where the run's temporary folder goes")
    parser.add_argument(
        "--render-jobs", type=int, default=os.cpu_count() or 1, help="processes rendering files"
    )
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    try:
        report = run(args)
    except BenchmarkFailure as error:
        print(f"FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, default=str))
    print_report(report, args.jobs)


if __name__ == "__main__":
    main()
