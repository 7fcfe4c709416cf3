"""The PostgreSQL engine's documents split text into words exactly as `normalise` does
(queries are split by it): its ASCII lines take a faster path, checked here against
the reference on many texts. No database: the splitting happens before PostgreSQL."""

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fanarchive.search.engines.postgres import _words
from fanarchive.search.query import MAX_TERM_CHARS, normalise

# Characters where the fast path and the reference could part: apostrophes of every
# kind, separators, newlines, case, combining marks, compatibility forms (ligatures,
# full-width letters), letters that fold to two.
TRICKY = "'\u2018\u2019\u02bc\n -/_.\"<>&\u0301\u00e9\ufb01\uff21\u00df\u0130\u2014\u2026\t\r"
characters = st.sampled_from(string.ascii_letters + string.digits + string.punctuation + TRICKY)
text = st.lists(characters | st.characters(), max_size=300).map("".join)
long_run = st.integers(MAX_TERM_CHARS - 2, MAX_TERM_CHARS + 3).map(lambda n: "a" * n)


def reference(text: str) -> str:
    return " ".join(normalise(text))


@settings(max_examples=2000)
@given(text)
@example("Don't 'quote' me, the twins' room\nsays O'Brien: ''' ok")
@example("'" + "b" * MAX_TERM_CHARS + "'x" + "\n" + "c" * (MAX_TERM_CHARS + 5) + "''")
@example("cafe\u0301\nCAFE\u0301 \u00c5ngstr\u00f6m \ufb01ne \uff21\uff22")
def test_it_splits_documents_into_the_words_queries_are_split_into(text: str):
    assert _words(text) == reference(text)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["word", "'", "''", " ", "\n", "Spike/Willow"]) | long_run))
def test_it_splits_runs_of_apostrophes_and_long_words_as_the_reference_does(parts: list[str]):
    text = "".join(parts)
    assert _words(text) == reference(text)


def test_it_keeps_the_inner_apostrophes_and_drops_the_outer_ones():
    assert _words("'Don't,' she said.\nThe twins' room") == "don't she said the twins room"
