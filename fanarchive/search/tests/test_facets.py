"""Facet counts over a whole result set, against a fixture counted by hand."""

from __future__ import annotations

import pytest

from fanarchive.lib.columns import Audience
from fanarchive.search import columns
from fanarchive.search.facets import FacetGroup, facet_counts, fandom_counts, top_fandoms
from fanarchive.search.indexing import index_works
from fanarchive.search.service import SearchQuery
from fanarchive.tags.constants import EXPLICIT, GENERAL, GRAPHIC_VIOLENCE, MATURE, NO_WARNINGS, TEEN
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, Tag, TagType
from fanarchive.works.tests.factories import make_tag, make_work

BUFFY = "Buffy the Vampire Slayer"
ANGEL = "Angel: the Series"
HOLMES = "Sherlock Holmes"


@pytest.fixture(params=[64, 4], ids=["common-tags-as-bits", "most-tags-in-csr"])
def shelf(db, request, monkeypatch):
    monkeypatch.setattr("fanarchive.lib.columns.DENSE_TAGS", request.param)
    columns.forget()
    buffyverse = make_tag(TagType.FANDOM, "Buffyverse")
    for name in (BUFFY, ANGEL):
        make_tag(TagType.FANDOM, name).add_meta_tag(buffyverse)
    make_tag(
        TagType.CHARACTER, "Willow", synonym_of=make_tag(TagType.CHARACTER, "Willow Rosenberg")
    )
    works = [
        make_work("One", rating=GENERAL, fandoms=[BUFFY], characters=["Willow", "Giles"],
                  freeforms=["Libraries"]),
        make_work("Two", rating=TEEN, fandoms=[BUFFY], characters=["Willow Rosenberg"],
                  relationships=["Willow Rosenberg/Tara Maclay"], freeforms=["Fluff"]),
        make_work("Three", rating=MATURE, fandoms=[ANGEL], characters=["Spike"],
                  warnings=[GRAPHIC_VIOLENCE], freeforms=["Angst"]),
        make_work("Four", rating=EXPLICIT, fandoms=[BUFFY, ANGEL], characters=["Spike", "Willow"],
                  relationships=["Spike/Willow Rosenberg"], freeforms=["Angst", "Libraries"]),
        make_work("Five", rating=GENERAL, fandoms=[HOLMES], characters=["John Watson"],
                  freeforms=["Libraries"], chapters=["<p>A lighthouse by the sea.</p>"]),
        make_work("Hidden", rating=GENERAL, fandoms=[BUFFY], characters=["Giles"],
                  hidden_by_admin=True),
    ]  # fmt: skip
    # A suggestion is not a given tag: it does not count.
    angst = Tag.objects.get(type=TagType.FREEFORM, name="Angst")
    SuggestedTag.objects.create(work=works[0], tag=angst, confidence=0.95)
    refresh_work_filters([work.pk for work in works])
    index_works([work.pk for work in works])
    return works


def counted(groups: list[FacetGroup]) -> dict[str, dict[str, int]]:
    return {
        group.tag_type: {count.tag.name: count.works for count in group.counts}
        for group in groups
        if group.counts
    }


def test_it_counts_every_tag_type_over_the_result_set(shelf):
    groups = facet_counts(SearchQuery(include=("fandom:Buffyverse",)), Audience.PUBLIC)
    assert counted(groups) == {
        TagType.RATING: {GENERAL: 1, TEEN: 1, MATURE: 1, EXPLICIT: 1},
        TagType.WARNING: {NO_WARNINGS: 3, GRAPHIC_VIOLENCE: 1},
        TagType.CATEGORY: {"Gen": 4},
        # Meta tag, its sub tags: a work under both fandoms counts once under each.
        TagType.FANDOM: {"Buffyverse": 4, BUFFY: 3, ANGEL: 2},
        TagType.RELATIONSHIP: {"Willow Rosenberg/Tara Maclay": 1, "Spike/Willow Rosenberg": 1},
        # The synonym "Willow" counts under its canonical tag.
        TagType.CHARACTER: {"Willow Rosenberg": 3, "Spike": 2, "Giles": 1},
        TagType.FREEFORM: {"Angst": 2, "Libraries": 2, "Fluff": 1},
    }


def test_staff_counts_include_hidden_works(shelf):
    groups = facet_counts(SearchQuery(include=("fandom:Buffyverse",)), Audience.STAFF)
    assert counted(groups)[TagType.CHARACTER]["Giles"] == 2


def test_excluding_a_tag_changes_the_counts(shelf):
    query = SearchQuery(include=("fandom:Buffyverse",), exclude=("Angst",))
    # "One" goes too: it is suggested Angst, and exclusion counts strong suggestions.
    assert counted(facet_counts(query, Audience.PUBLIC))[TagType.CHARACTER] == {
        "Willow Rosenberg": 1
    }


def test_the_text_of_a_query_narrows_the_counts(shelf):
    groups = counted(facet_counts(SearchQuery(text="lighthouse"), Audience.PUBLIC))
    assert groups[TagType.FANDOM] == {HOLMES: 1}
    assert groups[TagType.CHARACTER] == {"John Watson": 1}


def test_a_query_that_finds_nothing_counts_nothing(shelf):
    assert counted(facet_counts(SearchQuery(include=("No Such Tag",)), Audience.PUBLIC)) == {}


def test_it_lists_the_most_common_first_and_says_how_many_more(shelf):
    groups = {
        group.tag_type: group for group in facet_counts(SearchQuery(), Audience.PUBLIC, limit=2)
    }
    characters = groups[TagType.CHARACTER]
    assert [(count.tag.name, count.works) for count in characters.counts] == [
        ("Willow Rosenberg", 3),
        ("Spike", 2),
    ]
    assert (characters.total_tags, characters.more) == (4, 2)
    expanded = facet_counts(SearchQuery(), Audience.PUBLIC, limit=2, expand=TagType.CHARACTER)
    assert len(next(g for g in expanded if g.tag_type == TagType.CHARACTER).counts) == 4


def test_a_facet_value_names_the_tag_with_its_type(shelf):
    groups = facet_counts(SearchQuery(include=("fandom:Sherlock Holmes",)), Audience.PUBLIC)
    fandoms = next(group for group in groups if group.tag_type == TagType.FANDOM)
    assert [count.value for count in fandoms.counts] == ["fandom:Sherlock Holmes"]


def test_fandom_counts_put_a_synonyms_works_under_its_canonical_fandom(db):
    columns.forget()
    buffy = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    make_tag(TagType.FANDOM, "BtVS", synonym_of=buffy)
    make_work("Canonical", fandoms=["Buffy the Vampire Slayer"])
    make_work("Synonym", fandoms=["BtVS"])
    make_work("Both", fandoms=["BtVS", "Buffy the Vampire Slayer"])
    make_work("Crossover", fandoms=["angel: the series", "Buffy the Vampire Slayer"])
    make_work("Hidden", fandoms=["Hidden Fandom"], hidden_by_admin=True)

    counts = fandom_counts(Audience.PUBLIC)

    assert [(count.tag.name, count.works) for count in counts] == [
        ("angel: the series", 1),
        ("Buffy the Vampire Slayer", 4),
    ]
    assert [count.tag.name for count in top_fandoms(Audience.STAFF, limit=2)] == [
        "Buffy the Vampire Slayer",
        "angel: the series",
    ]
