"""Small text helpers shared by importers, filters and search; no Django."""

import re
from itertools import pairwise

from fanarchive.lib.html import html_to_text

# Control characters other than tab, newline and carriage return: no story, tag or
# query needs them, and PostgreSQL refuses NUL in any text parameter.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROLS_AND_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f]")


def strip_controls(text: str, replacement: str = "", *, keep_line_breaks: bool = True) -> str:
    pattern = _CONTROLS if keep_line_breaks else _CONTROLS_AND_LINE_BREAKS
    return pattern.sub(replacement, text)


# The text the search index holds ---------------------------------------------------

PARAGRAPH_BREAK = "\n\n"

# The paragraph openings lib.html.number_paragraphs numbers, matched the same way.
_P_OPEN = re.compile(r"<p(\s[^>]*)?>")


def one_line(text: str) -> str:
    """Text with control characters and every run of whitespace made one space.
    Control characters never reach an index: the engines' highlight marks are control
    characters, and PostgreSQL refuses NUL."""
    # str.split() splits at exactly the characters \s matches, faster than a regex.
    return " ".join(strip_controls(text, " ").split())


def summary_text(html: str) -> str:
    return one_line(html_to_text(html))


def chapter_text(body: str) -> str:
    """A stored chapter body as indexed text: paragraph n is element p<n>.

    The body is cut at each <p> opening; text before the first <p> joins the first
    paragraph and text between a </p> and the next <p> (a heading, a scene break) joins
    the paragraph before it, so numbering never drifts. Paragraphs are single lines, so
    counting blank lines before a match gives its paragraph.
    """
    starts = [match.start() for match in _P_OPEN.finditer(body)]
    if not starts:
        return summary_text(body)
    cuts = [0, *starts[1:], len(body)]
    return PARAGRAPH_BREAK.join(summary_text(body[start:end]) for start, end in pairwise(cuts))


def paragraph_at(text: str, offset: int) -> int:
    """The 1-based paragraph of `chapter_text` output that holds `offset`."""
    return text.count(PARAGRAPH_BREAK, 0, offset) + 1
