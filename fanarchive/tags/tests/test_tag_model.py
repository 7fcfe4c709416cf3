import pytest

from fanarchive.tags.constants import ARCHIVE_WARNINGS, CATEGORIES, RATINGS
from fanarchive.tags.models import Tag, TagType, WranglingError


@pytest.mark.django_db
def test_the_fixed_tags_exist_from_the_first_migration():
    for tag_type, names in [
        (TagType.RATING, RATINGS),
        (TagType.WARNING, ARCHIVE_WARNINGS),
        (TagType.CATEGORY, CATEGORIES),
    ]:
        stored = Tag.objects.filter(type=tag_type, canonical=True)
        assert sorted(stored.values_list("name", flat=True)) == sorted(names)


@pytest.mark.django_db
def test_a_name_may_repeat_across_types_but_not_within_one():
    from django.db import IntegrityError, transaction

    Tag.objects.create(type=TagType.FANDOM, name="Sherlock")
    Tag.objects.create(type=TagType.CHARACTER, name="Sherlock")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(type=TagType.FANDOM, name="Sherlock")


@pytest.mark.django_db
def test_a_synonym_resolves_to_its_canonical_tag():
    canonical = Tag.objects.create(type=TagType.RELATIONSHIP, name="Giles/Jenny", canonical=True)
    synonym = Tag.objects.create(type=TagType.RELATIONSHIP, name="Jenny/Giles")
    synonym.make_synonym_of(canonical)

    assert synonym.resolved() == canonical
    assert set(canonical.synonyms.all()) == {synonym}


@pytest.mark.django_db
def test_synonyms_of_a_merged_tag_follow_it():
    first = Tag.objects.create(type=TagType.CHARACTER, name="Rupert Giles", canonical=True)
    ripper = Tag.objects.create(type=TagType.CHARACTER, name="Ripper")
    ripper.make_synonym_of(first)
    final = Tag.objects.create(type=TagType.CHARACTER, name="Giles", canonical=True)
    first.make_synonym_of(final)

    ripper.refresh_from_db()
    assert ripper.merger == final
    assert set(final.synonyms.all()) == {first, ripper}


@pytest.mark.django_db
def test_it_refuses_to_merge_across_types():
    fandom = Tag.objects.create(type=TagType.FANDOM, name="Angel", canonical=True)
    character = Tag.objects.create(type=TagType.CHARACTER, name="Angel")
    with pytest.raises(WranglingError):
        character.make_synonym_of(fandom)
