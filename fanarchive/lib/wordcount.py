"""Word counts as AO3 counts them (otwarchive lib/word_counter.rb)."""

import html as html_module
import re

# Han, Hiragana, Katakana and Thai characters count one word each, as on AO3.
_EACH_CHAR_A_WORD = (
    "\u0e00-\u0e7f"  # Thai
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0002fa1f"
)
_WORD = re.compile(rf"[{_EACH_CHAR_A_WORD}]|(?:(?![{_EACH_CHAR_A_WORD}])\w)+")
# Without any such character the rule is plain runs of word characters, which the regex
# engine finds several times faster than with the look-ahead at every character.
_ANY_EACH_CHAR_A_WORD = re.compile(rf"[{_EACH_CHAR_A_WORD}]")
_PLAIN_WORD = re.compile(r"\w+")
_JOINERS = re.compile(r"['\u2019\u2018-]")


def count_words(text: str) -> int:
    """Words in plain text: "one-word" and "one's" are one word, "one--two" two."""
    text = _JOINERS.sub("", text.replace("--", "\u2014"))
    words = _WORD if _ANY_EACH_CHAR_A_WORD.search(text) else _PLAIN_WORD
    return len(words.findall(text))


_TAG = re.compile(r"<[^>]*>")


def count_html_words(html: str) -> int:
    # AO3 counts each text node on its own, so a tag is always a word boundary.
    return count_words(html_module.unescape(_TAG.sub(" ", html)))
