"""Precision and recall of the tagger on stories whose tags are known.

Micro-averaged over (case, tag) pairs, counting suggestions with a confidence at or
above the threshold. The rating of a case is its top rating suggestion ("Not Rated"
when there is none). Warnings that mean "no warning" are ignored on both sides. Truth
tag names are compared after normalisation by the packs (see ``Names``): aliases
count as canonical names and relationship members are compared in any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fanarchive.tags import constants
from fanarchive.tags.inference import fandoms
from fanarchive.tags.inference.model import TYPES, Suggestions
from fanarchive.tags.inference.scan import display_form
from fanarchive.tags.inference.tagger import Tagger
from fanarchive.tags.packs import Pack

ADULT = frozenset({constants.MATURE, constants.EXPLICIT})
NO_WARNING = frozenset({constants.NO_WARNINGS, constants.CHOSE_NOT_TO_WARN})


@dataclass
class Case:
    name: str
    text: str
    truth: dict[str, set[str]] = field(default_factory=dict)
    """Keys: fandoms, characters, relationships, rating (one name), warnings, category,
    freeforms."""


@dataclass
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, predicted: set[str], truth: set[str]) -> None:
        self.true_positive += len(predicted & truth)
        self.false_positive += len(predicted - truth)
        self.false_negative += len(truth - predicted)

    def report(self) -> dict[str, float | int]:
        support = self.true_positive + self.false_negative
        predicted = self.true_positive + self.false_positive
        # With nothing predicted, precision is perfect only if there was nothing to find.
        no_prediction = 1.0 if support == 0 else 0.0
        precision = self.true_positive / predicted if predicted else no_prediction
        recall = self.true_positive / support if support else 1.0
        return {"precision": precision, "recall": recall, "support": support}


def _adult(rating: str) -> set[str]:
    return {"adult"} if rating in ADULT else set()


def predicted_rating(suggestions: Suggestions) -> str:
    return suggestions.rating[0].name if suggestions.rating else constants.NOT_RATED


class Names:
    """Tag names written different ways made comparable: a fandom alias becomes the
    pack's name; a character's alias or its name without the parenthesised fandom
    ("Loki" for "Loki (Marvel)") becomes the canonical name; a relationship's members
    are canonical and sorted ("Steve Rogers/Bucky Barnes" = "Bucky Barnes/Steve
    Rogers")."""

    def __init__(self, packs: list[Pack], fandom_names: Iterable[str] = ()) -> None:
        """``fandom_names``: the case's own fandoms, whose packs are searched first (a
        "Crowley" of a Supernatural story is Supernatural's Crowley)."""
        self.packs = packs
        preferred = fandoms.resolve(packs, list(fandom_names))
        order = preferred + [n for n in range(len(packs)) if n not in preferred]
        self.characters: dict[str, str] = {}
        for number in order:
            for character in packs[number].characters:
                for name in (character.name, display_form(character.name), *character.aliases):
                    self.characters.setdefault(_normal(name), character.name)

    def fandom(self, name: str) -> str:
        found = fandoms.resolve(self.packs, [name])
        return self.packs[found[0]].name if found else name

    def character(self, name: str) -> str:
        return self.characters.get(_normal(name), name)

    def relationship(self, name: str) -> str:
        separator = "/" if "/" in name else " & " if "&" in name else None
        if separator is None:
            return name
        members = sorted(self.character(m.strip()) for m in name.split(separator.strip()))
        return separator.join(members)

    def canonical(self, kind: str, names: Iterable[str]) -> set[str]:
        if kind == "fandoms":
            return {self.fandom(name) for name in names}
        if kind == "characters":
            return {self.character(name) for name in names}
        if kind == "relationships":
            return {self.relationship(name) for name in names}
        if kind == "warnings":
            return set(names) - NO_WARNING
        return set(names)


def _normal(name: str) -> str:
    return " ".join(name.lower().replace(".", "").split())


def _predicted(suggestions: Suggestions, kind: str, threshold: float) -> set[str]:
    if kind == "rating":
        return {predicted_rating(suggestions)}
    return {s.name for s in getattr(suggestions, kind) if s.confidence >= threshold}


def evaluate(cases: list[Case], tagger: Tagger, *, threshold: float = 0.5) -> dict:
    counts = {kind: Counts() for kind in TYPES}
    adult = Counts()
    confusion: dict[str, dict[str, int]] = {}
    packed_names = {pack.name for pack in tagger.packs}
    packed_cases = packed_correct = 0
    reports = []
    for case in cases:
        suggestions = tagger.infer(case.text)
        names = Names(tagger.packs, case.truth.get("fandoms", ()))
        missed: dict[str, list[str]] = {}
        extra: dict[str, list[str]] = {}
        for kind in TYPES:
            truth = names.canonical(kind, case.truth.get(kind, set()))
            predicted = names.canonical(kind, _predicted(suggestions, kind, threshold))
            counts[kind].add(predicted, truth)
            missed[kind] = sorted(truth - predicted)
            extra[kind] = sorted(predicted - truth)
        true_rating = next(iter(sorted(case.truth.get("rating", set()))), constants.NOT_RATED)
        guess = predicted_rating(suggestions)
        row = confusion.setdefault(true_rating, {})
        row[guess] = row.get(guess, 0) + 1
        adult.add(_adult(guess), _adult(true_rating))
        true_packed = names.canonical("fandoms", case.truth.get("fandoms", set())) & packed_names
        if true_packed:
            packed_cases += 1
            top = suggestions.fandoms[0].name if suggestions.fandoms else None
            packed_correct += top in true_packed
        reports.append({"name": case.name, "missed": missed, "extra": extra})
    return {
        "types": {kind: counts[kind].report() for kind in TYPES},
        "rating_confusion": confusion,
        "adult": adult.report(),
        "fandom_accuracy": packed_correct / packed_cases if packed_cases else 1.0,
        "cases": reports,
    }
