"""One pass over a story: every pack name, pack term and content cue, by position.

All names, terms and cue phrases go into ONE regular expression, built as a trie so the
engine follows a single branch per letter, and run once over the lower-cased text.
A match is looked up in a table of what the phrase can mean; names and terms are then
checked against the original capitalisation ("Will" is a name, "will" a word).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from fanarchive.tags.inference.lexicon import COMMON_WORDS, IGNORE, NAME_PARTICLES, SPEECH_VERBS
from fanarchive.tags.packs import Pack

# Kinds of name forms, strongest first.
NAME = "name"
ALIAS = "alias"
NICKNAME = "nickname"
DERIVED = "derived"
"""A first name or surname taken from a canonical name the pack does not list."""
KIND_ORDER = {NAME: 0, ALIAS: 1, NICKNAME: 2, DERIVED: 3}


@dataclass(frozen=True, slots=True)
class NameEntry:
    pack: int
    character: int
    kind: str
    form: str
    """The form as the pack writes it (for the capitalisation check)."""


@dataclass(frozen=True, slots=True)
class TermEntry:
    pack: int
    form: str


@dataclass(frozen=True, slots=True)
class CueEntry:
    cls: str
    weight: float


type Entry = NameEntry | TermEntry | CueEntry


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int
    end: int
    paragraph: int
    initial: bool
    """First word of a sentence, where any word is capitalised."""
    attributed: bool
    """Next to a speech verb: "said Buffy", "Buffy asked"."""


@dataclass(frozen=True, slots=True)
class CueHit:
    start: int
    end: int
    paragraph: int
    weight: float
    cls: str


# Text layout ----------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LONG_LINE = 120
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]*_]*(?=\s|$)")
MAX_EVIDENCE = 200


class Document:
    """The text with its paragraphs (blocks between blank lines; lines of a block are
    paragraphs of their own when the block is not hard-wrapped prose)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs = _paragraphs(text)
        self.starts = [start for start, _ in self.paragraphs]

    def paragraph_of(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def sentence_span(self, position: int) -> tuple[int, int]:
        """The sentence around a position, within its paragraph."""
        if not self.paragraphs:
            return position, position
        start, end = self.paragraphs[self.paragraph_of(position)]
        left = max(start, position - 400)
        right = min(end, position + 400)
        begin = left
        for match in _SENTENCE_END.finditer(self.text, left, position):
            begin = match.end()
        found = _SENTENCE_END.search(self.text, position, right)
        finish = found.end() if found else right
        return begin, finish

    def sentence_at(self, position: int) -> str:
        """The sentence around a position, cut to at most 200 characters around it; an
        exact substring of the text, stripped."""
        begin, finish = self.sentence_span(position)
        text = self.text
        if finish - begin > MAX_EVIDENCE:
            begin = max(begin, position - MAX_EVIDENCE // 2)
            finish = min(finish, begin + MAX_EVIDENCE)
            begin = _word_start(text, begin, position)
            finish = _word_end(text, finish, position)
        return text[begin:finish].strip()


def _word_start(text: str, begin: int, limit: int) -> int:
    """Move a cut forward to the start of a word (not past ``limit``)."""
    while begin < limit and begin > 0 and not text[begin - 1].isspace():
        begin += 1
    return begin


def _word_end(text: str, finish: int, limit: int) -> int:
    while finish > limit and finish < len(text) and not text[finish].isspace():
        finish -= 1
    return finish


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _BLANK_LINES.finditer(text):
        _add_block(text, position, match.start(), spans)
        position = match.end()
    _add_block(text, position, len(text), spans)
    return spans


def _add_block(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    block = text[start:end]
    lines = block.split("\n")
    if len(lines) > 1 and max(len(line) for line in lines) > _LONG_LINE:
        offset = start
        for line in lines:
            _add_span(text, offset, offset + len(line), spans)
            offset += len(line) + 1
    else:
        _add_span(text, start, end, spans)


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# Normalising phrases --------------------------------------------------------------------

_APOSTROPHES = "'\u2019\u2018\u02bc"
_HYPHENS = r"\-\u2010\u2011"
_NOT_KEY = re.compile(rf"[\s{_HYPHENS}.]+")
_APOSTROPHE = re.compile(f"[{_APOSTROPHES}]")


def lower(text: str) -> str:
    """Lower-cased text of the same length (offsets stay valid)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def key(phrase: str) -> str:
    """The table key of a phrase: lower case, no spaces, hyphens or full stops, one
    apostrophe."""
    return _APOSTROPHE.sub("'", _NOT_KEY.sub("", phrase.lower()))


def display_form(name: str) -> str:
    """A canonical tag as it appears in prose: "Thor (Marvel)" -> "Thor"."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


# The trie expression ---------------------------------------------------------------------

_CHAR_PATTERNS = {
    " ": r"\s+",
    "'": f"[{_APOSTROPHES}]",
    "-": rf"[{_HYPHENS}\s]?",
    ".": r"\.?",
}


def trie_pattern(phrases: list[str]) -> str:
    """A regular expression matching any of the (lower-case) phrases, longest first, as
    a trie: ``(?:kiss(?:e[sd]|ing)?|...)``."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    ends_here = "" in node
    branches = [
        _CHAR_PATTERNS.get(ch, re.escape(ch)) + _node_pattern(child)
        for ch, child in sorted(node.items())
        if ch
    ]
    if not branches:
        return ""
    if len(branches) == 1 and not ends_here:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if ends_here else group


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[index : index + size] for index in range(0, len(items), size)]


# The index -------------------------------------------------------------------------------

_SPEECH = "|".join(SPEECH_VERBS)
_SPEECH_AFTER = re.compile(rf"[ \t]*,?[ \t]+(?:{_SPEECH})\b")
_SPEECH_BEFORE = re.compile(rf"\b(?:{_SPEECH})[ \t]+$")
_VOCATIVE_AFTER = re.compile('[,!?.]?["\u201d]')
_OPENING_QUOTES = frozenset('"\u201c')
_OPENERS = frozenset(" \t\"'\u201c\u201d\u2018\u2019([{*_\u2014\u2013-")
_ENDERS = frozenset(".!?\u2026:\n\r")


def is_initial(text: str, start: int) -> bool:
    """True when the word at ``start`` opens a sentence (or a quotation, or a line)."""
    index = start - 1
    stop = max(-1, start - 12)
    while index > stop and text[index] in _OPENERS:
        index -= 1
    return index < 0 or text[index] in _ENDERS


def is_attributed(text: str, start: int, end: int) -> bool:
    """Next to a speech verb ("said Buffy", "Buffy asked") or addressed in dialogue
    ('"Buffy," she said', '"Buffy, wait"')."""
    if _SPEECH_AFTER.match(text, end) or _VOCATIVE_AFTER.match(text, end):
        return True
    if start > 0 and text[start - 1] in _OPENING_QUOTES and text[end : end + 1] in (",", "!", "?"):
        return True
    return _SPEECH_BEFORE.search(text, max(0, start - 24), start) is not None


@functools.lru_cache(maxsize=65536)
def case_matches(found: str, form: str) -> bool:
    """Whether text found has a form's capitalisation: as written, with a lower-case
    first letter capitalised ("the Bronze" / "The Bronze"), or all in capitals. Spacing,
    hyphens, apostrophes and full stops may differ ("Mr Holmes" for "Mr. Holmes")."""
    if found == form or (len(found) > 1 and found.isupper() and any(ch.isalpha() for ch in found)):
        return True
    letters_found = "".join(ch for ch in found if ch.isalnum())
    letters_form = "".join(ch for ch in form if ch.isalnum())
    if letters_found == letters_form:
        return True
    return (
        bool(letters_form)
        and letters_form[0].islower()
        and letters_found == letters_form[0].upper() + letters_form[1:]
    )


@dataclass
class Index:
    """What every phrase means; built once per Tagger."""

    packs: list[Pack]
    table: dict[str, list[Entry]] = field(default_factory=dict)
    regex: re.Pattern[str] = field(default=re.compile(r"(?!x)x"))
    form_packs: dict[str, frozenset[int]] = field(default_factory=dict)
    """For each name or term key, the packs that use it."""
    cores: dict[str, str] = field(default_factory=dict)
    """For each name or term key, the key of its words without titles and articles
    ("thefalcon" -> "falcon", "mrholmes" -> "holmes")."""
    single: set[str] = field(default_factory=set)
    """Name and term keys whose core is one word."""
    meanings: dict[str, tuple[tuple[str, ...], tuple[CueEntry, ...]]] = field(default_factory=dict)
    """For each key, (the name and term forms, the counted cue entries): the table
    prepared for the scan loop."""

    @classmethod
    def build(cls, packs: list[Pack], cues: dict[str, list[tuple[str, float]]]) -> Index:
        index = cls(packs=packs)
        for pack_number, pack in enumerate(packs):
            index._add_pack(pack_number, pack)
        for phrase, meanings in cues.items():
            for cls_name, weight in meanings:
                index._add(phrase, CueEntry(cls_name, weight))
        phrases = sorted(index._phrases)
        pattern = trie_pattern(phrases) if phrases else r"(?!x)x"
        index.regex = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")
        index.meanings = {
            k: (
                tuple(e.form for e in entries if not isinstance(e, CueEntry)),
                tuple(e for e in entries if isinstance(e, CueEntry) and e.cls != IGNORE),
            )
            for k, entries in index.table.items()
        }
        index.form_packs = {
            k: frozenset(e.pack for e in entries if not isinstance(e, CueEntry))
            for k, entries in index.table.items()
            if any(not isinstance(e, CueEntry) for e in entries)
        }
        return index

    def __post_init__(self) -> None:
        self._phrases: set[str] = set()

    def _add(self, phrase: str, entry: Entry) -> None:
        phrase = " ".join(lower(phrase).split())
        if not phrase or not any(ch.isalnum() for ch in phrase):
            return
        phrase_key = key(phrase)
        entries = self.table.setdefault(phrase_key, [])
        if entry not in entries:
            entries.append(entry)
        self._phrases.add(phrase)
        if not isinstance(entry, CueEntry):
            words = core_words(phrase)
            self.cores[phrase_key] = key(" ".join(words))
            if len(words) <= 1:
                self.single.add(phrase_key)

    def _add_pack(self, pack_number: int, pack: Pack) -> None:
        listed: set[str] = set()
        for number, character in enumerate(pack.characters):
            forms = [(display_form(character.name), NAME)]
            forms += [(display_form(alias), ALIAS) for alias in character.aliases]
            forms += [(display_form(nick), NICKNAME) for nick in character.nicknames]
            for form, kind in forms:
                if form:
                    listed.add(key(form))
                    self._add(form, NameEntry(pack_number, number, kind, form))
        for term in pack.terms:
            self._add(term, TermEntry(pack_number, term))
        for number, form in _derived_forms(pack, listed):
            self._add(form, NameEntry(pack_number, number, DERIVED, form))


def core_words(phrase: str) -> list[str]:
    """The words of a name without leading titles and articles ("the Falcon" ->
    ["Falcon"]); all of them when nothing else is left."""
    words = phrase.split()
    core = list(words)
    while len(core) > 1 and key(core[0]) in NAME_PARTICLES:
        core.pop(0)
    return core


def _derived_forms(pack: Pack, listed: set[str]) -> list[tuple[int, str]]:
    """First names and surnames of canonical names that the pack does not list itself
    and that belong to one character only."""
    owners: defaultdict[str, set[int]] = defaultdict(set)
    forms: dict[str, str] = {}
    for number, character in enumerate(pack.characters):
        words = display_form(character.name).split()
        if len(words) < 2 or any(ch in character.name for ch in '"\u201c'):
            continue
        for word in (words[0], words[-1]):
            word = word.strip(".,")
            k = key(word)
            if len(word) < 3 or k in NAME_PARTICLES or not word[:1].isupper():
                continue
            owners[k].add(number)
            forms[k] = word
    return [
        (next(iter(numbers)), forms[k])
        for k, numbers in owners.items()
        if len(numbers) == 1 and k not in listed
    ]


# Scanning ----------------------------------------------------------------------------------


@dataclass
class Scan:
    """Everything found in one text."""

    doc: Document
    index: Index
    names: dict[str, list[NameHit]] = field(default_factory=lambda: defaultdict(list))
    """Name and term mentions by phrase key, capitalisation checked."""
    lower_uses: Counter[str] = field(default_factory=Counter)
    """Phrase keys of names/terms also used as lower-case words in this text."""
    cues: dict[str, list[CueHit]] = field(default_factory=lambda: defaultdict(list))
    """Cue hits by class."""

    def wordlike(self, phrase_key: str) -> bool:
        """A name form that is also an ordinary word, in general or in this text."""
        return (
            phrase_key in COMMON_WORDS
            or self.index.cores.get(phrase_key) in COMMON_WORDS
            or self.lower_uses[phrase_key] > 0
        )

    def valid(self, phrase_key: str, *, in_fandom: bool = False) -> tuple[list[NameHit], bool]:
        """(mentions that count as a name, whether the form is generic here).

        A form that is also a word counts at the start of a sentence only when it
        occurs mid-sentence (or next to a speech verb) at least twice, or, once its
        fandom is known (``in_fandom``), when the text never uses it as a lower-case
        word. A one-word form seen once, at the start of a sentence, is generic."""
        hits = self.names.get(phrase_key, [])
        firm = [hit for hit in hits if not hit.initial or hit.attributed]
        if self.wordlike(phrase_key):
            trusted = len(firm) >= 2 or (in_fandom and self.lower_uses[phrase_key] == 0)
            return (hits if trusted else firm), True
        if phrase_key in self.index.single and not firm and len(hits) < 2:
            return hits, True
        return hits, False

    def cue_weight(self, *classes: str) -> float:
        return sum(hit.weight for cls in classes for hit in self.cues.get(cls, ()))


def scan(index: Index, text: str) -> Scan:
    doc = Document(text)
    result = Scan(doc, index)
    lowered = lower(text)
    meanings = index.meanings
    paragraph_of = doc.paragraph_of
    cues = result.cues
    for match in index.regex.finditer(lowered):
        phrase = match.group()
        phrase_key = phrase if phrase.isalpha() else key(phrase)
        meaning = meanings.get(phrase_key)
        if meaning is None:
            continue
        forms, cue_entries = meaning
        start, end = match.span()
        if forms and _record_name(result, forms, text[start:end], phrase_key, start, end):
            continue
        if cue_entries:
            paragraph = paragraph_of(start)
            for entry in cue_entries:
                cues[entry.cls].append(CueHit(start, end, paragraph, entry.weight, entry.cls))
    return result


def _record_name(
    result: Scan, forms: tuple[str, ...], found: str, phrase_key: str, start: int, end: int
) -> bool:
    """Record a name or term mention; True when the words were taken as a name."""
    if any(case_matches(found, form) for form in forms):
        text = result.doc.text
        hit = NameHit(
            start,
            end,
            result.doc.paragraph_of(start),
            is_initial(text, start),
            is_attributed(text, start, end),
        )
        result.names[phrase_key].append(hit)
        # A capitalised cue word mid-sentence is the name, not the word.
        return not hit.initial or hit.attributed
    if found[:1].islower():
        result.lower_uses[phrase_key] += 1
    return False
