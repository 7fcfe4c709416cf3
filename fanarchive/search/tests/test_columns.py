"""The in-memory columns answer listings exactly as the SQL listing does, and follow
every change to the works."""

from __future__ import annotations

import datetime
from collections import Counter

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.lib import columns as lib
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


# The structures themselves, without a database ----------------------------------------

# Tag 1 on most works, tags 2-5 on many, the rest on few: with 3 dense tags and posting
# lists for 4 bytes a row, each of bitmaps, posting lists and the CSR scan has tags.
WORK_TAGS = st.lists(
    st.one_of(st.just(1), st.integers(2, 5), st.integers(6, 40)), max_size=8, unique=True
)
WORKS = st.dictionaries(st.integers(1, 80), WORK_TAGS, min_size=1, max_size=60)


def work_rows(works: dict[int, list[int]], kudos: int = 0) -> lib.WorkRows:
    """Rows for these works (id -> its filter tags), posted, with kudos by id."""
    ids = sorted(works)
    lengths = [len(works[pk]) for pk in ids]
    tag_ptr = np.zeros(len(ids) + 1, np.int64)
    np.cumsum(lengths, out=tag_ptr[1:])
    kudos_of = [(pk * 7 + kudos) % 13 for pk in ids]
    return lib.WorkRows(
        work_ids=np.array(ids, np.int64),
        numbers={name: np.array(kudos_of, np.int32) for name in lib.SORT_FIELDS.values()},
        flags=np.full(len(ids), lib.Flag.POSTED, np.uint8),
        languages=["en"] * len(ids),
        tag_ptr=tag_ptr,
        tag_ids=np.array([tag for pk in ids for tag in works[pk]], np.int32),
        suggested_rows=np.zeros(0, np.int32),
        suggested_tag_ids=np.zeros(0, np.int32),
    )


@pytest.fixture
def small_structures(monkeypatch):
    monkeypatch.setattr(lib, "DENSE_TAGS", 3)
    monkeypatch.setattr(lib, "POSTING_BYTES_PER_ROW", 4)
    monkeypatch.setattr(lib, "_BASES_KEPT", 2)
    monkeypatch.setattr(lib, "_GATHER_ENTRIES", 16)


def tags_of_rows(built: lib.WorkColumns) -> list[set[int]]:
    """Every row's tags (dead rows too), read from the CSR part and the bitmaps."""
    found = [
        set(built.tag_ids[built.tag_ptr[row] : built.tag_ptr[row + 1]].tolist())
        for row in range(built.rows)
    ]
    for bit, tag in enumerate(built.dense_tags.tolist()):
        for row in np.flatnonzero(built._unpacked(built.dense_bits[bit])).tolist():
            found[row].add(tag)
    return found


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    before=WORKS,
    changes=st.dictionaries(st.integers(1, 100), st.none() | WORK_TAGS, max_size=30),
    data=st.data(),
)
def test_bitmaps_postings_and_counts_agree_with_the_works(
    small_structures, before, changes, data
) -> None:
    # Built, then changed (works edited, added and deleted) through with_rows: the
    # bitmaps, posting lists and CSR must still say each live work's tags, and filters
    # and counts must see live rows only.
    built = lib.WorkColumns.of(work_rows(before))
    after = {**before, **{pk: tags for pk, tags in changes.items() if tags is not None}}
    after = {pk: tags for pk, tags in after.items() if changes.get(pk, ...) is not None}
    changed = {pk: after[pk] for pk in changes if pk in after}
    if changes:
        built = built.with_rows(
            work_rows(changed, kudos=1), replacing=np.array(sorted(changes), np.int64)
        )

    rows = tags_of_rows(built)
    live = {int(built.work_ids[row]): rows[row] for row in np.flatnonzero(built.live)}
    assert live == {pk: set(tags) for pk, tags in after.items()}
    # Posting lists: every row (dead ones too) under the tag, in order, as a scan finds.
    for slot, tag in enumerate(built.posting_tags.tolist()):
        listed = built.postings[built.posting_ptr[slot] : built.posting_ptr[slot + 1]]
        assert listed.tolist() == [row for row, tags in enumerate(rows) if tag in tags]
    assert not set(built.posting_tags.tolist()) & set(built.dense_tags.tolist())

    for tag in range(1, 42):
        under = built.under_any([tag], include_suggested=False)
        assert np.flatnonzero(under).tolist() == [r for r, tags in enumerate(rows) if tag in tags]
    include = tuple(data.draw(st.lists(st.integers(1, 41), min_size=1, max_size=3)))
    exclude = tuple(data.draw(st.lists(st.integers(1, 41), max_size=2)))
    selected = built.select(
        lib.Selection(audience=lib.Audience.STAFF, include=(include,), exclude=(exclude,))
    )
    expected = {pk for pk, tags in live.items() if tags & set(include) and not tags & set(exclude)}
    assert set(built.work_ids[selected].tolist()) == expected

    # Counts over any rows, dead ones among them, must count the live ones, whichever
    # way they are counted; twice, so a kept base is read too.
    for mask in (
        selected,
        np.array(data.draw(st.lists(st.booleans(), min_size=built.rows, max_size=built.rows))),
        np.ones(built.rows, np.bool_),
    ):
        counted = Counter(tag for row in np.flatnonzero(mask & built.live) for tag in rows[row])
        for _ in range(2):
            tag_ids, works = built.tag_counts(mask)
            assert dict(zip(tag_ids.tolist(), works.tolist(), strict=True)) == counted

    # The page by kudos: most kudos first, then the higher id.
    order = sorted(expected, key=lambda pk: (-built.numbers["kudos"][built.row_of[pk]], -pk))
    offset = data.draw(st.integers(0, 5))
    assert built.top(selected, "kudos", limit=4, offset=offset).tolist() == order[offset:][:4]


def test_counts_within_a_dense_tag_use_its_kept_counts(small_structures):
    # A browse of a big tag minus a little: counted from the big tag's counts less the
    # rows left out, and those counts kept (no more than _BASES_KEPT of them).
    works = {
        pk: sorted({1, 2 + pk % 3, 6 + pk % 5, 9 if pk % 4 == 0 else 1}) for pk in range(1, 60)
    }
    works.update({pk: [5, 7] for pk in range(60, 80)})
    built = lib.WorkColumns.of(work_rows(works))
    assert 1 in built.dense_tags.tolist()
    for excluded, tags in ((9, {1, 2, 3, 4, 6, 7, 8, 10}), (3, {1, 2, 4, 6, 7, 8, 9, 10})):
        mask = built.select(lib.Selection(include=((1,),), exclude=((excluded,),)))
        tag_ids, works_under = built.tag_counts(mask)
        expected = Counter(
            tag for pk, tags in works.items() if 1 in tags and excluded not in tags for tag in tags
        )
        assert dict(zip(tag_ids.tolist(), works_under.tolist(), strict=True)) == expected
        assert set(expected) == tags
    assert list(built._bases) == [int(np.flatnonzero(built.dense_tags == 1)[0])]


def test_the_posting_lists_keep_to_their_budget():
    # Posting lists for the biggest uncommon tags, no more than the budget allows.
    rng = np.random.default_rng(3)
    works = {
        pk: sorted({int(tag) for tag in rng.zipf(1.3, 12) if tag < 5000}) for pk in range(1, 3001)
    }
    built = lib.WorkColumns.of(work_rows(works))
    assert 0 < built.postings.nbytes <= lib.POSTING_BYTES_PER_ROW * built.rows
    sizes = np.diff(built.posting_ptr)
    unposted = np.setdiff1d(built.tag_ids, built.posting_tags)
    assert sizes.min() >= np.bincount(built.tag_ids)[unposted].max()


# A transaction the thread's own connection can see; serialized_rollback puts the fixed
# tags back after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_loads_the_columns_at_start_in_a_thread_of_its_own():
    columns.forget()
    works = [make_work(title=f"Work {n}") for n in range(3)]

    columns.warm_in_background().join(timeout=60)

    loaded = columns._loaded
    assert loaded is not None
    assert sorted(loaded.columns.work_ids[loaded.columns.live]) == sorted(w.pk for w in works)
    # The request thread finds them loaded and current: no second load.
    assert columns.current() is loaded.columns
    columns.forget()
