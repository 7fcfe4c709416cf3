"""works.listing: the works index's filters and sorts, pagination and fandom counts."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from fanarchive.tags.constants import EXPLICIT, GENERAL, MATURE, NOT_RATED, TEEN
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, TagType
from fanarchive.tags.suggestions import reject
from fanarchive.works.listing import (
    MAX_TAG_FILTERS,
    WorkFilters,
    filter_works,
    paginate,
    parse_tag,
    tags_for,
)
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work


def titles(works) -> list[str]:
    return [work.title for work in works]


def listed(query: str = "") -> list[str]:
    return titles(filter_works(Work.objects.all(), WorkFilters.from_query(QueryDict(query))))


def test_it_reads_filters_from_the_query_string():
    filters = WorkFilters.from_query(
        QueryDict("tag=fandom:Angel&tag=+Fluff+&tag=&tag=Fluff&rating=Explicit&rating=R&sort=words")
    )
    assert filters == WorkFilters(tags=("fandom:Angel", "Fluff"), ratings=(EXPLICIT,), sort="words")
    assert filters.active


def test_it_reads_at_most_max_tag_filters_tags():
    query = QueryDict("&".join(f"tag=t{number}" for number in range(MAX_TAG_FILTERS + 5)))
    filters = WorkFilters.from_query(query)
    assert filters.tags == tuple(f"t{number}" for number in range(MAX_TAG_FILTERS))


def test_it_falls_back_to_newest_first_for_an_unknown_sort():
    assert WorkFilters.from_query(QueryDict("sort=kudos;drop table")).sort == "updated"
    assert not WorkFilters.from_query(QueryDict("")).active


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("fandom:Sherlock", ("fandom", "Sherlock")),
        ("Relationship: Giles/Jenny", ("relationship", "Giles/Jenny")),
        ("Star Trek: The Original Series", (None, "Star Trek: The Original Series")),
        ("Giles/Jenny", (None, "Giles/Jenny")),
        ("freeform:", (None, "freeform:")),
        ("What?", (None, "What?")),
    ],
)
def test_it_parses_a_tag_written_type_colon_name(value, parsed):
    assert parse_tag(value) == parsed


@pytest.mark.django_db
def test_tag_filters_must_all_match():
    make_work("Both", relationships=["Giles/Jenny"], freeforms=["Libraries"])
    make_work("Only the ship", relationships=["Giles/Jenny"])
    make_work("Only the library", freeforms=["Libraries"])

    assert listed("tag=Giles/Jenny&tag=Libraries") == ["Both"]
    assert sorted(listed("tag=relationship:Giles/Jenny")) == ["Both", "Only the ship"]


@pytest.mark.django_db
def test_a_tag_filter_finds_the_works_of_its_synonyms_and_its_canonical_tag():
    canonical = make_tag(TagType.CHARACTER, "Rupert Giles")
    make_tag(TagType.CHARACTER, "Ripper", synonym_of=canonical)
    make_work("Canonical", characters=["Rupert Giles"])
    make_work("Synonym", characters=["Ripper"])
    make_work("Neither", characters=["Jenny Calendar"])

    assert sorted(listed("tag=character:Rupert Giles")) == ["Canonical", "Synonym"]
    assert sorted(listed("tag=Ripper")) == ["Canonical", "Synonym"]


@pytest.mark.django_db
def test_a_tag_filter_ignores_case_and_may_leave_out_the_type():
    make_work("Sherlock fandom", fandoms=["Sherlock"])
    make_work("Sherlock character", fandoms=["ACD"], characters=["Sherlock"])

    assert sorted(listed("tag=sherlock")) == ["Sherlock character", "Sherlock fandom"]
    assert listed("tag=FANDOM:sherlock") == ["Sherlock fandom"]


@pytest.mark.django_db
def test_an_unknown_tag_matches_nothing():
    make_work("Anything")
    assert listed("tag=No Such Tag") == []
    assert listed("tag=fandom:No Such Tag&rating=General Audiences") == []
    assert tags_for("No Such Tag") == []


@pytest.mark.django_db
def test_rating_checkboxes_match_any_checked_rating():
    for rating in (GENERAL, TEEN, MATURE, EXPLICIT):
        make_work(rating, rating=rating)
    make_work("Rated not rated", rating=NOT_RATED)
    make_work("Unrated", rating=None)

    assert sorted(listed("rating=Mature&rating=Explicit")) == [EXPLICIT, MATURE]
    assert listed("rating=General Audiences") == [GENERAL]
    assert sorted(listed("rating=Not Rated")) == ["Rated not rated", "Unrated"]
    assert len(listed("")) == 6


@pytest.mark.django_db
def test_ratings_and_tags_combine():
    make_work("Explicit ship", rating=EXPLICIT, relationships=["Giles/Jenny"])
    make_work("General ship", rating=GENERAL, relationships=["Giles/Jenny"])
    make_work("Explicit other", rating=EXPLICIT)

    assert listed("rating=Explicit&tag=Giles/Jenny") == ["Explicit ship"]


@pytest.mark.django_db
def test_it_sorts_by_updated_posted_words_and_title():
    make_work("beta", updated=datetime.date(2024, 3, 1), published=datetime.date(2020, 1, 1),
              chapters=["<p>one two three</p>"])  # fmt: skip
    make_work("Alpha", updated=datetime.date(2024, 1, 1), published=datetime.date(2023, 1, 1),
              chapters=["<p>one</p>"])  # fmt: skip
    make_work("Gamma", updated=datetime.date(2024, 2, 1), published=datetime.date(2022, 1, 1),
              chapters=["<p>one two</p>"])  # fmt: skip

    assert listed("") == ["beta", "Gamma", "Alpha"]
    assert listed("sort=updated") == ["beta", "Gamma", "Alpha"]
    assert listed("sort=posted") == ["Alpha", "Gamma", "beta"]
    assert listed("sort=words") == ["beta", "Gamma", "Alpha"]
    assert listed("sort=title") == ["Alpha", "beta", "Gamma"]


@pytest.mark.django_db
def test_pagination_past_the_end_shows_the_last_page(settings):
    settings.WORKS_PER_PAGE = 2
    for number in range(5):
        make_work(f"Work {number}")
    works = Work.objects.order_by("pk")

    assert titles(paginate(works, "2")["page_obj"]) == ["Work 2", "Work 3"]
    assert titles(paginate(works, "99")["page_obj"]) == ["Work 4"]
    assert titles(paginate(works, "-1")["page_obj"]) == ["Work 4"]
    assert titles(paginate(works, "two")["page_obj"]) == ["Work 0", "Work 1"]
    assert titles(paginate(works, None)["page_obj"]) == ["Work 0", "Work 1"]
    assert paginate(works, "1")["page_range"] == [1, 2, 3]


# Exclusions and suggested tags ----------------------------------------------------------


def suggest(work: Work, tag_type: str, name: str, confidence: float = 0.9) -> SuggestedTag:
    suggestion = SuggestedTag.objects.create(
        work=work, tag=make_tag(tag_type, name), confidence=confidence
    )
    refresh_work_filters([work.pk])
    return suggestion


def test_it_reads_excluded_tags_and_the_suggested_switch():
    filters = WorkFilters.from_query(
        QueryDict("exclude=Explicit&exclude=+Angst+&exclude=&exclude=Angst&suggested=1")
    )
    assert filters.excluded == ("Explicit", "Angst")
    assert filters.include_suggested and filters.active
    assert not WorkFilters.from_query(QueryDict("suggested=yes")).include_suggested
    assert WorkFilters.from_query(QueryDict("exclude=Angst")).active


@pytest.mark.django_db
def test_excluding_a_tag_hides_works_given_it_or_strongly_suggested_it(settings):
    settings.SUGGESTION_THRESHOLD = 0.5
    make_work("Given explicit", rating=EXPLICIT)
    suggest(make_work("Suggested explicit"), TagType.RATING, EXPLICIT, 0.5)
    suggest(make_work("Weakly suggested explicit"), TagType.RATING, EXPLICIT, 0.49)
    make_work("General")

    assert sorted(listed("exclude=Explicit")) == ["General", "Weakly suggested explicit"]
    assert sorted(listed("exclude=rating:Explicit&suggested=1")) == [
        "General",
        "Weakly suggested explicit",
    ]


@pytest.mark.django_db
def test_excluding_a_meta_tag_or_a_synonym_hides_the_works_under_it():
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff").add_meta_tag(fluff)
    make_tag(TagType.FREEFORM, "fluffy", synonym_of=fluff)
    make_work("Sub tag", freeforms=["Tooth-Rotting Fluff"])
    make_work("Synonym", freeforms=["fluffy"])
    make_work("Angst", freeforms=["Angst"])

    assert listed("exclude=Fluff") == ["Angst"]
    assert listed("exclude=fluffy") == ["Angst"]
    assert listed("exclude=No Such Tag&exclude=Angst") == ["Synonym", "Sub tag"]


@pytest.mark.django_db
def test_including_a_tag_finds_works_only_suggested_it_only_when_asked():
    make_work("Given", freeforms=["Angst"])
    suggest(make_work("Suggested"), TagType.FREEFORM, "Angst", 0.9)
    suggest(make_work("Weakly suggested"), TagType.FREEFORM, "Angst", 0.1)
    reject(suggest(make_work("Rejected"), TagType.FREEFORM, "Angst"))

    assert listed("tag=Angst") == ["Given"]
    assert sorted(listed("tag=Angst&suggested=1")) == ["Given", "Suggested"]


@pytest.mark.django_db
def test_a_rating_checkbox_counts_suggested_ratings_only_when_asked():
    make_work("Given explicit", rating=EXPLICIT)
    suggest(make_work("Suggested explicit", rating=GENERAL), TagType.RATING, EXPLICIT)

    assert listed("rating=Explicit") == ["Given explicit"]
    assert sorted(listed("rating=Explicit&suggested=1")) == ["Given explicit", "Suggested explicit"]


@pytest.mark.django_db
def test_given_tags_win_over_a_suggestion_of_the_same_tag():
    work = make_work("Given and suggested", freeforms=["Angst"])
    suggest(work, TagType.FREEFORM, "Angst", 0.9)
    make_work("Other")

    row = work.filter_taggings.get(tag__name="Angst")
    assert not row.suggested
    assert listed("tag=Angst") == ["Given and suggested"]
    assert listed("exclude=Angst") == ["Other"]


@pytest.mark.django_db
def test_a_filter_on_a_meta_tag_finds_its_sub_tags_works():
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    teeth = make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff")
    teeth.add_meta_tag(fluff)
    make_work("Sweet", freeforms=["Tooth-Rotting Fluff"])
    make_work("Mild", freeforms=["Fluff"])

    assert sorted(listed("tag=Fluff")) == ["Mild", "Sweet"]
    assert listed("tag=Tooth-Rotting Fluff") == ["Sweet"]


# The works index page -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_index_has_exclude_and_suggested_inputs(client):
    content = client.get(reverse("works:index")).content.decode()
    assert '<input type="text" name="exclude" id="id_exclude"' in content
    assert '<input type="checkbox" name="suggested" value="1" aria-describedby' in content
    assert "Include suggested tags" in content
    assert "Excluding:" not in content


@pytest.mark.django_db
def test_the_index_shows_active_excludes_as_removable_chips(client):
    make_work("Anything")

    response = client.get(
        reverse("works:index"), {"exclude": ["Angst", "rating:Explicit"], "tag": "Fluff"}
    )
    content = response.content.decode()

    assert "Excluding:" in content
    for value in ("Angst", "rating:Explicit"):
        assert f'<input type="hidden" name="exclude" value="{value}">' in content
    assert 'href="?exclude=rating%3AExplicit&amp;tag=Fluff"' in content  # without Angst
    assert 'href="?exclude=Angst&amp;tag=Fluff"' in content  # without rating:Explicit
    assert '<input type="text" name="exclude" id="id_exclude"' in content
    checked = client.get(reverse("works:index"), {"suggested": "1"}).content.decode()
    assert 'name="suggested" value="1" checked' in checked


@pytest.mark.django_db
def test_pagination_keeps_excludes_and_the_suggested_switch(client, settings):
    settings.WORKS_PER_PAGE = 2
    for number in range(5):
        make_work(f"Work {number}")

    response = client.get(reverse("works:index"), {"exclude": ["Angst", "Gore"], "suggested": "1"})
    content = response.content.decode()

    assert 'href="?exclude=Angst&amp;exclude=Gore&amp;suggested=1&amp;page=2"' in content
    page_two = client.get(reverse("works:index"), {"exclude": ["Angst", "Gore"], "suggested": "1",
                                                   "page": "2"})  # fmt: skip
    chip = page_two.content.decode()
    assert 'href="?exclude=Gore&amp;suggested=1"' in chip  # removing one goes back to page 1


@pytest.mark.django_db
def test_control_characters_in_a_tag_filter_find_nothing_instead_of_failing(client):
    for params in ({"tag": "fandom:\x00Buffy"}, {"exclude": "\x00"}, {"language": "e\x00n"}):
        assert client.get(reverse("works:index"), params).status_code == 200


@pytest.mark.django_db
def test_more_options_narrow_by_completion_length_language_and_ranges(client):
    import datetime

    make_work(
        "Long complete",
        chapters=["<p>" + "word " * 300 + "</p>", "<p>more</p>"],
        kudos=50,
        hits=900,
        language="en",
        updated=datetime.date(2024, 5, 1),
    )
    make_work(
        "Short wip",
        expected_chapters=None,
        complete=False,
        kudos=3,
        hits=10,
        language="fr",
        updated=datetime.date(2023, 1, 1),
    )

    def titles(**params):
        content = client.get(reverse("works:index"), params).content.decode()
        return {title for title in ("Long complete", "Short wip") if title in content}

    assert titles(complete="complete") == {"Long complete"}
    assert titles(complete="wip") == {"Short wip"}
    assert titles(single_chapter="1") == {"Short wip"}
    assert titles(language="fr") == {"Short wip"}
    assert titles(words_from="100") == {"Long complete"}
    assert titles(words_to="1,000") == {"Long complete", "Short wip"}
    assert titles(kudos_from="10", hits_to="1000") == {"Long complete"}
    assert titles(updated_from="2024-01-01") == {"Long complete"}
    assert titles(updated_to="2023-12-31") == {"Short wip"}
    assert titles(words_from="lots", updated_from="yesterday", complete="maybe") == {
        "Long complete",
        "Short wip",
    }


def test_it_reads_the_crossover_choice():
    assert WorkFilters.from_query(QueryDict("crossover=exclude")).crossover is False
    assert WorkFilters.from_query(QueryDict("crossover=only")).crossover is True
    for query in ("crossover=include", "crossover=maybe", "crossover=", ""):
        assert WorkFilters.from_query(QueryDict(query)).crossover is None
    assert WorkFilters.from_query(QueryDict("crossover=exclude")).active
    assert not WorkFilters.from_query(QueryDict("crossover=include")).active


@pytest.fixture
def crossover_and_single_fandom_works():
    make_work("Crossover", fandoms=["Buffy the Vampire Slayer", "Sherlock (TV)"])
    make_work("Single fandom", fandoms=["Buffy the Vampire Slayer"])


def index_titles(client, **params) -> set[str]:
    content = client.get(reverse("works:index"), params).content.decode()
    return {title for title in ("Crossover", "Single fandom") if f">{title}<" in content}


@pytest.mark.django_db
@pytest.mark.usefixtures("crossover_and_single_fandom_works")
def test_it_includes_crossovers_by_default(client):
    assert index_titles(client) == {"Crossover", "Single fandom"}
    assert index_titles(client, crossover="include") == {"Crossover", "Single fandom"}


@pytest.mark.django_db
@pytest.mark.usefixtures("crossover_and_single_fandom_works")
def test_it_excludes_crossovers(client):
    assert index_titles(client, crossover="exclude") == {"Single fandom"}
    assert listed("crossover=exclude") == ["Single fandom"]


@pytest.mark.django_db
@pytest.mark.usefixtures("crossover_and_single_fandom_works")
def test_it_lists_only_crossovers(client):
    assert index_titles(client, crossover="only") == {"Crossover"}
    assert listed("crossover=only") == ["Crossover"]


@pytest.mark.django_db
def test_the_index_keeps_the_crossover_choice_in_its_radios(client):
    def checked(**params) -> list[str]:
        content = client.get(reverse("works:index"), params).content.decode()
        return re.findall(r'name="crossover" value="(\w*)" checked', content)

    assert checked() == [""]
    assert checked(crossover="exclude") == ["exclude"]
    assert checked(crossover="only") == ["only"]
    assert checked(crossover="nonsense") == [""]


@pytest.mark.django_db
def test_it_narrows_by_comments_and_bookmarks(client):
    make_work("Much discussed", comments=40, bookmarks=2)
    make_work("Much kept", comments=1, bookmarks=90)

    assert listed("comments_from=10") == ["Much discussed"]
    assert listed("comments_to=1,000") == ["Much kept", "Much discussed"]
    assert listed("bookmarks_from=50") == ["Much kept"]
    assert listed("bookmarks_to=5&comments_from=5") == ["Much discussed"]
    assert listed("bookmarks_from=many") == ["Much kept", "Much discussed"]
    content = client.get(reverse("works:index"), {"comments_from": "10"}).content.decode()
    assert 'name="comments_from" id="id_comments_from" value="10"' in content
    assert 'name="bookmarks_to" id="id_bookmarks_to" value=""' in content


@pytest.mark.django_db
def test_the_sidebar_shows_every_range_with_the_bounds_as_given(client):
    params = {"words_from": "100", "kudos_to": "lots", "posted_from": "2020-01-01"}
    content = client.get(reverse("works:index"), params).content.decode()

    for name in ("words", "kudos", "hits", "comments", "bookmarks", "updated", "posted"):
        for side in ("from", "to"):
            assert f'name="{name}_{side}" id="id_{name}_{side}"' in content
    assert 'min="0" name="words_from" id="id_words_from" value="100" placeholder="from"' in content
    # A bound that is not a number is shown back as written, for the reader to fix.
    assert 'name="kudos_to" id="id_kudos_to" value="lots"' in content
    assert 'type="date" name="posted_from" id="id_posted_from" value="2020-01-01">' in content
    assert 'type="date" name="updated_to" id="id_updated_to" value="">' in content
