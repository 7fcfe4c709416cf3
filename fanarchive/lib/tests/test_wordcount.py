import html as html_module
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanarchive.lib.wordcount import _JOINERS, _WORD, count_html_words, count_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("The library was quiet.", 4),
        ("one-word", 1),
        ("one's", 1),
        ("one\u2019s and one\u2018s", 3),
        ("one--two", 2),
        ("one \u2014 two", 2),
        ("Wait\u2026 what?", 2),
        ("caf\u00e9 na\u00efve", 2),
        ("\u65e5\u672c\u8a9e", 3),
        ("\u3072\u3089\u304c\u306a", 4),
        ("\u0e20\u0e32\u0e29\u0e32", 4),
        ("Giles \u65e5\u672c", 3),
        ("1,234 words", 3),
    ],
)
def test_it_counts_words_as_ao3_does(text, words):
    assert count_words(text) == words


def test_it_counts_each_html_text_node_on_its_own():
    assert count_html_words("<p>Hello &amp; <i>good</i>bye</p><p>again</p>") == 4


def test_it_ignores_markup():
    assert count_html_words('<p id="p1" title="many words here">Two words</p><hr>') == 2


@given(st.text())
def test_the_fast_path_counts_as_the_full_rule(text):
    joined = _JOINERS.sub("", text.replace("--", "\u2014"))
    assert count_words(text) == len(_WORD.findall(joined))


# The characters the rule turns on, mixed densely: joiners, hyphen pairs, a character
# that is a word on its own beside letters, non-ASCII letters and non-words.
_TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *"ab1_ -'\u2019\u2018\u2014.,\n<>&;\u00e9\u0301\u00a0",
            *"\u65e5\u3072\u30ab\u0e20\u0e48\U00020001\u4dc0\U0001f600",
        ]
    ),
    max_size=200,
)


@settings(max_examples=500)
@given(_TRICKY)
def test_it_counts_what_the_regex_rule_finds(text):
    joined = _JOINERS.sub("", text.replace("--", "\u2014"))
    assert count_words(text) == len(_WORD.findall(joined))


@given(st.text(), st.text())
def test_it_counts_html_as_text_nodes(first, second):
    html = f"<p>{first}</p><p title='x y'>{second}</p>"
    text = html_module.unescape(re.sub(r"<[^>]*>", " ", html))
    expected = len(_WORD.findall(_JOINERS.sub("", text.replace("--", "\u2014"))))
    assert count_html_words(html) == expected


def test_a_lone_surrogate_separates_words():
    assert count_words("one\ud800two") == len(_WORD.findall("one\ud800two")) == 2
