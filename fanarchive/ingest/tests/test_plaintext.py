"""The plain-text importer: headers, titles, encodings, bodies and bad files.

Every story here is written for these tests."""

# Stories are written with curly quotes, dashes and other look-alike characters on
# purpose: keeping them is what these tests check.
# ruff: noqa: RUF001

import codecs
import hashlib
import io
import textwrap
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest.importers import plaintext
from fanarchive.ingest.parsed import ParsedSeries, ParsedWork, ParseError
from fanarchive.lib.html import SCENE_BREAK
from fanarchive.tags.constants import (
    CHOSE_NOT_TO_WARN,
    EXPLICIT,
    GENERAL,
    GRAPHIC_VIOLENCE,
    MAJOR_CHARACTER_DEATH,
    MATURE,
    NO_WARNINGS,
    NONCON,
    NOT_RATED,
    TEEN,
    UNDERAGE,
)

BODY = "The kettle had boiled dry twice before anyone noticed.\n\nNobody owned up to it.\n"


def parse_bytes(data: bytes, name: str = "stories/the_kettle.txt") -> ParsedWork:
    works = list(plaintext.parse(io.BytesIO(data), name))
    assert len(works) == 1
    return works[0]


def parse_story(text: str, name: str = "stories/the_kettle.txt") -> ParsedWork:
    return parse_bytes(text.encode("utf-8"), name)


def with_header(*lines: str, body: str = BODY) -> ParsedWork:
    return parse_story("\n".join(lines) + "\n\n" + body)


# The whole work ---------------------------------------------------------------------

FULL_STORY = """\
Title: The Kettle Question
Author: steamandsaucers
Fandom: The Tea Shop Chronicles
Category: Gen
Pairing: Ada & Brin
Characters: Ada, Brin, the Kettle
Rating: PG
Warnings: none
Genre: humour, domestic
Summary: Somebody keeps boiling the kettle dry.
  Ada means to find out who.
Notes: Written for a friend.
Series: Tales from the Counter, part 2
Status: complete
Published: 2021-04-05
Updated: 2021-05-01
Language: English
URL: https://example.org/works/41
Disclaimer: The kettle belongs to nobody.

The kettle had boiled dry twice before anyone noticed.

Nobody owned up to it.
"""


def test_it_reads_a_full_header_and_story():
    data = FULL_STORY.encode("utf-8")
    work = parse_bytes(data)

    assert work.title == "The Kettle Question"
    assert work.importer == "plaintext"
    assert work.importer_version == "1"
    assert work.source_file == "stories/the_kettle.txt"
    assert work.content_hash == hashlib.sha256(data).hexdigest()
    assert work.creators == ["steamandsaucers"]
    assert work.fandoms == ["The Tea Shop Chronicles"]
    assert work.categories == ["Gen"]
    assert work.relationships == ["Ada & Brin"]
    assert work.characters == ["Ada", "Brin", "the Kettle"]
    assert work.rating == GENERAL
    assert work.warnings == [NO_WARNINGS]
    assert work.freeforms == ["humour", "domestic"]
    assert (
        work.summary
        == "<p>Somebody keeps boiling the kettle dry.</p>\n<p>Ada means to find out who.</p>"
    )
    assert work.notes == "<p>Written for a friend.</p>"
    assert work.series == [ParsedSeries("Tales from the Counter", 2)]
    assert work.complete is True
    assert work.published == date(2021, 4, 5)
    assert work.updated == date(2021, 5, 1)
    assert work.language == "en"
    assert work.source_url == "https://example.org/works/41"
    assert [chapter.body for chapter in work.chapters] == [
        "<p>The kettle had boiled dry twice before anyone noticed.</p>\n"
        "<p>Nobody owned up to it.</p>"
    ]
    assert work.chapters[0].title == ""


def test_it_keeps_every_header_field_as_written():
    work = parse_bytes(FULL_STORY.encode("utf-8"))
    assert work.fields == [
        ("Title", "The Kettle Question"),
        ("Author", "steamandsaucers"),
        ("Fandom", "The Tea Shop Chronicles"),
        ("Category", "Gen"),
        ("Pairing", "Ada & Brin"),
        ("Characters", "Ada, Brin, the Kettle"),
        ("Rating", "PG"),
        ("Warnings", "none"),
        ("Genre", "humour, domestic"),
        ("Summary", "Somebody keeps boiling the kettle dry.\nAda means to find out who."),
        ("Notes", "Written for a friend."),
        ("Series", "Tales from the Counter, part 2"),
        ("Status", "complete"),
        ("Published", "2021-04-05"),
        ("Updated", "2021-05-01"),
        ("Language", "English"),
        ("URL", "https://example.org/works/41"),
        ("Disclaimer", "The kettle belongs to nobody."),
    ]


def test_it_yields_a_work_only_when_iterated():
    works = plaintext.parse(io.BytesIO(b""), "empty.txt")
    with pytest.raises(ParseError):
        next(works)


# Header keys ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["title", "Title", "TITLE", "  title"[2:], "Titles"])
def test_it_reads_the_title_key_in_any_case(key):
    assert with_header(f"{key}: The Kettle Question").title == "The Kettle Question"


@pytest.mark.parametrize("key", ["Author", "authors", "BY", "Writer", "Pen Name", "pen-name"])
def test_it_reads_creators_from_every_author_key(key):
    assert with_header("Title: T", f"{key}: steamandsaucers").creators == ["steamandsaucers"]


def test_it_splits_creators_on_commas_and_and_and_ampersands():
    work = with_header("Author: ada, brin and cole & dee; ada")
    assert work.creators == ["ada", "brin", "cole", "dee"]


@pytest.mark.parametrize("key", ["Fandom", "fandoms", "Category", "CATEGORIES"])
def test_it_reads_fandoms_from_fandom_and_category_keys(key):
    work = with_header(f"{key}: The Tea Shop Chronicles; Lamps & Lanterns")
    assert work.fandoms == ["The Tea Shop Chronicles", "Lamps & Lanterns"]


def test_ao3_categories_among_fandoms_become_categories_in_their_canonical_spelling():
    work = with_header("Category: gen, f/m, The Tea Shop Chronicles, M / M, multi, OTHER, F/F")
    assert work.categories == ["Gen", "F/M", "M/M", "Multi", "Other", "F/F"]
    assert work.fandoms == ["The Tea Shop Chronicles"]


@pytest.mark.parametrize(
    "key", ["Pairing", "pairings", "Relationship", "relationships", "Ship", "ships"]
)
def test_it_reads_relationships_without_splitting_slashes_or_ampersands(key):
    work = with_header(f"{key}: Ada/Brin, Cole & Dee")
    assert work.relationships == ["Ada/Brin", "Cole & Dee"]


@pytest.mark.parametrize("key", ["Character", "characters", "Character(s)"])
def test_it_reads_characters(key):
    assert with_header(f"{key}: Ada, Brin,, ,Ada").characters == ["Ada", "Brin"]


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("NC-17", EXPLICIT),
        ("X", EXPLICIT),
        ("MA", EXPLICIT),
        ("explicit", EXPLICIT),
        ("Adult", EXPLICIT),
        ("FR18", EXPLICIT),
        ("R", MATURE),
        ("M", MATURE),
        ("mature", MATURE),
        ("FR15", MATURE),
        ("R for language", MATURE),
        ("PG-13", TEEN),
        ("pg13", TEEN),
        ("T", TEEN),
        ("teen", TEEN),
        ("Teen and Up", TEEN),
        ("Teen And Up Audiences", TEEN),
        ("FR13", TEEN),
        ("PG", GENERAL),
        ("G", GENERAL),
        ("K", GENERAL),
        ("K+", GENERAL),
        ("FR7", GENERAL),
        ("General", GENERAL),
        ("General Audiences", GENERAL),
        ("Not Rated", NOT_RATED),
        ("NR", NOT_RATED),
        ("Rated R", MATURE),
        ("G-rated", GENERAL),
        ("wibble", NOT_RATED),
    ],
)
def test_it_maps_rating_words_to_ao3_ratings(value, rating):
    work = with_header(f"Rating: {value}")
    assert work.rating == rating
    assert ("Rating", value) in work.fields


def test_rated_is_a_rating_key_too():
    assert with_header("Rated: NC-17").rating == EXPLICIT


def test_a_work_without_a_rating_key_has_no_rating():
    assert with_header("Title: T").rating is None


@pytest.mark.parametrize("key", ["Warning", "warnings", "Content Warnings", "CW", "tw"])
def test_it_splits_warnings_between_archive_warnings_and_additional_tags(key):
    work = with_header(f"{key}: MCD, spiders; Graphic Violence, noncon, the dark, underage")
    assert work.warnings == [MAJOR_CHARACTER_DEATH, GRAPHIC_VIOLENCE, NONCON, UNDERAGE]
    assert work.freeforms == ["spiders", "the dark"]


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        ("Major Character Death", MAJOR_CHARACTER_DEATH),
        ("character death", MAJOR_CHARACTER_DEATH),
        ("Rape/Non-Con", NONCON),
        ("rape", NONCON),
        ("non-con", NONCON),
        ("Underage Sex", UNDERAGE),
        ("graphic depictions of violence", GRAPHIC_VIOLENCE),
        ("No Archive Warnings Apply", NO_WARNINGS),
        ("no warnings", NO_WARNINGS),
        ("None", NO_WARNINGS),
        ("Creator Chose Not To Use Archive Warnings", CHOSE_NOT_TO_WARN),
        ("choose not to warn", CHOSE_NOT_TO_WARN),
        ("creator chose not to warn", CHOSE_NOT_TO_WARN),
        ("CNTW", CHOSE_NOT_TO_WARN),
    ],
)
def test_it_recognises_archive_warnings_and_their_aliases(value, warning):
    work = with_header(f"Warnings: {value}")
    assert work.warnings == [warning]
    assert work.freeforms == []


@pytest.mark.parametrize(
    "key", ["Genre", "genres", "Time Frame", "time-frame", "timeframe", "Timeline", "Setting",
            "Keywords", "Tags"]
)  # fmt: skip
def test_it_reads_additional_tags_from_every_freeform_key(key):
    work = with_header(f"{key}: alternate universe; tea, alternate universe")
    assert work.freeforms == ["alternate universe", "tea"]


@pytest.mark.parametrize("key", ["Spoiler", "Spoilers"])
def test_spoilers_become_one_additional_tag(key):
    work = with_header(f"{key}: season 5, the finale")
    assert work.freeforms == ["Spoilers: season 5, the finale"]


@pytest.mark.parametrize("key", ["Summary", "Description", "summaries"])
def test_it_reads_the_summary_as_escaped_html(key):
    work = with_header(f"{key}: Ada & the <kettle>.")
    assert work.summary == "<p>Ada &amp; the &lt;kettle&gt;.</p>"


@pytest.mark.parametrize(
    "key", ["Notes", "Note", "Author's Notes", "Authors Notes", "Author’s Note", "A/N", "a/n"]
)
def test_it_reads_notes_from_every_notes_key(key):
    assert with_header(f"{key}: Thanks, Cole.").notes == "<p>Thanks, Cole.</p>"


def test_a_summary_keeps_html_it_was_written_in():
    work = with_header("Summary: Ada <i>finally</i> asks.")
    assert work.summary == "Ada <i>finally</i> asks."


@pytest.mark.parametrize("key", ["Disclaimer", "Feedback", "Archive", "Distribution"])
def test_provenance_only_keys_stay_in_fields(key):
    work = with_header("Title: T", f"{key}: Ask first, please.")
    assert (key, "Ask first, please.") in work.fields
    assert work.summary == work.notes == ""
    assert work.freeforms == []


@pytest.mark.parametrize("key", ["Words", "Word Count", "wordcount"])
def test_word_counts_stay_in_fields(key):
    work = with_header("Title: T", f"{key}: 1,234")
    assert work.fields[-1] == (key, "1,234")


@pytest.mark.parametrize(
    ("value", "expected"), [("3/5", 5), ("3 / 12", 12), ("2 of 4", 4), ("3/?", None), ("3", None)]
)
def test_a_chapter_count_sets_the_expected_chapters(value, expected):
    work = with_header(f"Chapters: {value}")
    assert work.expected_chapters == expected
    assert ("Chapters", value) in work.fields


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("English", "en"),
        ("deutsch", "de"),
        ("German", "de"),
        ("Français", "fr"),
        ("French", "fr"),
        ("Español", "es"),
        ("日本語", "ja"),
        ("Japanese", "ja"),
        ("EN", "en"),
        ("pt_BR", "pt-BR"),
        ("Klingon", "Klingon"),
    ],
)
def test_it_maps_language_names_to_codes(value, code):
    assert with_header(f"Language: {value}").language == code


@pytest.mark.parametrize("key", ["URL", "Source", "Story URL", "source url", "Link"])
def test_it_reads_the_source_url(key):
    work = with_header(f"{key}: <https://example.org/s/9>")
    assert work.source_url == "https://example.org/s/9"


def test_a_source_that_is_not_a_url_stays_in_fields():
    work = with_header("Source: The Tea Shop Chronicles")
    assert work.source_url == ""
    assert ("Source", "The Tea Shop Chronicles") in work.fields


# Series, status, dates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "series"),
    [
        ("Tales from the Counter", ParsedSeries("Tales from the Counter", None)),
        ("Tales from the Counter, part 2", ParsedSeries("Tales from the Counter", 2)),
        ("Tales from the Counter (Part Three)", ParsedSeries("Tales from the Counter", 3)),
        ("Tales from the Counter: Book IV", ParsedSeries("Tales from the Counter", 4)),
        ("Tales from the Counter #2", ParsedSeries("Tales from the Counter", 2)),
        ("Part 2 of Tales from the Counter", ParsedSeries("Tales from the Counter", 2)),
        ("Book Two in Tales from the Counter", ParsedSeries("Tales from the Counter", 2)),
        ("Part of Me", ParsedSeries("Part of Me", None)),
    ],
)
def test_it_reads_series_and_position(value, series):
    assert with_header(f"Series: {value}").series == [series]


def test_a_part_key_gives_the_position_in_the_series():
    work = with_header("Series: Tales from the Counter", "Part: 3")
    assert work.series == [ParsedSeries("Tales from the Counter", 3)]


@pytest.mark.parametrize(
    "value", ["2 of Tales from the Counter", "Part Two of Tales from the Counter"]
)
def test_a_part_key_naming_its_series_gives_a_series(value):
    work = with_header(f"Part: {value}")
    assert work.series == [ParsedSeries("Tales from the Counter", 2)]


def test_a_part_key_without_a_series_gives_none():
    assert with_header("Part: 2 of 5").series == []


@pytest.mark.parametrize(
    ("line", "complete"),
    [
        ("Status: Complete", True),
        ("Status: completed", True),
        ("Status: Finished", True),
        ("Status: Complete (3/3)", True),
        ("Status: WIP", False),
        ("Status: in progress", False),
        ("Status: Incomplete", False),
        ("Status: ongoing", False),
        ("Status: not complete", False),
        ("Complete: yes", True),
        ("Complete: no", False),
        ("Completed: true", True),
        ("WIP: yes", False),
        ("WIP: no", True),
        ("Status: abandoned", False),
        ("Status: who knows", None),
    ],
)
def test_it_reads_whether_the_work_is_complete(line, complete):
    assert with_header(line).complete is complete


def test_a_work_without_status_has_unknown_completeness():
    assert with_header("Title: T").complete is None


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2004-03-03", date(2004, 3, 3)),
        ("March 3, 2004", date(2004, 3, 3)),
        ("3 March 2004", date(2004, 3, 3)),
        ("2004/03/03", date(2004, 3, 3)),
        ("03/04/2004", date(2004, 3, 4)),
        ("2004-03-03T10:00:00Z", date(2004, 3, 3)),
    ],
)
@pytest.mark.parametrize("key", ["Date", "Posted", "Published"])
def test_it_reads_the_published_date(key, value, day):
    assert with_header(f"{key}: {value}").published == day


def test_it_reads_the_updated_date():
    work = with_header("Published: 2004-03-03", "Updated: 5 May 2005")
    assert (work.published, work.updated) == (date(2004, 3, 3), date(2005, 5, 5))


@pytest.mark.parametrize("value", ["last Tuesday", "March 3", "sometime in 2004ish"])
def test_an_unreadable_date_is_none_but_kept_in_fields(value):
    work = with_header(f"Published: {value}")
    assert work.published is None
    assert ("Published", value) in work.fields


# Header layout ----------------------------------------------------------------------


def test_a_value_continues_on_indented_lines():
    work = with_header("Title: T", "Characters: Ada, Brin,", "    Cole, Dee", "\tEd")
    assert work.characters == ["Ada", "Brin", "Cole", "Dee Ed"]
    assert ("Characters", "Ada, Brin, Cole, Dee Ed") in work.fields


def test_a_line_without_a_key_continues_the_previous_value():
    work = with_header("Title: The Kettle", "Question", "Author: ada")
    assert work.title == "The Kettle Question"
    assert work.fields == [("Title", "The Kettle Question"), ("Author", "ada")]


def test_a_summary_keeps_its_line_breaks():
    work = with_header("Summary: Ada asks.", "  Brin answers.", "  Nobody believes either.")
    assert work.summary == (
        "<p>Ada asks.</p>\n<p>Brin answers.</p>\n<p>Nobody believes either.</p>"
    )


def test_a_summary_wrapped_in_the_header_is_rejoined():
    work = with_header(
        "Summary: The kettle has boiled dry twice this week and somebody at the",
        "  counter knows why, though nobody is saying.",
    )
    assert work.summary == (
        "<p>The kettle has boiled dry twice this week and somebody at the counter knows "
        "why, though nobody is saying.</p>"
    )


def test_unknown_keys_are_kept_in_fields_and_nowhere_else():
    work = with_header("Title: T", "Beta Reader: cole", "Prompt: boiling point", "Rating: G")
    assert ("Beta Reader", "cole") in work.fields
    assert ("Prompt", "boiling point") in work.fields
    assert work.rating == GENERAL
    assert work.freeforms == work.creators == []


def test_a_url_line_in_the_header_is_not_a_key():
    work = with_header("Title: T", "Notes: see", "https://example.org/notes")
    assert work.fields[-1] == ("Notes", "see\nhttps://example.org/notes")


def test_the_header_ends_at_the_first_blank_line():
    work = parse_story("Title: T\nRating: R\n\nGenre: not a header line.\n\nText.")
    assert work.freeforms == []
    assert work.chapters[0].body == "<p>Genre: not a header line.</p>\n<p>Text.</p>"


def test_a_separator_line_ends_the_header_too():
    work = parse_story("Title: T\nRating: R\n----------\nThe story starts here.")
    assert work.fields == [("Title", "T"), ("Rating", "R")]
    assert work.chapters[0].body == "<p>The story starts here.</p>"


def test_a_header_needs_a_known_key_on_the_first_line():
    work = parse_story("Beta: cole\nTitle: Not a header\n\nText.", name="plain.txt")
    assert work.fields == []
    assert work.title == "plain"
    assert work.chapters[0].body == "<p>Beta: cole<br>Title: Not a header</p>\n<p>Text.</p>"


def test_leading_blank_lines_before_the_header_are_ignored():
    assert parse_story("\n\n  \nTitle: T\n\nText.").title == "T"


# Titles -----------------------------------------------------------------------------


def test_a_short_first_line_before_a_blank_line_is_the_title():
    work = parse_story("The Kettle Question\n\n" + BODY)
    assert work.title == "The Kettle Question"
    assert work.fields == []
    assert work.chapters[0].body.startswith("<p>The kettle had boiled dry")


def test_a_title_line_may_hold_a_colon_when_its_start_is_no_key():
    work = parse_story("Giles: A Catalogue\n\n" + BODY)
    assert work.title == "Giles: A Catalogue"
    assert work.fields == []


def test_a_title_line_in_html_loses_its_tags():
    work = parse_story("<h1>Ada &amp; the Kettle</h1>\n\n<p>It boiled.</p>")
    assert work.title == "Ada & the Kettle"
    assert work.chapters[0].body == "<p>It boiled.</p>"


def test_a_first_html_paragraph_is_story_not_title():
    work = parse_story("<p>It boiled.</p>\n\n<p>Again.</p>", name="kettle.txt")
    assert work.title == "kettle"
    assert work.chapters[0].body == "<p>It boiled.</p>\n<p>Again.</p>"


def test_a_long_first_line_is_story_not_title():
    first = "The kettle " + "boiled and " * 12 + "boiled."
    work = parse_story(first + "\n\nThen it stopped.", name="long_one.txt")
    assert work.title == "long one"
    assert work.chapters[0].body == f"<p>{first}</p>\n<p>Then it stopped.</p>"


def test_a_first_line_followed_by_text_is_story_not_title():
    work = parse_story("The kettle boiled.\nIt boiled again.\n", name="kettle.txt")
    assert work.title == "kettle"


def test_a_chapter_heading_on_the_first_line_is_no_title():
    work = parse_story("Chapter 1\n\nOne.\n\nChapter 2\n\nTwo.", name="two-parts.txt")
    assert work.title == "two parts"
    assert len(work.chapters) == 2


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("stories/the_kettle_question.txt", "the kettle question"),
        ("the-kettle-question.txt", "the kettle question"),
        ("The Kettle - A Question.txt", "The Kettle - A Question"),
        ("kettle_of-fish.TXT", "kettle of-fish"),
        ("/archive/2004/Kettle.text", "Kettle"),
    ],
)
def test_without_a_title_the_file_name_gives_it(name, title):
    assert parse_story("The kettle boiled.\nIt boiled again.\n", name=name).title == title


def test_a_header_without_a_title_takes_the_file_name():
    work = parse_story("Author: ada\n\n" + BODY, name="the_kettle_question.txt")
    assert work.title == "the kettle question"


# Encodings --------------------------------------------------------------------------

CURLY_BODY = "“Who boiled it?” Ada asked — again… ‘Not me,’ said Brin."


def test_it_reads_utf8_with_a_byte_order_mark():
    work = parse_bytes(codecs.BOM_UTF8 + f"Title: Kettle\n\n{CURLY_BODY}".encode())
    assert work.title == "Kettle"
    assert work.fields[0] == ("Title", "Kettle")
    assert work.chapters[0].body == f"<p>{CURLY_BODY}</p>"


def test_it_reads_utf8_without_a_byte_order_mark():
    work = parse_bytes(f"Title: Kettle\n\n{CURLY_BODY}".encode())
    assert work.chapters[0].body == f"<p>{CURLY_BODY}</p>"


def test_it_reads_cp1252_smart_quotes_and_ellipses():
    data = (
        b"Title: Kettle\r\n\r\n"
        b"\x93Who boiled it?\x94 Ada asked \x97 again\x85 \x91Not me,\x92 said Brin."
    )
    assert parse_bytes(data).chapters[0].body == f"<p>{CURLY_BODY}</p>"


def test_it_reads_latin1_accents():
    data = "Title: Café Müller\n\nÉlodie ordered crêpes; Jürgen paid.".encode("latin-1")
    work = parse_bytes(data)
    assert work.title == "Café Müller"
    assert work.chapters[0].body == "<p>Élodie ordered crêpes; Jürgen paid.</p>"


def test_it_repairs_mojibake():
    mojibake = "â€œWho boiled it?â€ Ada asked â€” againâ€¦ â€˜Not me,â€™ said Brin."
    work = parse_bytes(f"Title: Kettle\n\n{mojibake}".encode())
    assert "’" in work.chapters[0].body
    assert "â€" not in work.chapters[0].body
    assert "Ada asked — again…" in work.chapters[0].body


def test_it_reads_crlf_line_endings():
    work = parse_bytes(FULL_STORY.replace("\n", "\r\n").encode())
    assert work.title == "The Kettle Question"
    assert work.summary.count("<p>") == 2
    assert "\r" not in work.chapters[0].body


def test_it_reads_utf16_with_a_byte_order_mark():
    work = parse_bytes(f"Title: Kettle\n\n{CURLY_BODY}".encode("utf-16"))
    assert work.chapters[0].body == f"<p>{CURLY_BODY}</p>"


# Bodies -----------------------------------------------------------------------------


def test_a_plain_body_is_escaped_and_rejoined():
    wrapped = textwrap.fill(
        "Ada & Brin argued about the kettle for the better part of an hour, and at the end "
        "of it neither of them could remember who had put it on the stove in the first place.",
        60,
    )
    work = with_header("Title: T", body=wrapped + "\n\n<3 Brin")
    assert work.chapters[0].body == (
        "<p>Ada &amp; Brin argued about the kettle for the better part of an hour, and at "
        "the end of it neither of them could remember who had put it on the stove in the "
        "first place.</p>\n<p>&lt;3 Brin</p>"
    )


def test_an_html_body_is_kept_as_html():
    work = with_header("Title: T", body="<p>Ada <i>knew</i>.</p>\n<p>Brin &amp; Cole.</p>")
    assert work.chapters[0].body == "<p>Ada <i>knew</i>.</p>\n<p>Brin &amp; Cole.</p>"


def test_an_html_body_without_paragraph_tags_gets_them_from_breaks():
    work = with_header("Title: T", body="Ada <i>knew</i>.<br><br>Brin did not.<br>\n")
    assert work.chapters[0].body == "<p>Ada <i>knew</i>.</p>\n<p>Brin did not.</p>"


def test_an_html_body_is_balanced():
    work = with_header("Title: T", body="<p>Ada <b>knew.<p>Brin</i> did not.")
    assert work.chapters[0].body == "<p>Ada <b>knew.</b></p>\n<p>Brin did not.</p>"


def test_it_splits_chapters_in_a_plain_body():
    body = (
        "Chapter One: The First Boil\n\nIt boiled.\n\n"
        "CHAPTER II - The Second\n\nIt boiled again.\n\n* * *\n\nLater.\n\n"
        "Part 3\n\nNobody owned up."
    )
    work = with_header("Title: T", body=body)
    assert [(c.title, c.body) for c in work.chapters] == [
        ("The First Boil", "<p>It boiled.</p>"),
        ("The Second", f"<p>It boiled again.</p>\n{SCENE_BREAK}\n<p>Later.</p>"),
        ("", "<p>Nobody owned up.</p>"),
    ]


def test_it_splits_chapters_in_an_html_body():
    body = "<h2>Chapter 1: Boil</h2><p>It boiled.</p><h2>Chapter 2: Again</h2><p>Again.</p>"
    work = with_header("Title: T", body=body)
    assert [(c.title, c.body) for c in work.chapters] == [
        ("Boil", "<p>It boiled.</p>"),
        ("Again", "<p>Again.</p>"),
    ]


@pytest.mark.parametrize("marker", ["* * *", "~~~", "---", "#", "oOo", "xXx", "-x-", "+ + +"])
def test_scene_breaks_in_a_story_become_scene_break_elements(marker):
    work = with_header("Title: T", body=f"Before.\n\n{marker}\n\nAfter.")
    assert work.chapters[0].body == f"<p>Before.</p>\n{SCENE_BREAK}\n<p>After.</p>"


# Bad files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n\t \r\n", "empty file"),
        (b"\x00\x01\x02\x03binary\x00junk", "binary file"),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "binary file (looks like a ZIP archive)"),
        (bytes(range(1, 32)) * 8, "undecodable text"),
        (b"Title: Only a header\nRating: PG\n\n", "no story text after the header"),
        (b"Title: Only a header\nRating: PG\n", "no story text after the header"),
        (b"Title: Only markers\n\n* * *\n\n~~~\n", "no story text after the header"),
        (b"Just A Title\n\n\n", "no story text after the title line"),
        (b"Just A Title\n", "no story text after the title line"),
        (b"* * *\n\n~~~\n", "no story text"),
    ],
)
def test_it_rejects_files_without_a_story(data, message):
    with pytest.raises(ParseError) as error:
        parse_bytes(data, name="bad.txt")
    assert str(error.value) == message
    assert "bad.txt" not in str(error.value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_one_work_with_chapters_or_a_parse_error(data):
    try:
        works = list(plaintext.parse(io.BytesIO(data), "fuzz.txt"))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].chapters
    assert all(chapter.body for chapter in works[0].chapters)


header_lines = st.lists(
    st.tuples(
        st.sampled_from(
            ["Title", "Author", "Rating", "Warnings", "Series", "Part", "Status", "Date",
             "Chapters", "Language", "URL", "Summary", "Category", "Nonsense", "  ", ""]
        ),
        st.text(max_size=30),
    ),
    max_size=8,
).map(lambda pairs: "\n".join(f"{key}: {value}" for key, value in pairs))  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(header_lines, st.text(max_size=300))
def test_any_header_and_text_give_one_work_with_chapters_or_a_parse_error(header, body):
    data = f"{header}\n\n{body}".encode()
    try:
        works = list(plaintext.parse(io.BytesIO(data), "fuzz.txt"))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].chapters


def test_none_is_no_tag():
    work = parse_bytes(
        b"title: Alone\npairing: none\ncharacters: N/A\ngenre: none\nfandom: -\n\nJust text.\n"
    )
    assert work.relationships == []
    assert work.characters == []
    assert work.freeforms == []
    assert work.fandoms == []
    assert ("pairing", "none") in work.fields


def test_it_reads_end_notes_and_counts_from_the_header():
    work = parse_bytes(
        b"Title: Counted\nEnd Notes: Thanks for reading.\nHits: 1,234\nKudos: 56\n"
        b"Reviews: 7\nBookmarks: many\n\nThe story."
    )
    assert work.end_notes == "<p>Thanks for reading.</p>"
    assert (work.hits, work.kudos, work.comments, work.bookmarks) == (1234, 56, 7, None)
    assert ("Bookmarks", "many") in work.fields
