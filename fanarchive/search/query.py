"""The search box's query language: what a reader types, parsed once, rendered per engine.

Framework-free. :func:`parse` turns the box's text into a :class:`Query`;
:func:`fts5_match` renders it for SQLite FTS5 (``WHERE t MATCH ?``) and :func:`tsquery`
for PostgreSQL (``to_tsquery('english', %s)``). Both renderings go in as query
*parameters*; neither is ever interpolated into SQL.

What a reader can type
    ``sea lions``            both words, anywhere (AND)
    ``"at the pier"``        the exact phrase
    ``-zombie``              no work with that word; ``-"walking dead"`` excludes a phrase
    ``harbour OR pier``      either; ``OR`` (uppercase only) binds tighter than the
                             implicit AND: ``a OR b c`` is ``(a OR b) AND c``
    ``title:harbour``        a word in one field: ``title:``, ``author:``, ``summary:``,
                             ``tag:`` or ``text:`` (chapter text); ``tag:"Spike/Willow"``
                             takes a phrase; ``-title:zombie`` excludes

Bad syntax never errors; it is read as plain words:
    * an unbalanced ``"`` is ignored (the last one, when the count is odd);
    * a field prefix with nothing after it (``title:``) is the word ``title``;
    * ``-`` on its own is ignored;
    * ``OR`` at the start or end, doubled, or next to an excluded term is ignored
      (an excluded term is always ANDed: ``a OR -b`` is ``a -b``);
    * any other colon reads as a space: ``foo:bar`` is ``foo bar``, ``-foo:bar`` is
      ``-foo bar``, ``title:a:b`` is ``title:a b``;
    * curly quotes from phone keyboards count as straight ones.

Words are normalised (:func:`normalise`): NFKC, Unicode case-folding, and split on
anything that is not a letter, digit, combining mark or inner apostrophe. A term that
splits into several words is a phrase, so ``Spike/Willow`` means ``"spike willow"``.
Diacritics are kept; the engines fold them (FTS5's ``remove_diacritics 2``,
PostgreSQL's ``unaccent``), and stemming is theirs too. PostgreSQL's own parser reads
``Spike/Willow`` in a document as one file-path token, which the phrase
``'spike' <-> 'willow'`` never matches: index ``" ".join(normalise(text))`` there, so
documents split into words the way queries do. FTS5's unicode61 already splits alike.

Limits: the first :data:`MAX_QUERY_CHARS` characters are read, at most :data:`MAX_TERMS`
terms are kept, and a term is at most :data:`MAX_TERM_CHARS` characters (words joined by
single spaces). Only letters, digits, marks and apostrophes ever reach a rendered
expression, each word inside a quoted literal, so nothing a reader types can be read by
FTS5 or ``to_tsquery`` as syntax.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

FIELDS = ("title", "author", "summary", "tag", "text")
MAX_QUERY_CHARS = 4096
MAX_TERMS = 32
MAX_TERM_CHARS = 100

_OR = "OR"
_WORD_CATEGORIES = frozenset("LNM")  # letters, numbers, combining marks
_BASE_CATEGORIES = frozenset("LN")  # a word needs one: marks alone are no word to FTS5
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc", "'"))
_DOUBLE_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\uff02", '"'))
_UNPAIRED_QUOTE = "/"  # punctuation: splits words like the quote would, means nothing
# With quotes balanced: an optional prefix glued to a quoted phrase, or a bare run.
_TOKEN = re.compile(r'(?P<prefix>[^\s"]*)"(?P<phrase>[^"]*)"|(?P<run>[^\s"]+)')
_FIELD_PREFIX = re.compile(r"(?P<negated>-?)(?:(?P<field>[A-Za-z]+):)?")
_FTS5_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FTS5_KEYWORDS = frozenset({"AND", "OR", "NOT", "NEAR"})
_WEIGHT_LABELS = re.compile(r"[ABCD]{1,4}")


def _is_word_char(char: str) -> bool:
    return char == "'" or unicodedata.category(char)[0] in _WORD_CATEGORIES


def _is_word(word: str) -> bool:
    return (
        0 < len(word) <= MAX_TERM_CHARS
        and not word.startswith("'")
        and not word.endswith("'")
        and all(_is_word_char(char) for char in word)
        and any(unicodedata.category(char)[0] in _BASE_CATEGORIES for char in word)
    )


@dataclass(frozen=True)
class Term:
    """One word or phrase, optionally limited to a field, optionally excluded.

    Constructing a Term checks that every word is made only of letters, digits, marks
    and inner apostrophes, so a Term cannot carry engine syntax however it was built.
    """

    words: tuple[str, ...]
    field: str | None = None
    negated: bool = False

    def __post_init__(self) -> None:
        if not self.words or not all(_is_word(word) for word in self.words):
            raise ValueError(f"not normalised search words: {self.words!r}")
        if len(" ".join(self.words)) > MAX_TERM_CHARS:
            raise ValueError(f"a term is at most {MAX_TERM_CHARS} characters")
        if self.field is not None and self.field not in FIELDS:
            raise ValueError(f"unknown search field: {self.field!r}")

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """An AND of clauses, each an OR of terms; an excluded term is a clause of its own."""

    clauses: tuple[tuple[Term, ...], ...]
    raw: str

    def __post_init__(self) -> None:
        for clause in self.clauses:
            if not clause:
                raise ValueError("an empty clause")
            if len(clause) > 1 and any(term.negated for term in clause):
                raise ValueError("an excluded term must be a clause of its own")

    @property
    def is_empty(self) -> bool:
        """True without a positive term: nothing to match by text.

        A query of only exclusions is empty too (``-zombie`` alone): neither engine can
        match "everything but", so both renderers return None and the engine runs no
        text match at all.
        """
        return not any(not clause[0].negated for clause in self.clauses)

    def positive_words(self) -> list[str]:
        """Every word the reader asked for, first appearance first, for highlighting."""
        words = (
            word
            for clause in self.clauses
            for term in clause
            if not term.negated
            for word in term.words
        )
        return list(dict.fromkeys(words))


# -- normalisation ------------------------------------------------------------------


def normalise(text: str) -> tuple[str, ...]:
    """The words of ``text`` as the query language sees them (and highlighting should).

    >>> normalise("Spike/Willow")
    ('spike', 'willow')
    >>> normalise("DON\N{RIGHT SINGLE QUOTATION MARK}T Straße")
    ("don't", 'strasse')
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return tuple(_split_words(folded.translate(_APOSTROPHES)))


def _split_words(text: str) -> Iterator[str]:
    # Every character that is no word character becomes a space, decided once per
    # distinct character and applied by str.translate: indexing a chapter this way is
    # C speed, where a test per character in Python ran at about 1 MB/s.
    separators = {ord(char): " " for char in set(text) if not _is_word_char(char)}
    for run in text.translate(separators).split():
        yield from _cleaned(run)


def _cleaned(word: str) -> Iterator[str]:
    """The word without apostrophes at its edges, cut to length; nothing if not a word."""
    word = word.strip("'")[:MAX_TERM_CHARS].rstrip("'")
    # An ASCII run of letters, digits and inner apostrophes is a word; only others need
    # the full test.
    if word and (word.isascii() or _is_word(word)):
        yield word


def _capped(words: tuple[str, ...]) -> tuple[str, ...]:
    """As many whole words as fit in one term of MAX_TERM_CHARS characters."""
    kept: list[str] = []
    used = -1  # no space before the first word
    for word in words:
        used += 1 + len(word)
        if used > MAX_TERM_CHARS:
            break
        kept.append(word)
    return tuple(kept)


# -- parsing ------------------------------------------------------------------------


def parse(text: str) -> Query:
    """Read the search box. Never raises; whatever cannot be syntax is words."""
    clauses: list[list[Term]] = []
    or_pending = False
    terms = 0
    for item in _items(_balanced(text[:MAX_QUERY_CHARS].translate(_DOUBLE_QUOTES))):
        if item == _OR:
            or_pending = True
            continue
        if terms == MAX_TERMS:
            break
        assert isinstance(item, Term)
        terms += 1
        if or_pending and _can_join(clauses, item):
            clauses[-1].append(item)
        else:
            clauses.append([item])
        or_pending = False
    return Query(clauses=tuple(tuple(clause) for clause in clauses), raw=text)


def _can_join(clauses: list[list[Term]], term: Term) -> bool:
    return bool(clauses) and not clauses[-1][0].negated and not term.negated


def _balanced(text: str) -> str:
    """Read the quote left without a partner as punctuation; the rest pair up in order."""
    if text.count('"') % 2 == 0:
        return text
    last = text.rindex('"')
    return text[:last] + _UNPAIRED_QUOTE + text[last + 1 :]


def _items(text: str) -> Iterator[Term | str]:
    for token in _TOKEN.finditer(text):
        phrase = token["phrase"]
        if phrase is None:
            yield from _run(token["run"])
        else:
            yield from _prefixed_phrase(token["prefix"], phrase)


def _prefixed_phrase(prefix: str, phrase: str) -> Iterator[Term | str]:
    glued = _FIELD_PREFIX.fullmatch(prefix)
    field = glued["field"] if glued else None
    if glued and (field is None or field.casefold() in FIELDS):
        yield from _term(phrase, field, negated=bool(glued["negated"]))
        return
    # `foo"a b"`, `foo:"a b"`: the prefix is words of its own, the phrase is positive.
    yield from _run(prefix)
    yield from _term(phrase, None, negated=False)


def _run(run: str) -> Iterator[Term | str]:
    if run == _OR:
        yield _OR
        return
    negated = run.startswith("-")
    body = run[1:] if negated else run
    head, colon, rest = body.partition(":")
    if colon and head.isascii() and head.casefold() in FIELDS:
        first, *others = rest.split(":")
        yield from _term(first, head, negated=negated)
    else:
        first, *others = body.split(":")
        yield from _words(first, negated=negated)
    for other in others:
        yield from _words(other, negated=False)


def _term(text: str, field: str | None, *, negated: bool) -> Iterator[Term]:
    if field is None:
        yield from _words(text, negated=negated)
        return
    words = _capped(normalise(text))
    if words:
        yield Term(words=words, field=field.casefold(), negated=negated)
    else:  # `title:` with nothing after it is the word "title"
        yield from _words(field, negated=negated)


def _words(text: str, *, negated: bool) -> Iterator[Term]:
    words = _capped(normalise(text))
    if words:
        yield Term(words=words, negated=negated)


# -- SQLite FTS5 ----------------------------------------------------------------------


def fts5_match(query: Query, columns: dict[str, str]) -> str | None:
    """An FTS5 MATCH expression for ``query``, or None when it is empty.

    ``columns`` maps every field in FIELDS to an FTS5 column name, or to several
    separated by spaces (``{"tag": "fandoms characters"}``). Every word is a
    double-quoted FTS5 string; a phrase is one string of its words, which FTS5 tokenizes
    into a phrase. Exclusions come last as ``NOT``, which FTS5 only has as a binary
    operator: ``"a" NOT "b"``.
    """
    if query.is_empty:
        return None
    filters = _fts5_filters(columns)
    positives = [_fts5_clause(clause, filters) for clause in query.clauses if _positive(clause)]
    negatives = [_fts5_term(clause[0], filters) for clause in query.clauses if clause[0].negated]
    expression = " AND ".join(positives)
    if negatives and len(positives) > 1:
        expression = f"( {expression} )"
    return " NOT ".join([expression, *negatives])


def _positive(clause: tuple[Term, ...]) -> bool:
    return not clause[0].negated


def _fts5_filters(columns: dict[str, str]) -> dict[str, str]:
    if set(columns) != set(FIELDS):
        raise ValueError(f"columns must map exactly the fields {FIELDS}, got {sorted(columns)}")
    filters = {}
    for field, names in columns.items():
        split = names.split()
        if not split or not all(_is_fts5_column(name) for name in split):
            raise ValueError(f"not FTS5 column names for {field!r}: {names!r}")
        filters[field] = "{" + " ".join(split) + "}"
    return filters


def _is_fts5_column(name: str) -> bool:
    return bool(_FTS5_COLUMN.fullmatch(name)) and name.upper() not in _FTS5_KEYWORDS


def _fts5_clause(clause: tuple[Term, ...], filters: dict[str, str]) -> str:
    if len(clause) == 1:
        return _fts5_term(clause[0], filters)
    return "( " + " OR ".join(_fts5_term(term, filters) for term in clause) + " )"


def _fts5_term(term: Term, filters: dict[str, str]) -> str:
    literal = '"' + " ".join(term.words).replace('"', '""') + '"'
    if term.field is None:
        return literal
    return f"{filters[term.field]} : {literal}"


# -- PostgreSQL -----------------------------------------------------------------------


def tsquery(query: Query, *, weights: dict[str, str]) -> str | None:
    """A ``to_tsquery('english', %s)`` argument for ``query``, or None when it is empty.

    ``weights`` maps every field in FIELDS to the weight labels its text carries in the
    document's tsvector (``{"title": "A", "tag": "B", ...}``; labels may combine, "AB").
    A field term is limited to those labels, ``'harbour':A``; fields that share a label
    cannot be told apart. Words are quoted lexemes, which to_tsquery still stems.
    """
    if query.is_empty:
        return None
    labels = _ts_labels(weights)
    positives = [_ts_clause(clause, labels) for clause in query.clauses if _positive(clause)]
    negatives = ["!" + _ts_term(clause[0], labels) for clause in query.clauses if clause[0].negated]
    return " & ".join([*positives, *negatives])


def _ts_labels(weights: dict[str, str]) -> dict[str, str]:
    if set(weights) != set(FIELDS):
        raise ValueError(f"weights must map exactly the fields {FIELDS}, got {sorted(weights)}")
    for field, labels in weights.items():
        if not _WEIGHT_LABELS.fullmatch(labels):
            raise ValueError(f"not tsvector weight labels for {field!r}: {labels!r}")
    return dict(weights)


def _ts_clause(clause: tuple[Term, ...], labels: dict[str, str]) -> str:
    if len(clause) == 1:
        return _ts_term(clause[0], labels)
    return "( " + " | ".join(_ts_term(term, labels) for term in clause) + " )"


def _ts_term(term: Term, labels: dict[str, str]) -> str:
    suffix = "" if term.field is None else ":" + labels[term.field]
    lexemes = [_ts_lexeme(word) + suffix for word in term.words]
    if len(lexemes) == 1:
        return lexemes[0]
    return "( " + " <-> ".join(lexemes) + " )"


def _ts_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "").replace("'", "''") + "'"
