"""Word counts as AO3 counts them (otwarchive lib/word_counter.rb)."""

import html as html_module
import re
from functools import cache

import numpy as np

from fanarchive.lib.codepoints import code_points, count_runs, word_characters

# Han, Hiragana, Katakana and Thai characters count one word each, as on AO3.
_EACH_CHAR_A_WORD = (
    "\u0e00-\u0e7f"  # Thai
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0002fa1f"
)
_WORD = re.compile(rf"[{_EACH_CHAR_A_WORD}]|(?:(?![{_EACH_CHAR_A_WORD}])\w)+")
"""The rule, as a regex: count_words counts what this finds, without the regex."""
_JOINER_CHARACTERS = "'\u2019\u2018-"
_JOINERS = re.compile(f"[{_JOINER_CHARACTERS}]")

_OTHER, _WORD_CHAR, _CHAR_A_WORD, _JOINER = 0, 1, 2, 3


@cache
def _classes() -> np.ndarray:
    """Each code point's part in a count: other, word character, a word on its own,
    or a joiner (read as if it were not there)."""
    classes = word_characters().astype(np.uint8)  # _OTHER or _WORD_CHAR
    for first, last in re.findall(r"(.)-(.)", _EACH_CHAR_A_WORD):
        classes[ord(first) : ord(last) + 1] = _CHAR_A_WORD
    for joiner in _JOINER_CHARACTERS:
        classes[ord(joiner)] = _JOINER
    classes.flags.writeable = False
    return classes


def count_words(text: str) -> int:
    """Words in plain text: "one-word" and "one's" are one word, "one--two" two.

    What _WORD finds once the joiners are gone, counted over code points in numpy:
    each character-a-word, plus each run of other word characters."""
    classes = _classes()[code_points(text.replace("--", "\u2014"))]
    classes = classes[classes != _JOINER]
    return int(np.count_nonzero(classes == _CHAR_A_WORD)) + count_runs(classes == _WORD_CHAR)


_TAG = re.compile(r"<[^>]*>")


def count_html_words(html: str) -> int:
    # AO3 counts each text node on its own, so a tag is always a word boundary.
    return count_words(html_module.unescape(_TAG.sub(" ", html)))
