"""Story text to structure: numbers, headings, scene breaks, chapters, paragraphs, HTML."""

# Stories are written with curly quotes, dashes and other look-alike characters on
# purpose: keeping them is what these tests check.
# ruff: noqa: RUF001

import re
import textwrap
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanarchive.lib.html import SCENE_BREAK, html_to_text
from fanarchive.lib.prose import (
    ChapterHeading,
    balance_html,
    chapter_heading,
    has_story_text,
    html_to_chapters,
    is_scene_break,
    parse_number,
    split_chapters,
    text_to_html,
)

PARAGRAPHS = [
    "The lamp had gone out somewhere past midnight, and nobody in the house had noticed "
    "it until the cat knocked the chimney glass onto the hearth and ran.",
    "“Leave it,” said Mara, who did not look up from the ledger she had been balancing "
    "since supper, nor from the sum that would not come right.",
    "Outside the rain went on, patient and grey, filling the ruts of the lane and the "
    "footprints of everyone who had come and gone that day without a word to her.",
    "He waited by the door.",
]


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text))


# Numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("7", 7),
        ("12", 12),
        ("One", 1),
        ("nineteen", 19),
        ("Twenty-One", 21),
        ("forty two", 42),
        ("Fifty", 50),
        ("ninety-nine", 99),
        ("one hundred and five", 105),
        ("III", 3),
        ("xiv", 14),
        ("XLIX", 49),
    ],
)
def test_it_reads_digits_number_words_and_roman_numerals(written, number):
    assert parse_number(written) == number


@pytest.mark.parametrize("written", ["", "Mix", "Liv", "of", "twenty twenty", "one two", "²"])
def test_it_reads_no_number_from_words_that_are_not_numbers(written):
    assert parse_number(written) is None


# Chapter headings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Chapter 2", ChapterHeading(2, "")),
        ("Chapter Two: The Grove", ChapterHeading(2, "The Grove")),
        ("CHAPTER III - Title", ChapterHeading(3, "Title")),
        ("Chapter 12. In Which Nothing Happens", ChapterHeading(12, "In Which Nothing Happens")),
        ("Part 3", ChapterHeading(3, "")),
        ("Part Three: Title", ChapterHeading(3, "Title")),
        ("Chapter Twenty-One — Rain", ChapterHeading(21, "Rain")),
        ("chapter fifty", ChapterHeading(50, "")),
        ("Chapter 3 of 10", ChapterHeading(3, "")),
        ("Chapter 4/9: Late", ChapterHeading(4, "Late")),
        ("Ch. 7", ChapterHeading(7, "")),
        ("Chapter 2:", ChapterHeading(2, "")),
        ("**Chapter 4**", ChapterHeading(4, "")),
        ("~ Chapter 5 ~", ChapterHeading(5, "")),
        ("[Chapter 6]", ChapterHeading(6, "")),
        ("   Chapter 8 | The Crossing", ChapterHeading(8, "The Crossing")),
        ("Prologue", ChapterHeading(None, "Prologue")),
        ("Epilogue: Afterwards", ChapterHeading(None, "Epilogue: Afterwards")),
    ],
)
def test_it_recognises_chapter_headings(line, heading):
    assert chapter_heading(line) == heading


@pytest.mark.parametrize(
    "line",
    [
        "Part one of the plan was simple.",
        "Chapter 1 The Beginning",
        "Partly cloudy",
        "Chapter",
        "Chapters of a life",
        "Part Mix",
        "The chapter 2 notes",
        "Chapter 2 " + "x" * 200,
    ],
)
def test_it_leaves_prose_lines_alone(line):
    assert chapter_heading(line) is None


# Scene breaks ----------------------------------------------------------------------

SCENE_MARKERS = [
    "* * *", "***", "*", "~~~", "~ ~ ~", "---", "___", "===", "#", "# # #", "oOo", "o0o",
    "OoO", "xXx", "xxx", "-x-", "~*~", "~*~*~*~", "+ + +", "+++", "—", "• • •", "-o0o-",
    "=" * 78,
]  # fmt: skip


@pytest.mark.parametrize("marker", SCENE_MARKERS)
def test_it_recognises_scene_break_markers(marker):
    assert is_scene_break(marker)
    assert is_scene_break(f"    {marker}  ")


@pytest.mark.parametrize("line", ["...", "…", "x", "ox", "OK", "<3", "No.", "* The end *", ""])
def test_it_does_not_take_text_for_a_scene_break(line):
    assert not is_scene_break(line)


@pytest.mark.parametrize("marker", SCENE_MARKERS)
def test_a_scene_break_becomes_the_scene_break_element_not_a_paragraph(marker):
    html = text_to_html(f"Before the break.\n\n{marker}\n\nAfter the break.")
    assert html == f"<p>Before the break.</p>\n{SCENE_BREAK}\n<p>After the break.</p>"


def test_a_scene_break_without_blank_lines_around_it_still_separates_paragraphs():
    html = text_to_html("Before the break.\n* * *\nAfter the break.")
    assert html == f"<p>Before the break.</p>\n{SCENE_BREAK}\n<p>After the break.</p>"


def test_a_scene_break_never_splits_chapters():
    chapters = split_chapters("One.\n\n* * *\n\nTwo.\n\n~~~\n\nThree.")
    assert chapters == [("", "One.\n\n* * *\n\nTwo.\n\n~~~\n\nThree.")]


def test_it_finds_story_text_only_outside_markers():
    assert has_story_text("\n* * *\n\n  oOo\n Words.")
    assert not has_story_text("\n* * *\n\n  oOo\n ")


# Chapters --------------------------------------------------------------------------


def test_it_splits_chapters_at_numbered_headings_with_titles():
    text = "Chapter 1: Arrival\n\nThey came.\n\nChapter 2: Departure\n\nThey went.\n"
    assert split_chapters(text) == [("Arrival", "They came."), ("Departure", "They went.")]


def test_it_splits_chapters_written_in_words_and_roman_numerals():
    text = "CHAPTER ONE\nFirst.\nCHAPTER TWO - Road\nSecond.\nChapter III. Sea\nThird."
    assert split_chapters(text) == [("", "First."), ("Road", "Second."), ("Sea", "Third.")]


def test_it_splits_parts():
    text = "Part 1\n\nSpring.\n\nPart Two: Summer\n\nHeat.\n\nPart III\n\nAutumn."
    assert split_chapters(text) == [("", "Spring."), ("Summer", "Heat."), ("", "Autumn.")]


def test_text_before_the_first_heading_is_an_untitled_first_chapter():
    text = "A word first.\n\nChapter 1: Then\n\nThe story."
    assert split_chapters(text) == [("", "A word first."), ("Then", "The story.")]


def test_a_text_without_headings_is_one_chapter():
    assert split_chapters("\n\nJust this.\n\nAnd this.\n\n") == [("", "Just this.\n\nAnd this.")]


def test_a_text_without_story_text_has_no_chapters():
    assert split_chapters("\n\n* * *\n\n") == []


def test_a_heading_straight_above_another_keeps_its_line_in_the_next_chapter():
    text = "Part One: Winter\n\nChapter 1: Snow\n\nIt snowed.\n\nChapter 2: Thaw\n\nIt thawed."
    chapters = [(title, text_to_html(body)) for title, body in split_chapters(text)]
    assert chapters == [
        ("Snow", "<p>Part One: Winter</p>\n<p>It snowed.</p>"),
        ("Thaw", "<p>It thawed.</p>"),
    ]


def test_a_heading_at_the_very_end_stays_as_text_of_the_last_chapter():
    text = "Chapter 1\n\nAll there is.\n\nChapter 2"
    assert split_chapters(text) == [("", "All there is.\n\nChapter 2")]


def test_a_lone_heading_is_kept_as_text():
    assert split_chapters("Chapter 1") == [("", "Chapter 1")]


def test_prologue_and_epilogue_split_only_beside_numbered_chapters():
    text = "Prologue\n\nBefore.\n\nChapter 1\n\nDuring.\n\nEpilogue: Later\n\nAfter."
    assert split_chapters(text) == [
        ("Prologue", "Before."),
        ("", "During."),
        ("Epilogue: Later", "After."),
    ]
    assert split_chapters("Before.\n\nEpilogue\n\nAfter.") == [
        ("", "Before.\n\nEpilogue\n\nAfter.")
    ]


# Paragraphs ------------------------------------------------------------------------


def test_it_makes_a_paragraph_of_each_blank_line_separated_block():
    html = text_to_html("One.\n\nTwo.\n\n\n\nThree.")
    assert html == "<p>One.</p>\n<p>Two.</p>\n<p>Three.</p>"


def test_it_rejoins_text_wrapped_inside_blank_line_separated_paragraphs():
    text = "\n\n".join(textwrap.fill(paragraph, 70) for paragraph in PARAGRAPHS)
    assert text_to_html(text) == "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def test_it_unwraps_text_without_blank_lines_using_indentation():
    text = "\n".join(textwrap.fill(p, 60, initial_indent="    ") for p in PARAGRAPHS * 2)
    assert text_to_html(text) == "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)


def test_it_unwraps_text_without_blank_lines_ending_paragraphs_at_short_lines():
    paragraphs = [
        PARAGRAPHS[0],
        "She said nothing at all.",
        PARAGRAPHS[2],
        "Then the rain stopped, and the lane went quiet, and the lamp was lit again by "
        "somebody who was not Mara.",
    ]
    text = "\n".join(textwrap.fill(p, 72) for p in paragraphs * 2)
    assert text_to_html(text) == "\n".join(f"<p>{p}</p>" for p in paragraphs * 2)


def test_it_keeps_one_paragraph_per_line_when_lines_are_not_wrapped():
    text = "\n".join(PARAGRAPHS)
    assert text_to_html(text) == "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def test_it_keeps_verse_lines_as_line_breaks():
    text = (
        "She sang it once.\n\n"
        "Oh the rain on the roof\nAnd the wind at the door\nAnd the light going out\n\n"
        "Then she stopped."
    )
    assert text_to_html(text) == (
        "<p>She sang it once.</p>\n"
        "<p>Oh the rain on the roof<br>And the wind at the door<br>And the light going out</p>\n"
        "<p>Then she stopped.</p>"
    )


def test_it_joins_a_sentence_that_continues_on_the_next_line():
    text = "It was a long and winding road to the inn at the\ncrossroads, and she walked it."
    assert text_to_html(text) == (
        "<p>It was a long and winding road to the inn at the crossroads, and she walked it.</p>"
    )


def test_it_joins_a_word_wrapped_at_its_hyphen_without_a_space():
    text = "It was a long and winding road to the well-\nknown inn at the crossroads."
    assert text_to_html(text) == (
        "<p>It was a long and winding road to the well-known inn at the crossroads.</p>"
    )


def test_it_escapes_text_and_keeps_typography():
    html = text_to_html('Tom & Jerry <3 said "hi" — “fine”… <i>not a tag</i>')
    assert html == ('<p>Tom &amp; Jerry &lt;3 said "hi" — “fine”… &lt;i&gt;not a tag&lt;/i&gt;</p>')


def test_it_leaves_leading_indentation_out():
    assert text_to_html("    Indented.\n\n\tTabbed.") == "<p>Indented.</p>\n<p>Tabbed.</p>"


def test_it_makes_nothing_of_blank_text():
    assert text_to_html("\n  \n") == ""


story_words = st.lists(
    st.sampled_from(["the", "rain", "Mara", "said", "“no,”", "ledger", "well-known", "—", "it’s"]),
    min_size=1,
    max_size=12,
).map(" ".join)
story_lines = st.lists(
    st.one_of(story_words, st.just(""), st.just("   indented line"), st.just("* * *")),
    min_size=1,
    max_size=40,
).map("\n".join)


@given(story_lines)
def test_it_keeps_every_word(text):
    html = text_to_html(text)
    assert words(html_to_text(html)) == words(text)
    assert "<p></p>" not in html


# HTML bodies -----------------------------------------------------------------------


def test_it_keeps_html_paragraphs_as_written():
    html = '<p>One <i>two</i></p>\n<p align="center">Three &amp; four</p>'
    assert html_to_chapters(html) == [
        ("", '<p>One <i>two</i></p>\n<p align="center">Three &amp; four</p>')
    ]


def test_it_splits_html_chapters_at_heading_elements_and_paragraphs():
    html = (
        "<h2>Chapter 1: Arrival</h2><p>They came.</p>"
        "<p><b>Chapter 2</b></p><p>They stayed.</p>"
        "<h3>Chapter Three - Departure</h3><p>They went.</p>"
    )
    assert html_to_chapters(html) == [
        ("Arrival", "<p>They came.</p>"),
        ("", "<p>They stayed.</p>"),
        ("Departure", "<p>They went.</p>"),
    ]


def test_it_makes_paragraphs_of_html_without_p_tags_from_double_breaks_and_blank_lines():
    html = "One <i>a</i>.<br><br>Two.<br />\nStill two.\n\nThree."
    assert html_to_chapters(html) == [
        ("", "<p>One <i>a</i>.</p>\n<p>Two.<br>Still two.</p>\n<p>Three.</p>")
    ]


def test_it_makes_a_paragraph_of_each_single_break_line_in_long_html_lines():
    html = "<br>\n".join(PARAGRAPHS)
    assert html_to_chapters(html) == [("", "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS))]


def test_it_splits_html_chapters_at_heading_lines_in_loose_text():
    html = "Chapter 1<br><br>They <i>came</i>.<br><br>Chapter 2: Out<br><br>They went."
    assert html_to_chapters(html) == [
        ("", "<p>They <i>came</i>.</p>"),
        ("Out", "<p>They went.</p>"),
    ]


@pytest.mark.parametrize(
    "marker", ["<hr>", "<hr />", "<p>* * *</p>", "<center>~~~</center>", "<p><b>oOo</b></p>"]
)
def test_html_scene_breaks_become_the_scene_break_element(marker):
    html = f"<p>Before.</p>{marker}<p>After.</p>"
    assert html_to_chapters(html) == [("", f"<p>Before.</p>\n{SCENE_BREAK}\n<p>After.</p>")]


def test_italics_left_open_across_paragraphs_are_closed_and_reopened():
    html = "<i>One.<br><br>Two.</i> Three."
    assert html_to_chapters(html) == [("", "<p><i>One.</i></p>\n<p><i>Two.</i> Three.</p>")]


def test_it_unwraps_a_wrapper_around_the_whole_story_to_split_its_chapters():
    html = '<div class="story"><p>Chapter 1</p><p>a</p><p>Chapter 2</p><p>b</p></div>'
    assert html_to_chapters(html) == [("", "<p>a</p>"), ("", "<p>b</p>")]


def test_it_drops_the_document_head_and_wrappers_of_a_whole_page():
    html = "<html><head><title>T</title></head><body><p>Hi &amp; bye</p></body></html>"
    assert html_to_chapters(html) == [("", "<p>Hi &amp; bye</p>")]


def test_it_balances_tags():
    assert balance_html("<p><b>bold</p>tail</i><div>") == "<p><b>bold</b></p>tail<div></div>"
    assert balance_html("<p>One<p>Two") == "<p>One</p><p>Two</p>"
    assert balance_html("<ul><li>a<li>b</ul>") == "<ul><li>a</li><li>b</li></ul>"
    assert balance_html("I <3 you & me") == "I &lt;3 you &amp; me"


@given(st.text(alphabet="<>/pibr &;*\nChapter 12ab", max_size=200))
def test_html_chapters_are_always_balanced(html):
    for _, fragment in html_to_chapters(html):
        assert balance_html(fragment) == fragment


_FRAMED_LINE = st.text(st.sampled_from(" \t\u00a0\u2003*~=#_+-\u2013\u2014abc[]()\n"), max_size=30)


@given(_FRAMED_LINE)
def test_undecorating_strips_what_the_decoration_pattern_strips(line):
    from fanarchive.lib.prose import _undecorate

    decoration = re.compile(r"^[\s*~=#_+\-\u2013\u2014]+|[\s*~=#_+\-\u2013\u2014]+$")
    assert _undecorate(line) == decoration.sub("", line)


def _scene_break_as_first_written(line: str) -> bool:
    marker = "".join(line.split())
    if not marker or len(marker) > 200:
        return False
    chars = set(marker)
    symbols = set("*~=#_+-\u2013\u2014•·°◦○●◆◇♦♥♡❤☆★✦✧✿❀§¤^/\\|<>")
    if not chars <= symbols | set("oO0xX"):
        return False
    return bool(chars & symbols) or 3 <= len(marker) <= 20


@given(st.text(alphabet=st.sampled_from([*" \t\u00a0\u3000*~=-\u2014•oOx0aé.", "\x1c"])))
def test_the_quick_look_at_the_first_character_decides_as_the_whole_line_did(line):
    assert is_scene_break(line) == _scene_break_as_first_written(line)
