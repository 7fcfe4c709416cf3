"""The search page: the box and the works index's filters, results with snippets."""

import datetime
import re

import pytest
from django.urls import reverse

from fanarchive.search.tests.stories import store
from fanarchive.tags.constants import EXPLICIT, GENERAL, TEEN
from fanarchive.works.models import Work

pytestmark = pytest.mark.django_db

URL = reverse("search:search")
REMEMBERED = "the lighthouse keeper counted every gull on the rocks"
HARBOUR = (
    "<p>The boats came in before noon.</p>"
    "<p>Nobody spoke at the pier.</p>"
    f"<p>Out past the breakwater, {REMEMBERED}, and wrote them down.</p>"
)


def page(client, query: str = "", **params) -> str:
    response = client.get(URL + query, params)
    assert response.status_code == 200
    return response.content.decode()


def marked(content: str) -> str:
    """The page with adjacent marks joined: engines may mark a phrase word by word."""
    return content.replace("</mark> <mark>", " ")


def result_titles(content: str) -> list[str]:
    return re.findall(r'class="blurb-title"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', content)


def test_a_remembered_phrase_finds_the_work_with_a_snippet_and_a_link_to_its_paragraph(client):
    work = store("Harbour Lights", "<p>Chapter one is quiet.</p>", HARBOUR)
    store("Inland", "<p>No sea here, only fields of wheat.</p>")

    content = page(client, q='"counted every gull"')

    assert result_titles(content) == ["Harbour Lights"]
    assert "1 work found" in content
    assert "<mark>counted every gull</mark> on the rocks" in marked(content)
    link = f'href="/works/{work.pk}/chapters/2/#p3">Read in chapter 2</a>'
    assert link in content
    chapter = client.get(f"/works/{work.pk}/chapters/2/").content.decode()
    assert f'<p id="p3">Out past the breakwater, {REMEMBERED}' in chapter


def test_the_query_is_kept_in_the_box_and_escaped(client):
    content = page(client, q='gull "<b>')

    assert 'name="q" id="id_q" value="gull &quot;&lt;b&gt;"' in content


def test_a_snippet_escapes_the_story_text(client):
    store("Markup", "<p>The sign read &lt;b&gt; beside the gull.</p>")

    content = page(client, q="gull")

    assert "read &lt;b&gt; beside the <mark>gull</mark>" in content
    assert "read <b>" not in content


def test_an_empty_query_with_no_filters_shows_the_form_and_no_results(client):
    store("Harbour Lights", HARBOUR)

    content = page(client)

    assert 'name="q"' in content
    assert 'id="id_sort"' in content
    assert "found" not in content
    assert "Harbour Lights" not in content


def test_filters_alone_list_works(client):
    store("Teen Harbour", HARBOUR, rating=TEEN)
    store("General Harbour", HARBOUR, source="b", rating=GENERAL)

    content = page(client, rating=TEEN)

    assert result_titles(content) == ["Teen Harbour"]
    assert "1 work found" in content


def test_tags_ratings_and_exclusions_narrow_the_results(client):
    store("Buffy Gulls", HARBOUR, fandoms=["Buffy the Vampire Slayer"], rating=TEEN)
    store("Angel Gulls", HARBOUR, fandoms=["Angel: the Series"], freeforms=["Fluff"])
    store("Angel Sad Gulls", HARBOUR, fandoms=["Angel: the Series"], freeforms=["Angst"])

    assert sorted(result_titles(page(client, q="gull"))) == [
        "Angel Gulls",
        "Angel Sad Gulls",
        "Buffy Gulls",
    ]
    assert sorted(result_titles(page(client, q="gull", tag="fandom:Angel: the Series"))) == [
        "Angel Gulls",
        "Angel Sad Gulls",
    ]
    content = page(client, q="gull", tag="fandom:Angel: the Series", exclude="Angst")
    assert result_titles(content) == ["Angel Gulls"]
    assert 'aria-label="Stop excluding Angst"' in content
    assert result_titles(page(client, q="gull", rating=TEEN)) == ["Buffy Gulls"]
    # The filters are shown as asked, alongside the query.
    assert 'value="fandom:Angel: the Series" checked' in content
    assert 'name="exclude" value="Angst"' in content


def test_the_sort_orders_the_results_and_is_kept(client):
    for title, year in (("Bravo", 2020), ("Alpha", 2021), ("Charlie", 2019)):
        day = datetime.date(year, 1, 1)
        store(title, HARBOUR, published=day, updated=day)

    by_title = page(client, q="gull", sort="title")
    assert result_titles(by_title) == ["Alpha", "Bravo", "Charlie"]
    assert '<option value="title" selected>' in by_title
    assert result_titles(page(client, q="gull", sort="updated")) == ["Alpha", "Bravo", "Charlie"]
    assert '<option value="best" selected>' in page(client, q="gull")
    # An unknown sort is no error.
    assert len(result_titles(page(client, q="gull", sort="nonsense"))) == 3


def test_best_match_ranks_the_denser_match_first(client):
    store("Once", "<p>A gull flew past the tower and then nothing much happened.</p>")
    store("Often", "<p>Gull after gull after gull: the gull colony.</p>", source="often")

    assert result_titles(page(client, q="gull", sort="best")) == ["Often", "Once"]


def test_pagination_keeps_the_query_and_filters(client, settings):
    settings.WORKS_PER_PAGE = 2
    for number in range(5):
        store(f"Gulls {number}", HARBOUR)

    first = page(client, q="gull", sort="title", rating=GENERAL)
    assert result_titles(first) == ["Gulls 0", "Gulls 1"]
    assert "5 works found" in first
    assert 'href="?q=gull&amp;sort=title&amp;rating=General+Audiences&amp;page=2"' in first

    second = page(client, q="gull", sort="title", rating=GENERAL, page="2")
    assert result_titles(second) == ["Gulls 2", "Gulls 3"]
    assert 'aria-current="page">2<' in second
    assert 'href="?q=gull&amp;sort=title&amp;rating=General+Audiences&amp;page=3"' in second

    # Past the end: the last page; not a number: the first.
    assert result_titles(page(client, q="gull", sort="title", page="99")) == ["Gulls 4"]
    assert result_titles(page(client, q="gull", sort="title", page="x")) == ["Gulls 0", "Gulls 1"]
    assert result_titles(page(client, q="gull", sort="title", page="9" * 5000)) == [
        "Gulls 0",
        "Gulls 1",
    ]


def test_an_adult_works_snippet_appears_only_after_the_reader_agrees(client):
    work = store("Night Shift", HARBOUR, rating=EXPLICIT)

    before = page(client, q="counted every gull")
    assert result_titles(before) == ["Night Shift"]
    assert "<mark>" not in before
    assert "lighthouse keeper" not in before
    assert "Read in chapter" not in before

    client.get(f"{work.get_absolute_url()}?view_adult=true")

    after = page(client, q="counted every gull")
    assert "<mark>counted every gull</mark>" in marked(after)
    assert f'href="/works/{work.pk}/chapters/1/#p3"' in after


def test_agreeing_on_the_search_page_itself_shows_adult_snippets(client):
    store("Night Shift", HARBOUR, rating=EXPLICIT)

    shown = page(client, q="counted every gull", view_adult="true")
    assert "<mark>counted every gull</mark>" in marked(shown)
    assert "<mark>counted every gull</mark>" in marked(page(client, q="counted every gull"))


def test_drafts_hidden_and_restricted_works_never_appear(client):
    store("Posted Gulls", HARBOUR)
    draft = store("Draft Gulls", HARBOUR)
    hidden = store("Hidden Gulls", HARBOUR)
    restricted = store("Restricted Gulls", HARBOUR)
    Work.objects.filter(pk=draft.pk).update(posted=False)
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    Work.objects.filter(pk=restricted.pk).update(restricted=True)

    for query in ({"q": "gull"}, {"q": "Draft"}, {"q": "*"}, {"rating": GENERAL}):
        content = page(client, **query)
        assert "Draft Gulls" not in content
        assert "Hidden Gulls" not in content
        assert "Restricted Gulls" not in content
    assert "1 work found" in page(client, q="gull")


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"gull',
        "NEAR(",
        "NEAR(gull rocks, 2)",
        "*",
        ":",
        "title:",
        "'; DROP TABLE works_work; --",
        "gull " * 2500,
        "x" * 10_000,
        "\x00",
        "gull\x00rocks",
        "-",
        "OR",
        "AND NOT",
        "{gull}",
        "^gull",
        "gull*",
    ],
)
def test_hostile_queries_are_answered(client, q):
    store("Harbour Lights", HARBOUR)

    page(client, q=q)


def test_hostile_filters_are_answered(client):
    store("Harbour Lights", HARBOUR)

    page(client, "?q=gull&tag=%00&exclude=%00&rating=%00&sort=%00&page=%00&suggested=%00")
    page(client, "?q=%00&tag=fandom:%00")


def test_the_site_nav_links_to_search(client):
    content = client.get("/").content.decode()

    assert f'<a href="{URL}">Search</a>' in content
    assert f'<a href="{URL}" aria-current="page">Search</a>' in page(client)


@pytest.fixture
def crossover_works():
    store("Crossover Gulls", HARBOUR, fandoms=["Buffy the Vampire Slayer", "Sherlock (TV)"])
    store("Buffy Gulls", HARBOUR, fandoms=["Buffy the Vampire Slayer"])


@pytest.mark.usefixtures("crossover_works")
def test_it_includes_crossovers_unless_asked(client):
    assert sorted(result_titles(page(client, q="gull"))) == ["Buffy Gulls", "Crossover Gulls"]
    content = page(client, q="gull", crossover="include")
    assert sorted(result_titles(content)) == ["Buffy Gulls", "Crossover Gulls"]
    assert 'name="crossover" value="" checked' in content


@pytest.mark.usefixtures("crossover_works")
def test_it_excludes_crossovers(client):
    content = page(client, q="gull", crossover="exclude")

    assert result_titles(content) == ["Buffy Gulls"]
    assert 'name="crossover" value="exclude" checked' in content


@pytest.mark.usefixtures("crossover_works")
def test_it_finds_only_crossovers(client):
    content = page(client, q="gull", crossover="only")

    assert result_titles(content) == ["Crossover Gulls"]
    assert 'name="crossover" value="only" checked' in content
    # A filter alone is a search: no words needed.
    assert result_titles(page(client, crossover="only")) == ["Crossover Gulls"]


def test_it_narrows_by_comments_and_bookmarks(client):
    store("Discussed Gulls", HARBOUR, comments=40, bookmarks=2)
    store("Kept Gulls", HARBOUR, comments=1, bookmarks=90)

    assert result_titles(page(client, q="gull", comments_from="10")) == ["Discussed Gulls"]
    assert result_titles(page(client, q="gull", bookmarks_from="50")) == ["Kept Gulls"]
    assert result_titles(page(client, q="gull", bookmarks_to="5", comments_to="50")) == [
        "Discussed Gulls"
    ]
    assert result_titles(page(client, comments_from="0", comments_to="1")) == ["Kept Gulls"]
