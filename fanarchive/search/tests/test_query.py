import functools
import os
import re
import sqlite3
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanarchive.search.query import (
    FIELDS,
    MAX_TERM_CHARS,
    MAX_TERMS,
    Query,
    Term,
    fts5_match,
    normalise,
    parse,
    tsquery,
)

COLUMNS = {
    "title": "title",
    "author": "creators",
    "summary": "summary",
    "tag": "tags",
    "text": "body",
}
WEIGHTS = {"title": "A", "author": "B", "tag": "B", "summary": "C", "text": "D"}
EXAMPLE = 'sea lions "at the pier" -zombie title:harbour OR title:pier tag:"Spike/Willow"'


def word(text: str, field: str | None = None) -> Term:
    return Term(words=tuple(text.split()), field=field)


def excluded(text: str, field: str | None = None) -> Term:
    return Term(words=tuple(text.split()), field=field, negated=True)


def words_only(text: str) -> tuple[tuple[Term, ...], ...]:
    return tuple((word(w),) for w in text.split())


def clauses(text: str) -> tuple[tuple[Term, ...], ...]:
    return parse(text).clauses


def fts5(text: str) -> str | None:
    return fts5_match(parse(text), COLUMNS)


def ts(text: str) -> str | None:
    return tsquery(parse(text), weights=WEIGHTS)


# -- the forms a reader types -------------------------------------------------------


def test_it_reads_words_as_terms_that_must_all_match():
    assert clauses("sea lions") == ((word("sea"),), (word("lions"),))


def test_it_reads_a_quoted_phrase_as_one_term():
    assert clauses('"at the pier"') == ((word("at the pier"),),)
    assert word("at the pier").is_phrase
    assert not word("pier").is_phrase


def test_it_reads_a_minus_as_excluding_a_word():
    assert clauses("sea -zombie") == ((word("sea"),), (excluded("zombie"),))


def test_it_reads_a_minus_before_a_quote_as_excluding_a_phrase():
    assert clauses('sea -"walking dead"') == ((word("sea"),), (excluded("walking dead"),))


def test_it_reads_or_as_either_term():
    assert clauses("harbour OR pier") == ((word("harbour"), word("pier")),)
    assert clauses("a OR b OR c") == ((word("a"), word("b"), word("c")),)


def test_it_binds_or_tighter_than_the_implicit_and():
    assert clauses("a OR b c") == ((word("a"), word("b")), (word("c"),))
    assert clauses("a b OR c") == ((word("a"),), (word("b"), word("c")))


def test_it_reads_or_between_phrases():
    assert clauses('"sea lion" OR "walrus pup"') == ((word("sea lion"), word("walrus pup")),)


def test_it_reads_lowercase_or_as_a_word():
    assert clauses("harbour or pier") == ((word("harbour"),), (word("or"),), (word("pier"),))


def test_it_reads_a_quoted_or_as_a_word():
    assert clauses('a "OR" b') == ((word("a"),), (word("or"),), (word("b"),))


@pytest.mark.parametrize("field", FIELDS)
def test_it_reads_each_field_prefix(field: str):
    assert clauses(f"{field}:harbour") == ((word("harbour", field),),)


@pytest.mark.parametrize("field", FIELDS)
def test_it_reads_a_field_with_a_phrase(field: str):
    assert clauses(f'{field}:"at the pier"') == ((word("at the pier", field),),)


def test_it_reads_field_prefixes_in_any_case():
    assert clauses("Title:harbour TAG:angst") == (
        (word("harbour", "title"),),
        (word("angst", "tag"),),
    )


def test_it_reads_an_excluded_field_word_and_phrase():
    assert clauses('sea -title:zombie -tag:"Major Character Death"') == (
        (word("sea"),),
        (excluded("zombie", "title"),),
        (excluded("major character death", "tag"),),
    )


def test_it_reads_or_between_field_terms():
    assert clauses("title:harbour OR title:pier") == (
        (word("harbour", "title"), word("pier", "title")),
    )


def test_it_reads_an_unquoted_field_value_with_punctuation_as_a_phrase():
    assert clauses("tag:Spike/Willow") == ((word("spike willow", "tag"),),)


def test_it_reads_the_full_example():
    query = parse(EXAMPLE)
    assert query.raw == EXAMPLE
    assert query.clauses == (
        (word("sea"),),
        (word("lions"),),
        (word("at the pier"),),
        (excluded("zombie"),),
        (word("harbour", "title"), word("pier", "title")),
        (word("spike willow", "tag"),),
    )


def test_it_reads_curly_quotes_from_phone_keyboards_as_quotes():
    assert clauses("\u201cat the pier\u201d") == ((word("at the pier"),),)


# -- normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("HARBOUR", ("harbour",)),
        ("Straße", ("strasse",)),  # case-folded, not just lowercased
        ("ΣΊΣΥΦΟΣ", ("σίσυφοσ",)),
        ("\ufb01sh", ("fish",)),  # NFKC: the fi ligature
        ("\uff21\uff22\uff23", ("abc",)),  # NFKC: fullwidth letters
        ("Cafe\u0301", ("café",)),  # NFKC composes
        ("Café Zoë", ("café", "zoë")),  # diacritics are the engines' to fold
        ("don't", ("don't",)),
        ("don\u2019t", ("don't",)),  # a phone's apostrophe
        ("'tis 'quoted'", ("tis", "quoted")),  # apostrophes only inside a word
        ("Spike/Willow", ("spike", "willow")),
        ("sea-lion", ("sea", "lion")),
        ("snake_case", ("snake", "case")),
        ("2x04 S3", ("2x04", "s3")),
        ("東京 نجمة", ("東京", "نجمة")),
        ("हिंदी", ("हिंदी",)),  # combining vowel signs stay in the word
        ("\u0301 \u0301\u0301", ()),  # marks alone are no word
        ("*** --- ...", ()),
    ],
)
def test_it_normalises_words(text: str, words: tuple[str, ...]):
    assert normalise(text) == words


def test_it_normalises_field_terms_and_phrases_alike():
    assert clauses('TITLE:"Harbour LIGHTS" Straße') == (
        (word("harbour lights", "title"),),
        (word("strasse"),),
    )


def test_it_refuses_to_build_a_term_from_unnormalised_words():
    for words in [(), ("",), ("two words",), ('say"',), ("'edge",), ("\u0301",), ("x" * 101,)]:
        with pytest.raises(ValueError):
            Term(words=words)
    with pytest.raises(ValueError):
        Term(words=("x",), field="rating")
    with pytest.raises(ValueError):
        Term(words=("x" * 60, "y" * 60))


def test_it_refuses_an_excluded_term_inside_an_or():
    with pytest.raises(ValueError):
        Query(clauses=((word("a"), excluded("b")),), raw="")


# -- bad syntax is read as words ------------------------------------------------------


def test_it_reads_unbalanced_quotes_as_words():
    assert clauses('"at the pier') == ((word("at"),), (word("the"),), (word("pier"),))
    assert clauses('a "b c" "d') == ((word("a"),), (word("b c"),), (word("d"),))
    assert clauses('sea" lions') == ((word("sea"),), (word("lions"),))


def test_it_ignores_the_unbalanced_quote_after_a_prefix():
    assert clauses('title:"harbour') == ((word("harbour", "title"),),)
    assert clauses('-"zombie') == ((excluded("zombie"),),)


def test_it_reads_a_field_prefix_with_nothing_after_it_as_the_word():
    assert clauses("title:") == ((word("title"),),)
    assert clauses("title: harbour") == ((word("title"),), (word("harbour"),))
    assert clauses('tag:"" angst') == ((word("tag"),), (word("angst"),))
    assert clauses("summary:***") == ((word("summary"),),)


def test_it_ignores_a_lone_minus():
    assert clauses("-") == ()
    assert clauses("sea - lions") == ((word("sea"),), (word("lions"),))
    assert clauses('- "at the pier"') == ((word("at the pier"),),)


def test_it_ignores_or_at_the_start_or_end_or_doubled():
    assert clauses("OR sea") == ((word("sea"),),)
    assert clauses("sea OR") == ((word("sea"),),)
    assert clauses("sea OR OR lions") == ((word("sea"), word("lions")),)
    assert clauses("OR") == ()


def test_it_ignores_or_next_to_an_excluded_term():
    assert clauses("a OR -b") == ((word("a"),), (excluded("b"),))
    assert clauses("-a OR b") == ((excluded("a"),), (word("b"),))
    assert clauses("a OR -b OR c") == ((word("a"),), (excluded("b"),), (word("c"),))


def test_it_ignores_or_whose_other_side_has_no_words():
    assert clauses("a OR *** OR b") == ((word("a"), word("b")),)


def test_it_reads_an_unknown_field_as_two_words():
    assert clauses("foo:bar") == ((word("foo"),), (word("bar"),))
    assert clauses("-foo:bar") == ((excluded("foo"),), (word("bar"),))
    assert clauses('rating:"teen and up"') == ((word("rating"),), (word("teen and up"),))


def test_it_reads_a_second_colon_as_a_space():
    assert clauses("title:a:b") == ((word("a", "title"),), (word("b"),))
    assert clauses("12:30") == ((word("12"),), (word("30"),))


def test_it_reads_punctuation_only_as_an_empty_query():
    for text in ["", "   ", "***", '""', "- -- ---", "(((", "\x00\x01\n\t"]:
        query = parse(text)
        assert query.clauses == ()
        assert query.is_empty
        assert fts5_match(query, COLUMNS) is None
        assert tsquery(query, weights=WEIGHTS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NEAR(sea lions, 5)", ((word("near sea"),), (word("lions"),), (word("5"),))),
        ("sea* ^lions", ((word("sea"),), (word("lions"),))),
        ("sea AND lions NOT zombie", words_only("sea and lions not zombie")),
        ("(harbour OR pier)", ((word("harbour"), word("pier")),)),
        ("{title}:harbour", ((word("title"),), (word("harbour"),))),
        ("title : harbour", ((word("title"),), (word("harbour"),))),
        ("'; DROP TABLE works; --", ((word("drop"),), (word("table"),), (word("works"),))),
        ('sea \\" lions\\', ((word("sea"),), (word("lions"),))),
        ("sea\x00lions\x07\x1b[31m", ((word("sea lions 31m"),),)),
        (
            "sea & lions | !zombie <-> 'x':A",
            words_only("sea lions zombie x a"),
        ),
        ("sea:* lions:AB", words_only("sea lions ab")),
    ],
)
def test_it_reads_engine_syntax_as_plain_words(text: str, expected: tuple[tuple[Term, ...], ...]):
    query = parse(text)
    assert query.clauses == expected
    assert_safe_fts5(fts5_match(query, COLUMNS))
    assert_safe_tsquery(tsquery(query, weights=WEIGHTS))
    run_fts5(fts5_match(query, COLUMNS))


def test_it_caps_a_huge_query_to_max_terms():
    query = parse(" ".join(f"word{i}" for i in range(5000)))
    assert len(query.clauses) == MAX_TERMS
    assert query.clauses[-1] == (word(f"word{MAX_TERMS - 1}"),)


def test_it_caps_each_term_to_max_term_chars():
    assert clauses("x" * 10_000) == ((word("x" * MAX_TERM_CHARS),),)
    phrase = " ".join(["ab"] * 100)  # 299 characters
    (term,) = parse(f'"{phrase}"').clauses[0]
    assert term.words == ("ab",) * 33  # 33 * 2 + 32 spaces = 98
    assert len(" ".join(term.words)) <= MAX_TERM_CHARS


def test_it_counts_terms_inside_or_towards_the_cap():
    query = parse(" OR ".join(f"w{i}" for i in range(100)))
    assert len(query.clauses) == 1
    assert len(query.clauses[0]) == MAX_TERMS


# -- Query helpers ------------------------------------------------------------------


def test_a_query_of_only_exclusions_is_empty():
    query = parse("-zombie -tag:angst")
    assert query.is_empty
    assert fts5_match(query, COLUMNS) is None
    assert tsquery(query, weights=WEIGHTS) is None


def test_it_lists_positive_words_for_highlighting_once_each():
    query = parse('sea "at the pier" -zombie title:pier OR tag:"Spike/Willow" SEA')
    assert query.positive_words() == ["sea", "at", "the", "pier", "spike", "willow"]


# -- FTS5 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sea", '"sea"'),
        ("sea lions", '"sea" AND "lions"'),
        ('"at the pier"', '"at the pier"'),
        ("harbour OR pier", '( "harbour" OR "pier" )'),
        ("sea -zombie", '"sea" NOT "zombie"'),
        ("-zombie sea", '"sea" NOT "zombie"'),
        (
            'sea lions -zombie -"walking dead"',
            '( "sea" AND "lions" ) NOT "zombie" NOT "walking dead"',
        ),
        ("title:harbour", '{title} : "harbour"'),
        ("author:ann", '{creators} : "ann"'),
        ("text:pier", '{body} : "pier"'),
        ('tag:"Spike/Willow"', '{tags} : "spike willow"'),
        ("sea -summary:zombie", '"sea" NOT {summary} : "zombie"'),
        ("don't", '"don\'t"'),
        (
            EXAMPLE,
            '( "sea" AND "lions" AND "at the pier" AND ( {title} : "harbour" OR {title} : "pier" )'
            ' AND {tags} : "spike willow" ) NOT "zombie"',
        ),
    ],
)
def test_it_renders_fts5_match_expressions(text: str, expected: str):
    assert fts5(text) == expected


def test_it_filters_a_field_on_several_fts5_columns():
    columns = {**COLUMNS, "tag": "fandoms characters relationships"}
    expected = '{fandoms characters relationships} : "willow"'
    assert fts5_match(parse("tag:willow"), columns) == expected


def test_it_doubles_double_quotes_inside_fts5_strings():
    query = Query(clauses=((word("sea"),),), raw="")
    # past Term's own checks, to show the renderer escapes whatever it is given
    object.__setattr__(query.clauses[0][0], "words", ('a"b',))
    assert fts5_match(query, COLUMNS) == '"a""b"'


@pytest.mark.parametrize(
    "columns",
    [
        {k: v for k, v in COLUMNS.items() if k != "text"},
        {**COLUMNS, "rating": "rating"},
        {**COLUMNS, "title": "title) OR (body"},
        {**COLUMNS, "title": ""},
        {**COLUMNS, "title": "NOT"},
    ],
)
def test_it_refuses_fts5_columns_that_are_not_plain_names(columns: dict[str, str]):
    with pytest.raises(ValueError):
        fts5_match(parse("sea"), columns)


WORKS = [
    # title, creators, summary, tags, body
    (
        "Harbour Lights",
        "ann",
        "Sea lions gather.",
        "Spike/Willow",
        "Sea lions waited at the pier.",
    ),
    ("Pier Pressure", "bob", "Zombies at the pier.", "Buffy Summers", "A zombie walked."),
    ("Sea of Stars", "Zoë", "Night falls.", "Willow/Tara", "Lions roared at night."),
]
SEMANTICS = [
    ("sea lions", {1, 3}),  # AND across columns; porter: lions ~ lion
    ('"at the pier"', {1, 2}),
    ('"at the pier" -zombie', {1}),  # zombie ~ Zombies
    ('"lions sea"', set()),
    ("title:pier", {2}),
    ("text:pier", {1}),
    ("title:harbour OR title:stars", {1, 3}),
    ("sea -title:sea", {1}),
    ('tag:"Spike/Willow"', {1}),
    ("tag:willow", {1, 3}),
    ("tag:willow -tag:tara", {1}),
    ("summary:zombie OR text:zombie", {2}),
    ("author:ann OR author:bob lions", {1}),
]


@functools.cache
def fts5_table() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, creators, summary, tags, body,"
        ' tokenize="porter unicode61 remove_diacritics 2")'
    )
    connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", WORKS)
    return connection


def run_fts5(expression: str | None) -> set[int]:
    if expression is None:
        return set()
    rows = fts5_table().execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,))
    return {rowid for (rowid,) in rows}


@pytest.mark.parametrize(("text", "rowids"), [*SEMANTICS, ("author:zoe", {3})])
def test_fts5_expressions_match_what_the_reader_meant(text: str, rowids: set[int]):
    assert run_fts5(fts5(text)) == rowids


# -- PostgreSQL -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sea", "'sea'"),
        ("sea lions", "'sea' & 'lions'"),
        ('"at the pier"', "( 'at' <-> 'the' <-> 'pier' )"),
        ("harbour OR pier", "( 'harbour' | 'pier' )"),
        ("sea -zombie", "'sea' & !'zombie'"),
        ("-zombie sea", "'sea' & !'zombie'"),
        ('sea -"walking dead"', "'sea' & !( 'walking' <-> 'dead' )"),
        ("title:harbour", "'harbour':A"),
        ("author:ann", "'ann':B"),
        ("text:pier", "'pier':D"),
        ('tag:"Spike/Willow"', "( 'spike':B <-> 'willow':B )"),
        ("sea -summary:zombie", "'sea' & !'zombie':C"),
        ("don't", "'don''t'"),
        (
            EXAMPLE,
            "'sea' & 'lions' & ( 'at' <-> 'the' <-> 'pier' ) & ( 'harbour':A | 'pier':A )"
            " & ( 'spike':B <-> 'willow':B ) & !'zombie'",
        ),
    ],
)
def test_it_renders_tsquery_strings(text: str, expected: str):
    assert ts(text) == expected


def test_it_combines_weight_labels():
    assert tsquery(parse("tag:willow"), weights={**WEIGHTS, "tag": "AB"}) == "'willow':AB"


def test_it_escapes_quotes_and_drops_backslashes_in_lexemes():
    query = Query(clauses=((word("sea"),),), raw="")
    # past Term's own checks, to show the renderer escapes whatever it is given
    object.__setattr__(query.clauses[0][0], "words", ("a'b\\",))
    assert tsquery(query, weights=WEIGHTS) == "'a''b'"


@pytest.mark.parametrize(
    "weights",
    [
        {k: v for k, v in WEIGHTS.items() if k != "text"},
        {**WEIGHTS, "rating": "A"},
        {**WEIGHTS, "title": ""},
        {**WEIGHTS, "title": "E"},
        {**WEIGHTS, "title": "A' | 'x"},
    ],
)
def test_it_refuses_weights_that_are_not_labels(weights: dict[str, str]):
    with pytest.raises(ValueError):
        tsquery(parse("sea"), weights=weights)


def postgres_url() -> str:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        return database_url
    return os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def postgres() -> Iterator[psycopg.Connection]:
    try:
        connection = psycopg.connect(postgres_url(), connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server to run tsquery strings against")
    with connection:
        yield connection


def run_tsquery(postgres: psycopg.Connection, query: str | None) -> set[int]:
    """The WORKS matching ``query``, each field indexed as its normalised words.

    PostgreSQL's own parser reads "Spike/Willow" as one file-path token that the phrase
    'spike' <-> 'willow' cannot match; indexing normalise()d text splits documents the
    way queries are split.
    """
    if query is None:
        return set()
    rows = postgres.execute(
        """
        SELECT n FROM (VALUES (1, %s, %s, %s, %s, %s), (2, %s, %s, %s, %s, %s),
                              (3, %s, %s, %s, %s, %s)) AS w(n, title, creators, summary, tags, body)
        WHERE setweight(to_tsvector('english', title), 'A')
           || setweight(to_tsvector('english', creators), 'B')
           || setweight(to_tsvector('english', tags), 'B')
           || setweight(to_tsvector('english', summary), 'C')
           || setweight(to_tsvector('english', body), 'D')
           @@ to_tsquery('english', %s)
        """,
        [*(" ".join(normalise(value)) for work in WORKS for value in work), query],
    )
    return {n for (n,) in rows}


@pytest.mark.parametrize(("text", "rowids"), SEMANTICS)
def test_tsqueries_match_what_the_reader_meant(
    postgres: psycopg.Connection, text: str, rowids: set[int]
):
    assert run_tsquery(postgres, ts(text)) == rowids


# -- properties -----------------------------------------------------------------------

_FTS5_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_FTS5_SYNTAX = {"AND", "OR", "NOT", "(", ")", ":"}
_COLUMN_NAMES = set(COLUMNS.values())
_TSQUERY_TOKEN = re.compile(r"\s+|'(?:[^'\\]|'')+'(?::[ABCD]{1,4})?|<->|[&|!()]")


def assert_safe_fts5(expression: str | None) -> None:
    """Outside its double-quoted strings, only column filters, parentheses and AND/OR/NOT."""
    if expression is None:
        return
    literals = _FTS5_LITERAL.findall(expression)
    assert literals
    for literal in literals:
        assert all(normalise(w) == (w,) for w in literal.split(" ")), literal
    for token in _FTS5_LITERAL.sub(" ", expression).split():
        column = token.removeprefix("{").removesuffix("}")
        assert token in _FTS5_SYNTAX or column in _COLUMN_NAMES, (token, expression)


def assert_safe_tsquery(query: str | None) -> None:
    """Only quoted lexemes with optional weight labels, and & | ! <-> ( )."""
    if query is None:
        return
    position = 0
    while position < len(query):
        token = _TSQUERY_TOKEN.match(query, position)
        assert token, (query[position:], query)
        position = token.end()
    assert "'" in query


def unparse(query: Query) -> str:
    """The query written back out the way a reader would type it."""
    return " ".join(" OR ".join(map(_unparse_term, clause)) for clause in query.clauses)


def _unparse_term(term: Term) -> str:
    sign = "-" if term.negated else ""
    field = f"{term.field}:" if term.field else ""
    return f'{sign}{field}"{" ".join(term.words)}"'


SYNTAX = st.sampled_from(
    [
        *(f"{field}:" for field in FIELDS),
        *'"-:(){}*^\'\\"',
        *["OR", "or", "AND", "NOT", "NEAR(", "foo:", " ", "  ", "\n", "\x00", "\x1b"],
        *["sea", "Spike/Willow", "don't", "Straße", "Zoë", "\u0301", "\ufb01", "\u201c", "\u201d"],
        *["'; DROP TABLE t; --", "&", "|", "!", "<->", ":A", ":*", "\ud800"],
    ]
)
QUERY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(SYNTAX, st.text(max_size=4)), max_size=40).map("".join),
)


@given(QUERY_TEXT)
def test_parse_never_raises_and_keeps_its_limits(text: str):
    query = parse(text)
    terms = [term for clause in query.clauses for term in clause]
    assert len(terms) <= MAX_TERMS
    for term in terms:
        assert len(" ".join(term.words)) <= MAX_TERM_CHARS
        assert all(normalise(w) == (w,) for w in term.words)
    for clause in query.clauses:
        assert len(clause) == 1 or not any(term.negated for term in clause)


@given(QUERY_TEXT)
def test_parse_reads_its_own_rendering_back(text: str):
    query = parse(text)
    assert parse(unparse(query)).clauses == query.clauses


@settings(max_examples=300)
@given(QUERY_TEXT)
def test_fts5_expressions_are_always_safe_and_valid(text: str):
    expression = fts5_match(parse(text), COLUMNS)
    assert_safe_fts5(expression)
    run_fts5(expression)  # raises sqlite3.OperationalError on a malformed expression


@given(QUERY_TEXT)
def test_tsqueries_are_always_safe(text: str):
    assert_safe_tsquery(tsquery(parse(text), weights=WEIGHTS))


@settings(max_examples=200, deadline=None)
@given(text=QUERY_TEXT)
def test_tsqueries_are_always_valid_in_postgres(postgres: psycopg.Connection, text: str):
    run_tsquery(postgres, tsquery(parse(text), weights=WEIGHTS))
