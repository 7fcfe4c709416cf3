"""Small text helpers shared by importers, filters and search; no Django."""

import re

# Control characters other than tab, newline and carriage return: no story, tag or
# query needs them, and PostgreSQL refuses NUL in any text parameter.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROLS_AND_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f]")


def strip_controls(text: str, replacement: str = "", *, keep_line_breaks: bool = True) -> str:
    pattern = _CONTROLS if keep_line_breaks else _CONTROLS_AND_LINE_BREAKS
    return pattern.sub(replacement, text)
