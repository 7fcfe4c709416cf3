"""One resolution for every filter: canonical tag, synonyms, sub tags, kept in step by
the materialised FilterTagging rows."""

import pytest

from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import (
    FilterTagging,
    SuggestedTag,
    SuggestionStatus,
    Tag,
    TagType,
    WranglingError,
)
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work, tag_work

pytestmark = pytest.mark.django_db


def found(tag: Tag, **options) -> set[str]:
    return set(Work.objects.tagged(tag, **options).values_list("title", flat=True))


def test_a_filter_on_a_canonical_tag_finds_its_synonyms_works():
    canonical = make_tag(TagType.RELATIONSHIP, "Rupert Giles/Jenny Calendar")
    variant = make_tag(TagType.RELATIONSHIP, "Jenny/Giles")
    tag_work(make_work("Given canonical"), canonical)
    tag_work(make_work("Given variant"), variant)

    variant.make_synonym_of(canonical)

    assert found(canonical) == {"Given canonical", "Given variant"}
    assert found(variant) == {"Given canonical", "Given variant"}


def test_merging_updates_filters_without_reimporting_works():
    canonical = make_tag(TagType.CHARACTER, "Spike")
    alias = make_tag(TagType.CHARACTER, "William the Bloody")
    tag_work(make_work("Old name"), alias)
    assert found(canonical) == set()

    alias.make_synonym_of(canonical)

    assert found(canonical) == {"Old name"}
    assert FilterTagging.objects.filter(tag=canonical).count() == 1


def test_a_meta_tag_finds_the_works_of_its_sub_tags_transitively():
    verse = make_tag(TagType.FANDOM, "Buffyverse")
    buffy = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    comics = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer (Comics)")
    angel = make_tag(TagType.FANDOM, "Angel: the Series")
    tag_work(make_work("Show", fandoms=()), buffy)
    tag_work(make_work("Comic", fandoms=()), comics)
    tag_work(make_work("Spin-off", fandoms=()), angel)

    comics.add_meta_tag(buffy)
    buffy.add_meta_tag(verse)
    angel.add_meta_tag(verse)

    assert found(verse) == {"Show", "Comic", "Spin-off"}
    assert found(buffy) == {"Show", "Comic"}
    assert found(comics) == {"Comic"}


def test_a_synonym_of_a_sub_tag_is_found_under_the_meta_tag():
    meta = make_tag(TagType.FREEFORM, "Alternate Universe")
    sub = make_tag(TagType.FREEFORM, "Alternate Universe - Coffee Shops & Cafés")
    synonym = make_tag(TagType.FREEFORM, "coffee shop au")
    tag_work(make_work("Latte"), synonym)

    sub.add_meta_tag(meta)
    synonym.make_synonym_of(sub)

    assert found(meta) == {"Latte"}


def test_removing_a_meta_tag_takes_its_works_away():
    meta = make_tag(TagType.FREEFORM, "Hurt/Comfort")
    sub = make_tag(TagType.FREEFORM, "Sickfic")
    tag_work(make_work("Fever"), sub)
    sub.add_meta_tag(meta)
    assert found(meta) == {"Fever"}

    sub.remove_meta_tag(meta)

    assert found(meta) == set()


def test_it_refuses_meta_tag_loops_and_mixed_types():
    a = make_tag(TagType.FREEFORM, "A")
    b = make_tag(TagType.FREEFORM, "B")
    b.add_meta_tag(a)
    with pytest.raises(WranglingError):
        a.add_meta_tag(b)
    with pytest.raises(WranglingError):
        a.add_meta_tag(a)
    with pytest.raises(WranglingError):
        a.add_meta_tag(make_tag(TagType.CHARACTER, "B"))


def test_parents_follow_ao3s_types():
    media = make_tag(TagType.MEDIA, "TV Shows")
    fandom = make_tag(TagType.FANDOM, "Sherlock (TV)")
    character = make_tag(TagType.CHARACTER, "Molly Hooper")
    relationship = make_tag(TagType.RELATIONSHIP, "Molly Hooper/Sherlock Holmes")

    fandom.add_parent(media)
    character.add_parent(fandom)
    relationship.add_parent(fandom)
    relationship.add_parent(character)

    assert set(relationship.parents.all()) == {fandom, character}
    with pytest.raises(WranglingError):
        media.add_parent(fandom)
    with pytest.raises(WranglingError):
        character.add_parent(relationship)


def test_suggestions_above_the_threshold_are_filter_rows_marked_suggested(settings):
    settings.SUGGESTION_THRESHOLD = 0.5
    explicit = Tag.objects.get(type=TagType.RATING, name="Explicit")
    strong, weak, decided = make_work("Strong"), make_work("Weak"), make_work("Rejected")
    SuggestedTag.objects.create(work=strong, tag=explicit, confidence=0.8)
    SuggestedTag.objects.create(work=weak, tag=explicit, confidence=0.2)
    SuggestedTag.objects.create(
        work=decided, tag=explicit, confidence=0.9, status=SuggestionStatus.REJECTED
    )
    refresh_work_filters([strong.pk, weak.pk, decided.pk])

    assert found(explicit) == set()
    assert found(explicit, include_suggested=True) == {"Strong"}
    assert FilterTagging.objects.get(work=strong, tag=explicit).suggested


def test_a_given_tag_wins_over_the_same_suggestion():
    fandom = make_tag(TagType.FANDOM, "Naruto")
    work = make_work("Given")
    tag_work(work, fandom)
    SuggestedTag.objects.create(work=work, tag=fandom, confidence=0.9)
    refresh_work_filters([work.pk])

    assert not FilterTagging.objects.get(work=work, tag=fandom).suggested
    assert found(fandom) == {"Given"}
