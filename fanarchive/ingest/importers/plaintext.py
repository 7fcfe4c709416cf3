"""Plain-text stories: an optional header of ``key: value`` lines, then the story.

The format is /work/shared/formats.md section 1; the rules as users see them are in
docs/cli.md, "Plain-text stories". In short:

* A header is recognised only when the first non-blank line is a known key and a
  colon. It ends at the first blank line (or at a separator line such as ``-----``).
  A line starting with whitespace, or without a ``key:`` of its own, continues the
  previous value. Every header line lands in ``fields`` as written, known or not.
* Without a header, a first line of at most 120 characters followed by a blank line
  is the title; otherwise, and when a header has no title, the file name gives it.
* The story is an HTML fragment when it uses HTML tags, else plain text; both are
  split into chapters and laid out by :mod:`fanarchive.lib.prose`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, auto
from pathlib import PurePosixPath
from typing import BinaryIO

from dateutil import parser as dateutil_parser

from fanarchive.ingest.parsed import ParsedChapter, ParsedSeries, ParsedWork, ParseError
from fanarchive.lib.html import html_to_text, looks_like_html
from fanarchive.lib.prose import (
    balance_html,
    chapter_heading,
    has_story_text,
    html_to_chapters,
    is_scene_break,
    parse_number,
    split_chapters,
    text_to_html,
)
from fanarchive.lib.textdecode import UndecodableText, decode_text
from fanarchive.tags.constants import (
    ARCHIVE_WARNINGS,
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
    RATINGS,
    TEEN,
    UNDERAGE,
)

NAME = "plaintext"
VERSION = "1"

MAX_TITLE_LINE = 120


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    """The one work in a plain-text file. Raises ParseError, its message without the
    file name: "empty file", "binary file (...)", "undecodable text", "no story text
    after the header", "no story text after the title line" or "no story text"."""
    data = stream.read()
    try:
        text = decode_text(data)
    except UndecodableText as error:
        raise ParseError(str(error)) from None
    work = parse_text(text, name)
    work.content_hash = hashlib.sha256(data).hexdigest()
    yield work


def parse_text(text: str, name: str) -> ParsedWork:
    """The work in decoded text; ``name`` is the file path, for the title fallback."""
    lines = _without_leading_blank_lines(text.split("\n"))
    work = ParsedWork(
        title="", chapters=[], importer=NAME, importer_version=VERSION, source_file=name
    )
    if (header := _split_header(lines)) is not None:
        header_lines, body_lines = header
        _apply_header(work, _read_fields(header_lines))
        missing = "no story text after the header"
    elif (titled := _split_title_line(lines)) is not None:
        work.title, body_lines = titled
        missing = "no story text after the title line"
    else:
        body_lines, missing = lines, "no story text"
    work.title = work.title or title_from_file_name(name)
    work.chapters = _chapters("\n".join(body_lines))
    if not work.chapters:
        raise ParseError(missing)
    return work


def title_from_file_name(name: str) -> str:
    """The title a file name suggests: both the_lost_ledger.txt and the-lost-ledger.txt
    give "the lost ledger"; hyphens stay when the name has spaces or underscores."""
    stem = PurePosixPath(name.replace("\\", "/")).stem
    title = stem.replace("_", " ")
    if " " not in title:
        title = title.replace("-", " ")
    return " ".join(title.split())


def _without_leading_blank_lines(lines: list[str]) -> list[str]:
    start = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    return lines[start:]


def _chapters(body: str) -> list[ParsedChapter]:
    if not has_story_text(body):
        return []
    if looks_like_html(body):
        pairs = html_to_chapters(body)
    else:
        pairs = [(title, text_to_html(text)) for title, text in split_chapters(body)]
    return [ParsedChapter(body=html, title=title) for title, html in pairs]


# The title line ---------------------------------------------------------------------

_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# A first line that opens a paragraph or breaks lines is story, not a title.
_PARAGRAPH_MARKUP = re.compile(r"<(p|div|br|blockquote)\b", re.I)


def _split_title_line(lines: list[str]) -> tuple[str, list[str]] | None:
    """(title, the lines after it) when the first line is a title line. A file of one
    short line is a title with no story, not a one-line story."""
    if not lines:
        return None
    first, rest = lines[0].strip(), lines[1:]
    if len(first) > MAX_TITLE_LINE or (rest and rest[0].strip()):
        return None
    if chapter_heading(first) is not None or is_scene_break(first):
        return None
    if _ANY_TAG.search(first):
        if _PARAGRAPH_MARKUP.search(first):
            return None
        first = " ".join(html_to_text(first).split())
    return (first, rest) if first else None


# The header -------------------------------------------------------------------------


class Group(Enum):
    """Where a header field's value goes."""

    TITLE = auto()
    CREATORS = auto()
    FANDOMS = auto()
    RELATIONSHIPS = auto()
    CHARACTERS = auto()
    RATING = auto()
    WARNINGS = auto()
    FREEFORMS = auto()
    SPOILERS = auto()
    SUMMARY = auto()
    NOTES = auto()
    SERIES = auto()
    PART = auto()
    STATUS = auto()
    PUBLISHED = auto()
    UPDATED = auto()
    CHAPTERS = auto()
    LANGUAGE = auto()
    SOURCE_URL = auto()
    PROVENANCE = auto()
    """Kept in ``fields`` only."""


# Keys as _normal_key writes them: lower case, no spaces, hyphens or apostrophes.
# A key not found here is also tried without a final "s" (fandoms, warnings, notes).
KEY_GROUPS: dict[str, Group] = {
    "title": Group.TITLE,
    "author": Group.CREATORS,
    "by": Group.CREATORS,
    "writer": Group.CREATORS,
    "penname": Group.CREATORS,
    "fandom": Group.FANDOMS,
    "category": Group.FANDOMS,
    "categories": Group.FANDOMS,
    "pairing": Group.RELATIONSHIPS,
    "relationship": Group.RELATIONSHIPS,
    "ship": Group.RELATIONSHIPS,
    "friendship": Group.RELATIONSHIPS,
    "character": Group.CHARACTERS,
    "rating": Group.RATING,
    "rated": Group.RATING,
    "warning": Group.WARNINGS,
    "contentwarning": Group.WARNINGS,
    "contentnote": Group.WARNINGS,
    "cw": Group.WARNINGS,
    "tw": Group.WARNINGS,
    "genre": Group.FREEFORMS,
    "timeframe": Group.FREEFORMS,
    "timeline": Group.FREEFORMS,
    "setting": Group.FREEFORMS,
    "keyword": Group.FREEFORMS,
    "tag": Group.FREEFORMS,
    "spoiler": Group.SPOILERS,
    "summary": Group.SUMMARY,
    "summaries": Group.SUMMARY,
    "description": Group.SUMMARY,
    "note": Group.NOTES,
    "authorsnote": Group.NOTES,
    "authornote": Group.NOTES,
    "a/n": Group.NOTES,
    "disclaimer": Group.PROVENANCE,
    "feedback": Group.PROVENANCE,
    "archive": Group.PROVENANCE,
    "distribution": Group.PROVENANCE,
    "words": Group.PROVENANCE,
    "wordcount": Group.PROVENANCE,
    "series": Group.SERIES,
    "part": Group.PART,
    "status": Group.STATUS,
    "complete": Group.STATUS,
    "completed": Group.STATUS,
    "wip": Group.STATUS,
    "date": Group.PUBLISHED,
    "posted": Group.PUBLISHED,
    "published": Group.PUBLISHED,
    "updated": Group.UPDATED,
    "chapters": Group.CHAPTERS,
    "language": Group.LANGUAGE,
    "url": Group.SOURCE_URL,
    "source": Group.SOURCE_URL,
    "storyurl": Group.SOURCE_URL,
    "sourceurl": Group.SOURCE_URL,
    "link": Group.SOURCE_URL,
}

# Summary and notes keep their line breaks; other values are one line.
_MULTILINE_GROUPS = frozenset({Group.SUMMARY, Group.NOTES})

# Keys may hold apostrophes, straight or curly ("Author's Notes").
_FIELD_LINE = re.compile(r"(?P<key>[^\W\d_][\w '\u2019/().&#+-]{0,49}?)\s*:(?P<rest>.*)")


def _normal_key(key: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", key.lower())


def group_of(key: str) -> Group | None:
    """The group of a header key as written ("Time-Frame", "Author's Notes"), or None."""
    normal = _normal_key(key)
    group = KEY_GROUPS.get(normal)
    if group is None and normal.endswith("s"):
        group = KEY_GROUPS.get(normal[:-1])
    return group


@dataclass
class _Field:
    key: str
    lines: list[str]
    group: Group | None

    @property
    def value(self) -> str:
        if self.group in _MULTILINE_GROUPS:
            return "\n".join(self.lines).strip()
        return " ".join(line for line in self.lines if line)


def _field_line(line: str) -> tuple[str, str] | None:
    """(key, value) of a ``key: value`` line. An unknown key needs a space or the end
    of the line after its colon, so "http://..." and "10:30" are not fields."""
    match = _FIELD_LINE.fullmatch(line)
    if match is None:
        return None
    key, rest = match["key"].strip(), match["rest"]
    if group_of(key) is None and not (rest == "" or rest[0].isspace()):
        return None
    return key, rest.strip()


def _split_header(lines: list[str]) -> tuple[list[str], list[str]] | None:
    if not lines or (first := _field_line(lines[0])) is None or group_of(first[0]) is None:
        return None
    for index, line in enumerate(lines):
        # A separator line under a header ends it as a blank line would: files
        # often rule the header off from the story without leaving a blank line.
        if not line.strip() or is_scene_break(line):
            return lines[:index], lines[index + 1 :]
    return lines, []


def _read_fields(lines: list[str]) -> list[_Field]:
    fields: list[_Field] = []
    for line in lines:
        parsed = None if line[:1].isspace() else _field_line(line)
        if parsed is not None:
            key, value = parsed
            fields.append(_Field(key, [value], group_of(key)))
        elif fields:
            fields[-1].lines.append(line.strip())
    return fields


@dataclass
class _Header:
    """A work being filled from header fields, with what waits for all of them."""

    work: ParsedWork
    series: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


def _apply_header(work: ParsedWork, fields: list[_Field]) -> None:
    header = _Header(work)
    for item in fields:
        work.fields.append((item.key, item.value))
        if item.group is not None:
            _HANDLERS[item.group](header, item)
    work.series = _resolve_series(header.series, header.parts)


# Lists and names --------------------------------------------------------------------

_LIST_SEPARATOR = re.compile(r"[,;]")
_CREATOR_SEPARATOR = re.compile(r"[,;]|\s+&\s+|\s+and\s+", re.I)


def _split_list(value: str, separator: re.Pattern[str] = _LIST_SEPARATOR) -> list[str]:
    return [item.strip() for item in separator.split(value) if item.strip()]


# "pairing: none" says there is no pairing; it is no tag called "none". The value
# stays in the provenance like every other.
_NO_VALUE = frozenset({"none", "n/a", "na", "nil", "nothing", "no", "-", "--", "\u2014", "\u2013"})


def _tag_values(value: str) -> list[str]:
    return [item for item in _split_list(value) if item.lower() not in _NO_VALUE]


def _extend_unique(target: list[str], values: Iterable[str]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


def _lookup_prefix[T](
    words: list[str], table: dict[str, T], normal: Callable[[str], str]
) -> T | None:
    """The table entry for the longest run of leading words: "R for language" finds
    "R", "Teen and Up for violence" finds "Teen and Up"."""
    for count in range(len(words), 0, -1):
        found = table.get(normal(" ".join(words[:count])))
        if found is not None:
            return found
    return None


def _alphanumeric(text: str) -> str:
    return re.sub(r"[^a-z0-9+/]", "", text.lower())


# Tags -------------------------------------------------------------------------------

_CATEGORY_NAMES = {category.lower(): category for category in CATEGORIES}

_RATING_WORDS: dict[str, str] = {
    **{_alphanumeric(rating): rating for rating in RATINGS},
    **dict.fromkeys(
        ["nc17", "x", "ma", "explicit", "adult", "adults", "adultsonly", "fr18", "18+",
         "r18"], EXPLICIT),
    **dict.fromkeys(["r", "m", "mature", "fr15", "r15"], MATURE),
    **dict.fromkeys(
        ["pg13", "t", "teen", "teens", "teenandup", "teenandupaudience", "fr13", "13+"], TEEN
    ),
    **dict.fromkeys(
        ["pg", "g", "k", "k+", "fr7", "general", "generalaudience", "allages", "everyone"],
        GENERAL,
    ),
    **dict.fromkeys(["notrated", "nr", "unrated"], NOT_RATED),
}  # fmt: skip


def _rating_key(text: str) -> str:
    # "G-rated" and "X rated" name their rating before the word.
    key = _alphanumeric(text)
    return key.removesuffix("rated") if key not in _RATING_WORDS else key


def rating_from(value: str) -> str | None:
    """AO3's rating for a header value; "Not Rated" for a word no scale uses, None
    for an empty value."""
    words = value.split()
    if words and _alphanumeric(words[0]) == "rated":
        words = words[1:]
    if not words:
        return None
    return _lookup_prefix(words, _RATING_WORDS, _rating_key) or NOT_RATED


_WARNING_WORDS: dict[str, str] = {
    **{_alphanumeric(warning): warning for warning in ARCHIVE_WARNINGS},
    **dict.fromkeys(
        ["choosenottowarn", "chosenottowarn", "creatorchosenottowarn",
         "authorchosenottowarn", "cntw", "chosenottousearchivewarnings"], CHOSE_NOT_TO_WARN),
    **dict.fromkeys(
        ["nowarnings", "nowarning", "none", "noarchivewarnings", "noarchivewarning", "n/a"],
        NO_WARNINGS),
    **dict.fromkeys(["graphicviolence"], GRAPHIC_VIOLENCE),
    **dict.fromkeys(["mcd", "characterdeath", "majorcharacterdeaths"], MAJOR_CHARACTER_DEATH),
    **dict.fromkeys(["rape", "noncon", "rape/noncon", "noncon/rape"], NONCON),
    **dict.fromkeys(["underage", "underagesex"], UNDERAGE),
}  # fmt: skip


def _title(header: _Header, item: _Field) -> None:
    header.work.title = header.work.title or item.value


def _creators(header: _Header, item: _Field) -> None:
    _extend_unique(header.work.creators, _split_list(item.value, _CREATOR_SEPARATOR))


def _fandoms(header: _Header, item: _Field) -> None:
    for name in _tag_values(item.value):
        category = _CATEGORY_NAMES.get("".join(name.lower().split()))
        if category is not None:
            _extend_unique(header.work.categories, [category])
        else:
            _extend_unique(header.work.fandoms, [name])


def _relationships(header: _Header, item: _Field) -> None:
    _extend_unique(header.work.relationships, _tag_values(item.value))


def _characters(header: _Header, item: _Field) -> None:
    _extend_unique(header.work.characters, _tag_values(item.value))


def _freeforms(header: _Header, item: _Field) -> None:
    _extend_unique(header.work.freeforms, _tag_values(item.value))


def _rating(header: _Header, item: _Field) -> None:
    header.work.rating = header.work.rating or rating_from(item.value)


def _warnings(header: _Header, item: _Field) -> None:
    for name in _split_list(item.value):
        warning = _WARNING_WORDS.get(_alphanumeric(name))
        if warning is not None:
            _extend_unique(header.work.warnings, [warning])
        else:
            _extend_unique(header.work.freeforms, [name])


def _spoilers(header: _Header, item: _Field) -> None:
    if item.value:
        _extend_unique(header.work.freeforms, [f"Spoilers: {item.value}"])


def _prose_html(text: str) -> str:
    return balance_html(text) if looks_like_html(text) else text_to_html(text)


def _summary(header: _Header, item: _Field) -> None:
    if item.value:
        header.work.summary = "\n".join(
            filter(None, [header.work.summary, _prose_html(item.value)])
        )


def _notes(header: _Header, item: _Field) -> None:
    if item.value:
        header.work.notes = "\n".join(filter(None, [header.work.notes, _prose_html(item.value)]))


def _series(header: _Header, item: _Field) -> None:
    if item.value:
        header.series.append(item.value)


def _part(header: _Header, item: _Field) -> None:
    if item.value:
        header.parts.append(item.value)


def _ignore(header: _Header, item: _Field) -> None:
    """The value stays in ``fields`` and nowhere else."""


_STATUS_WORDS: dict[str, bool] = {
    **dict.fromkeys(
        ["complete", "completed", "yes", "y", "finished", "true", "done", "oneshot"], True
    ),
    **dict.fromkeys(
        ["wip", "workinprogress", "inprogress", "incomplete", "ongoing", "no", "n", "false",
         "unfinished", "notcomplete", "notcompleted", "notfinished", "hiatus", "onhiatus",
         "abandoned", "discontinued"], False),
}  # fmt: skip
# "wip: yes" says the work is in progress: the answer to "WIP?", not to "complete?".
_WIP_ANSWERS: dict[str, bool] = {
    **dict.fromkeys(["yes", "y", "true"], False),
    **dict.fromkeys(["no", "n", "false"], True),
}


def complete_from(key: str, value: str) -> bool | None:
    """Whether a status-like field says complete (True), in progress (False) or
    neither (None)."""
    words = value.split()
    if _normal_key(key) in {"wip", "wips"}:
        answer = _lookup_prefix(words, _WIP_ANSWERS, _alphanumeric)
        if answer is not None:
            return answer
    return _lookup_prefix(words, _STATUS_WORDS, _alphanumeric)


def _status(header: _Header, item: _Field) -> None:
    complete = complete_from(item.key, item.value)
    if complete is not None:
        header.work.complete = complete


# Fills what a date leaves out; a year of 1 means the value gave none.
_NO_YEAR = datetime(1, 1, 1)


def date_from(value: str) -> date | None:
    """The date a header value names ("2004-03-03", "March 3, 2004", "3 March 2004",
    "2004/03/03", "03/04/2004" month first), or None without a year or unreadable."""
    try:
        parsed = dateutil_parser.parse(value, default=_NO_YEAR)
    except (ValueError, OverflowError):
        return None
    return None if parsed.year == _NO_YEAR.year else parsed.date()


def _published(header: _Header, item: _Field) -> None:
    header.work.published = header.work.published or date_from(item.value)


def _updated(header: _Header, item: _Field) -> None:
    header.work.updated = header.work.updated or date_from(item.value)


_CHAPTER_COUNT = re.compile(r"\s*\d+\s*(?:/|of)\s*(?P<total>\d+)\s*", re.I)


def _chapter_count(header: _Header, item: _Field) -> None:
    if (match := _CHAPTER_COUNT.fullmatch(item.value)) and int(match["total"]) > 0:
        header.work.expected_chapters = int(match["total"])


_LANGUAGE_CODES: dict[str, str] = {
    "english": "en", "deutsch": "de", "german": "de", "français": "fr", "francais": "fr",
    "french": "fr", "español": "es", "espanol": "es", "castellano": "es", "spanish": "es",
    "日本語": "ja", "japanese": "ja", "italiano": "it", "italian": "it", "português": "pt",
    "portugues": "pt", "portuguese": "pt", "português brasileiro": "pt-BR",
    "brazilian portuguese": "pt-BR", "русский": "ru", "russian": "ru", "中文": "zh",
    "chinese": "zh", "한국어": "ko", "korean": "ko", "nederlands": "nl", "dutch": "nl",
    "polski": "pl", "polish": "pl", "svenska": "sv", "swedish": "sv", "norsk": "no",
    "norwegian": "no", "dansk": "da", "danish": "da", "suomi": "fi", "finnish": "fi",
    "čeština": "cs", "czech": "cs", "magyar": "hu", "hungarian": "hu", "türkçe": "tr",
    "turkish": "tr", "ελληνικά": "el", "greek": "el", "עברית": "he", "hebrew": "he",
    "العربية": "ar", "arabic": "ar", "tiếng việt": "vi", "vietnamese": "vi",
    "bahasa indonesia": "id", "indonesian": "id", "ไทย": "th", "thai": "th",
    "українська": "uk", "ukrainian": "uk", "català": "ca", "catalan": "ca", "latin": "la",
    "esperanto": "eo", "filipino": "fil", "tagalog": "tl", "română": "ro", "romanian": "ro",
    "हिन्दी": "hi", "hindi": "hi", "hrvatski": "hr", "croatian": "hr", "српски": "sr",
    "serbian": "sr", "български": "bg", "bulgarian": "bg", "slovenčina": "sk",
    "slovak": "sk", "slovenščina": "sl", "slovenian": "sl", "íslenska": "is",
    "icelandic": "is", "gaeilge": "ga", "irish": "ga", "cymraeg": "cy", "welsh": "cy",
    "فارسی": "fa", "persian": "fa", "bahasa melayu": "ms", "malay": "ms",
}  # fmt: skip
_LANGUAGE_TAG = re.compile(r"(?P<primary>[A-Za-z]{2})(?P<rest>(?:[-_][A-Za-z0-9]{1,8})*)")


def language_from(value: str) -> str:
    """A language code for a language name ("English", "Français", "日本語") or code
    ("EN", "pt_BR"); any other value as written."""
    name = " ".join(value.lower().split())
    if name in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[name]
    if tag := _LANGUAGE_TAG.fullmatch(value.strip()):
        return tag["primary"].lower() + tag["rest"].replace("_", "-")
    return value.strip()


def _language(header: _Header, item: _Field) -> None:
    if item.value and not header.work.language:
        header.work.language = language_from(item.value)


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.I)


def _source_url(header: _Header, item: _Field) -> None:
    # "Source: Buffy the Vampire Slayer" names a canon, not a page: only URLs count.
    if (match := _URL.search(item.value)) and not header.work.source_url:
        header.work.source_url = match.group(0).rstrip(".,;)")


_HANDLERS: dict[Group, Callable[[_Header, _Field], None]] = {
    Group.TITLE: _title,
    Group.CREATORS: _creators,
    Group.FANDOMS: _fandoms,
    Group.RELATIONSHIPS: _relationships,
    Group.CHARACTERS: _characters,
    Group.RATING: _rating,
    Group.WARNINGS: _warnings,
    Group.FREEFORMS: _freeforms,
    Group.SPOILERS: _spoilers,
    Group.SUMMARY: _summary,
    Group.NOTES: _notes,
    Group.SERIES: _series,
    Group.PART: _part,
    Group.STATUS: _status,
    Group.PUBLISHED: _published,
    Group.UPDATED: _updated,
    Group.CHAPTERS: _chapter_count,
    Group.LANGUAGE: _language,
    Group.SOURCE_URL: _source_url,
    Group.PROVENANCE: _ignore,
}


# Series -----------------------------------------------------------------------------

_DASHES = "\u2013\u2014"  # en and em dash

_POSITION_WORD = r"(?:part|book|story|installment|instalment|entry|vol(?:ume)?\.?|no\.?|number)"
# "Part 2 of Name", "Book Two in Name", "#2 in Name"
_POSITION_OF_SERIES = re.compile(
    rf"(?:{_POSITION_WORD}\s*|#\s*)(?P<position>\w+)\s+(?:of|in)\s+(?P<name>.+)", re.I
)
# "Name, part 2", "Name (Book Two)", "Name: Part II"
_SERIES_WITH_POSITION = re.compile(
    rf"(?P<name>.+?)[\s,:;(\[{_DASHES}-]+{_POSITION_WORD}\s*(?P<position>\w+)[)\]]?\.?", re.I
)
# "Name #2", "Name (#2)"
_SERIES_WITH_NUMBER = re.compile(r"(?P<name>.+?)\s*[(\[]?#\s*(?P<position>\d+)[)\]]?")
_SERIES_PATTERNS = (_POSITION_OF_SERIES, _SERIES_WITH_POSITION, _SERIES_WITH_NUMBER)
# The value of a "part" field: "2", "Part Two", "2 of Name", "2 of 5".
_PART_VALUE = re.compile(
    rf"(?:{_POSITION_WORD}\s*|#\s*)?(?P<position>\w+)(?:\s*(?:of|in|/)\s*(?P<name>.+))?", re.I
)


def series_from(value: str) -> ParsedSeries:
    """A series field: "Name", "Name, part 2", "Name #2" or "Part 2 of Name"."""
    value = value.strip()
    for pattern in _SERIES_PATTERNS:
        match = pattern.fullmatch(value)
        if match and (position := parse_number(match["position"])) is not None:
            name = match["name"].strip(f" ,:;([-{_DASHES}")
            if name:
                return ParsedSeries(name, position)
    return ParsedSeries(value)


def _part_from(value: str) -> tuple[int | None, str]:
    """(position, series name or "") of a part field."""
    match = _PART_VALUE.fullmatch(value.strip())
    if match is None:
        return None, ""
    name = (match["name"] or "").strip()
    # "2 of 5" counts the parts; it does not name a series.
    if parse_number(name) is not None or name == "?":
        name = ""
    return parse_number(match["position"]), name


def _resolve_series(series_values: list[str], part_values: list[str]) -> list[ParsedSeries]:
    series = [series_from(value) for value in series_values]
    position, name = _part_from(part_values[0]) if part_values else (None, "")
    if series:
        if series[0].position is None:
            series[0].position = position
    elif name:
        series.append(ParsedSeries(name, position))
    return series
