"""search(): the query language, filters, sorts and snippets, on whichever engine the
suite runs against (SQLite FTS5, or PostgreSQL with DATABASE_URL). Works are imported
through the writer, so they are indexed as an import indexes them."""

import datetime

import pytest
from django.db import connection

from fanarchive.lib.columns import Audience
from fanarchive.search.service import SEARCH_SORTS, SearchQuery, excerpt_of, search
from fanarchive.tags.constants import EXPLICIT, GENERAL, MATURE, TEEN
from fanarchive.tags.models import Tag
from fanarchive.works.models import Chapter, Work

from .stories import found, run, store, titles

pytestmark = pytest.mark.django_db


# Words ------------------------------------------------------------------------------


def test_every_word_must_match_in_the_metadata_or_a_chapter():
    store("Harbour Lights", "<p>They walked along the pier.</p>")
    store("Only a Harbour", "<p>A harbour and nothing else.</p>")
    store("Only a Pier", "<p>A pier and nothing else.</p>")
    store("Both in Different Chapters", "<p>The harbour was busy.</p>", "<p>The pier was not.</p>")

    assert found("harbour pier") == {"Harbour Lights", "Both in Different Chapters"}
    assert found("HARBOUR") == {"Harbour Lights", "Only a Harbour", "Both in Different Chapters"}


def test_words_are_stemmed():
    store("Runner", "<p>They run to the sea every morning.</p>")
    store("Walker", "<p>They walk to the sea.</p>")

    assert found("running") == {"Runner"}
    assert found("runs") == {"Runner"}


def test_diacritics_are_folded_both_ways():
    store("Accented", "<p>They met at the café by the naïve mural.</p>")
    store("Plain", "<p>They met at the cafe near the station.</p>")

    assert found("cafe") == {"Accented", "Plain"}
    assert found("café") == {"Accented", "Plain"}
    assert found("naive") == {"Accented"}


def test_a_quoted_phrase_matches_only_those_words_in_that_order():
    store("In Order", "<p>She found the silver compass under the bed.</p>")
    store("Reversed", "<p>The compass was silver.</p>")
    store("Apart", "<p>A silver spoon and a brass compass.</p>")

    assert found('"silver compass"') == {"In Order"}
    assert found("silver compass") == {"In Order", "Reversed", "Apart"}


def test_text_that_looks_like_markup_or_a_path_is_still_words():
    store("Sign", "<p>The sign read &lt;script&gt; beside the gull.</p>")
    store("Pairing", "<p>She shipped Spike/Willow for years.</p>", summary="<p>Giles/Jenny</p>")

    assert found("gull") == {"Sign"}
    assert found('"spike willow"') == {"Pairing"}
    assert found("summary:jenny") == {"Pairing"}


def test_an_excluded_word_removes_every_work_it_appears_in_anywhere():
    store("Dragon and Castle", "<p>A dragon circled the castle.</p>")
    store("Dragon Alone", "<p>A dragon slept.</p>")
    store("Castle Keep", "<p>A dragon guarded the gate.</p>")
    store("Griffin", "<p>A griffin slept.</p>")

    assert found("dragon -castle") == {"Dragon Alone"}
    assert found('dragon -"castle keep"') == {"Dragon and Castle", "Dragon Alone"}
    # Exclusions alone list every other work.
    assert found("-castle") == {"Dragon Alone", "Griffin"}


def test_or_matches_either_word():
    store("Dragon", "<p>A dragon slept.</p>")
    store("Griffin", "<p>A griffin slept.</p>")
    store("Neither", "<p>A cat slept.</p>")

    assert found("dragon OR griffin") == {"Dragon", "Griffin"}
    assert found("dragon OR griffin slept") == {"Dragon", "Griffin"}


@pytest.fixture
def fielded():
    store(
        "Moonlit Garden",
        "<p>An orchard at night, and a lantern in the orchard.</p>",
        creators=["willowtree"],
        summary="<p>A quiet meadow.</p>",
        freeforms=["Lantern Festival"],
    )
    store(
        "Orchard Days",
        "<p>The garden wall, the meadow, and willowtree who planted them.</p>",
        creators=["moonbeam"],
        summary="<p>Summer.</p>",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("garden", {"Moonlit Garden", "Orchard Days"}),
        ("title:garden", {"Moonlit Garden"}),
        ("text:garden", {"Orchard Days"}),
        ("author:willowtree", {"Moonlit Garden"}),
        ("willowtree", {"Moonlit Garden", "Orchard Days"}),
        ("summary:meadow", {"Moonlit Garden"}),
        ("text:meadow", {"Orchard Days"}),
        ("tag:festival", {"Moonlit Garden"}),
        ('tag:"lantern festival"', {"Moonlit Garden"}),
        ("text:festival", set()),
        ("text:orchard", {"Moonlit Garden"}),
        ("title:orchard", {"Orchard Days"}),
        ("-title:garden orchard", {"Orchard Days"}),
        ("title:garden OR author:moonbeam", {"Moonlit Garden", "Orchard Days"}),
    ],
)
def test_each_field_matches_only_its_own_text(fielded, text, expected):
    assert found(text) == expected


def test_a_query_without_words_is_no_text_condition():
    store("One", "<p>A story.</p>")
    store("Two", "<p>Another story.</p>")

    assert found("*") == {"One", "Two"}
    assert found("") == {"One", "Two"}


# Filters ----------------------------------------------------------------------------


def test_an_included_tag_finds_the_works_of_its_synonyms():
    store("Given Variant", "<p>A lighthouse.</p>", relationships=["Spuffy"])
    store("Given Canonical", "<p>A lighthouse.</p>", relationships=["Spike/Buffy Summers"])
    store("Other Ship", "<p>A lighthouse.</p>", relationships=["Willow/Tara"])
    canonical = Tag.objects.get(name="Spike/Buffy Summers")
    Tag.objects.get(name="Spuffy").make_synonym_of(canonical)

    both = {"Given Variant", "Given Canonical"}
    assert found("lighthouse", include=("relationship:Spike/Buffy Summers",)) == both
    assert found("lighthouse", include=("Spuffy",)) == both
    assert found("lighthouse", include=("No Such Tag",)) == set()


def test_an_excluded_tag_removes_its_works():
    store("Sad", "<p>A lighthouse.</p>", freeforms=["Angst"])
    store("Happy", "<p>A lighthouse.</p>", freeforms=["Fluff"])

    assert found("lighthouse", exclude=("Angst",)) == {"Happy"}


def test_ratings_filter():
    store("General Work", "<p>A lighthouse.</p>", rating=GENERAL)
    store("Teen Work", "<p>A lighthouse.</p>", rating=TEEN)
    store("Explicit Work", "<p>A lighthouse.</p>", rating=EXPLICIT)

    assert found("lighthouse", ratings=(EXPLICIT,)) == {"Explicit Work"}
    assert found("lighthouse", ratings=(GENERAL, TEEN)) == {"General Work", "Teen Work"}
    assert found("lighthouse", ratings=(MATURE,)) == set()


# Sorts and pages --------------------------------------------------------------------


@pytest.fixture
def three_works():
    store(
        "Alpha",
        "<p>lighthouse " + "word " * 50 + "</p>",
        creators=["zed"],
        published=datetime.date(2020, 1, 1),
        updated=datetime.date(2024, 6, 1),
        hits=10,
        kudos=300,
        bookmarks=2,
        comments=30,
    )
    store(
        "beta",
        "<p>lighthouse " + "word " * 10 + "</p>",
        creators=["Anna"],
        published=datetime.date(2022, 1, 1),
        updated=datetime.date(2022, 1, 1),
        hits=30,
        kudos=100,
        bookmarks=3,
        comments=10,
    )
    store(
        "Gamma",
        "<p>lighthouse " + "word " * 100 + "</p>",
        creators=["mo"],
        published=datetime.date(2021, 1, 1),
        updated=datetime.date(2023, 1, 1),
        hits=20,
        kudos=200,
        bookmarks=1,
        comments=20,
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("updated", ["Alpha", "Gamma", "beta"]),
        ("posted", ["beta", "Gamma", "Alpha"]),
        ("words", ["Gamma", "Alpha", "beta"]),
        ("title", ["Alpha", "beta", "Gamma"]),
        ("creator", ["beta", "Gamma", "Alpha"]),
        ("hits", ["beta", "Gamma", "Alpha"]),
        ("kudos", ["Alpha", "Gamma", "beta"]),
        ("bookmarks", ["beta", "Alpha", "Gamma"]),
        ("comments", ["Alpha", "Gamma", "beta"]),
    ],
)
def test_each_listing_sort_orders_the_results(three_works, sort, expected):
    assert titles("lighthouse", sort=sort) == expected
    assert titles("", sort=sort) == expected


def test_every_sort_is_tested():
    assert set(SEARCH_SORTS) == {
        "best", "updated", "posted", "words", "title", "creator", "hits", "kudos",
        "bookmarks", "comments",
    }  # fmt: skip


def test_best_match_puts_a_title_match_before_a_passing_mention_and_is_the_default():
    store("Mentions It", "<p>" + "filler " * 200 + "a lighthouse, once.</p>")
    store("The Lighthouse", "<p>A story about the sea.</p>")
    store("Unrelated", "<p>A story about the land.</p>")

    results = run("lighthouse")
    assert [hit.work.title for hit in results.hits] == ["The Lighthouse", "Mentions It"]
    assert results.hits[0].rank > results.hits[1].rank > 0
    assert titles("lighthouse", sort="best") == ["The Lighthouse", "Mentions It"]


def test_without_words_the_default_sort_is_updated_and_best_falls_back_to_it(three_works):
    assert titles("") == ["Alpha", "Gamma", "beta"]
    assert titles("", sort="best") == ["Alpha", "Gamma", "beta"]
    assert all(hit.rank is None and hit.snippet_html is None for hit in run("").hits)


def test_a_listing_sort_still_reports_each_works_rank(three_works):
    hits = run("lighthouse", sort="title").hits
    assert all(hit.rank is not None and hit.rank > 0 for hit in hits)


def test_an_unknown_sort_is_refused():
    with pytest.raises(ValueError, match="unknown sort"):
        SearchQuery(text="x", sort="drop table")


@pytest.mark.parametrize("sort", ["best", "title"])
def test_pages_are_counted_and_sliced_by_the_database(sort):
    for number in range(5):
        store(f"Story {number}", f"<p>A lighthouse, {'again ' * number}.</p>")
    everything = titles("lighthouse", sort=sort)

    page = run("lighthouse", sort=sort, limit=2, offset=2)
    assert page.total == 5
    assert [hit.work.title for hit in page.hits] == everything[2:4]
    assert run("lighthouse", sort=sort, limit=2, offset=5).hits == []
    assert run("lighthouse", sort=sort, limit=2, offset=5).total == 5


def test_results_come_only_from_the_works_given():
    store("Shown", "<p>A lighthouse.</p>")
    hidden = store("Taken Down", "<p>A lighthouse.</p>")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)

    hits = search(SearchQuery("lighthouse"), Audience.MEMBER, limit=10).hits
    assert [hit.work.title for hit in hits] == ["Shown"]


# Snippets ---------------------------------------------------------------------------


def test_a_snippet_marks_the_match_and_escapes_the_story():
    store(
        "Markup",
        "<p>She typed &lt;b&gt;bold&lt;/b&gt; &amp; grinned at the lighthouse keeper.</p>",
    )

    [hit] = run("lighthouse").hits
    assert "<mark>lighthouse</mark>" in hit.snippet_html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; grinned" in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert hit.snippet_html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_snippet_is_about_thirty_words_around_the_match():
    before = " ".join(f"before{n}" for n in range(100))
    after = " ".join(f"after{n}" for n in range(100))
    store("Long", f"<p>{before} lighthouse {after}</p>")

    [hit] = run("lighthouse").hits
    words = hit.snippet_html.split()
    assert 28 <= len(words) <= 34
    assert words[0] == "…" and words[-1] == "…"
    assert "<mark>lighthouse</mark>" in words


def test_a_stemmed_match_is_marked_as_written():
    store("Runner", "<p>Every morning they were running to the sea.</p>")

    [hit] = run("run").hits
    assert "<mark>running</mark>" in hit.snippet_html


def test_chapter_and_paragraph_point_at_the_match():
    store(
        "Three Chapters",
        "<p>Chapter one begins.</p><p>It goes on.</p>",
        "<p>Chapter two begins.</p><p>Then a scene.</p><hr>"
        "<p>Under the stairs lay the silver compass, dusty.</p><p>The end of two.</p>",
        "<p>Chapter three.</p>",
    )

    [hit] = run('"silver compass"').hits
    assert (hit.chapter_position, hit.paragraph) == (2, 3)
    assert "<mark>silver compass</mark>" in hit.snippet_html.replace("</mark> <mark>", " ")
    chapter = Chapter.objects.get(work=hit.work, position=2)
    assert '<p id="p3">Under the stairs lay the silver compass' in chapter.body


def test_the_best_chapter_gives_the_snippet():
    store(
        "Many Chapters",
        "<p>One lighthouse.</p>",
        "<p>A lighthouse, the lighthouse keeper and his lighthouse lamp.</p>",
    )

    [hit] = run("lighthouse").hits
    assert hit.chapter_position == 2


def test_a_metadata_match_gives_a_summary_or_title_snippet_without_a_chapter():
    store("Plain Title", "<p>Nothing.</p>", summary="<p>A tale of the lighthouse &amp; sea.</p>")
    store("The Lighthouse", "<p>Nothing.</p>")
    store("Tagged", "<p>Nothing.</p>", freeforms=["Lighthouse"])

    hits = {hit.work.title: hit for hit in run("lighthouse").hits}
    assert hits["Plain Title"].snippet_html == "A tale of the <mark>lighthouse</mark> &amp; sea."
    assert hits["The Lighthouse"].snippet_html == "The <mark>Lighthouse</mark>"
    assert hits["Tagged"].snippet_html is None
    assert all(hit.chapter_position is None and hit.paragraph is None for hit in hits.values())


def test_an_adult_works_text_is_not_quoted_without_consent():
    store("Adult", "<p>The lighthouse stood alone.</p>", rating=EXPLICIT)
    store(
        "Adult With Summary",
        "<p>The lighthouse stood alone.</p>",
        rating=EXPLICIT,
        summary="<p>Of a lighthouse.</p>",
    )
    store("Unrated", "<p>The lighthouse stood alone.</p>", rating=None)

    hidden = {hit.work.title: hit for hit in run("lighthouse", adult=False).hits}
    assert hidden["Adult"].snippet_html is None
    assert hidden["Unrated"].snippet_html is None
    assert hidden["Adult With Summary"].snippet_html == "Of a <mark>lighthouse</mark>."
    assert all(hit.chapter_position is None for hit in hidden.values())

    shown = {hit.work.title: hit for hit in run("lighthouse", adult=True).hits}
    assert all("stood alone" in hit.snippet_html for hit in shown.values())
    assert all(hit.chapter_position == 1 for hit in shown.values())


def test_a_general_works_text_is_quoted_without_consent():
    store("General", "<p>The lighthouse stood alone.</p>", rating=GENERAL)

    [hit] = run("lighthouse", adult=False).hits
    assert "stood alone" in hit.snippet_html


def test_excerpt_of_marked_text_picks_the_densest_window():
    marked = "\x02alpha\x03 " + "x " * 40 + "\x02alpha\x03 \x02beta\x03 gamma" + "\n\n" + "y " * 40
    html, paragraph = excerpt_of(marked)
    assert "<mark>alpha</mark> <mark>beta</mark>" in html
    assert paragraph == 1
    assert excerpt_of("nothing marked") is None


# Hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "NEAR(",
        "NEAR(lighthouse keeper, 2)",
        "*",
        ":",
        "title:",
        "'; DROP TABLE works_work; --",
        "lighthouse" * 1000,
        "lighthouse " * 1000,
        "light\x00house",
        "\x00",
        "\x02lighthouse\x03",
        "lighthouse OR",
        "OR OR -",
        "-",
        "tag:(",
        "{title}: lighthouse",
        "title:lighthouse^2",
        "col:lighthouse",
        "!lighthouse & | <-> :*",
        "lighthouse:*A",
        "\\'",
        "%s %(x)s ?",
        "ﬀ ǅ ß İ",
    ],
)
def test_hostile_input_returns_results_or_nothing_and_never_raises(text):
    store("The Lighthouse", "<p>The lighthouse keeper's lamp.</p>")
    store("Other", "<p>Nothing to see.</p>")

    results = run(text)
    assert results.total == len(results.hits) <= 2
    assert Work.objects.count() == 2
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_work_fts")
            assert cursor.fetchone()[0] == 2


def test_hostile_tag_names_match_nothing():
    store("The Lighthouse", "<p>The lighthouse.</p>")

    assert found("lighthouse", include=("'; DROP TABLE works_work; --",)) == set()
    assert found("lighthouse", exclude=("\x00",)) == {"The Lighthouse"}


def test_the_adult_check_costs_the_same_for_a_page_of_two_or_ten_works():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_page() -> int:
        run("lantern", adult=False)  # the listing columns catch up with the new works
        with CaptureQueriesContext(connection) as captured:
            run("lantern", adult=False)
        return len(captured)

    for number in range(2):
        store(f"Lantern {number}", "<p>The lantern swung in the wind.</p>")
    two = queries_for_page()
    for number in range(2, 10):
        store(f"Lantern {number}", "<p>The lantern swung in the wind.</p>")

    assert queries_for_page() == two


def test_more_options_apply_to_a_text_search_too():
    store("Finished Harbour", "<p>The harbour bell rang.</p>", complete=True)
    store("Unfinished Harbour", "<p>The harbour bell rang.</p>", complete=False)

    assert found("harbour", complete=False) == {"Unfinished Harbour"}
    assert found("harbour", complete=True, single_chapter=True) == {"Finished Harbour"}
    assert found("harbour", ranges=(("word_count", 10, None),)) == set()


@pytest.mark.parametrize("sort", ["kudos", "updated", "words"])
def test_words_that_find_nothing_in_a_listing_sort_give_an_empty_page(sort):
    store("Harbour", "<p>The harbour bell rang.</p>")

    results = run('"no such words anywhere"', sort=sort)

    assert (results.total, results.hits) == (0, [])
