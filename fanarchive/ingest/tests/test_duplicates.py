"""The same story reached twice without a shared source is recognised, not stored twice."""

import random
import re

import pytest

from fanarchive.ingest.models import FingerprintBand, TextFingerprint
from fanarchive.ingest.tests.test_import_command import run_import, write
from fanarchive.lib import minhash
from fanarchive.works.models import Chapter, Work

SENTENCES = [
    "The tide came in twice that evening, which the harbourmaster said was impossible.",
    "Nell counted the lanterns on the pier and found one more than the town owned.",
    "Her brother kept the ledger of ships, and none of them had ever been late.",
    "A gull stood on the bollard with the patience of a clerk awaiting a signature.",
    "The fog tasted of iron and old rope, and it did not lift when the bell rang.",
    "Somewhere below the boards the water was knocking, politely, like a visitor.",
    "She had promised her mother never to answer the door that faced the sea.",
    "The keeper's cottage had three windows, and only two of them showed the bay.",
    "By midnight the extra lantern had moved to the end of the breakwater.",
    "Nobody in the inn would say the name of the ship that had sunk in 'ninety-one.",
    "The cat from the chandlery sat on the ledger and would not be moved.",
    "In the morning the sand was written over with footprints that led into the waves.",
]


def story(seed: int, paragraphs: int = 12) -> list[str]:
    """Paragraphs of invented prose; the same seed gives the same story."""
    chooser = random.Random(seed)
    return [" ".join(chooser.sample(SENTENCES, 5)) for _ in range(paragraphs)]


def as_file(title: str, paragraphs: list[str]) -> str:
    return f"Title: {title}\nAuthor: tidewatcher\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.mark.django_db
def test_it_reports_a_near_copy_as_a_duplicate_and_stores_nothing(tmp_path):
    original = story(1)
    write(tmp_path / "a/lantern.txt", as_file("The Extra Lantern", original))
    code, (first,), _ = run_import(tmp_path / "a")
    assert first["status"] == "imported"

    # The same story from elsewhere: re-wrapped, a title typo, one sentence changed.
    copy = [paragraph.replace("\n", " ") for paragraph in original]
    copy[3] = copy[3].replace("patience of a clerk", "patience of a judge")
    write(tmp_path / "b/lantern-mirror.txt", as_file("The Extra Lanten", copy))
    chapters = Chapter.objects.count()
    code, (second,), stderr = run_import(tmp_path / "b")

    assert code == 0
    assert second["status"] == "duplicate"
    assert second["duplicate_of"] == first["work_id"]
    assert second["work_id"] is None
    assert Work.objects.count() == 1
    assert Chapter.objects.count() == chapters
    assert f"duplicate  of #{first['work_id']}" in stderr
    assert "1 duplicate" in stderr


@pytest.mark.django_db
def test_it_finds_a_copy_earlier_in_the_same_import(tmp_path):
    write(tmp_path / "one.txt", as_file("Lanterns", story(2)))
    write(tmp_path / "two.txt", as_file("Lanterns (mirror)", story(2)))
    _, lines, _ = run_import(tmp_path)
    assert [line["status"] for line in lines] == ["imported", "duplicate"]
    assert lines[1]["duplicate_of"] == lines[0]["work_id"]


@pytest.mark.django_db
def test_it_imports_a_different_story_with_the_same_words(tmp_path):
    write(tmp_path / "one.txt", as_file("Lanterns", story(3)))
    write(tmp_path / "two.txt", as_file("More Lanterns", story(4)))
    _, lines, _ = run_import(tmp_path)
    assert [line["status"] for line in lines] == ["imported", "imported"]


@pytest.mark.django_db
def test_it_never_calls_short_texts_copies(tmp_path):
    drabble = "The lamp went out. Nobody lit it again."
    write(tmp_path / "one.txt", as_file("Out", [drabble]))
    write(tmp_path / "two.txt", as_file("Out again", [drabble]))
    _, lines, _ = run_import(tmp_path)
    assert [line["status"] for line in lines] == ["imported", "imported"]
    assert not TextFingerprint.objects.exists()


@pytest.mark.django_db
def test_an_updated_work_is_recognised_by_its_new_text(tmp_path):
    path = write(tmp_path / "a/lantern.txt", as_file("The Extra Lantern", story(5)))
    _, (first,), _ = run_import(path)
    write(path, as_file("The Extra Lantern", story(6)))
    _, (updated,), _ = run_import(path)
    assert updated["status"] == "updated"

    write(tmp_path / "b/old-copy.txt", as_file("Lantern (old)", story(5)))
    write(tmp_path / "c/new-copy.txt", as_file("Lantern (new)", story(6)))
    _, (old_copy,), _ = run_import(tmp_path / "b")
    _, (new_copy,), _ = run_import(tmp_path / "c")
    assert old_copy["status"] == "imported"
    assert new_copy == {**new_copy, "status": "duplicate", "duplicate_of": first["work_id"]}


@pytest.mark.django_db
def test_deleting_a_work_forgets_its_text(tmp_path):
    write(tmp_path / "a/lantern.txt", as_file("The Extra Lantern", story(7)))
    _, (first,), _ = run_import(tmp_path / "a")
    assert FingerprintBand.objects.filter(work_id=first["work_id"]).count() == minhash.BANDS
    Work.objects.get(pk=first["work_id"]).delete()
    write(tmp_path / "b/copy.txt", as_file("The Extra Lantern", story(7)))
    _, (again,), _ = run_import(tmp_path / "b")
    assert again["status"] == "imported"


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + minhash.SHINGLE_WORDS]) for i in range(len(words) - 4)}


@pytest.mark.parametrize("every", [7, 25, 60, 200])
def test_similarity_estimates_the_share_of_shared_shingles(every):
    text = " ".join(story(8, paragraphs=40))
    words = text.split()
    edited = " ".join("changed" if i % every == 0 else word for i, word in enumerate(words))
    exact = len(shingles(text) & shingles(edited)) / len(shingles(text) | shingles(edited))
    same, other = minhash.signature([text]), minhash.signature([edited])
    assert same is not None and other is not None
    assert minhash.similarity(same, minhash.signature([text]) or b"") == 1.0
    # 128 permutations: the estimate's standard error is at most 0.045.
    assert abs(minhash.similarity(same, other) - exact) < 0.15
    unrelated = minhash.signature([" ".join(f"word{i}" for i in range(2000))])
    assert unrelated is not None and minhash.similarity(same, unrelated) < 0.1
