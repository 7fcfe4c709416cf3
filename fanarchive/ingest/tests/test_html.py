"""The HTML importer: header labels in every shape, story bodies, chapters and notes,
posts, eFiction printable pages, encodings, what it recognises, and what lands in the
database.

Every story here, and in fixtures/html/, is written for these tests. Each fixture
``NAME.html`` has beside it ``NAME.story``: its story text as a reader sees it, chapters
separated by a line ``=== chapter ===``, for the round trip."""

# Stories are written with curly quotes and dashes on purpose: keeping them is tested.
# ruff: noqa: RUF001

import codecs
import hashlib
import html
import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest import registry
from fanarchive.ingest.importers import html as html_importer
from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import ParsedSeries, ParsedWork, ParseError
from fanarchive.ingest.run import import_paths
from fanarchive.lib.html import SCENE_BREAK, html_to_text
from fanarchive.tags.constants import (
    CHOSE_NOT_TO_WARN,
    GENERAL,
    GRAPHIC_VIOLENCE,
    MAJOR_CHARACTER_DEATH,
    MATURE,
    NO_WARNINGS,
    NOT_RATED,
    TEEN,
)
from fanarchive.tags.models import TagType

FIXTURES = Path(__file__).parent / "fixtures" / "html"
FIXTURE_FILES = sorted(FIXTURES.glob("*.html"))
CHAPTER_SEPARATOR = "=== chapter ==="

STORY = (
    "<p>The kettle had boiled dry twice before anyone noticed, and nobody at the counter "
    "would say who had left it on.</p>\n"
    "<p>Ada meant to find out before the week was over.</p>"
)
STORY_WORDS = html_to_text(STORY).split()


def parse_bytes(data: bytes, name: str = "stories/the_kettle.html") -> ParsedWork:
    works = list(html_importer.parse(io.BytesIO(data), name))
    assert len(works) == 1
    return works[0]


def parse_page(markup: str, name: str = "stories/the_kettle.html") -> ParsedWork:
    return parse_bytes(markup.encode("utf-8"), name)


def parse_fixture(name: str) -> ParsedWork:
    path = FIXTURES / name
    return parse_bytes(path.read_bytes(), str(path))


def page(header: str, body: str = STORY, head: str = "") -> str:
    return f"<html><head>{head}</head><body>\n{header}\n{body}\n</body></html>"


def words(markup: str) -> list[str]:
    return html_to_text(markup).split()


def story_words(work: ParsedWork) -> list[str]:
    return [word for chapter in work.chapters for word in words(chapter.body)]


def expected_chapters(fixture: Path) -> list[list[str]]:
    text = fixture.with_suffix(".story").read_text(encoding="utf-8")
    return [chapter.split() for chapter in text.split(CHAPTER_SEPARATOR)]


# Labels in every shape ---------------------------------------------------------------

SHAPES = {
    "bold label, colon inside": "<b>{label}:</b> {value}<br>",
    "bold label, colon outside": "<b>{label}</b>: {value}<br>",
    "strong label": "<strong>{label}</strong>: {value}<br>",
    "bold around label and value": "<b>{label}: {value}</b><br>",
    "span.label": '<span class="label">{label}: </span>{value}<br>',
    "font around bold": '<font color="#660000"><b>{label}:</b></font> {value}<br>',
    "paragraph": "<p>{label}: {value}</p>",
    "plain line": "{label}: {value}<br>",
    "table row": '<table class="info"><tr><td>{label}</td><td>{value}</td></tr></table>',
    "table header cell": "<table><tr><th>{label}:</th><td>{value}</td></tr></table>",
    "definition list": "<dl><dt>{label}</dt><dd>{value}</dd></dl>",
}

LABELS = [
    ("Title", "The Kettle Question", "title", "The Kettle Question"),
    ("TITLE", "The Kettle Question", "title", "The Kettle Question"),
    ("Author", "steamandsaucers", "creators", ["steamandsaucers"]),
    ("Authors", "ada & brin", "creators", ["ada", "brin"]),
    ("Pen name", "steamandsaucers", "creators", ["steamandsaucers"]),
    ("Fandom", "The Tea Shop Chronicles", "fandoms", ["The Tea Shop Chronicles"]),
    ("fandoms", "Tea Shop, Kettle Wars", "fandoms", ["Tea Shop", "Kettle Wars"]),
    ("Category", "F/F", "categories", ["F/F"]),
    ("Categories", "Tea Shop", "fandoms", ["Tea Shop"]),
    ("Pairing", "Ada/Brin", "relationships", ["Ada/Brin"]),
    ("PAIRINGS", "Ada/Brin, Cole & Dee", "relationships", ["Ada/Brin", "Cole & Dee"]),
    ("Relationship", "Ada/Brin", "relationships", ["Ada/Brin"]),
    ("Characters", "Ada, Brin", "characters", ["Ada", "Brin"]),
    ("Rating", "R", "rating", MATURE),
    ("Rated", "PG-13", "rating", TEEN),
    ("rating", "Cheese", "rating", NOT_RATED),
    ("Warning", "Graphic Violence", "warnings", [GRAPHIC_VIOLENCE]),
    ("Warnings", "None", "warnings", [NO_WARNINGS]),
    ("Content warnings", "spiders", "freeforms", ["spiders"]),
    ("Genres", "Humor, Angst", "freeforms", ["Humor", "Angst"]),
    ("Time frame", "season six", "freeforms", ["season six"]),
    ("Tags", "kettles, tea", "freeforms", ["kettles", "tea"]),
    ("Spoilers", "the finale", "freeforms", ["Spoilers: the finale"]),
    ("Summary", "Somebody boils the kettle.", "summary", "<p>Somebody boils the kettle.</p>"),
    ("Description", "Somebody boils it.", "summary", "<p>Somebody boils it.</p>"),
    ("Author's Notes", "For Ada.", "notes", "<p>For Ada.</p>"),
    ("A/N", "For Ada.", "notes", "<p>For Ada.</p>"),
    ("End Notes", "Thanks for reading.", "end_notes", "<p>Thanks for reading.</p>"),
    ("Series", "Counter Tales, part 2", "series", [ParsedSeries("Counter Tales", 2)]),
    ("Status", "WIP", "complete", False),
    ("Completed", "Yes", "complete", True),
    ("Published", "2004-03-03", "published", date(2004, 3, 3)),
    ("Posted", "March 3, 2004", "published", date(2004, 3, 3)),
    ("Updated", "5 May 2005", "updated", date(2005, 5, 5)),
    ("Chapters", "1/3", "expected_chapters", 3),
    ("Language", "Deutsch", "language", "de"),
    ("Read", "1,234", "hits", 1234),
    ("Reviews", "12", "comments", 12),
]  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
@pytest.mark.parametrize(("label", "value", "attribute", "expected"), LABELS)
def test_every_label_in_every_shape_lands_in_its_field(shape, label, value, attribute, expected):
    header = shape.format(label=label, value=html.escape(value, quote=False))
    work = parse_page(page(header))
    assert getattr(work, attribute) == expected
    assert (label, value) in work.fields
    assert story_words(work) == STORY_WORDS


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
def test_a_header_of_several_labels_in_one_shape_is_read_whole(shape):
    header = "\n".join(
        shape.format(label=label, value=value)
        for label, value in [("Title", "Steam"), ("Rating", "G"), ("Fandom", "Tea Shop")]
    )
    work = parse_page(page(header))
    assert (work.title, work.rating, work.fandoms) == ("Steam", GENERAL, ["Tea Shop"])
    assert story_words(work) == STORY_WORDS


def test_unknown_labels_stay_in_fields_and_nowhere_else():
    work = parse_page(
        page("<b>Title:</b> Steam<br><b>Beta:</b> cole<br><b>Prompt:</b> boiling point<br>")
    )
    assert ("Beta", "cole") in work.fields
    assert ("Prompt", "boiling point") in work.fields
    assert work.creators == work.freeforms == []
    assert story_words(work) == STORY_WORDS


def test_a_plain_unknown_label_on_its_own_line_is_no_header():
    work = parse_page(page("<p>Dear diary: it boiled again.</p>"))
    assert work.fields == []
    assert words(work.chapters[0].body)[:5] == ["Dear", "diary:", "it", "boiled", "again."]


def test_several_marked_labels_share_a_line():
    work = parse_page(
        page(
            '<span class="label">Chapters:</span> 1/1 <span class="label">Completed:</span> '
            'No <span class="label">Word count:</span> 1,408<br>'
        )
    )
    assert work.fields == [("Chapters", "1/1"), ("Completed", "No"), ("Word count", "1,408")]
    assert (work.expected_chapters, work.complete) == (1, False)


def test_labels_in_coloured_font_are_labels():
    work = parse_page(page('<font color="#600">Rating:</font> PG<br><font color="#600">Fandom:'
                           "</font> Tea Shop<br><br>"))  # fmt: skip
    assert (work.rating, work.fandoms) == (GENERAL, ["Tea Shop"])
    assert story_words(work) == STORY_WORDS


def test_labels_a_site_adds_share_a_line_with_known_ones():
    work = parse_page(page("<b>Themes:</b> Grief <b>Advisories:</b> Spiders <b>Rating:</b> G<br>"))
    assert work.fields == [("Themes", "Grief"), ("Advisories", "Spiders"), ("Rating", "G")]


def test_a_sentence_in_bold_or_italics_with_a_colon_is_story():
    line = "<p><i>Dear diary: it boiled again, and nobody would say who left it on.</i></p>"
    work = parse_page(page("<b>Rating:</b> G<br><br>", body=line + STORY))
    assert work.fields == [("Rating", "G")]
    assert words(work.chapters[0].body)[:2] == ["Dear", "diary:"]


def test_a_list_on_lines_of_a_table_cell_is_a_list():
    work = parse_page(page("<table><tr><td>Characters:</td><td>Ada<br>Brin</td></tr></table>"))
    assert work.characters == ["Ada", "Brin"]


def test_markup_in_a_value_is_not_a_new_label():
    work = parse_page(page("<b>Summary:</b> Ada finds <b>the truth</b> at last.<br><br>"))
    assert work.summary == "<p>Ada finds <b>the truth</b> at last.</p>"
    assert len(work.fields) == 1


def test_a_value_continues_on_the_next_lines_of_its_block():
    work = parse_page(
        page(
            "<p><b>Characters:</b> Ada, Brin<br>Cole<br>"
            "<b>Summary:</b> Ada asks.<br>Brin answers.</p>"
        )
    )
    assert work.characters == ["Ada", "Brin", "Cole"]
    assert work.summary == "<p>Ada asks.<br>\nBrin answers.</p>"
    assert story_words(work) == STORY_WORDS


def test_a_label_alone_takes_the_block_after_it():
    work = parse_page(
        page(
            "<p><b>Title:</b> Steam</p><p><b>Summary:</b></p>"
            "<blockquote><p>Ada asks.</p><p>Brin <i>answers</i>.</p></blockquote>"
            "<p><b>Rating:</b> G</p><hr>"
        )
    )
    assert work.summary == "<p>Ada asks.</p><p>Brin <i>answers</i>.</p>"
    assert work.rating == GENERAL
    assert story_words(work) == STORY_WORDS


def test_a_heading_that_is_a_label_takes_the_block_after_it():
    work = parse_page(page("<h3>Summary</h3><p>Ada asks who boiled it.</p><h3>Notes</h3>"
                           "<p>For Brin.</p><hr>"))  # fmt: skip
    assert work.summary == "<p>Ada asks who boiled it.</p>"
    assert work.notes == "<p>For Brin.</p>"
    assert story_words(work) == STORY_WORDS


def test_a_blank_line_ends_the_header():
    work = parse_page(
        page(
            "<b>Title:</b> Steam<br>\n<b>Rating:</b> G<br>\n<br>\n"
            "The kettle had boiled dry twice before anyone noticed, and nobody at the counter "
            "would say who had left it on.<br>\n",
            body="",
        )
    )
    assert work.fields == [("Title", "Steam"), ("Rating", "G")]
    assert words(work.chapters[0].body)[:3] == ["The", "kettle", "had"]


def test_a_long_line_after_a_one_line_field_is_the_story():
    work = parse_page(
        page(
            "<p><b>Rating:</b> G<br>The kettle had boiled dry twice before anyone noticed, "
            "and nobody at the counter would say who had left it on, not even Brin.</p>",
            body="",
        )
    )
    assert work.fields == [("Rating", "G")]
    assert words(work.chapters[0].body)[:2] == ["The", "kettle"]


def test_labels_in_the_middle_of_the_story_stay_story():
    body = STORY + "<p>Ada: Who boiled it?</p><p>Rating: zero out of ten, said Brin.</p>" + STORY
    work = parse_page(page("<b>Title:</b> Steam<br><br>", body=body))
    assert work.fields == [("Title", "Steam")]
    assert "Ada: Who boiled it?" in html_to_text(work.chapters[0].body)
    assert "Rating: zero out of ten" in html_to_text(work.chapters[0].body)


def test_the_header_is_never_repeated_in_the_story():
    for fixture in FIXTURE_FILES:
        work = parse_bytes(fixture.read_bytes(), fixture.name)
        text = " ".join(story_words(work))
        for label, _ in work.fields:
            assert f"{label}:" not in text, (fixture.name, label)


# Titles and creators ---------------------------------------------------------------


def test_a_title_element_alone_gives_the_title():
    work = parse_fixture("title_only.html")
    assert work.title == "The Weight of Small Keys"
    assert work.fields == []
    assert work.creators == []


def test_without_a_title_the_file_name_gives_it():
    assert (
        parse_page(page("", body=STORY), name="old/the_lost_ledger.htm").title == "the lost ledger"
    )


def test_a_title_label_wins_over_headings_and_the_title_element():
    work = parse_page(
        page("<h1>Heading</h1><b>Title:</b> Label<br>", head="<title>Element</title>")
    )
    assert work.title == "Label"


def test_the_heading_the_title_element_names_is_the_title_not_the_site_name():
    work = parse_fixture("chapter_content.html")
    assert work.title == "The Bellmaker's Daughter"
    assert "Hollowmere Archive" not in " ".join(story_words(work))


def test_a_centred_bold_line_before_the_story_is_the_title():
    work = parse_page(page('<center><b><font size="+2">Steam</font></b><br>by ada</center>'))
    assert (work.title, work.creators) == ("Steam", ["ada"])
    assert story_words(work) == STORY_WORDS


def test_a_heading_before_the_story_is_the_title_and_leaves_the_story():
    work = parse_page(page("<center><h2>Steam and Saucers</h2></center>"))
    assert work.title == "Steam and Saucers"
    assert story_words(work) == STORY_WORDS


@pytest.mark.parametrize(
    "line",
    ["<p>by steamandsaucers</p>", "<h2>by steamandsaucers</h2>",
     '<p>Written by <a href="mailto:s@example.org">steamandsaucers</a></p>',
     "<i>a story by steamandsaucers</i><br>"],
)  # fmt: skip
def test_a_byline_gives_the_creator(line):
    work = parse_page(page(f"<h1>Steam</h1>{line}<b>Rating:</b> G<br>"))
    assert work.creators == ["steamandsaucers"]
    assert work.title == "Steam"
    assert story_words(work) == STORY_WORDS


def test_a_meta_author_is_the_creator_only_when_nothing_else_names_one():
    head = '<meta name="author" content="webmistress">'
    assert parse_page(page("", head=head)).creators == ["webmistress"]
    assert parse_page(page("<b>Author:</b> ada<br>", head=head)).creators == ["ada"]


def test_the_page_language_and_canonical_address_are_kept():
    head = '<link rel="canonical" href="https://example.org/fic/steam.html">'
    work = parse_page(page("", head=head).replace("<html>", '<html lang="fr">'))
    assert (work.language, work.source_url) == ("fr", "https://example.org/fic/steam.html")


# Story bodies ----------------------------------------------------------------------


def test_chapter_content_is_the_story_and_the_rest_of_the_page_is_not():
    work = parse_fixture("chapter_content.html")
    text = " ".join(story_words(work))
    assert story_words(work) == expected_chapters(FIXTURES / "chapter_content.html")[0]
    for stray in ["Browse", "About this archive", "property of their authors", "tinsmith", "cried"]:
        assert stray not in text


def test_notes_around_the_chapter_content_are_kept_as_notes():
    work = parse_fixture("chapter_content.html")
    assert work.notes == "<p>Written for the winter exchange.</p>"
    assert work.chapters[0].end_notes == "<p>Thank you for reading.</p>"


def test_several_chapter_contents_are_chapters_titled_by_their_headings():
    markup = page(
        "<h1>Steam</h1>"
        '<h2>Chapter 1: The Kettle</h2><div class="chapter-content"><p>It boiled.</p></div>'
        '<div class="endnotes"><p>Hot.</p></div>'
        '<h2>Chapter 2: The Saucer</h2><div class="notes"><p>Short one.</p></div>'
        '<div class="chapter-content"><p>It cracked.</p></div>'
        '<div class="end notes"><p>The end.</p></div>',
        body="",
    )
    work = parse_page(markup)
    assert [(c.title, c.body, c.notes, c.end_notes) for c in work.chapters] == [
        ("The Kettle", "<p>It boiled.</p>", "", "<p>Hot.</p>"),
        ("The Saucer", "<p>It cracked.</p>", "<p>Short one.</p>", "<p>The end.</p>"),
    ]


def test_the_largest_block_is_the_story_without_sidebar_or_footer():
    markup = page(
        "<b>Title:</b> Steam<br>",
        body=(
            '<table width="100%"><tr>'
            '<td width="150"><a href="/">Home</a><br><a href="/fics">Fics</a><br>'
            '<a href="/links">Links</a></td>'
            f"<td>{STORY * 3}</td></tr></table>"
            "<div><p>Site hosted by Example Free Pages.</p><p>Made with notepad.</p></div>"
        ),
    )
    assert story_words(parse_page(markup)) == STORY_WORDS * 3


def test_a_paragraph_beside_the_story_block_is_story_too():
    markup = page("", body=f"<p>Set after the flood.</p><div>{STORY}</div>")
    assert story_words(parse_page(markup)) == ["Set", "after", "the", "flood.", *STORY_WORDS]


def test_navigation_links_before_and_after_the_story_are_dropped():
    markup = page(
        '<p><a href="index.html">Index</a> | <a href="ch2.html">Next</a></p>',
        body=STORY + '<p><a href="index.html">Back to the stories</a></p>',
    )
    assert story_words(parse_page(markup)) == STORY_WORDS


def test_rules_around_the_story_are_no_scene_breaks():
    work = parse_page(page("<b>Title:</b> Steam<br><hr>", body=STORY + "<hr><hr>"))
    assert SCENE_BREAK not in work.chapters[0].body


def test_a_rule_inside_the_story_is_a_scene_break():
    work = parse_page(page("", body=STORY + "<hr>" + STORY))
    assert SCENE_BREAK in work.chapters[0].body


def test_a_story_in_a_pre_block_is_read_as_plain_text():
    text = "Title: Steam\nRating: PG\n\nThe kettle boiled.\n\nChapter 2\n\nIt boiled again.\n"
    work = parse_page(page("", body=f"<pre>{html.escape(text)}</pre>"))
    assert (work.title, work.rating, work.importer) == ("Steam", GENERAL, "html")
    assert [c.body for c in work.chapters] == [
        "<p>The kettle boiled.</p>",
        "<p>It boiled again.</p>",
    ]


def test_a_body_of_loose_text_and_breaks_becomes_paragraphs():
    work = parse_page("<b>Title:</b> Steam<br><br>It boiled.<br>Again.<br><br>Nobody owned up.")
    assert work.chapters[0].body == "<p>It boiled.<br>Again.</p>\n<p>Nobody owned up.</p>"


# Chapters ----------------------------------------------------------------------------


def test_chapter_and_part_headings_split_chapters_with_their_titles():
    work = parse_fixture("multi_chapter.html")
    assert [c.title for c in work.chapters] == ["The First Snow", "The Thaw", ""]
    assert work.expected_chapters == 3


def test_notes_marked_in_a_chapter_are_its_notes_and_end_notes():
    work = parse_fixture("multi_chapter.html")
    assert [(c.notes, c.end_notes) for c in work.chapters] == [
        ("", ""),
        ("<p>This one is shorter, sorry.</p>", ""),
        ("", "<p>Thank you to everyone who followed this.</p>"),
    ]


def test_a_notes_paragraph_in_mid_chapter_stays_text():
    body = STORY + '<div class="notes">A/N: the kettle is real.</div>' + STORY
    work = parse_page(page("", body=body))
    assert work.chapters[0].notes == work.chapters[0].end_notes == ""
    assert "A/N: the kettle is real." in html_to_text(work.chapters[0].body)


def test_a_chapter_summary_marked_by_the_page_is_kept():
    body = '<h2>Chapter 1</h2><div class="summary">Ada asks.</div>' + STORY
    work = parse_page(page("", body=body))
    assert work.chapters[0].summary == "<p>Ada asks.</p>"
    assert story_words(work) == STORY_WORDS


# Posts -------------------------------------------------------------------------------


def test_a_livejournal_post_gives_its_header_poster_date_and_tags():
    work = parse_fixture("livejournal_post.html")
    assert work.title == "The Lantern Keeper"
    assert work.creators == ["inkwellpony"]
    assert work.published == date(2006, 10, 14)
    assert work.rating == GENERAL
    assert work.summary == "<p>The lanterns of Vell do not light themselves.</p>"
    # No typed tags in the header: the entry's tags are the additional tags.
    assert work.freeforms == ["fic", "lanterns of vell", "gen"]
    assert ("Current Mood", "hopeful") in work.fields
    assert ("Current Music", "rain on the roof") in work.fields


def test_a_post_without_comments_cut_links_or_entry_furniture():
    for fixture in ["livejournal_post.html", "dreamwidth_post.html"]:
        work = parse_fixture(fixture)
        text = " ".join(story_words(work))
        for stray in ["Read the story", "made my whole evening", "glass apple so badly",
                      "hopeful", "accomplished", "comments", "Tags", "(Default)"]:  # fmt: skip
            assert stray not in text, (fixture, stray)
        assert "cutid" not in work.chapters[0].body


def test_a_dreamwidth_post_with_typed_tags_keeps_its_entry_tags_only_in_fields():
    work = parse_fixture("dreamwidth_post.html")
    assert work.title == "The Glass Orchard"
    assert work.creators == ["thornquill"]
    assert work.fandoms == ["The Glasshouse Cycle"]
    assert work.relationships == ["Wren/Tamsin"]
    assert work.characters == ["Wren", "Tamsin", "the Gardener"]
    assert work.rating == TEEN
    assert work.notes == "<p>A sequel of sorts to <i>A Map of Quiet Rooms</i>.</p>"
    assert work.freeforms == []
    assert ("Entry tags", "fic, glasshouse") in work.fields
    assert ("Mood", "accomplished") in work.fields
    assert work.published == date(2011, 3, 14)
    assert work.source_url == "https://thornquill.dreamwidth.org/4821.html"


def test_a_header_author_wins_over_the_poster():
    markup = page(
        '<div class="entry"><span class="ljuser" lj:user="commmod"><b>commmod</b></span>'
        '<h3 class="entry-title">Fic: Steam</h3>'
        f'<div class="entry-content"><b>Author:</b> ada<br><br>{STORY}</div></div>'
    )
    work = parse_page(markup)
    assert (work.title, work.creators) == ("Steam", ["ada"])


@pytest.mark.parametrize(
    "tags_line",
    [f"{STORY}<p>Tags: kettles, tea</p>", f"{STORY}<br><br>Entry tags: kettles, tea<br>"],
)
def test_a_tags_line_ending_a_post_gives_its_entry_tags(tags_line):
    markup = page(f'<div class="entry"><div class="entry-content">{tags_line}</div></div>')
    work = parse_page(markup)
    assert work.freeforms == ["kettles", "tea"]
    assert story_words(work) == STORY_WORDS


def test_a_tags_line_after_the_post_gives_its_entry_tags():
    markup = page(
        f'<div class="entry"><div class="entry-content">{STORY}</div>'
        "<p>Tags: kettles, tea</p></div>"
    )
    assert parse_page(markup).freeforms == ["kettles", "tea"]


def test_a_raw_post_keeps_the_text_inside_its_cut():
    markup = page(
        '<div class="entry-content"><b>Rating:</b> G<br><br>'
        f'<lj-cut text="Read more">{STORY}</lj-cut> <lj user="ada"> says hi.</div>'
    )
    work = parse_page(markup)
    assert story_words(work) == [*STORY_WORDS, "ada", "says", "hi."]


# eFiction printable pages ------------------------------------------------------------


def test_an_efiction_printable_page_gives_every_label():
    work = parse_fixture("efiction_printable.html")
    assert work.title == "The Orchard Ledger"
    assert work.creators == ["quietbramble"]
    assert work.summary == (
        "<p>Two frosts, one ledger, and the question of who has been <i>borrowing</i> the "
        "pears.</p>"
    )
    assert work.rating == TEEN
    assert work.fandoms == ["Lanterns of Vell"]
    assert work.characters == ["Mira Thale", "Tobin Ashe"]
    assert work.freeforms == ["Drama", "Mystery"]
    assert work.warnings == [NO_WARNINGS]
    assert work.series == []
    assert work.complete is True
    assert work.hits == 2731
    assert (work.published, work.updated) == (date(2007, 3, 3), date(2007, 4, 10))
    assert work.notes == "<p>The orchard is real; the ledger is not.</p>"
    labels = [label for label, _ in work.fields]
    assert labels == [
        "Summary", "Rated", "Categories", "Characters", "Genres", "Warnings", "Challenges",
        "Series", "Chapters", "Completed", "Word count", "Read", "Published", "Updated",
        "Story Notes",
    ]  # fmt: skip
    assert ("Challenges", "Winter Orchard Challenge") in work.fields
    assert ("Word count", "1408") in work.fields


def test_an_efiction_printable_page_gives_chapters_with_their_notes():
    work = parse_fixture("efiction_printable.html")
    assert [(c.title, c.notes, c.end_notes) for c in work.chapters] == [
        ("The First Frost", "<p>Mira is older here than in the books.</p>",
         "<p>More frost next week.</p>"),
        ("The Second Frost", "", "<p>The end. Thank you for reading!</p>"),
    ]  # fmt: skip
    text = " ".join(story_words(work))
    for stray in ["Back to index", "publicly recognizable", "archived at", "quietbramble"]:
        assert stray not in text


def test_an_efiction_printable_page_gives_its_address_on_the_archive():
    work = parse_fixture("efiction_printable.html")
    url = "http://orchardfic.example.org/efiction/viewstory.php?sid=42"
    assert (work.source_url, work.original_location) == (url, url)
    assert work.archive_name == "orchardfic.example.org"


# Encodings ---------------------------------------------------------------------------

CURLY = "“Every map lies,” said the cartographer — twice… ‘Which lie,’ he thought."
CP1252_BYTES = CURLY.encode("cp1252")


def test_a_cp1252_page_keeps_its_curly_quotes():
    work = parse_fixture("cp1252.html")
    body = work.chapters[0].body
    assert "“Every map lies,”" in body
    assert "copybook — carefully" in body
    assert "twice…" in body
    assert "‘Which lie,’" in body
    assert work.title == "The Cartographer's Apprentice"


@pytest.mark.parametrize(
    "meta",
    ['<meta charset="iso-8859-1">', '<meta http-equiv="Content-Type" content="text/html; '
     'charset=ISO-8859-1">', '<meta charset="us-ascii">', ""],
)  # fmt: skip
def test_latin1_and_undeclared_pages_read_their_0x93_as_curly_quotes(meta):
    data = f"<html><head>{meta}</head><body><p>".encode() + CP1252_BYTES + b"</p></body></html>"
    assert parse_bytes(data).chapters[0].body == f"<p>{CURLY}</p>"


def test_a_declared_charset_is_used():
    data = (
        b'<html><head><meta charset="koi8-r"></head><body><p>'
        + "Самовар кипел всю ночь.".encode("koi8-r")
        + b"</p></body></html>"
    )
    assert parse_bytes(data).chapters[0].body == "<p>Самовар кипел всю ночь.</p>"


def test_a_page_that_says_utf8_but_is_cp1252_is_still_read():
    data = (
        b'<html><head><meta charset="utf-8"></head><body><p>' + CP1252_BYTES + b"</p></body></html>"
    )
    assert parse_bytes(data).chapters[0].body == f"<p>{CURLY}</p>"


def test_an_xhtml_page_with_an_xml_declaration_is_read():
    data = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Steam</title></head>'
        b"<body><p>" + CURLY.encode() + b"</p></body></html>"
    )
    work = parse_bytes(data, "steam.xhtml")
    assert (work.title, work.chapters[0].body) == ("Steam", f"<p>{CURLY}</p>")


def test_a_utf16_page_is_read():
    data = f"<html><body><p>{CURLY}</p></body></html>".encode("utf-16")
    assert parse_bytes(data).chapters[0].body == f"<p>{CURLY}</p>"


def test_mojibake_is_repaired():
    written = "‘Which lie,’ he thought — twice…"
    mojibake = written.encode("utf-8").decode("cp1252")
    data = f'<html><head><meta charset="utf-8"></head><body><p>{mojibake}</p></body></html>'
    assert parse_bytes(data.encode()).chapters[0].body == f"<p>{written}</p>"


# Bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t ", "empty file"),
        (b"<html><body></body></html>", "no story text"),
        (b"<html><head><title>Only a title</title></head><body> </body></html>", "no story text"),
        (b"<html><body><b>Title:</b> T<br><b>Rating:</b> G<br></body></html>", "no story text"),
        (b"<html><body><script>alert(1)</script><hr><hr></body></html>", "no story text"),
        (b"PK\x03\x04\x14\x00\x00\x00<html>", "binary file (looks like a ZIP archive)"),
        (b"<html>\x00\x01\x02binary\x00</html>", "binary file"),
    ],
)
def test_it_rejects_files_without_a_story(data, message):
    with pytest.raises(ParseError) as error:
        parse_bytes(data, name="bad.html")
    assert str(error.value) == message


def test_control_characters_from_character_references_are_dropped():
    data = b'<meta charset="cp1252"\x01\n<title>A&#3\x01;B</title><p>Text&#3;.</p><hr>tail'
    body = parse_bytes(data).chapters[0].body
    assert "<p>Text.</p>" in body
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", body)


def test_entities_declared_in_a_doctype_are_never_expanded():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = f'<!DOCTYPE html [<!ENTITY l0 "ha">{laughs}]><html><body><p>&l9; end</p></body></html>'
    work = parse_page(data)
    assert "haha" not in work.chapters[0].body
    assert len(work.chapters[0].body) < 200


# Recognising -------------------------------------------------------------------------

AO3_DOWNLOAD = b"""<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Steam - ada - Tea Shop [Archive of Our Own]</title>
</head><body><div id="preface"><p class="message"><b>Posted originally on the
<a href="http://archiveofourown.org/">Archive of Our Own</a> at
<a href="http://archiveofourown.org/works/1">http://archiveofourown.org/works/1</a>.</b></p>
<div class="meta"><dl class="tags"><dt>Rating:</dt><dd><a>General Audiences</a></dd></dl>
<h1>Steam</h1><div class="byline">by <a rel="author">ada</a></div></div></div>
<div id="chapters" class="userstuff"><p>It boiled.</p></div></body></html>"""

FANFICFARE_HTML = b"""<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Steam by ada</title></head><body>
<h1><a href="http://test1.com?sid=1">Steam</a> by <a href="http://test1.com?a=1">ada</a></h1>
<table class="full">
<tr><td><b>Category:</b></td><td>Tea Shop</td></tr>
<tr><td><b>Rating:</b></td><td>G</td></tr>
</table>
<a name="TOCTOP"><h2>Table of Contents</h2></a><p><a href="#section0001">Chapter 1</a><br /></p>
<a name="section0001"><h2>Chapter 1</h2></a><div><p>It boiled.</p></div>
</body></html>"""


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.name)
def test_it_recognises_every_html_fixture(fixture):
    head = fixture.read_bytes()[: registry.HEAD_BYTES]
    assert html_importer.recognizes(head, "no-extension")
    assert registry.importer_for(fixture) is html_importer


@pytest.mark.parametrize("data", [AO3_DOWNLOAD, FANFICFARE_HTML], ids=["ao3", "fanficfare"])
def test_it_never_claims_ao3_downloads_or_fanficfare_html(data):
    assert not html_importer.recognizes(data, "story.html")
    assert registry.importer_for_head(data, "story.html") is not html_importer


@pytest.mark.parametrize(
    ("head", "name", "claimed"),
    [
        (b"<!DOCTYPE html><title>T</title><p>Text", "x.txt", True),
        (b"\xef\xbb\xbf  <!-- saved --> <HTML><BODY>Text", "x", True),
        (b"<p>One.</p>\n<p>Two.</p>\n<p><i>Three.</i></p>", "x.txt", True),
        (b"<div id='pagetitle'>T by <a href='viewuser.php?uid=1'>a</a></div>", "x", True),
        ("<html><body>Hi</body></html>".encode("utf-16"), "x", True),
        (b"Title: Steam\nRating: G\n\nThe kettle <i>boiled</i>.", "steam.txt", False),
        (b"Title: Steam\n\nThe kettle <i>boiled</i>.", "steam.html", True),
        (b"Just a story about <html> tags.", "notes.txt", False),
        (b'<?xml version="1.0"?><FictionBook><body><p>1</p><p>2</p><p>3</p></body>', "x", False),
        (b'<?xml version="1.0"?><package><metadata><dc:title>T</dc:title></metadata>', "x", False),
        (b"-- MySQL dump 10.13\nINSERT INTO fanfiction_stories VALUES (1,'<p>x</p>');", "x", False),
    ],
)  # fmt: skip
def test_it_recognises_html_by_content(head, name, claimed):
    assert html_importer.recognizes(head, name) is claimed


def test_it_is_registered_before_plain_text():
    assert registry.IMPORTERS.index(html_importer) < len(registry.IMPORTERS) - 1
    assert {".html", ".htm", ".xhtml"} <= registry.importable_extensions()


# Round trip and the database ---------------------------------------------------------


def test_the_content_hash_is_of_the_bytes_read():
    data = (FIXTURES / "bold_labels.html").read_bytes()
    assert parse_bytes(data).content_hash == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.name)
def test_every_fixture_parses_to_its_story_text(fixture):
    work = parse_bytes(fixture.read_bytes(), str(fixture))
    assert [words(chapter.body) for chapter in work.chapters] == expected_chapters(fixture)


def import_one(path: Path):
    (outcome,) = list(import_paths([path]))
    assert outcome.status == "imported", outcome.error
    return outcome.work


def tag_names(work, tag_type: str) -> list[str]:
    return sorted(work.tags.filter(type=tag_type).values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.name)
def test_every_fixture_round_trips_its_story_text_through_the_database(fixture):
    work = import_one(fixture)
    stored = [words(chapter.body) for chapter in work.chapters.order_by("position")]
    assert stored == expected_chapters(fixture)


@pytest.mark.django_db
def test_labels_land_in_typed_tags_and_fields_of_the_stored_work():
    work = import_one(FIXTURES / "bold_labels.html")
    assert work.title == "The Ferryman's Ledger"
    assert work.creator_names() == ["reedwarbler"]
    assert tag_names(work, TagType.RATING) == [GENERAL]
    assert tag_names(work, TagType.WARNING) == [NO_WARNINGS]
    assert tag_names(work, TagType.CATEGORY) == ["Gen"]
    assert tag_names(work, TagType.FANDOM) == ["Lanterns of Vell"]
    assert tag_names(work, TagType.CHARACTER) == ["Oska Venn", "the Ferryman"]
    assert tag_names(work, TagType.FREEFORM) == ["Hurt/Comfort", "Mystery"]
    assert (
        work.summary == "<p>Every crossing is written down. One crossing is written down twice.</p>"
    )
    provenance = Provenance.objects.get(work=work)
    assert provenance.importer == "html"
    assert ["Disclaimer", "Vell and its lanterns belong to their maker; the ledger is mine."] in (
        provenance.fields
    )
    assert ["Beta", "tallowmoth"] in provenance.fields


@pytest.mark.django_db
def test_strong_and_paragraph_labels_land_in_the_stored_work():
    work = import_one(FIXTURES / "strong_paragraph_labels.html")
    assert work.creator_names() == ["brinewright"]
    assert tag_names(work, TagType.RELATIONSHIP) == ["Calder/Isolde"]
    assert tag_names(work, TagType.FANDOM) == ["The Drowned Coast"]
    assert tag_names(work, TagType.RATING) == [MATURE]
    assert tag_names(work, TagType.WARNING) == [MAJOR_CHARACTER_DEATH]
    assert tag_names(work, TagType.FREEFORM) == ["after the second flood"]
    assert [(e.series.title, e.position) for e in work.series_entries.all()] == [("Tidewater", 2)]
    assert (work.complete, work.published, work.language) == (True, date(2009, 7, 14), "en")
    assert work.notes == "<p>For the lighthouse keepers.</p>"


@pytest.mark.django_db
def test_a_table_header_lands_in_the_stored_work():
    work = import_one(FIXTURES / "table_header.html")
    assert work.creator_names() == ["cinderlark"]
    assert tag_names(work, TagType.RELATIONSHIP) == ["Wren & Tamsin"]
    assert tag_names(work, TagType.RATING) == [TEEN]
    assert (
        work.summary
        == "<p>Wren draws maps of the rooms nobody visits.</p><p>Tamsin <i>visits</i> them.</p>"
    )
    assert ["Words", "612"] in Provenance.objects.get(work=work).fields


@pytest.mark.django_db
def test_chapters_and_their_notes_land_in_the_stored_work():
    work = import_one(FIXTURES / "efiction_printable.html")
    chapters = list(work.chapters.order_by("position"))
    assert [(c.title, c.notes, c.end_notes) for c in chapters] == [
        ("The First Frost", "<p>Mira is older here than in the books.</p>",
         "<p>More frost next week.</p>"),
        ("The Second Frost", "", "<p>The end. Thank you for reading!</p>"),
    ]  # fmt: skip
    assert work.notes == "<p>The orchard is real; the ledger is not.</p>"
    assert (work.hits, work.complete, work.imported_from) == (2731, True, "orchardfic.example.org")
    assert tag_names(work, TagType.FREEFORM) == ["Drama", "Mystery"]
    assert ["Challenges", "Winter Orchard Challenge"] in Provenance.objects.get(work=work).fields


@pytest.mark.django_db
def test_a_post_lands_with_its_poster_and_entry_tags():
    work = import_one(FIXTURES / "livejournal_post.html")
    assert work.creator_names() == ["inkwellpony"]
    assert tag_names(work, TagType.FREEFORM) == ["fic", "gen", "lanterns of vell"]
    work = import_one(FIXTURES / "dreamwidth_post.html")
    assert tag_names(work, TagType.FREEFORM) == []
    assert ["Entry tags", "fic, glasshouse"] in Provenance.objects.get(work=work).fields


HOSTILE_STORY = """<html><head><script>document.cookie</script></head>
<body onload="steal()">
<b>Title:</b> Steam<br><br>
<p>The kettle boiled.<script>alert("boil")</script></p>
<p><img src="x.png" onerror="alert(1)" alt="kettle"> It boiled again.</p>
<p><a href="javascript:alert(2)">Who boiled it?</a> <a href=" JaVaScRiPt:alert(3)">Ada</a></p>
<p style="background:url(javascript:alert(4))" onclick="alert(5)">Nobody owned up.</p>
<iframe src="https://example.org/evil"></iframe><object data="evil.swf"></object>
<form action="https://example.org/steal"><input name="password"></form>
</body></html>"""


@pytest.mark.django_db
def test_scripts_handlers_and_javascript_links_never_reach_the_stored_story(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(HOSTILE_STORY, encoding="utf-8")
    work = import_one(path)
    body = work.chapters.get().body
    for bad in ["<script", "alert", "onerror", "onclick", "onload", "javascript", "iframe",
                "object", "<form", "<input", "style="]:  # fmt: skip
        assert bad not in body.lower()
    assert words(body) == words(
        "The kettle boiled. It boiled again. Who boiled it? Ada Nobody owned up."
    )


# Fuzzing -----------------------------------------------------------------------------

FIXTURE_BYTES = [path.read_bytes() for path in FIXTURE_FILES]


def parse_or_reject(data: bytes) -> None:
    try:
        works = list(html_importer.parse(io.BytesIO(data), "fuzz.html"))
    except ParseError:
        return
    assert len(works) == 1
    assert works[0].chapters
    assert all(chapter.body.strip() for chapter in works[0].chapters)
    assert works[0].title


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_work_or_a_parse_error(data):
    parse_or_reject(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FIXTURE_BYTES),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**6), st.integers(0, 255)), max_size=30),
    st.integers(1, 1000),
)
def test_mutated_fixtures_give_a_work_or_a_parse_error(data, edits, cut):
    mutable = bytearray(data)
    for kind, position, value in edits:
        at = position % max(1, len(mutable))
        if kind == 0 and mutable:
            mutable[at] = value
        elif kind == 1:
            mutable.insert(at, value)
        elif mutable:
            del mutable[at]
    parse_or_reject(bytes(mutable[: max(1, len(mutable) * cut // 1000)]))


FRAGMENTS = st.sampled_from(
    ["<b>", "</b>", "<strong>", "</strong>", "<p>", "</p>", "<br>", "<hr>", "<div>", "</div>",
     '<div class="notes">', '<div class="chapter-content">', '<div class="entry-content">',
     '<div class="chaptertitle">', '<div id="pagetitle">', '<span class="label">', "</span>",
     "<table><tr><td>", "</td><td>", "</td></tr></table>", "<dl><dt>", "</dt><dd>", "</dd></dl>",
     "<h2>", "</h2>", "<pre>", "</pre>", "<font>", "</font>", '<a href="#cutid1">', "</a>",
     '<span lj:user="x">', "<lj-cut>", "</lj-cut>", "Title:", "Summary:", "Rating: R",
     "Pairing", ":", "Chapter 2: Two", "Part 3", "A/N:", "End Notes:", "by ada", "Tags:",
     "Story Notes:", "* * *", "Once upon a time the kettle boiled.", "&amp;", "&nbsp;", " ",
     "\n", "<!-- c -->", "<script>x</script>", "<title>T</title>"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=60))
def test_any_soup_of_story_markup_gives_a_work_or_a_parse_error(fragments):
    parse_or_reject("".join(fragments).encode("utf-8"))


def test_the_expected_text_files_cover_every_fixture():
    assert FIXTURE_FILES
    for fixture in FIXTURE_FILES:
        assert fixture.with_suffix(".story").exists(), fixture.name
        assert re.search(r"\w", fixture.with_suffix(".story").read_text(encoding="utf-8"))


def test_byte_order_marked_utf8_is_read():
    work = parse_bytes(codecs.BOM_UTF8 + f"<p>{CURLY}</p><p>Again.</p>".encode())
    assert work.chapters[0].body == f"<p>{CURLY}</p>\n<p>Again.</p>"


@pytest.mark.django_db
def test_a_page_with_only_a_title_is_stored_with_the_archive_defaults():
    work = import_one(FIXTURES / "title_only.html")
    assert work.title == "The Weight of Small Keys"
    assert tag_names(work, TagType.RATING) == [NOT_RATED]
    assert tag_names(work, TagType.WARNING) == [CHOSE_NOT_TO_WARN]
    assert Provenance.objects.get(work=work).fields == []
