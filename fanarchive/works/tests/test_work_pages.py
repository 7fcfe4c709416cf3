"""The reader's pages: home, works index, work and chapter pages, creators, series,
fandoms, robots.txt; who may see them; what they escape."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from fanarchive.lib.html import clean_story_html
from fanarchive.tags.constants import EXPLICIT, GRAPHIC_VIOLENCE, TEEN
from fanarchive.tags.models import TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_user, make_work

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def page_title(content: str) -> str:
    match = re.search(r"<title>(.*?)</title>", content, re.DOTALL)
    assert match
    return match.group(1).strip()


def make_library_work(title: str = "The Catalogue of Lost Things", **fields) -> Work:
    """A General work with every kind of tag, notes, a series and stats."""
    defaults = {
        "creators": ["quillandlamp", "inkwell"],
        "rating": TEEN,
        "warnings": [GRAPHIC_VIOLENCE],
        "categories": ["F/M"],
        "fandoms": ["Buffy the Vampire Slayer"],
        "relationships": ["Rupert Giles/Jenny Calendar"],
        "characters": ["Rupert Giles", "Jenny Calendar"],
        "freeforms": ["Libraries"],
        "summary": "<p>The librarian catalogues a <em>book</em>.</p>",
        "notes": "<p>Beginning notes here.</p>",
        "end_notes": "<p>Work end notes here.</p>",
        "series": [("The Sunnydale Ledgers", 2)],
        "chapters": ["<p>The library was quiet after the last bell.</p>"],
        "language": "en",
        "kudos": 1234,
        "hits": 56789,
        "expected_chapters": None,
        "complete": False,
    }
    return make_work(title, **(defaults | fields))


def make_three_chapter_work(**fields) -> Work:
    return make_work(
        "Three Shelves",
        chapters=[
            {"body": "<p>First shelf sentence.</p>", "title": "Dust"},
            {
                "body": "<p>Second shelf sentence.</p><p>More of the second.</p>",
                "summary": "<p>Chapter two summary.</p>",
                "notes": "<p>Chapter two notes.</p>",
                "end_notes": "<p>Chapter two end notes.</p>",
            },
            {"body": "<p>Third shelf sentence.</p>", "title": "Ink"},
        ],
        notes="<p>Work beginning notes.</p>",
        end_notes="<p>Work end notes.</p>",
        **fields,
    )


# Home, robots.txt, noindex ------------------------------------------------------------


def test_the_home_page_shows_recent_works_and_top_fandoms(client):
    for day in range(1, 13):
        make_work(f"Work {day:02}", updated=datetime.date(2024, 1, day), fandoms=["Angel"])
    make_work("Draft", posted=False, updated=datetime.date(2025, 1, 1), fandoms=["Secret"])

    content = html(client.get(reverse("home")))

    assert "Work 12" in content and "Work 03" in content
    assert "Work 02" not in content  # ten most recently updated only
    assert "Draft" not in content and "Secret" not in content
    assert re.search(r">Angel</a>\s*<span class=\"count\">\(12\)</span>", content)
    assert page_title(content) == "fanarchive"


def test_the_home_page_renders_with_no_works(client):
    assert "There are no works here yet." in html(client.get("/"))


def test_robots_txt_allows_all_but_the_admin(client, settings):
    settings.NOINDEX = False
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "User-agent: *\nDisallow: /admin/\n"
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in html(client.get("/"))


def test_robots_txt_and_every_page_keep_search_engines_out_when_noindex(client, settings):
    settings.NOINDEX = True
    assert client.get("/robots.txt").content.decode() == "User-agent: *\nDisallow: /\n"
    response = client.get("/")
    assert '<meta name="robots" content="noindex,nofollow">' in html(response)
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_site_name_comes_from_settings(client, settings):
    settings.SITE_NAME = "Hellmouth Archive"
    make_work()
    content = html(client.get(reverse("works:index")))
    assert "Hellmouth Archive" in content
    assert page_title(content) == "Works [Hellmouth Archive]"


def test_the_stylesheet_is_served(client):
    content = html(client.get("/"))
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', content).group(1)
    response = client.get(href)
    assert response.status_code == 200, f"{href} is not served"
    assert b".userstuff p:target" in b"".join(response.streaming_content)


# Blurbs and the works index ---------------------------------------------------------


def test_a_blurb_shows_everything_ao3_shows(client):
    work = make_library_work()
    content = html(client.get(reverse("works:index")))

    assert f'href="{work.get_absolute_url()}">The Catalogue of Lost Things</a>' in content
    assert 'href="/creators/quillandlamp/">quillandlamp</a>' in content
    assert 'href="/creators/inkwell/">inkwell</a>' in content
    for tag in work.tags.exclude(type__in=[TagType.RATING, TagType.CATEGORY]):
        assert f'href="{tag.get_absolute_url()}">{tag.name}</a>' in content
    assert "Rating: Teen And Up Audiences" in content
    assert "Warnings: Graphic Depictions Of Violence" in content
    assert "Category: F/M" in content
    assert "Work in Progress" in content
    assert "<p>The librarian catalogues a <em>book</em>.</p>" in content
    assert re.search(r"Part <strong>2</strong> of <a href=\"/series/\d+/\">The Sunnydale", content)
    assert '<dd class="language">English</dd>' in content
    assert '<dd class="chapters">1/?</dd>' in content
    assert '<dd class="kudos">1,234</dd>' in content
    assert '<dd class="hits">56,789</dd>' in content
    assert '<dd class="bookmarks">' not in content  # zero counts are left out
    # A blurb never carries text or notes.
    assert "The library was quiet" not in content
    assert "Beginning notes here." not in content


def test_the_index_lists_visible_works_newest_first(client):
    make_work("Older", updated=datetime.date(2024, 1, 1))
    make_work("Newer", updated=datetime.date(2024, 6, 1))
    make_work("Draft", posted=False)
    make_work("Taken down", hidden_by_admin=True)
    make_work("Members only", restricted=True)

    content = html(client.get(reverse("works:index")))

    assert content.index("Newer") < content.index("Older")
    for hidden in ("Draft", "Taken down", "Members only"):
        assert hidden not in content
    assert "2 Works" in content


def test_the_index_filters_by_tags_and_ratings_from_the_query_string(client):
    make_work("Explicit ship", rating=EXPLICIT, relationships=["Giles/Jenny"])
    make_work("Teen ship", rating=TEEN, relationships=["Giles/Jenny"])
    make_work("Explicit other", rating=EXPLICIT)

    content = html(client.get("/works/?tag=relationship:Giles/Jenny&rating=Explicit"))

    assert "Explicit ship" in content
    assert "Teen ship" not in content and "Explicit other" not in content
    assert "1 Work in Giles/Jenny</h1>" in content
    assert '<input type="checkbox" name="rating" value="Explicit" checked>' in content
    assert 'name="tag" value="relationship:Giles/Jenny" checked>' in content


def test_an_unknown_tag_gives_an_empty_listing_not_an_error(client):
    make_work()
    content = html(client.get("/works/?tag=fandom:Nothing Like It"))
    assert "No works match these filters." in content


def test_page_links_keep_the_filters(client, settings):
    settings.WORKS_PER_PAGE = 2
    for number in range(5):
        make_work(f"Shipped {number}", relationships=["Giles/Jenny"], rating=EXPLICIT)
    make_work("Other")

    content = html(client.get("/works/?tag=Giles/Jenny&rating=Explicit&sort=title"))

    assert "1 - 2 of 5 Works" in content
    next_link = re.search(r'<a rel="next" href="([^"]+)"', content).group(1)
    query = parse_qs(urlsplit(next_link.replace("&amp;", "&")).query)
    assert query == {
        "tag": ["Giles/Jenny"],
        "rating": ["Explicit"],
        "sort": ["title"],
        "page": ["2"],
    }
    page_two = html(client.get("/works/" + next_link.replace("&amp;", "&")))
    assert "3 - 4 of 5 Works" in page_two
    assert "Shipped 2" in page_two and "Other" not in page_two


@pytest.mark.parametrize("page", ["99", "0", "-3", "abc", "1.5", "9" * 30])
def test_a_bad_page_number_never_errors(client, settings, page):
    settings.WORKS_PER_PAGE = 1
    make_work("One")
    make_work("Two")
    response = client.get("/works/", {"page": page})
    assert response.status_code in (200, 404)


def test_the_index_sorts_as_asked(client):
    make_work("Short", chapters=["<p>one</p>"])
    make_work("Long", chapters=["<p>one two three four</p>"])
    content = html(client.get("/works/?sort=words"))
    assert content.index("Long") < content.index("Short")
    assert '<option value="words" selected>' in content


def test_listings_take_a_fixed_number_of_queries(client, django_assert_max_num_queries, settings):
    settings.WORKS_PER_PAGE = 30
    for number in range(25):
        make_library_work(title=f"Work {number}", series=[(f"Series {number}", 1)])
    # The first listing in a process loads the in-memory columns (search/columns.py);
    # after that a listing asks only whether any work changed.
    client.get(reverse("works:index"))
    with django_assert_max_num_queries(8):
        html(client.get(reverse("works:index")))
    with django_assert_max_num_queries(8):
        html(client.get(reverse("home")))
    tag_page = Work.objects.first().tags.get(name="Libraries").get_absolute_url()
    with django_assert_max_num_queries(10):
        html(client.get(tag_page))


# A work and its chapters ------------------------------------------------------------


def test_the_work_page_shows_the_meta_block_title_notes_and_text(client):
    work = make_library_work()
    content = html(client.get(work.get_absolute_url()))

    assert '<dl class="work meta"' in content
    for label in ("Rating:", "Archive Warning:", "Category:", "Fandom:", "Relationship:",
                  "Characters:", "Additional Tags:", "Language:", "Series:", "Stats:",
                  "Published:", "Words:", "Chapters:", "Kudos:", "Hits:"):  # fmt: skip
        assert label in content, label
    assert re.search(r"Part 2 of <a href=\"/series/\d+/\">The Sunnydale Ledgers</a>", content)
    assert '<h1 class="work-title" lang="en">The Catalogue of Lost Things</h1>' in content
    assert "<p>The librarian catalogues a <em>book</em>.</p>" in content
    assert "Beginning notes here." in content
    assert '<p id="p1">The library was quiet after the last bell.</p>' in content
    assert "Work end notes here." in content
    assert page_title(content) == (
        "The Catalogue of Lost Things - quillandlamp, inkwell - Buffy the Vampire Slayer "
        "[fanarchive]"
    )


def test_the_language_is_named_and_marked_up(client):
    french = make_work("Le Salon", language="fr")
    named = make_work("Named", language="Klingon")

    content = html(client.get(french.get_absolute_url()))
    assert '<dd class="language" lang="fr">Français</dd>' in content
    assert '<div id="chapters" class="chapters" lang="fr">' in content
    content = html(client.get(named.get_absolute_url()))
    assert '<dd class="language">Klingon</dd>' in content
    assert 'lang="Klingon"' not in content


def test_a_single_chapter_work_has_no_chapter_navigation(client):
    work = make_work(chapters=["<p>Only chapter.</p>"])
    content = html(client.get(work.get_absolute_url()))
    assert "Only chapter." in content
    assert "work-navigation" not in content
    assert "Entire Work" not in content
    assert "Chapter 1" not in content


def test_a_multi_chapter_work_opens_on_its_first_chapter_with_navigation(client):
    work = make_three_chapter_work()
    content = html(client.get(work.get_absolute_url()))

    assert "First shelf sentence." in content
    assert "Second shelf sentence." not in content
    assert "Work beginning notes." in content
    assert "Work end notes." not in content  # they come with the last chapter
    assert f'href="{work.get_absolute_url()}?view_full_work=true">Entire Work</a>' in content
    assert f'rel="next" href="{reverse("works:chapter", args=[work.pk, 2])}"' in content
    assert 'rel="prev"' not in content
    for heading in ("Chapter 1: Dust", "Chapter 2", "Chapter 3: Ink"):
        assert heading in content
    assert page_title(content).startswith("Three Shelves - Chapter 1 - quillandlamp - ")


def test_a_chapter_page_shows_that_chapter_with_its_notes_and_navigation(client):
    work = make_three_chapter_work()
    content = html(client.get(reverse("works:chapter", args=[work.pk, 2])))

    assert '<p id="p1">Second shelf sentence.</p><p id="p2">More of the second.</p>' in content
    assert "First shelf sentence." not in content and "Third shelf sentence." not in content
    for text in ("Chapter two summary.", "Chapter two notes.", "Chapter two end notes."):
        assert text in content
    assert "Work beginning notes." not in content and "Work end notes." not in content
    assert f'rel="prev" href="{reverse("works:chapter", args=[work.pk, 1])}"' in content
    assert f'rel="next" href="{reverse("works:chapter", args=[work.pk, 3])}"' in content
    assert 'aria-current="page">Chapter 2</a>' in content
    assert '<dl class="work meta"' in content


def test_the_last_chapter_carries_the_work_end_notes(client):
    work = make_three_chapter_work()
    content = html(client.get(reverse("works:chapter", args=[work.pk, 3])))
    assert "Third shelf sentence." in content
    assert "Work end notes." in content
    assert 'rel="next"' not in content


def test_the_entire_work_shows_every_chapter_in_order(client):
    work = make_three_chapter_work()
    content = html(client.get(work.get_absolute_url() + "?view_full_work=true"))

    positions = [content.index(s) for s in ("Work beginning notes.", "First shelf sentence.",
                                            "Chapter two notes.", "Second shelf sentence.",
                                            "Chapter two end notes.", "Third shelf sentence.",
                                            "Work end notes.")]  # fmt: skip
    assert positions == sorted(positions)
    for position in (1, 2, 3):
        assert f'id="chapter-{position}"' in content
    assert "Chapter by Chapter" in content


def test_paragraph_ids_stay_unique_on_the_entire_work_page(client):
    work = make_three_chapter_work()
    content = html(client.get(work.get_absolute_url() + "?view_full_work=true"))

    ids = re.findall(r'<p id="([^"]+)"', content)
    assert {"c1p1", "c2p1", "c3p1"} <= set(ids)
    assert len(ids) == len(set(ids))


def test_a_missing_chapter_is_404(client):
    work = make_three_chapter_work()
    assert client.get(reverse("works:chapter", args=[work.pk, 4])).status_code == 404
    assert client.get(reverse("works:chapter", args=[work.pk, 0])).status_code == 404
    assert client.get(reverse("works:detail", args=[work.pk + 1])).status_code == 404


def test_a_work_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    work = make_three_chapter_work()
    with django_assert_max_num_queries(9):
        html(client.get(reverse("works:chapter", args=[work.pk, 2])))
    with django_assert_max_num_queries(9):
        html(client.get(work.get_absolute_url() + "?view_full_work=true"))


# Who may see a work -----------------------------------------------------------------


@pytest.mark.parametrize("fields", [{"posted": False}, {"hidden_by_admin": True}])
def test_drafts_and_hidden_works_are_404_for_everyone_but_staff(client, fields):
    work = make_work("Unseen", **fields)
    urls = [work.get_absolute_url(), reverse("works:chapter", args=[work.pk, 1])]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(make_user())
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(make_user("operator", is_staff=True))
    badge = "Draft" if "posted" in fields else "Hidden by admin"
    for url in urls:
        content = html(client.get(url))
        assert "The library was quiet." in content
        assert 'class="badge' in content and f">{badge}</span>" in content
    assert "Unseen" in html(client.get(reverse("works:index")))


def test_a_restricted_work_sends_anonymous_readers_to_log_in(client, settings):
    work = make_work("Members only", restricted=True)
    for url in (work.get_absolute_url(), reverse("works:chapter", args=[work.pk, 1])):
        response = client.get(url + "?view_adult=true")
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert target.path == reverse(settings.LOGIN_URL)
        assert parse_qs(target.query)["next"] == [url + "?view_adult=true"]


def test_a_restricted_work_is_shown_to_logged_in_readers(client):
    work = make_work("Members only", restricted=True)
    client.force_login(make_user())
    assert "The library was quiet." in html(client.get(work.get_absolute_url()))
    assert "Members only" in html(client.get(reverse("works:index")))


def test_a_hidden_restricted_work_is_404_not_a_login_prompt(client):
    work = make_work(restricted=True, hidden_by_admin=True)
    assert client.get(work.get_absolute_url()).status_code == 404


# Creators, series, fandoms ----------------------------------------------------------


def test_a_creator_page_lists_their_visible_works(client):
    make_work("Theirs", creators=["Giles/Watcher & Co?"])
    make_work("Their draft", creators=["Giles/Watcher & Co?"], posted=False)
    make_work("Someone else's", creators=["inkwell"])

    url = reverse("works:creator", args=["Giles/Watcher & Co?"])
    content = html(client.get(url))

    assert "Theirs" in content
    assert "Their draft" not in content and "Someone else" not in content
    assert "1 Work by Giles/Watcher &amp; Co?" in content
    assert client.get(reverse("works:creator", args=["nobody"])).status_code == 404


def test_a_series_page_lists_its_visible_works_in_order(client):
    make_work("Part two", series=[("Ledgers", 2)], updated=datetime.date(2024, 9, 9))
    first = make_work("Part one", series=[("Ledgers", 1)])
    make_work("Part three (draft)", series=[("Ledgers", 3)], posted=False)
    series = first.series.get()
    series.summary = "Stories of <the> library."
    series.save()

    content = html(client.get(series.get_absolute_url()))

    assert '<h1 class="page-title">Ledgers</h1>' in content
    assert "Stories of &lt;the&gt; library." in content
    assert content.index("Part one") < content.index("Part two")
    assert "Part three" not in content
    assert client.get(reverse("works:series", args=[series.pk + 1])).status_code == 404


def test_a_series_with_no_visible_works_is_404(client):
    work = make_work(series=[("Taken down", 1)], hidden_by_admin=True)
    assert client.get(work.series.get().get_absolute_url()).status_code == 404


def test_the_fandoms_page_counts_visible_works_alphabetically(client):
    buffy = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    make_tag(TagType.FANDOM, "BtVS", synonym_of=buffy)
    make_work(fandoms=["Buffy the Vampire Slayer"])
    make_work(fandoms=["BtVS"])
    make_work(fandoms=["angel"])
    make_work(fandoms=["Zeppo Fans"], posted=False)

    content = html(client.get(reverse("works:fandoms")))

    assert re.search(r">angel</a> <span class=\"count\">\(1\)</span>", content)
    assert re.search(r">Buffy the Vampire Slayer</a> <span class=\"count\">\(2\)</span>", content)
    assert content.index(">angel<") < content.index(">Buffy the Vampire Slayer<")
    assert ">BtVS<" not in content
    assert "Zeppo" not in content


# Escaping ---------------------------------------------------------------------------


def test_stored_story_html_cannot_run_script(client):
    work = make_work(
        rating=EXPLICIT,
        chapters=["<p>Hi<script>alert(1)</script><img src=x onerror=alert(2)></p>"],
        summary="<p>Sum<script>alert(3)</script></p>",
    )
    # As the writer stores it, whatever the factory does.
    assert work.chapters.get().body == clean_story_html(
        "<p>Hi<script>alert(1)</script><img src=x onerror=alert(2)></p>"
    )
    content = html(client.get(work.get_absolute_url() + "?view_adult=true"))
    assert "Hi" in content
    assert "<script" not in content
    assert "onerror" not in content


def foreign_script(content: str) -> bool:
    """Whether the page has a script tag other than our own files (htmx on listings)."""
    return re.search(r'<script(?! src="/static/fanarchive/)', content) is not None


def test_titles_tags_and_names_are_escaped(client):
    work = make_work(
        "<script>alert('title')</script>",
        creators=["<script>creator</script>"],
        fandoms=["<script>fandom</script>"],
        freeforms=['"><img src=x onerror=alert(1)>'],
    )
    for url in (work.get_absolute_url(), reverse("works:index"), reverse("home"),
                reverse("works:fandoms")):  # fmt: skip
        content = html(client.get(url))
        assert not foreign_script(content), url
        assert "<img src=x" not in content, url
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html(
        client.get(work.get_absolute_url())
    )


def test_filter_values_are_escaped(client):
    content = html(client.get("/works/", {"tag": "<script>x</script>"}))
    assert not foreign_script(content)
    assert "&lt;script&gt;x&lt;/script&gt;" in content
