"""Header labels, as plain-text headers, HTML title pages and preface tables write
them ("Pairing:", "Rated", "Author's Notes"), and where each value belongs in a
ParsedWork.

One table for every importer that reads labelled fields: a label learnt for one
format is understood in all of them. The rules as users see them are in docs/cli.md,
"Plain-text stories".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, auto

from dateutil import parser as dateutil_parser

from fanarchive.ingest.parsed import ParsedSeries, ParsedWork
from fanarchive.lib.html import looks_like_html
from fanarchive.lib.prose import balance_html, parse_number, text_to_html
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
    END_NOTES = auto()
    HITS = auto()
    KUDOS = auto()
    BOOKMARKS = auto()
    COMMENTS = auto()
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
    "creator": Group.CREATORS,
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
    "storynote": Group.NOTES,
    "endnote": Group.END_NOTES,
    "archivewarning": Group.WARNINGS,
    "additionaltag": Group.FREEFORMS,
    "freeform": Group.FREEFORMS,
    # FanFicFare's labels for what it reads from AO3: "Freeform Tags", "AO3 Categories"
    # (only category values, which the fandom handler files as categories) and
    # "Chapters/Total Chapters" ("3/5").
    "freeformtag": Group.FREEFORMS,
    "ao3categories": Group.FANDOMS,
    "chapters/totalchapters": Group.CHAPTERS,
    "hit": Group.HITS,
    "read": Group.HITS,
    "view": Group.HITS,
    "kudo": Group.KUDOS,
    "bookmark": Group.BOOKMARKS,
    "comment": Group.COMMENTS,
    "review": Group.COMMENTS,
    "disclaimer": Group.PROVENANCE,
    "feedback": Group.PROVENANCE,
    "archive": Group.PROVENANCE,
    "distribution": Group.PROVENANCE,
    # eFiction's "Challenges" (the challenges a story answered) has no home of its own.
    "challenge": Group.PROVENANCE,
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
_MULTILINE_GROUPS = frozenset({Group.SUMMARY, Group.NOTES, Group.END_NOTES})


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
class Field:
    key: str
    lines: list[str]
    group: Group | None

    @property
    def value(self) -> str:
        if self.group in _MULTILINE_GROUPS:
            return "\n".join(self.lines).strip()
        return " ".join(line for line in self.lines if line)


@dataclass
class _Header:
    """A work being filled from header fields, with what waits for all of them."""

    work: ParsedWork
    series: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


def apply_fields(work: ParsedWork, pairs: Iterable[tuple[str, str]]) -> None:
    """Fill ``work`` from labelled values, in the order the source gave them. Every
    pair also lands in ``work.fields`` as written, known label or not."""
    apply_header(work, [Field(key, value.split("\n"), group_of(key)) for key, value in pairs])


def apply_header(work: ParsedWork, fields: list[Field]) -> None:
    header = _Header(work)
    for item in fields:
        work.fields.append((item.key, item.value))
        if item.group is not None:
            _HANDLERS[item.group](header, item)
    # Added to, not replaced: an importer may apply its fields in several calls.
    _extend_unique(work.series, _resolve_series(header.series, header.parts))


def apply_names(
    work: ParsedWork, key: str, names: Iterable[str], group: Group | None = None
) -> None:
    """Fill ``work`` from a label whose values come already separated, as an AO3
    preface gives one link per tag: a name with a comma, "and" or "&" stays one name.
    ``group`` overrides the label's own (an EPUB's "subject" is an additional tag).
    The pair lands in ``work.fields`` with the names joined by ", "."""
    names = list(dict.fromkeys(" ".join(name.split()) for name in names if name.strip()))
    group = group or group_of(key)
    if group not in _NAME_GROUPS:
        apply_fields(work, [(key, ", ".join(names))])
        return
    work.fields.append((key, ", ".join(names)))
    for name in names:
        _NAME_GROUPS[group](work, name)


def _add_fandom_name(work: ParsedWork, name: str) -> None:
    category = _CATEGORY_NAMES.get("".join(name.lower().split()))
    if category is not None:
        _extend_unique(work.categories, [category])
    else:
        _extend_unique(work.fandoms, [name])


def _add_warning_name(work: ParsedWork, name: str) -> None:
    warning = _WARNING_WORDS.get(_alphanumeric(name))
    _extend_unique(work.warnings if warning else work.freeforms, [warning or name])


def _add_rating_name(work: ParsedWork, name: str) -> None:
    work.rating = work.rating or rating_from(name)


_NAME_GROUPS: dict[Group, Callable[[ParsedWork, str], None]] = {
    Group.CREATORS: lambda work, name: _extend_unique(work.creators, [name]),
    Group.FANDOMS: _add_fandom_name,
    Group.RELATIONSHIPS: lambda work, name: _extend_unique(work.relationships, [name]),
    Group.CHARACTERS: lambda work, name: _extend_unique(work.characters, [name]),
    Group.FREEFORMS: lambda work, name: _extend_unique(work.freeforms, [name]),
    Group.WARNINGS: _add_warning_name,
    Group.RATING: _add_rating_name,
}


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


def _title(header: _Header, item: Field) -> None:
    header.work.title = header.work.title or item.value


def _creators(header: _Header, item: Field) -> None:
    _extend_unique(header.work.creators, _split_list(item.value, _CREATOR_SEPARATOR))


def _fandoms(header: _Header, item: Field) -> None:
    for name in _tag_values(item.value):
        category = _CATEGORY_NAMES.get("".join(name.lower().split()))
        if category is not None:
            _extend_unique(header.work.categories, [category])
        else:
            _extend_unique(header.work.fandoms, [name])


def _relationships(header: _Header, item: Field) -> None:
    _extend_unique(header.work.relationships, _tag_values(item.value))


def _characters(header: _Header, item: Field) -> None:
    _extend_unique(header.work.characters, _tag_values(item.value))


def _freeforms(header: _Header, item: Field) -> None:
    _extend_unique(header.work.freeforms, _tag_values(item.value))


def _rating(header: _Header, item: Field) -> None:
    header.work.rating = header.work.rating or rating_from(item.value)


def _warnings(header: _Header, item: Field) -> None:
    for name in _split_list(item.value):
        warning = _WARNING_WORDS.get(_alphanumeric(name))
        if warning is not None:
            _extend_unique(header.work.warnings, [warning])
        else:
            _extend_unique(header.work.freeforms, [name])


def _spoilers(header: _Header, item: Field) -> None:
    if item.value:
        _extend_unique(header.work.freeforms, [f"Spoilers: {item.value}"])


def _prose_html(text: str) -> str:
    return balance_html(text) if looks_like_html(text) else text_to_html(text)


def _summary(header: _Header, item: Field) -> None:
    if item.value:
        header.work.summary = "\n".join(
            filter(None, [header.work.summary, _prose_html(item.value)])
        )


def _notes(header: _Header, item: Field) -> None:
    if item.value:
        header.work.notes = "\n".join(filter(None, [header.work.notes, _prose_html(item.value)]))


def _series(header: _Header, item: Field) -> None:
    if item.value:
        header.series.append(item.value)


def _part(header: _Header, item: Field) -> None:
    if item.value:
        header.parts.append(item.value)


def _end_notes(header: _Header, item: Field) -> None:
    if item.value:
        header.work.end_notes = "\n".join(
            filter(None, [header.work.end_notes, _prose_html(item.value)])
        )


def _count(value: str) -> int | None:
    """A count as sources write it: "1,234", "1.234", "1 234"; None for anything else."""
    digits = re.sub(r"[,.\s\u00a0\u202f]", "", value)
    return int(digits) if digits.isdigit() and len(digits) < 12 else None


def _counter(attribute: str) -> Callable[[_Header, Field], None]:
    def apply(header: _Header, item: Field) -> None:
        if getattr(header.work, attribute) is None:
            setattr(header.work, attribute, _count(item.value))

    return apply


def _ignore(header: _Header, item: Field) -> None:
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


def _status(header: _Header, item: Field) -> None:
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


def _published(header: _Header, item: Field) -> None:
    header.work.published = header.work.published or date_from(item.value)


def _updated(header: _Header, item: Field) -> None:
    header.work.updated = header.work.updated or date_from(item.value)


_CHAPTER_COUNT = re.compile(r"\s*\d+\s*(?:/|of)\s*(?P<total>\d+)\s*", re.I)


def _chapter_count(header: _Header, item: Field) -> None:
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


def _language(header: _Header, item: Field) -> None:
    if item.value and not header.work.language:
        header.work.language = language_from(item.value)


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.I)


def _source_url(header: _Header, item: Field) -> None:
    # "Source: Buffy the Vampire Slayer" names a canon, not a page: only URLs count.
    if (match := _URL.search(item.value)) and not header.work.source_url:
        header.work.source_url = match.group(0).rstrip(".,;)")


_HANDLERS: dict[Group, Callable[[_Header, Field], None]] = {
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
    Group.END_NOTES: _end_notes,
    Group.HITS: _counter("hits"),
    Group.KUDOS: _counter("kudos"),
    Group.BOOKMARKS: _counter("bookmarks"),
    Group.COMMENTS: _counter("comments"),
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
# "Name [2]", as FanFicFare writes a series
_SERIES_WITH_BRACKETED_NUMBER = re.compile(r"(?P<name>.+?)\s*\[\s*(?P<position>\d+)\s*\]")
_SERIES_PATTERNS = (
    _POSITION_OF_SERIES,
    _SERIES_WITH_POSITION,
    _SERIES_WITH_NUMBER,
    _SERIES_WITH_BRACKETED_NUMBER,
)
# The value of a "part" field: "2", "Part Two", "2 of Name", "2 of 5".
_PART_VALUE = re.compile(
    rf"(?:{_POSITION_WORD}\s*|#\s*)?(?P<position>\w+)(?:\s*(?:of|in|/)\s*(?P<name>.+))?", re.I
)


def series_from(value: str) -> ParsedSeries:
    """A series field: "Name", "Name, part 2", "Name #2", "Name [2]" or "Part 2 of Name"."""
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
