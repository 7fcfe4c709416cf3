"""The unwrangled queue and its suggestions; auto-applied exact synonyms."""

import io
import json

import pytest
from django.core.management import call_command

from fanarchive.tags.models import Tag, TagType
from fanarchive.tags.wrangling import auto_wrangle, queue, unwrangled
from fanarchive.works.tests.factories import make_tag, make_work, tag_work

pytestmark = pytest.mark.django_db

BUFFY = "Buffy the Vampire Slayer"


def canonical(tag_type: str, name: str) -> Tag:
    tag = make_tag(tag_type, name)
    tag.make_canonical()
    return tag


def buffy_work(title: str, *tags: Tag) -> None:
    work = make_work(title, fandoms=())
    tag_work(work, canonical(TagType.FANDOM, BUFFY), *tags)


def test_the_queue_lists_unwrangled_tags_of_a_fandom_most_used_first():
    spuffy = canonical(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    variant = make_tag(TagType.RELATIONSHIP, "Spike/Buffy")
    typo = make_tag(TagType.CHARACTER, "Willow Rosenburg")
    canonical(TagType.CHARACTER, "Willow Rosenberg")
    buffy_work("One", spuffy, variant, typo)
    buffy_work("Two", variant)
    elsewhere = make_tag(TagType.FREEFORM, "coffee shop")
    tag_work(make_work("Other fandom", fandoms=("Naruto",)), elsewhere)

    fandom = Tag.objects.get(type=TagType.FANDOM, name=BUFFY)
    entries = queue(fandom)

    assert [entry.tag.name for entry in entries] == ["Spike/Buffy", "Willow Rosenburg"]
    assert entries[0].works == 2
    best = entries[0].candidates[0]
    assert best["name"] == "Buffy Summers/Spike"
    assert best["exact"] is True
    assert entries[1].candidates[0]["name"] == "Willow Rosenberg"
    assert set(unwrangled()) >= {variant, typo, elsewhere}


def test_wrangled_tags_leave_the_queue():
    spuffy = canonical(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    variant = make_tag(TagType.RELATIONSHIP, "Spike/Buffy")
    buffy_work("One", spuffy, variant)

    variant.make_synonym_of(spuffy)

    assert variant not in unwrangled()


def test_tags_suggest_prints_json_lines():
    spuffy = canonical(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    buffy_work("One", spuffy, make_tag(TagType.RELATIONSHIP, "Spike x Buffy"))

    stdout = io.StringIO()
    call_command("tags", "suggest", "--fandom", BUFFY, "--json", stdout=stdout)

    [line] = [json.loads(row) for row in stdout.getvalue().splitlines()]
    assert line["tag"] == "Spike x Buffy"
    assert line["type"] == "relationship"
    assert line["works"] == 1
    assert line["candidates"][0]["name"] == "Buffy Summers/Spike"
    assert set(line["candidates"][0]) == {"name", "score", "exact", "reasons"}


def test_auto_synonyms_merge_exact_equivalents_only_when_the_setting_is_on(settings):
    spuffy = canonical(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    buffy_work("Canon", spuffy)
    variant = make_tag(TagType.RELATIONSHIP, "Spike/Buffy Summers")

    settings.AUTO_SYNONYMS = False
    assert auto_wrangle(variant, [BUFFY]) is None
    settings.AUTO_SYNONYMS = True
    assert auto_wrangle(variant, [BUFFY]) == spuffy

    variant.refresh_from_db()
    assert variant.merger == spuffy


def test_auto_synonyms_leave_fuzzy_matches_to_a_wrangler(settings):
    settings.AUTO_SYNONYMS = True
    buffy_work("Canon", canonical(TagType.RELATIONSHIP, "Buffy Summers/Spike"))
    past = make_tag(TagType.RELATIONSHIP, "Buffy Summers/Spike (past)")

    assert auto_wrangle(past, [BUFFY]) is None
    assert not Tag.objects.get(pk=past.pk).wrangled
