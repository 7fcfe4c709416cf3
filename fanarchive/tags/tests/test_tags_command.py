"""`fanarchive tags ...`: wrangling from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from fanarchive.tags.lookup import TagLookupError, find_tag
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work, tag_work

pytestmark = pytest.mark.django_db


def tags(*args: str) -> str:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("tags", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue() + stderr.getvalue()


def test_merge_makes_a_synonym_and_deletes_nothing():
    canonical = make_tag(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    variant = make_tag(TagType.RELATIONSHIP, "Spike/Buffy")
    tag_work(make_work("Fool for Love", fandoms=()), variant)

    output = tags("merge", "Spike/Buffy", "--into", "Buffy Summers/Spike")

    variant.refresh_from_db()
    assert variant.merger == canonical
    assert "synonym of Buffy Summers/Spike" in output
    assert Tag.objects.filter(pk=variant.pk).exists()
    assert list(Work.objects.tagged(canonical).values_list("title", flat=True)) == ["Fool for Love"]


def test_a_tag_is_written_type_colon_name_when_its_name_is_ambiguous():
    make_tag(TagType.FANDOM, "Angel")
    character = make_tag(TagType.CHARACTER, "Angel")
    make_tag(TagType.CHARACTER, "Angelus")

    with pytest.raises(TagLookupError, match="ambiguous"):
        find_tag("Angel")
    assert find_tag("character:Angel") == character
    assert find_tag("Character:angel") == character

    tags("merge", "Angelus", "--into", "character:Angel")
    assert Tag.objects.get(name="Angelus").merger == character


def test_a_name_with_a_colon_that_is_no_type_is_a_name():
    tag = make_tag(TagType.FANDOM, "Star Trek: The Original Series")
    assert find_tag("Star Trek: The Original Series") == tag


def test_merge_into_an_unknown_tag_is_a_usage_error():
    make_tag(TagType.FREEFORM, "fluff")
    with pytest.raises(CommandError, match="no tag named 'Fluff and Angst'") as error:
        tags("merge", "fluff", "--into", "Fluff and Angst")
    assert error.value.returncode == 2


def test_merge_across_types_is_refused():
    make_tag(TagType.FREEFORM, "Spike")
    make_tag(TagType.CHARACTER, "Spike (BtVS)")
    with pytest.raises(CommandError, match="cannot merge"):
        tags("merge", "freeform:Spike", "--into", "Spike (BtVS)")


def test_meta_parent_and_canonical_subcommands():
    tags_made = [
        make_tag(TagType.FANDOM, "Buffyverse"),
        make_tag(TagType.FANDOM, "Buffy the Vampire Slayer"),
        make_tag(TagType.MEDIA, "TV Shows"),
        make_tag(TagType.FREEFORM, "season six"),
    ]
    tags("meta", "Buffy the Vampire Slayer", "--under", "Buffyverse")
    tags("parent", "Buffy the Vampire Slayer", "--under", "TV Shows")
    tags("canonical", "season six")

    verse, buffy, media, freeform = (Tag.objects.get(pk=tag.pk) for tag in tags_made)
    assert list(buffy.meta_tags.all()) == [verse]
    assert list(buffy.parents.all()) == [media]
    assert freeform.canonical
