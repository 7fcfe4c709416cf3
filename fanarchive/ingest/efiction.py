"""Whole eFiction 3.5 archives: a MySQL dump or a live database, and its story files.

eFiction (efiction.org) keeps an archive in tables named ``<prefix>fanfiction_*``
(formats.md section 5; the schema is in eFiction's ``install/`` scripts and in
otwcode/open-doors-eFiction ``efiction/eFiction_table_defs.py``). A story is a row of
``stories`` whose lists (``catid``, ``charid``, ``classes``) are comma-separated ids
into the other tables; its chapters are rows of ``chapters``, with the text in
``storytext`` or, with eFiction's default ``files`` store, in
``stories/<uid>/<chapid>.txt`` (an HTML fragment or plain text, often cp1252).

:class:`Archive` reads the tables through :class:`DumpTables` (a dump, read once with
:mod:`fanarchive.lib.sqldump` into a temporary SQLite file so a large archive needs
little memory) or :class:`DatabaseTables` (PyMySQL), and yields one :class:`Story` per
story: a ``ParsedWork``, or why it could not be read. Where each thing goes:

* categories (a tree; ``parentcatid`` -1 is the top) -> fandoms (an AO3 category name,
  "Gen" or "M/M", -> category), each category's path kept in ``fields`` when nested;
  characters -> characters; classes by class type: genres -> additional tags,
  warnings -> archive warnings where they mean one, else additional tags, a type
  that names a tag type (characters, pairings, ...) -> that type, any other ->
  additional tags written "Type: name"; older archives' ``genres`` and ``warnings``
  tables (``stories.gid`` and ``wid`` holding names or ids) alike;
* ``rid`` -> the rating named in ``ratings`` (by id, or by name in archives that
  stored names), read by ``labels.rating_from``; ``stories.rating`` is the average
  review score and stays in ``fields`` with every other column that has no home;
* author and ``coauthors`` -> creators, their email, real name, website and bio ->
  private contacts; ``series``/``inseries`` -> series with positions (a story may be
  in several); ``completed`` -> complete or WIP; ``date``/``updated`` (datetime or
  Unix time) -> dates; ``count`` -> hits; ``stories.reviews`` (a count) -> comments;
  summary and story notes -> summary and notes; rows of ``reviews`` about the story
  (type ST) -> reviews, with the position of the chapter reviewed;
* chapters in ``inorder``, each with its title, notes and end notes.

A story not validated (``validated`` 0), or none of whose chapters is, was never
published on its archive: it is read all the same, marked ``published=False`` for the
caller to keep as a draft. A validated story's chapters not validated yet are not made
chapters: their titles and text are kept in ``fields``.

``content_hash`` is a SHA-256 over the story's rows, its chapter files and what was
read from them, so importing the same archive again finds every work unchanged.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import pickle
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from fanarchive.ingest.importers.labels import (
    Group,
    apply_fields,
    apply_names,
    date_from,
    group_of,
)
from fanarchive.ingest.parsed import (
    CreatorContact,
    ParsedChapter,
    ParsedReview,
    ParsedSeries,
    ParsedWork,
    ParseError,
)
from fanarchive.lib.html import html_to_text, looks_like_html
from fanarchive.lib.prose import balance_html, html_to_chapters, text_to_html
from fanarchive.lib.sqldump import DumpReader, Value, decode_value
from fanarchive.lib.text import strip_controls
from fanarchive.lib.textdecode import UndecodableText, decode_text, repair

NAME = "efiction"
VERSION = "1"

log = logging.getLogger(__name__)

TABLE_STEM = "fanfiction_"
# The tables read, by their name after the prefix and "fanfiction_".
TABLES = frozenset({
    "authors", "categories", "challenges", "chapters", "characters", "classes",
    "classtypes", "coauthors", "genres", "inseries", "ratings", "reviews", "series",
    "settings", "stories", "warnings",
})  # fmt: skip
# Tables read story by story rather than whole, and the column naming the story.
_PER_STORY = {"chapters": ("sid",), "reviews": ("item", "sid")}


class ArchiveError(ValueError):
    """Tables that are no eFiction archive, or several with none chosen."""


@dataclass
class Story:
    """What one story of the archive gave."""

    sid: str
    label: str
    """Where it came from, for messages: the dump or database and ``#sid=N``."""
    work: ParsedWork | None = None
    error: str = ""
    published: bool = True
    """False for a story its archive had not validated (published)."""


def short_name(table: str) -> str:
    """``stories`` for ``efic_fanfiction_stories``: the table's name after the prefix
    and ``fanfiction_``, lower case, or "" for a table that is no eFiction table."""
    lower = table.lower()
    index = lower.rfind(TABLE_STEM)
    return lower[index + len(TABLE_STEM) :] if index >= 0 else ""


def prefix_of(table: str) -> str:
    return table[: table.lower().rfind(TABLE_STEM)]


def detect_prefix(tables: Iterable[str], given: str | None = None) -> str:
    """The prefix of the archive's tables (``efic_`` for ``efic_fanfiction_stories``):
    ``given``, checked, or the only one there is."""
    prefixes = sorted({prefix_of(t) for t in tables if short_name(t) == "stories"})
    if given is not None:
        for prefix in prefixes:
            if prefix.lower() == given.lower():
                return prefix
        found = ", ".join(f"{p}{TABLE_STEM}stories" for p in prefixes) or "none"
        raise ArchiveError(
            f"no table {given}{TABLE_STEM}stories (eFiction stories tables: {found})"
        )
    if not prefixes:
        raise ArchiveError(f"no eFiction archive: no table named <prefix>{TABLE_STEM}stories")
    if len(prefixes) > 1:
        listed = ", ".join(repr(p) for p in prefixes)
        raise ArchiveError(f"tables of {len(prefixes)} eFiction archives (prefixes {listed}); "
                           "choose one with --prefix")  # fmt: skip
    return prefixes[0]


# Reading tables ---------------------------------------------------------------------

type Row = dict[str, Value | Any]


class Tables(Protocol):
    """An eFiction archive's tables, wherever they are."""

    names: list[str]

    def rows(self, table: str) -> Iterator[Row]:
        """Every row of a (small) table."""
        ...

    def stories(self, table: str) -> Iterator[Row]:
        """Every row of the stories table, in order of ``sid``."""
        ...

    def story_rows(self, table: str, sid: str) -> list[Row]:
        """The rows of a per-story table (chapters, reviews) belonging to story ``sid``."""
        ...

    def close(self) -> None: ...


def _lower_keys(row: dict[str, Any]) -> Row:
    return {key.lower(): value for key, value in row.items()}


def _story_key(table: str, row: Row) -> str | None:
    for column in _PER_STORY.get(short_name(table), ("sid",)):
        if column in row:
            return _plain(row[column])
    return None


class DumpTables:
    """The tables of a dump, read once, kept in a temporary SQLite file."""

    def __init__(self, path: Path, *, encoding: str | None = None, prefix: str | None = None):
        def wanted(table: str) -> bool:
            name = short_name(table)
            if name not in TABLES:
                return False
            # Settings may live under a prefix of their own (eFiction's settingsprefix).
            return (
                prefix is None or name == "settings" or prefix_of(table).lower() == prefix.lower()
            )

        self._directory = tempfile.TemporaryDirectory(prefix="fanarchive-efiction-")
        self._db = sqlite3.connect(Path(self._directory.name) / "rows.sqlite3")
        try:
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("CREATE TABLE r (t TEXT NOT NULL, k TEXT, v BLOB NOT NULL)")
            with path.open("rb") as stream:
                reader = DumpReader(stream, encoding=encoding, wanted=wanted)
                batch: list[tuple[str, str | None, bytes]] = []
                for row in reader.rows():
                    values = _lower_keys(row.values)
                    batch.append((row.table, _story_key(row.table, values), pickle.dumps(values)))
                    if len(batch) >= 1000:
                        self._db.executemany("INSERT INTO r VALUES (?, ?, ?)", batch)
                        batch = []
                self._db.executemany("INSERT INTO r VALUES (?, ?, ?)", batch)
            self._db.execute("CREATE INDEX r_by_story ON r (t, k)")
            self._db.commit()
        except BaseException:
            self.close()
            raise
        self.names = [table for table in reader.tables if wanted(table)]

    def _load(self, query: str, *args: str) -> Iterator[Row]:
        for (data,) in self._db.execute(query, args):
            yield pickle.loads(data)  # noqa: S301 - written by this object above

    def rows(self, table: str) -> Iterator[Row]:
        return self._load("SELECT v FROM r WHERE t = ? ORDER BY rowid", table)

    def stories(self, table: str) -> Iterator[Row]:
        return self._load(
            "SELECT v FROM r WHERE t = ? ORDER BY CAST(k AS INTEGER), k, rowid", table
        )

    def story_rows(self, table: str, sid: str) -> list[Row]:
        return list(self._load("SELECT v FROM r WHERE t = ? AND k = ? ORDER BY rowid", table, sid))

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class DatabaseTables:
    """The tables of a live MySQL or MariaDB database, read with PyMySQL."""

    STORIES_PAGE = 200

    def __init__(self, connection: Any) -> None:
        """``connection``: an open PyMySQL connection (utf8mb4, dict cursors,
        autocommit)."""
        self._connection = connection
        with connection.cursor() as cursor:
            cursor.execute("SHOW TABLES")
            self.names = [next(iter(row.values())) for row in cursor.fetchall()]
        self._columns: dict[str, list[str]] = {}

    def _query(self, query: str, *args: object) -> list[Row]:
        with self._connection.cursor() as cursor:
            cursor.execute(query, args or None)
            return [_lower_keys(row) for row in cursor.fetchall()]

    def _columns_of(self, table: str) -> list[str]:
        if table not in self._columns:
            with self._connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {_quoted(table)} LIMIT 0")  # noqa: S608
                self._columns[table] = [d[0].lower() for d in cursor.description]
        return self._columns[table]

    def rows(self, table: str) -> Iterator[Row]:
        return iter(self._query(f"SELECT * FROM {_quoted(table)}"))  # noqa: S608

    def stories(self, table: str) -> Iterator[Row]:
        # Pages by sid rather than one streaming cursor: writing the works between two
        # rows may take longer than the server waits for a slow reader.
        after = -(2**63)
        while True:
            page = self._query(
                f"SELECT * FROM {_quoted(table)} WHERE sid > %s ORDER BY sid LIMIT %s",  # noqa: S608
                after,
                self.STORIES_PAGE,
            )
            yield from page
            if len(page) < self.STORIES_PAGE:
                return
            after = page[-1]["sid"]

    def story_rows(self, table: str, sid: str) -> list[Row]:
        columns = self._columns_of(table)
        column = next(
            (c for c in _PER_STORY.get(short_name(table), ("sid",)) if c in columns), None
        )
        if column is None:
            return []
        return self._query(f"SELECT * FROM {_quoted(table)} WHERE {_quoted(column)} = %s", sid)  # noqa: S608

    def close(self) -> None:
        self._connection.close()


# Values -----------------------------------------------------------------------------


def _plain(value: Any) -> str:
    """A value as the archive stored it, as text: the same for a dump and a database."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_value(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _verbatim(value: Any) -> str:
    # Control characters (NUL above all) cannot be stored; nothing else changes.
    return strip_controls(_plain(value))


def _text(value: Any) -> str:
    """Text for a work: mojibake mended, control characters gone."""
    return strip_controls(repair(_plain(value)))


def _name(value: Any) -> str:
    """A title or name: eFiction often stored them HTML-escaped."""
    return " ".join(html.unescape(_text(value)).split())


def _int(value: Any) -> int | None:
    text = _plain(value).strip()
    if re.fullmatch(r"-?\d{1,18}", text):
        return int(text)
    return None


def _flag(value: Any) -> bool | None:
    number = _int(value)
    return None if number is None else number != 0


def _ids(value: Any) -> list[str]:
    """The items of a comma-separated list column."""
    return [item.strip() for item in _plain(value).split(",") if item.strip()]


def _date(value: Any) -> date | None:
    """A date as eFiction stored it: a datetime, a Unix time, or text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | Decimal) or _int(value) is not None:
        seconds = _int(value)
        if seconds is None or seconds <= 0:
            return None
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    text = _plain(value).strip()
    if not text or text.startswith("0000"):
        return None
    return date_from(text)


def _canonical(row: Row) -> dict[str, str | None]:
    """A row with every value as text, so a dump and a database hash alike."""
    return {key: None if value is None else _plain(value) for key, value in sorted(row.items())}


def _prose(text: str) -> str:
    if not text.strip():
        return ""
    return balance_html(text) if looks_like_html(text) else text_to_html(text)


def _words(fragment: str) -> list[str]:
    return [word for word in html_to_text(fragment).split() if any(c.isalnum() for c in word)]


_BLOCK_TAG = re.compile(r"<(p|div|blockquote|table|ul|ol|h[1-6]|pre|center|hr)\b", re.I)
_PARAGRAPH_BREAK = re.compile(r"(?:[ \t]*<br\s*/?>[ \t]*\n?){2,}|\n[ \t]*\n", re.I)
_TRAILING_BREAKS = re.compile(r"(?:\s*<br\s*/?>)+\s*$", re.I)


def chapter_html(text: str) -> str:
    """The HTML of one eFiction chapter, stored as an HTML fragment or plain text.

    Plain text, and HTML with loose ``<br>``-separated lines, are laid out by
    :mod:`fanarchive.lib.prose`. That layout also splits chapters at headings and drops
    the heading lines; a chapter here is one chapter whatever its text says, so when
    the layout loses a word the text is instead cut into paragraphs at blank lines and
    double ``<br>``s, every word kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return ""
    if not looks_like_html(text):
        return text_to_html(text)
    laid_out = "\n".join(body for _, body in html_to_chapters(text))
    if _words(laid_out) == _words(text):
        return laid_out
    if _BLOCK_TAG.search(text):
        return balance_html(text)
    # eFiction shows text with no <br> or <p> with its line breaks made <br>.
    keep_lines = "<br" not in text.lower()
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        if block := _TRAILING_BREAKS.sub("", block).strip():
            inner = block.replace("\n", "<br>\n") if keep_lines else block
            paragraphs.append(f"<p>{balance_html(inner)}</p>")
    return "\n".join(paragraphs)


# The archive ------------------------------------------------------------------------

# Class types whose names are tags as they stand; other types keep their meaning in
# the tag ("Time Frame: Season Six").
_PLAIN_TAG_TYPES = frozenset({"genre", "tag", "keyword", "additionaltag", "freeform"})
# A chapter's columns that land in the chapter; the others are kept in ``fields``.
_CHAPTER_TEXT_COLUMNS = frozenset({"chapid", "title", "notes", "storytext", "endnotes", "sid"})
_TYPED_GROUPS = frozenset({Group.FANDOMS, Group.RELATIONSHIPS, Group.CHARACTERS, Group.WARNINGS})


@dataclass
class _Chapters:
    published: list[Row]
    """The work's chapters."""
    held: list[Row] = field(default_factory=list)
    """Chapters of a published story not validated yet."""
    draft: bool = False
    """Whether the story was never published: unvalidated, or no chapter validated."""


class Archive:
    """The stories of one eFiction archive.

    ``label``: how messages name the source (the dump path as given, or the database
    URL without credentials); ``source``: the stable name each work's ``source_file``
    is made of (the dump's absolute path); ``default_name``: the archive's name when
    neither ``archive_name`` nor the settings table give one.
    """

    def __init__(
        self,
        tables: Tables,
        *,
        label: str,
        source: str,
        default_name: str,
        prefix: str | None = None,
        stories_dir: Path | None = None,
        archive_name: str | None = None,
    ) -> None:
        self.tables = tables
        self.label = label
        self.source = source
        self.prefix = detect_prefix(tables.names, prefix)
        self.stories_dir = stories_dir
        self._files: dict[str, list[Path]] | None = None
        by_name = {t.lower(): t for t in tables.names}
        self._table = {
            name: found
            for name in TABLES
            if (found := by_name.get(f"{self.prefix}{TABLE_STEM}{name}".lower())) is not None
        }
        self.settings = self._settings(by_name)

        def keyed(table: str, key: str) -> dict[str, Row]:
            return {_plain(row.get(key)): row for row in self._rows(table)}

        self.authors = keyed("authors", "uid")
        self.categories = keyed("categories", "catid")
        self.characters = keyed("characters", "charid")
        self.classes = keyed("classes", "class_id")
        self.classtypes = keyed("classtypes", "classtype_id")
        self.ratings = keyed("ratings", "rid")
        self.series = keyed("series", "seriesid")
        self.challenges = keyed("challenges", "chalid")
        self.genres = {_plain(r.get("gid")): _name(r.get("genre")) for r in self._rows("genres")}
        self.warnings = {
            _plain(r.get("wid")): _name(r.get("warning")) for r in self._rows("warnings")
        }
        self.coauthors: dict[str, list[str]] = {}
        for row in self._rows("coauthors"):
            self.coauthors.setdefault(_plain(row.get("sid")), []).append(_plain(row.get("uid")))
        self.inseries: dict[str, list[Row]] = {}
        for row in self._rows("inseries"):
            self.inseries.setdefault(_plain(row.get("sid")), []).append(row)
        self.archive_name = (
            (archive_name or "").strip() or _name(self.settings.get("sitename")) or default_name
        )
        self.site_url = _text(self.settings.get("url") or self.settings.get("siteurl")).strip()
        self.language = _text(self.settings.get("language")).strip()

    def _rows(self, name: str) -> Iterator[Row]:
        table = self._table.get(name)
        return self.tables.rows(table) if table else iter(())

    def _settings(self, by_name: dict[str, str]) -> Row:
        own = by_name.get(f"{self.prefix}{TABLE_STEM}settings".lower())
        others = [t for t in self.tables.names if short_name(t) == "settings"]
        table = own or (others[0] if len(others) == 1 else None)
        if table is None:
            return {}
        rows = list(self.tables.rows(table))
        for row in rows:
            if "tableprefix" in row and _plain(row["tableprefix"]) == self.prefix:
                return row
        return rows[0] if rows else {}

    # Stories ------------------------------------------------------------------

    def stories(self) -> Iterator[Story]:
        for row in self.tables.stories(self._table["stories"]):
            yield self.story(row)

    def story(self, row: Row) -> Story:
        sid = _plain(row.get("sid"))
        label = f"{self.label}#sid={sid}"
        try:
            work, published = self._work(row, sid)
        except ParseError as error:
            return Story(sid, label, error=str(error))
        except Exception as error:  # a bug, or a lost connection, costs one story
            log.exception("reading story %s failed", label)
            return Story(sid, label, error=f"unexpected error: {type(error).__name__}: {error}")
        return Story(sid, label, work, published=published)

    def _work(self, row: Row, sid: str) -> tuple[ParsedWork, bool]:
        """The story's work, and whether its archive had published it."""
        work = ParsedWork(
            title=_name(row.get("title")),
            chapters=[],
            importer=NAME,
            importer_version=VERSION,
            source_file=f"{self.source}#sid={sid}",
            archive_name=self.archive_name,
            original_location=self._location(sid),
        )
        self._metadata(work, row, sid)
        chapter_rows = sorted(
            self.tables.story_rows(self._table["chapters"], sid) if "chapters" in self._table
            else [],
            key=lambda c: (_int(c.get("inorder")) or 0, _int(c.get("chapid")) or 0),
        )  # fmt: skip
        chapters = self._split_validated(chapter_rows, _flag(row.get("validated")) is not False)
        files = self._chapters(work, row, chapter_rows, chapters)
        work.reviews = self._reviews(sid, chapters.published)
        if chapters.draft:
            work.posted = False
        payload = {
            "story": _canonical(row),
            "chapters": [_canonical(c) for c in chapter_rows],
            "files": files,
            "work": asdict(work) | {"source_file": "", "content_hash": ""},
        }
        encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        work.content_hash = hashlib.sha256(encoded.encode("utf-8")).hexdigest()
        return work, not chapters.draft

    def _metadata(self, work: ParsedWork, row: Row, sid: str) -> None:
        pairs = [("Title", work.title)]
        for key, column in (("Summary", "summary"), ("Story Notes", "storynotes")):
            if (text := _text(row.get(column))).strip():
                pairs.append((key, text))
        if self.language:
            pairs.append(("Language", self.language))
        apply_fields(work, pairs)
        self._creators(work, row, sid)
        self._rating(work, row)
        self._categories(work, row)
        if characters := self._names(row.get("charid"), self.characters, "charname"):
            apply_names(work, "Characters", characters)
        self._classes(work, row)
        self._series(work, sid)
        for chalid in _ids(row.get("challenges")):
            if (challenge := self.challenges.get(chalid)) is not None:
                work.fields.append(("Challenge", _name(challenge.get("title"))))
        work.complete = _flag(row.get("completed"))
        work.published = _date(row.get("date"))
        work.updated = _date(row.get("updated"))
        work.hits = _int(row.get("count"))
        work.comments = _int(row.get("reviews"))
        for column, value in row.items():
            if column not in ("title", "summary", "storynotes"):
                work.fields.append((f"stories.{column}", _verbatim(value)))

    def _chapters(
        self, work: ParsedWork, story: Row, rows: list[Row], chapters: _Chapters
    ) -> dict[str, str]:
        """Fill the work's chapters; the SHA-256 of each chapter file read, by chapid."""
        for chapter in rows:
            stats = " ".join(
                f"{column}={_verbatim(value)}"
                for column, value in chapter.items()
                if column not in _CHAPTER_TEXT_COLUMNS
            )
            work.fields.append((f"chapters.{_plain(chapter.get('chapid'))}", stats))
        files: dict[str, str] = {}
        for position, chapter in enumerate(chapters.published, start=1):
            work.chapters.append(self._chapter(chapter, story, position, files))
        for chapter in chapters.held:
            try:
                text = self._chapter(chapter, story, 0, files).body
            except ParseError as error:  # not published: no reason to fail the story
                text = f"(unreadable: {error})"
            work.fields.append(("Unvalidated chapter", _name(chapter.get("title"))))
            work.fields.append(("Unvalidated chapter text", text))
        if not work.chapters:
            raise ParseError("the story has no chapters")
        if not any(_words(c.body) or "<img" in c.body for c in work.chapters):
            raise ParseError("no story text in any chapter")
        return files

    def _location(self, sid: str) -> str:
        page = f"viewstory.php?sid={sid}"
        return f"{self.site_url.rstrip('/')}/{page}" if self.site_url else page

    # Metadata -----------------------------------------------------------------

    def _creators(self, work: ParsedWork, row: Row, sid: str) -> None:
        uids = [_plain(row.get("uid"))]
        if "coauthors" in self._table:
            uids += self.coauthors.get(sid, [])
        else:
            # Before the coauthors table, the column held the co-authors' ids.
            uids += [uid for uid in _ids(row.get("coauthors")) if uid in self.authors]
        authors = [self.authors[uid] for uid in dict.fromkeys(uids) if uid in self.authors]
        names = [_name(author.get("penname")) for author in authors]
        if names:
            apply_names(work, "Authors", names)
        for name, author in zip(names, authors, strict=True):
            contact = CreatorContact(
                name=name,
                email=_text(author.get("email")).strip(),
                real_name=_name(author.get("realname")),
                website=_text(author.get("website")).strip(),
                bio=_text(author.get("bio")).strip(),
            )
            if name and (contact.email or contact.real_name or contact.website or contact.bio):
                work.contacts.append(contact)

    def _rating(self, work: ParsedWork, row: Row) -> None:
        for rid in _ids(row.get("rid")):
            rating = self.ratings.get(rid) or next(
                (r for r in self.ratings.values() if _name(r.get("rating")) == _name(rid)), None
            )
            name = _name(rating.get("rating")) if rating else ("" if rid.isdigit() else _name(rid))
            if not name:
                continue
            apply_names(work, "Rating", [name])
            if rating and (warning := _text(rating.get("warningtext")).strip()):
                work.fields.append(("Rating warning", warning))
            return

    def _category_path(self, catid: str) -> list[str]:
        path: list[str] = []
        seen: set[str] = set()
        while catid in self.categories and catid not in seen:
            seen.add(catid)
            category = self.categories[catid]
            path.insert(0, _name(category.get("category")))
            catid = _plain(category.get("parentcatid"))
        return path

    def _categories(self, work: ParsedWork, row: Row) -> None:
        names = []
        for catid in _ids(row.get("catid")):
            path = self._category_path(catid)
            if path:
                names.append(path[-1])
                if len(path) > 1:
                    work.fields.append(("Category path", " > ".join(path)))
            elif not re.fullmatch(r"-?\d+", catid):
                names.append(_name(catid))  # archives that stored names
        if names:
            apply_names(work, "Categories", names)

    def _names(self, value: Any, table: dict[str, Row] | dict[str, str], column: str) -> list[str]:
        """The names a list of ids (or, in older archives, of names) stands for."""
        names = []
        for item in _ids(value):
            found = table.get(item)
            if isinstance(found, dict):
                names.append(_name(found.get(column)))
            elif isinstance(found, str):
                names.append(found)
            elif not re.fullmatch(r"-?\d+", item):
                names.append(_name(item))
        return [name for name in names if name]

    def _classes(self, work: ParsedWork, row: Row) -> None:
        by_type: dict[str, list[str]] = {}
        for class_id in _ids(row.get("classes")):
            if (item := self.classes.get(class_id)) is not None:
                by_type.setdefault(_plain(item.get("class_type")), []).append(
                    _name(item.get("class_name"))
                )
        for type_id, names in by_type.items():
            kind = self.classtypes.get(type_id, {})
            self._typed_names(
                work, _name(kind.get("classtype_title")), _name(kind.get("classtype_name")), names
            )
        # Older archives: genre and warning names (or ids) in stories.gid and wid.
        self._typed_names(work, "Genres", "genres", self._names(row.get("gid"), self.genres, ""))
        self._typed_names(
            work, "Warnings", "warnings", self._names(row.get("wid"), self.warnings, "")
        )

    def _typed_names(self, work: ParsedWork, title: str, name: str, names: list[str]) -> None:
        names = [n for n in names if n]
        if not names:
            return
        for key in (title, name):
            if key and (group := group_of(key)) is not None:
                if group in _TYPED_GROUPS:
                    apply_names(work, key, names)
                    return
                normal = re.sub(r"[^a-z]", "", key.lower()).removesuffix("s")
                if group is Group.FREEFORMS and normal in _PLAIN_TAG_TYPES:
                    apply_names(work, key, names)
                    return
        meaning = title or name
        tags = [f"{meaning}: {n}" for n in names] if meaning else names
        apply_names(work, "Additional Tags", tags)

    def _series(self, work: ParsedWork, sid: str) -> None:
        entries = sorted(
            self.inseries.get(sid, []),
            key=lambda e: (_int(e.get("seriesid")) or 0, _plain(e.get("seriesid"))),
        )
        for entry in entries:
            series = self.series.get(_plain(entry.get("seriesid")))
            if series is None or not (title := _name(series.get("title"))):
                continue
            position = _int(entry.get("inorder"))
            summary = _text(series.get("summary")).strip()
            work.series.append(
                ParsedSeries(title, position if position and position > 0 else None, summary)
            )
            if summary:
                work.fields.append(("Series summary", f"{title}: {summary}"))

    # Chapters -----------------------------------------------------------------

    @staticmethod
    def _split_validated(chapters: list[Row], story_validated: bool) -> _Chapters:
        validated = [c for c in chapters if _flag(c.get("validated")) is not False]
        if story_validated and validated:
            held = [c for c in chapters if _flag(c.get("validated")) is False]
            return _Chapters(validated, held)
        # A story never published keeps every chapter: it is imported as a draft.
        return _Chapters(chapters, draft=True)

    def _chapter(
        self, chapter: Row, story: Row, position: int, files: dict[str, str]
    ) -> ParsedChapter:
        text = _plain(chapter.get("storytext"))
        if text.strip():
            text = _text(text)
        else:
            text = self._chapter_file_text(chapter, story, position, files)
        return ParsedChapter(
            body=chapter_html(text),
            title=_name(chapter.get("title")),
            notes=_prose(_text(chapter.get("notes"))),
            end_notes=_prose(_text(chapter.get("endnotes"))),
        )

    def _chapter_file_text(
        self, chapter: Row, story: Row, position: int, files: dict[str, str]
    ) -> str:
        chapid = _plain(chapter.get("chapid"))
        uids = [_plain(chapter.get("uid")), _plain(story.get("uid"))]
        what = f"chapter {position} (chapid {chapid})" if position else f"chapid {chapid}"
        if self.stories_dir is None:
            raise ParseError(
                f"{what} has no text in the database: its text is in a file "
                "stories/<uid>/<chapid>.txt; give the folder with --stories DIR"
            )
        path = self._chapter_file(chapid, uids)
        if path is None:
            raise ParseError(
                f"{what} has no text in the database and no file {uids[0]}/{chapid}.txt "
                f"under {self.stories_dir}"
            )
        data = path.read_bytes()
        files[chapid] = hashlib.sha256(data).hexdigest()
        try:
            return strip_controls(decode_text(data))
        except UndecodableText as error:
            if str(error) == "empty file":
                return ""
            raise ParseError(f"{what}: {path}: {error}") from None

    def _chapter_file(self, chapid: str, uids: list[str]) -> Path | None:
        assert self.stories_dir is not None
        for uid in uids:
            if uid and (path := self.stories_dir / uid / f"{chapid}.txt").is_file():
                return path
        if self._files is None:
            # A chapter filed under another author's folder (a co-author's, say).
            self._files = {}
            for path in sorted(self.stories_dir.glob("*/*.txt")):
                self._files.setdefault(path.stem, []).append(path)
        found = self._files.get(chapid, [])
        return found[0] if found else None

    # Reviews ------------------------------------------------------------------

    def _reviews(self, sid: str, chapters: list[Row]) -> list[ParsedReview]:
        if "reviews" not in self._table:
            return []
        positions = {_plain(c.get("chapid")): n for n, c in enumerate(chapters, start=1)}
        rows = sorted(
            self.tables.story_rows(self._table["reviews"], sid),
            key=lambda r: _int(r.get("reviewid")) or 0,
        )
        reviews = []
        for review in rows:
            if (_plain(review.get("type")).strip().upper() or "ST") != "ST":
                continue  # a review of a series, whose id happens to be this story's
            reviewer = _name(review.get("reviewer"))
            if not reviewer or reviewer == "0":
                author = self.authors.get(_plain(review.get("uid")), {})
                reviewer = _name(author.get("penname"))
            reviews.append(
                ParsedReview(
                    reviewer=reviewer,
                    text=_text(review.get("review")).strip(),
                    posted=_date(review.get("date")),
                    chapter=positions.get(_plain(review.get("chapid"))),
                )
            )
        return reviews
