"""The evaluation metrics on hand-made cases, with a stub tagger whose answers are fixed."""

import pytest

from fanarchive.tags import constants
from fanarchive.tags.inference import Suggestion, Suggestions, Tagger
from fanarchive.tags.inference.evaluate import Case, Names, evaluate
from fanarchive.tags.packs import Character, Pack

PACK_ONE = Pack(
    name="Pack One",
    aliases=("P1",),
    characters=(
        Character("Ann Lee", ("Annie",), ("Ann",), "f"),
        Character("Bob Ray", (), ("Bob",), "m"),
        Character("Cal Dee", (), ("Cal",), "m"),
    ),
)
PACK_TWO = Pack(
    name="Pack Two",
    characters=(Character("Thor (Pack Two)", (), ("Thor",), "m"),),
)


class StubTagger(Tagger):
    """A tagger that answers each text with prepared suggestions."""

    def __init__(self, answers: dict[str, Suggestions]) -> None:
        super().__init__([PACK_ONE, PACK_TWO])
        self.answers = answers

    def infer(self, text, *, given_fandoms=()):
        return self.answers[text]


def s(name: str, confidence: float) -> Suggestion:
    return Suggestion(name, confidence, [])


CASES = [
    Case(
        "a",
        "text a",
        {
            "fandoms": {"Pack One"},
            "characters": {"Ann Lee", "Bob Ray"},
            "relationships": {"Ann Lee/Bob Ray"},
            "rating": {constants.EXPLICIT},
            "warnings": {constants.NO_WARNINGS},
            "category": {"F/M"},
            "freeforms": {"blood"},
        },
    ),
    Case(
        "b",
        "text b",
        {
            "fandoms": {"Unpacked Fandom"},
            "characters": {"Zed"},
            "relationships": set(),
            "rating": {constants.GENERAL},
            "warnings": {constants.MAJOR_CHARACTER_DEATH},
            "category": {"Gen"},
            "freeforms": set(),
        },
    ),
    Case(
        "c",
        "text c",
        {
            "fandoms": {"P1"},
            "characters": {"Annie"},
            "relationships": set(),
            "rating": {constants.MATURE},
            "warnings": {constants.CHOSE_NOT_TO_WARN},
            "category": set(),
            "freeforms": set(),
        },
    ),
]
ANSWERS = {
    "text a": Suggestions(
        fandoms=[s("Pack One", 0.9)],
        characters=[s("Ann Lee", 0.9), s("Cal Dee", 0.6), s("Bob Ray", 0.4)],
        relationships=[s("Bob Ray/Ann Lee", 0.7)],
        rating=[s(constants.MATURE, 0.6), s(constants.EXPLICIT, 0.3)],
        warnings=[s(constants.GRAPHIC_VIOLENCE, 0.2)],
        category=[s("F/M", 0.7)],
        freeforms=[s("blood", 0.8), s("alcohol", 0.6)],
    ),
    "text b": Suggestions(
        fandoms=[s("Pack One", 0.3)],
        warnings=[s(constants.MAJOR_CHARACTER_DEATH, 0.5)],
        category=[s("Gen", 0.6)],
    ),
    "text c": Suggestions(
        fandoms=[s("Pack Two", 0.8), s("Pack One", 0.7)],
        characters=[s("Ann Lee", 0.8)],
        rating=[s(constants.TEEN, 0.9), s(constants.MATURE, 0.1)],
    ),
}


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate(CASES, StubTagger(ANSWERS))


def test_report_keys(report):
    assert set(report) == {"types", "rating_confusion", "adult", "fandom_accuracy", "cases"}
    assert list(report["types"]) == [
        "fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms"
    ]  # fmt: skip
    for numbers in report["types"].values():
        assert set(numbers) == {"precision", "recall", "support"}


def test_characters_micro_averaged_with_aliases(report):
    # a: Ann right, Cal extra, Bob under the threshold; b: Zed missed; c: "Annie" is Ann.
    assert report["types"]["characters"] == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 4, "support": 4}
    )


def test_fandoms_count_aliases_as_the_pack(report):
    assert report["types"]["fandoms"] == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "support": 3}
    )


def test_fandom_accuracy_only_over_packed_cases(report):
    # a: top is right; b: unpacked, not counted; c: top is Pack Two.
    assert report["fandom_accuracy"] == pytest.approx(0.5)


def test_relationship_members_compare_in_any_order(report):
    assert report["types"]["relationships"] == {"precision": 1.0, "recall": 1.0, "support": 1}


def test_rating_is_the_top_suggestion_or_not_rated(report):
    assert report["types"]["rating"] == {"precision": 0.0, "recall": 0.0, "support": 3}
    assert report["rating_confusion"] == {
        constants.EXPLICIT: {constants.MATURE: 1},
        constants.GENERAL: {constants.NOT_RATED: 1},
        constants.MATURE: {constants.TEEN: 1},
    }


def test_adult_precision_and_recall(report):
    # a: Explicit flagged Mature (a hit); c: Mature called Teen (a miss).
    assert report["adult"] == {"precision": 1.0, "recall": 0.5, "support": 2}


def test_warnings_ignore_the_no_warning_values(report):
    assert report["types"]["warnings"] == {"precision": 1.0, "recall": 1.0, "support": 1}


def test_category_and_freeforms(report):
    assert report["types"]["category"] == {"precision": 1.0, "recall": 1.0, "support": 2}
    assert report["types"]["freeforms"] == {"precision": 0.5, "recall": 1.0, "support": 1}


def test_cases_list_what_was_missed_and_extra(report):
    first = report["cases"][0]
    assert first["name"] == "a"
    assert first["missed"]["characters"] == ["Bob Ray"]
    assert first["extra"]["characters"] == ["Cal Dee"]
    assert first["missed"]["rating"] == [constants.EXPLICIT]
    assert first["extra"]["freeforms"] == ["alcohol"]
    assert report["cases"][1]["extra"]["rating"] == [constants.NOT_RATED]


def test_threshold_decides_what_counts():
    report = evaluate(CASES, StubTagger(ANSWERS), threshold=0.35)
    # Bob (0.4) now counts: a has Ann, Bob right and Cal extra.
    assert report["types"]["characters"] == pytest.approx(
        {"precision": 3 / 4, "recall": 3 / 4, "support": 4}
    )


def test_no_predictions_and_no_support():
    report = evaluate([], StubTagger({}))
    for numbers in report["types"].values():
        assert numbers == {"precision": 1.0, "recall": 1.0, "support": 0}
    assert report["adult"] == {"precision": 1.0, "recall": 1.0, "support": 0}
    assert report["fandom_accuracy"] == 1.0
    assert report["rating_confusion"] == {}


def test_no_predictions_with_support_is_zero_precision():
    only_b = evaluate([CASES[1]], StubTagger(ANSWERS))
    assert only_b["types"]["characters"] == {"precision": 0.0, "recall": 0.0, "support": 1}


def test_names_prefer_the_cases_own_fandom():
    crowleys = [
        Pack(name="Good Omens", characters=(Character("Crowley", (), ("Crowley",), "m"),)),
        Pack(
            name="Supernatural",
            characters=(Character("Crowley (Supernatural)", (), ("Crowley",), "m"),),
        ),
    ]
    assert Names(crowleys, ["Supernatural"]).character("Crowley") == "Crowley (Supernatural)"
    assert Names(crowleys, ["Good Omens"]).character("Crowley") == "Crowley"
    assert Names(crowleys).relationship("Crowley (Supernatural) & Crowley") == (
        "Crowley & Crowley (Supernatural)"
    )


def test_evaluate_with_a_real_tagger_runs():
    tagger = Tagger([PACK_ONE])
    case = Case(
        "real",
        "Ann Lee and Bob Ray walked home. Ann laughed. Bob said nothing, and Ann smiled.",
        {"fandoms": {"Pack One"}, "rating": {constants.GENERAL}},
    )
    report = evaluate([case], tagger)
    assert report["types"]["fandoms"]["support"] == 1
    assert sum(sum(row.values()) for row in report["rating_confusion"].values()) == 1
