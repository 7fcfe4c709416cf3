"""Suggested tags as stored: apart from given tags, never replacing them, decisions kept;
inferred by a task after import, at once or by the database worker."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from fanarchive.ingest.parsed import ParsedChapter, ParsedWork
from fanarchive.ingest.writer import write_work
from fanarchive.tags.inference import Suggestion, Suggestions
from fanarchive.tags.models import SuggestedTag, SuggestionStatus, Tag, TagType
from fanarchive.tags.suggestions import accept, reject, store_suggestions
from fanarchive.works.models import Work, WorkTag

pytestmark = pytest.mark.django_db

STORY = (
    "Buffy Summers kicked the crypt door open. Spike was waiting in the dark, "
    "and Willow Rosenberg followed with a stake and a spell book from the Magic Box. "
    "Sunnydale was quiet above them; the Hellmouth was not."
)


def parsed(text: str = STORY, **fields) -> ParsedWork:
    return ParsedWork(
        title=fields.pop("title", "Crypt"),
        chapters=[ParsedChapter(body=f"<p>{text}</p>")],
        importer="test",
        importer_version="1",
        source_file=fields.pop("source_file", "/stories/crypt.txt"),
        content_hash=fields.pop("content_hash", "c" * 64),
        **fields,
    )


def suggestions(**lists) -> Suggestions:
    keys = ("fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms")
    return Suggestions(**{key: lists.get(key, []) for key in keys})


def names(work: Work, status=SuggestionStatus.PENDING) -> set[str]:
    return set(work.suggestions.filter(status=status).values_list("tag__name", flat=True))


def test_an_import_stores_suggestions_read_from_the_text():
    work = write_work(parsed()).work

    assert "Buffy the Vampire Slayer" in names(work)
    assert {"Buffy Summers", "Spike", "Willow Rosenberg"} <= names(work)
    assert not work.tags.filter(type=TagType.FANDOM).exists()
    suggestion = work.suggestions.get(tag__name="Buffy the Vampire Slayer")
    assert 0 < suggestion.confidence <= 1
    assert suggestion.evidence and all(isinstance(s, str) for s in suggestion.evidence)


def test_given_tags_always_win_over_suggestions():
    work = write_work(parsed(fandoms=["Buffy the Vampire Slayer"], characters=["Spike"])).work

    assert "Buffy the Vampire Slayer" not in names(work)
    assert "Spike" not in names(work)
    assert set(work.tags.filter(type=TagType.CHARACTER).values_list("name", flat=True)) == {"Spike"}


def test_a_suggestion_never_replaces_a_given_rating():
    work = write_work(parsed(rating="General Audiences")).work
    explicit = Tag.objects.get(type=TagType.RATING, name="Explicit")

    store_suggestions(work, suggestions(rating=[Suggestion("Explicit", 0.9, ["They had sex."])]))

    assert work.rating == "General Audiences"
    assert work.needs_rating_review
    assert work.is_adult
    accept(work.suggestions.get(tag=explicit))
    work = Work.objects.get(pk=work.pk)
    assert work.rating == "Explicit"
    assert not work.needs_rating_review


def test_decisions_survive_inference_again():
    work = write_work(parsed()).work
    spike = work.suggestions.get(tag__name="Spike")
    willow = work.suggestions.get(tag__name="Willow Rosenberg")
    accept(spike)
    reject(willow)

    call_command("tags", "infer", str(work.pk), stdout=io.StringIO(), stderr=io.StringIO())

    assert WorkTag.objects.filter(work=work, tag__name="Spike").exists()
    assert "Spike" not in names(work)
    assert "Willow Rosenberg" in names(work, SuggestionStatus.REJECTED)
    assert "Willow Rosenberg" not in names(work)


def test_stale_pending_suggestions_are_dropped():
    work = write_work(parsed()).work
    store_suggestions(work, suggestions(freeforms=[Suggestion("grief", 0.7, ["x"])]))
    assert names(work) == {"grief"}


def test_tags_infer_prints_one_json_object_per_work():
    work = write_work(parsed()).work
    stdout = io.StringIO()
    call_command("tags", "infer", str(work.pk), "--json", stdout=stdout, stderr=io.StringIO())

    record = json.loads(stdout.getvalue())
    assert record["work_id"] == work.pk
    assert set(record["suggested"]) == {
        "fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms"
    }  # fmt: skip
    best = record["suggested"]["fandoms"][0]
    assert best["name"] == "Buffy the Vampire Slayer"
    assert set(best) == {"name", "confidence", "evidence", "status"}
    confidences = [entry["confidence"] for entry in record["suggested"]["characters"]]
    assert confidences == sorted(confidences, reverse=True)


def test_tags_infer_rejects_unknown_work_ids():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no work with id 999"):
        call_command("tags", "infer", "999", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_backend_the_worker_infers_after_the_import():
    # django.tasks resets its backends when TASKS changes.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        work = write_work(parsed()).work
        assert not SuggestedTag.objects.filter(work=work).exists()

        call_command("db_worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

        assert SuggestedTag.objects.filter(work=work, tag__name="Spike").exists()


def test_tags_a_pack_names_arrive_canonical_and_others_unwrangled():
    write_work(parsed(fandoms=["Buffy the Vampire Slayer"], characters=["Spike", "Spikey"]))

    assert Tag.objects.get(type=TagType.FANDOM, name="Buffy the Vampire Slayer").canonical
    assert Tag.objects.get(type=TagType.CHARACTER, name="Spike").canonical
    assert not Tag.objects.get(type=TagType.CHARACTER, name="Spikey").wrangled
