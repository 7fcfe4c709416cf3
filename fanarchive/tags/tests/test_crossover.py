"""AO3's crossover rule, stored as `Work.crossover` and kept in step with the wrangling
by the filter refresh."""

import importlib

import pytest
from django.apps import apps
from django.tasks import task_backends
from django.test import override_settings
from django.urls import reverse

from fanarchive.tags.filtering import is_crossover, refresh_work_filters
from fanarchive.tags.models import SuggestedTag, Tag, TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db

compute_crossovers = importlib.import_module(
    "fanarchive.works.migrations.0003_compute_crossover"
).compute_crossovers


def fandom(name: str) -> Tag:
    return make_tag(TagType.FANDOM, name)


def stored_crossover(work: Work) -> bool:
    return Work.objects.values_list("crossover", flat=True).get(pk=work.pk)


# The rule, on tag ids: 1 and 2 share meta tag 10; 3 is below 1; 4 stands alone.
CLOSURE = {1: {10}, 2: {10}, 3: {1, 10}}


@pytest.mark.parametrize(
    ("fandom_ids", "crossover"),
    [
        ((), False),
        ((4,), False),
        ((4, 4), False),
        ((1, 4), True),
        ((1, 2), False),
        ((1, 10), False),
        ((3, 2), False),
        ((1, 2, 4), True),
    ],
)
def test_the_rule_on_fandom_ids(fandom_ids, crossover):
    assert is_crossover(fandom_ids, CLOSURE) is crossover


def test_it_marks_two_unrelated_fandoms_a_crossover():
    work = make_work(fandoms=["Buffy the Vampire Slayer", "Sherlock (TV)"])

    assert stored_crossover(work)


def test_it_never_marks_one_fandom_or_none_a_crossover():
    assert not stored_crossover(make_work(fandoms=["Buffy the Vampire Slayer"]))
    assert not stored_crossover(make_work(fandoms=()))


def test_two_fandoms_under_one_meta_tag_are_not_a_crossover():
    verse = fandom("Buffyverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Angel: the Series").add_meta_tag(verse)

    work = make_work(fandoms=["Buffy the Vampire Slayer", "Angel: the Series"])

    assert not stored_crossover(work)


def test_a_fandom_and_its_synonym_are_not_a_crossover():
    canonical = fandom("Buffy the Vampire Slayer")
    make_tag(TagType.FANDOM, "BtVS", synonym_of=canonical)

    work = make_work(fandoms=["Buffy the Vampire Slayer", "BtVS"])

    assert not stored_crossover(work)


def test_a_fandom_and_its_meta_tag_are_not_a_crossover():
    fandom("Buffy the Vampire Slayer (Comics)").add_meta_tag(fandom("Buffy the Vampire Slayer"))

    work = make_work(fandoms=["Buffy the Vampire Slayer (Comics)", "Buffy the Vampire Slayer"])

    assert not stored_crossover(work)


def test_meta_tags_count_transitively():
    verse = fandom("Buffyverse")
    buffy = fandom("Buffy the Vampire Slayer")
    buffy.add_meta_tag(verse)
    fandom("Buffy the Vampire Slayer (Comics)").add_meta_tag(buffy)
    fandom("Angel: the Series").add_meta_tag(verse)

    work = make_work(fandoms=["Buffy the Vampire Slayer (Comics)", "Angel: the Series"])

    assert not stored_crossover(work)


def test_two_related_fandoms_and_an_unrelated_third_are_a_crossover():
    verse = fandom("Buffyverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Angel: the Series").add_meta_tag(verse)

    work = make_work(fandoms=["Buffy the Vampire Slayer", "Angel: the Series", "Sherlock (TV)"])

    assert stored_crossover(work)


def test_a_suggested_fandom_does_not_make_a_crossover(settings):
    settings.SUGGESTION_THRESHOLD = 0.5
    work = make_work(fandoms=["Buffy the Vampire Slayer"])
    SuggestedTag.objects.create(work=work, tag=fandom("Sherlock (TV)"), confidence=0.9)

    refresh_work_filters([work.pk])

    assert Work.objects.tagged(fandom("Sherlock (TV)"), include_suggested=True).get() == work
    assert not stored_crossover(work)


def run_queued_tasks() -> None:
    """Run what the dummy task backend holds, in order, as a worker would."""
    backend = task_backends["default"]
    while backend.results:
        result = backend.results.pop(0)
        result.task.call(*result.args, **result.kwargs)


DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_the_flag_follows_a_meta_tag_after_the_refresh_task():
    buffy, comics = fandom("Buffy the Vampire Slayer"), fandom("Buffy the Vampire Slayer (Comics)")
    work = make_work(fandoms=[buffy.name, comics.name])
    assert stored_crossover(work)

    with override_settings(TASKS=DUMMY_TASKS):
        comics.add_meta_tag(buffy)
        assert stored_crossover(work)  # not until the refresh runs
        run_queued_tasks()
    assert not stored_crossover(work)

    comics.remove_meta_tag(buffy)
    assert stored_crossover(work)


def test_the_flag_follows_a_merge_after_the_refresh_task():
    canonical, variant = fandom("Buffy the Vampire Slayer"), fandom("Buffy: the Vampire Slayer")
    work = make_work(fandoms=[canonical.name, variant.name])
    assert stored_crossover(work)

    with override_settings(TASKS=DUMMY_TASKS):
        variant.make_synonym_of(canonical)
        assert stored_crossover(work)
        run_queued_tasks()

    assert not stored_crossover(work)


def test_merging_away_a_meta_tag_refreshes_the_works_of_its_former_sub_tags():
    verse = fandom("Whedonverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Firefly").add_meta_tag(verse)
    work = make_work(fandoms=["Buffy the Vampire Slayer", "Firefly"])
    assert not stored_crossover(work)

    # The sub tags lose their meta tag; nothing relates the two fandoms any more.
    verse.make_synonym_of(fandom("Joss Whedon - Works"))

    assert stored_crossover(work)


def test_the_migration_sets_the_flag_for_existing_works():
    verse = fandom("Buffyverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Angel: the Series").add_meta_tag(verse)
    canonical = fandom("Sherlock (TV)")
    make_tag(TagType.FANDOM, "BBC Sherlock", synonym_of=canonical)
    crossover = make_work("Crossover", fandoms=["Buffy the Vampire Slayer", "Sherlock (TV)"])
    make_work("Same verse", fandoms=["Buffy the Vampire Slayer", "Angel: the Series"])
    make_work("Synonyms", fandoms=["Sherlock (TV)", "BBC Sherlock"])
    make_work("One fandom", fandoms=["Angel: the Series"])
    Work.objects.update(crossover=False)  # as an archive from before the flag holds them

    compute_crossovers(apps, schema_editor=None)

    assert set(Work.objects.filter(crossover=True)) == {crossover}


def test_deleting_the_meta_tag_in_the_admin_makes_its_fandoms_a_crossover(admin_client):
    verse = fandom("Buffyverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Angel: the Series").add_meta_tag(verse)
    work = make_work(fandoms=["Buffy the Vampire Slayer", "Angel: the Series"])
    assert not stored_crossover(work)

    response = admin_client.post(reverse("admin:tags_tag_delete", args=[verse.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Tag.objects.filter(pk=verse.pk).exists()
    assert stored_crossover(work)


def test_deleting_tags_from_the_admin_list_refreshes_their_works(admin_client):
    verse = fandom("Buffyverse")
    fandom("Buffy the Vampire Slayer").add_meta_tag(verse)
    fandom("Angel: the Series").add_meta_tag(verse)
    work = make_work(fandoms=["Buffy the Vampire Slayer", "Angel: the Series"])

    admin_client.post(
        reverse("admin:tags_tag_changelist"),
        {"action": "delete_selected", "_selected_action": [verse.pk], "post": "yes"},
    )

    assert not Tag.objects.filter(pk=verse.pk).exists()
    assert stored_crossover(work)
