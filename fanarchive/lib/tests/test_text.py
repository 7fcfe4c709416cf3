import re

from hypothesis import given
from hypothesis import strategies as st

from fanarchive.lib.text import one_line, strip_controls


@given(st.text())
def test_one_line_makes_every_run_of_whitespace_one_space(text):
    assert one_line(text) == re.sub(r"\s+", " ", strip_controls(text, " ")).strip()


def test_one_line_drops_control_characters():
    assert one_line("a\x00b\x1f c\n\n d") == "a b c d"
