"""The in-memory columns answer listings exactly as the SQL listing does, and follow
every change to the works."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.lib.columns import Audience
from fanarchive.search import columns
from fanarchive.search.service import SearchQuery, _ranked, search
from fanarchive.tags.constants import EXPLICIT, GENERAL, MATURE, NOT_RATED, RATINGS, TEEN
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, Tag, TagType
from fanarchive.works.listing import WorkFilters, filter_works
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work

COLUMN_SORTS = ("updated", "posted", "words", "hits", "kudos", "bookmarks", "comments")
FANDOMS = ("Buffy the Vampire Slayer", "Angel: the Series", "Sherlock Holmes", "Good Omens")
CHARACTERS = ("Willow Rosenberg", "Spike", "Giles", "Jenny Calendar", "John Watson")
FREEFORMS = ("Angst", "Fluff", "Hurt/Comfort", "Libraries")


def found(query: SearchQuery, audience: Audience = Audience.STAFF) -> list[int]:
    return [hit.work.pk for hit in search(query, audience, limit=1000).hits]


def listed(filters: WorkFilters, audience: Audience = Audience.STAFF) -> list[int]:
    return list(
        filter_works(Work.objects.for_audience(audience), filters).values_list("pk", flat=True)
    )


@pytest.fixture
def archive(db):
    """Forty works mixing every property a filter reads, with synonyms, a meta tag and
    suggestions among their tags."""
    columns.forget()
    buffyverse = make_tag(TagType.FANDOM, "Buffyverse")
    for name in ("Buffy the Vampire Slayer", "Angel: the Series"):
        make_tag(TagType.FANDOM, name).add_meta_tag(buffyverse)
    make_tag(
        TagType.CHARACTER, "Willow", synonym_of=make_tag(TagType.CHARACTER, "Willow Rosenberg")
    )
    ratings = [GENERAL, TEEN, MATURE, EXPLICIT, NOT_RATED, None]
    works = []
    for n in range(40):
        works.append(
            make_work(
                f"Work {n}",
                rating=ratings[n % 6],
                fandoms=[FANDOMS[n % 4]] + ([FANDOMS[(n + 1) % 4]] if n % 5 == 0 else []),
                characters=[CHARACTERS[n % 5], "Willow"] if n % 7 == 0 else [CHARACTERS[n % 5]],
                freeforms=list(dict.fromkeys([FREEFORMS[n % 4], FREEFORMS[(n * 3) % 4]])),
                chapters=["<p>One.</p>"] * (1 + n % 3),
                published=datetime.date(2020, 1, 1) + datetime.timedelta(days=37 * n),
                updated=datetime.date(2021, 1, 1) + datetime.timedelta(days=(53 * n) % 400),
                hits=(n * 7919) % 1000,
                kudos=(n * 31) % 50,
                bookmarks=n % 4,
                comments=(n * 13) % 9,
                complete=n % 3 != 1,
                language=["en", "EN", "fr", "de"][n % 4],
                posted=n % 11 != 5,
                restricted=n % 9 == 4,
                hidden_by_admin=n % 13 == 6,
            )
        )
    explicit = Tag.objects.get(type=TagType.RATING, name=EXPLICIT)
    angst = make_tag(TagType.FREEFORM, "Angst")
    for n, work in enumerate(works[:12]):
        SuggestedTag.objects.create(work=work, tag=explicit if n % 2 else angst, confidence=0.9)
    refresh_work_filters([work.pk for work in works])
    return works


TAG_VALUES = st.sampled_from(
    [
        *(f"fandom:{name}" for name in FANDOMS),
        "fandom:Buffyverse",
        *CHARACTERS,
        "Willow",
        "character:willow rosenberg",
        *FREEFORMS,
        f"rating:{EXPLICIT}",
        "No Such Tag",
    ]
)
DAYS = st.integers(0, 1500).map(lambda days: datetime.date(2020, 1, 1) + datetime.timedelta(days))


@st.composite
def listing_filters(draw: st.DrawFn) -> WorkFilters:
    ranges = []
    for field, values in (
        ("word_count", st.integers(0, 4)),
        ("hits", st.integers(0, 1000)),
        ("kudos", st.integers(0, 50)),
        ("comments", st.integers(0, 9)),
        ("bookmarks", st.integers(0, 4)),
        ("published", DAYS),
        ("updated", DAYS),
    ):
        if draw(st.booleans()) and draw(st.booleans()):
            low, high = draw(st.none() | values), draw(st.none() | values)
            ranges.append((field, low, high))
    return WorkFilters(
        tags=tuple(draw(st.lists(TAG_VALUES, max_size=2, unique=True))),
        excluded=tuple(draw(st.lists(TAG_VALUES, max_size=2, unique=True))),
        ratings=tuple(draw(st.lists(st.sampled_from(RATINGS), max_size=3, unique=True))),
        sort=draw(st.sampled_from(COLUMN_SORTS)),
        include_suggested=draw(st.booleans()),
        complete=draw(st.sampled_from([None, True, False])),
        single_chapter=draw(st.booleans()),
        crossover=draw(st.sampled_from([None, True, False])),
        language=draw(st.sampled_from(["", "en", "fr", "xx"])),
        ranges=tuple(ranges),
    )


@pytest.mark.parametrize("dense_tags", [64, 5, 0])
def test_the_columns_list_what_the_database_lists(archive, monkeypatch, dense_tags):
    # Common tags are bits and the rest a CSR array: both ways, and a mix, must agree.
    monkeypatch.setattr("fanarchive.lib.columns.DENSE_TAGS", dense_tags)
    columns.forget()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(listing_filters(), st.sampled_from(list(Audience)))
    def agree(filters: WorkFilters, audience: Audience) -> None:
        expected = listed(filters, audience)
        assert found(SearchQuery.of(filters), audience) == expected
        sizes.append(len(expected))

    sizes: list[int] = []
    agree()
    # Not agreement on empty lists alone: many examples list several works.
    assert sum(size >= 3 for size in sizes) > len(sizes) / 10


def test_totals_and_pages_match_the_listing(archive):
    query = SearchQuery(sort="kudos")
    everything = listed(WorkFilters(sort="kudos"), Audience.PUBLIC)
    page = search(query, Audience.PUBLIC, limit=7, offset=14)
    assert page.total == len(everything)
    assert [hit.work.pk for hit in page.hits] == everything[14:21]
    assert search(query, Audience.PUBLIC, limit=7, offset=len(everything)).hits == []


# Keeping current --------------------------------------------------------------------


def test_they_follow_an_update(archive):
    query = SearchQuery(sort="kudos")
    top = found(query)[0]
    Work.objects.filter(pk=archive[3].pk).update(kudos=10_000)
    assert found(query)[0] == archive[3].pk != top


def test_they_follow_a_save_and_a_delete(archive):
    query = SearchQuery(include=("fandom:Good Omens",))
    before = found(query)
    work = archive[3]  # Good Omens
    work.posted = False
    work.save()
    assert found(query, Audience.PUBLIC) == [
        pk for pk in before if pk != work.pk and pk in found(query, Audience.PUBLIC)
    ]
    assert work.pk not in found(query, Audience.PUBLIC)
    Work.objects.filter(pk=archive[7].pk).delete()
    assert archive[7].pk not in found(query)


def test_they_follow_new_works_and_wrangling(archive):
    query = SearchQuery(include=("fandom:Buffyverse",))
    before = set(found(query))
    new = make_work("New", fandoms=["Buffy the Vampire Slayer"])
    refresh_work_filters([new.pk])
    assert set(found(query)) == before | {new.pk}

    holmes = Tag.objects.get(type=TagType.FANDOM, name="Sherlock Holmes")
    holmes.add_meta_tag(Tag.objects.get(type=TagType.FANDOM, name="Buffyverse"))
    from fanarchive.tags.filtering import refresh_filters_for

    refresh_filters_for([holmes.pk])
    assert set(found(query)) == set(listed(WorkFilters(tags=("fandom:Buffyverse",))))
    assert set(found(query)) > before | {new.pk}


def test_they_notice_a_rolled_back_history(archive):
    query = SearchQuery(sort="kudos")
    before = found(query)
    with pytest.raises(RuntimeError), transaction.atomic():
        Work.objects.filter(pk=archive[3].pk).update(kudos=10_000)
        assert found(query)[0] == archive[3].pk
        raise RuntimeError("roll back")
    assert found(query) == before


def test_they_catch_up_on_many_changes_at_once(archive, monkeypatch):
    monkeypatch.setattr(columns, "CATCH_UP_LIMIT", 3)
    query = SearchQuery(sort="hits")
    found(query)
    Work.objects.filter(pk__in=[work.pk for work in archive[:10]]).update(hits=5000)
    assert set(found(query)[:10]) == {work.pk for work in archive[:10]}


def test_compacting_keeps_every_work(archive, monkeypatch):
    monkeypatch.setattr(columns, "DEAD_SHARE", 0.01)
    query = SearchQuery(sort="comments")
    found(query)
    for work in archive[:5]:
        Work.objects.filter(pk=work.pk).update(comments=100 + work.pk)
        assert found(query) == listed(WorkFilters(sort="comments"))
    assert columns.current().dead_rows == 0


def test_best_match_from_the_columns_ranks_as_the_database_does(db):
    from fanarchive.search.engines import get_engine
    from fanarchive.search.service import ranking_queries, text_condition
    from fanarchive.search.tests.stories import store

    columns.forget()
    words = ["harbour", "lantern", "gull", "tide", "rope"]
    for n in range(24):
        chapters = [
            "<p>" + " ".join(words[(n + k) % 5] for k in range(1 + (n * 7 + c) % 6)) + ".</p>"
            for c in range(1 + n % 3)
        ]
        store(f"Story {n}", *chapters, summary=f"<p>{words[n % 5]} and more</p>")
    engine = get_engine()
    for text in ("harbour", "lantern gull", "harbour OR rope", '"tide rope"', "title:story"):
        query = SearchQuery(text=text)
        parsed = query.parsed()
        found = Work.objects.filter(text_condition(engine, parsed))
        expected = [pk for pk, _ in _ranked(engine, found, ranking_queries(parsed), limit=100)]
        found_ids = [hit.work.pk for hit in search(query, Audience.STAFF, limit=100).hits]
        assert found_ids, text
        assert found_ids == expected, text
