"""Rating, archive warnings and content notes from the cue classes found in a text.

Scenes matter more than totals: explicit sex, graphic violence and implied sex are
scored by the densest window of text (a few paragraphs), so one explicit scene makes a
long story Explicit and scattered words do not. Each signal becomes a probability with a
logistic curve; the rating is the highest level whose probability reaches one half,
computed so that any adult cue pushes the rating up (an adult story left unflagged is
the worst error).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from fanarchive.tags import constants
from fanarchive.tags.inference.characters import CharacterResult
from fanarchive.tags.inference.lexicon import (
    ABUSE,
    ALCOHOL,
    BLOOD,
    CHILD_ABUSE,
    CHILDHOOD,
    DEATH,
    DEATH_EVENT,
    DOMESTIC_ABUSE,
    DRUGS,
    EATING_DISORDER,
    GRIEF,
    INJURY,
    KISS,
    MINOR_AGE,
    NONCON,
    PARTNER,
    SELF_HARM,
    SEX_EXPLICIT,
    SEX_IMPLIED,
    SEX_SENSUAL,
    SUBSTANCE_ABUSE,
    SUICIDE,
    SWEAR_MILD,
    SWEAR_STRONG,
    TORTURE,
    VIOLENCE_GRAPHIC,
    VIOLENCE_MILD,
)
from fanarchive.tags.inference.scan import CueHit, Scan

SCENE = 2500
"""Width in characters of the window a scene is scored in."""
EXPLICIT_WEIGHTS = {SEX_EXPLICIT: 1.0, SEX_SENSUAL: 0.5, SEX_IMPLIED: 0.3}
IMPLIED_WEIGHTS = {SEX_IMPLIED: 1.0, KISS: 0.25, SEX_SENSUAL: 0.3}
VIOLENCE_WEIGHTS = {
    VIOLENCE_GRAPHIC: 1.0,
    TORTURE: 1.0,
    BLOOD: 0.8,
    INJURY: 0.5,
    VIOLENCE_MILD: 0.25,
}
EXPLICIT_MIDPOINT = 4.5
VIOLENCE_MIDPOINT = 3.5
"""Scene scores at which Explicit, and Mature for violence, are as likely as not."""
GRAPHIC_VIOLENCE_MIDPOINT = 4.5
ADULT_BIAS = 1.25
"""The probability that a story needs at least Mature is raised by this factor before
the rating is chosen: an adult story left unflagged costs more than a teen story
flagged adult (the rating is Mature from a raw probability of 0.4)."""
SEX_CONTEXT = {SEX_EXPLICIT: 1.0, SEX_SENSUAL: 1.0, SEX_IMPLIED: 1.0}


@dataclass
class Signal:
    value: float = 0.0
    hits: list[CueHit] = field(default_factory=list)

    def positions(self) -> list[int]:
        ordered = sorted(self.hits, key=lambda h: (-h.weight, h.start))
        return [hit.start for hit in ordered]


@dataclass
class Judgement:
    """A suggestion before sentences are attached: name, confidence, evidence positions."""

    name: str
    confidence: float
    positions: list[int] = field(default_factory=list)


def logistic(value: float, midpoint: float, spread: float) -> float:
    """A probability rising through one half at ``midpoint``; none at all without any
    evidence (value 0)."""
    if value <= 0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-(value - midpoint) / spread))


def any_of(probabilities: Iterable[float]) -> float:
    """Probability that at least one independent signal holds."""
    none = 1.0
    for probability in probabilities:
        none *= 1.0 - probability
    return 1.0 - none


def _weighted(scan: Scan, weights: dict[str, float]) -> list[tuple[int, float, CueHit]]:
    hits = [
        (hit.start, hit.weight * factor, hit)
        for cls, factor in weights.items()
        for hit in scan.cues.get(cls, ())
    ]
    hits.sort(key=lambda item: item[0])
    return hits


def window(scan: Scan, weights: dict[str, float], width: int = SCENE) -> Signal:
    """The densest stretch of ``width`` characters: its weighted cue total and hits."""
    hits = _weighted(scan, weights)
    best, best_range = 0.0, (0, 0)
    total, left = 0.0, 0
    for right, (position, weight, _) in enumerate(hits):
        total += weight
        while hits[left][0] < position - width:
            total -= hits[left][1]
            left += 1
        if total > best:
            best, best_range = total, (left, right + 1)
    return Signal(best, [item[2] for item in hits[best_range[0] : best_range[1]]])


def total(scan: Scan, weights: dict[str, float]) -> Signal:
    hits = _weighted(scan, weights)
    return Signal(sum(item[1] for item in hits), [item[2] for item in hits])


def _context_total(
    hits: list[tuple[int, float, CueHit]], positions: list[int], position: int, distance: int
) -> float:
    low = bisect.bisect_left(positions, position - distance)
    high = bisect.bisect_right(positions, position + distance)
    return sum(item[1] for item in hits[low:high])


# Rating ----------------------------------------------------------------------------------


@dataclass
class Features:
    explicit: Signal
    implied: Signal
    violence: Signal
    drugs: Signal
    swearing: Signal
    dark: Signal
    kissing: Signal
    mild_violence: Signal
    alcohol: Signal
    death: Signal
    blood: Signal

    @classmethod
    def of(cls, scan: Scan) -> Features:
        explicit = window(scan, EXPLICIT_WEIGHTS)
        if not any(h.weight >= 1.5 and h.cls == SEX_EXPLICIT for h in explicit.hits):
            explicit.value *= 0.75
        return cls(
            explicit=explicit,
            implied=window(scan, IMPLIED_WEIGHTS, 3000),
            violence=window(scan, VIOLENCE_WEIGHTS),
            drugs=total(scan, {DRUGS: 1.0}),
            swearing=total(scan, {SWEAR_STRONG: 1.0, SWEAR_MILD: 0.3}),
            dark=total(scan, {SUICIDE: 1.0, SELF_HARM: 1.0}),
            kissing=total(scan, {KISS: 1.0}),
            mild_violence=total(scan, {VIOLENCE_MILD: 1.0, VIOLENCE_GRAPHIC: 0.5}),
            alcohol=total(scan, {ALCOHOL: 1.0}),
            death=total(scan, {DEATH: 1.0, DEATH_EVENT: 1.0}),
            blood=total(scan, {BLOOD: 1.0}),
        )


def rating(features: Features) -> list[Judgement]:
    """All four ratings, the chosen one first (its confidence is the probability that
    the story needs at least that rating), the others after by their own probability."""
    f = features
    explicit = logistic(f.explicit.value, EXPLICIT_MIDPOINT, 1.0)
    mature_signals = [
        (logistic(f.explicit.value, 3.0, 0.8), f.explicit),
        (logistic(f.implied.value, 2.0, 0.5), f.implied),
        (logistic(f.violence.value, VIOLENCE_MIDPOINT, 0.8), f.violence),
        (logistic(f.drugs.value, 2.5, 0.7), f.drugs),
        (logistic(f.swearing.value, 12.0, 3.0), f.swearing),
        (logistic(f.dark.value, 3.0, 0.8), f.dark),
    ]
    teen_signals = [
        (logistic(f.kissing.value, 1.0, 0.6), f.kissing),
        (logistic(f.explicit.value, 1.5, 0.6), f.explicit),
        (logistic(f.mild_violence.value, 3.0, 1.0), f.mild_violence),
        (logistic(f.swearing.value, 0.8, 0.4), f.swearing),
        (logistic(f.alcohol.value, 3.0, 1.0), f.alcohol),
        (logistic(f.death.value, 2.0, 0.8), f.death),
        (logistic(f.blood.value, 1.5, 0.6), f.blood),
        (logistic(f.drugs.value, 1.0, 0.5), f.drugs),
    ]
    at_least_mature = min(1.0, ADULT_BIAS * max(explicit, any_of(p for p, _ in mature_signals)))
    at_least_teen = max(at_least_mature, any_of(p for p, _ in teen_signals))
    levels = [
        (constants.EXPLICIT, explicit, explicit, f.explicit.positions()),
        (constants.MATURE, at_least_mature, at_least_mature - explicit, _top(mature_signals)),
        (constants.TEEN, at_least_teen, at_least_teen - at_least_mature, _top(teen_signals)),
        (constants.GENERAL, 1.0, 1.0 - at_least_teen, []),
    ]
    chosen = next(level for level in levels if level[1] >= 0.5)
    judgements = [Judgement(chosen[0], chosen[1], chosen[3])]
    judgements += [
        Judgement(name, point, positions)
        for name, _, point, positions in levels
        if name != chosen[0]
    ]
    judgements.sort(key=lambda j: (j.name != chosen[0], -j.confidence))
    if chosen[0] == constants.GENERAL:
        judgements[0].confidence = 1.0 - at_least_teen
    return judgements


def _top(signals: list[tuple[float, Signal]]) -> list[int]:
    probability, signal = max(signals, key=lambda s: s[0])
    return signal.positions() if probability > 0.2 else []


# Warnings --------------------------------------------------------------------------------


def warnings(scan: Scan, features: Features, characters: list[CharacterResult]) -> list[Judgement]:
    found = [
        Judgement(
            constants.GRAPHIC_VIOLENCE,
            logistic(features.violence.value, GRAPHIC_VIOLENCE_MIDPOINT, 1.0),
            features.violence.positions(),
        ),
        _character_death(scan, characters),
        _near_sex(scan, NONCON, SEX_CONTEXT, constants.NONCON, context=2.0, distance=2000),
        _near_sex(scan, MINOR_AGE, EXPLICIT_WEIGHTS, constants.UNDERAGE, context=5.0,
                  distance=3000),
    ]  # fmt: skip
    return sorted(found, key=lambda j: -j.confidence)


def _sentence_between(text: str, start: int, end: int) -> bool:
    return any(ch in ".!?\n" for ch in text[start:end])


def _character_death(scan: Scan, characters: list[CharacterResult]) -> Judgement:
    """Death words in the same sentence as a suggested character's name."""
    text = scan.doc.text
    named = [c for c in characters if c.confidence >= 0.3]
    per_character: dict[str, list[int]] = {}
    for hit in [*scan.cues.get(DEATH, ()), *scan.cues.get(DEATH_EVENT, ())]:
        if hit.weight < 1:
            continue
        for character in named:
            positions = character.positions
            index = bisect.bisect_left(positions, hit.start - 100)
            for start in positions[index:]:
                if start > hit.start + 100:
                    break
                low, high = sorted((start, hit.start))
                if not _sentence_between(text, low, high):
                    per_character.setdefault(character.name, []).append(hit.start)
                    break
    strongest = max(per_character.values(), key=len, default=[])
    events = total(scan, {DEATH_EVENT: 1.0})
    grief = total(scan, {GRIEF: 1.0})
    score = 1.2 * len(strongest) + 0.4 * events.value + 0.25 * grief.value
    positions = strongest + events.positions()
    return Judgement(constants.MAJOR_CHARACTER_DEATH, logistic(score, 3.0, 0.8), positions)


def _near_sex(
    scan: Scan,
    cls: str,
    context_weights: dict[str, float],
    name: str,
    *,
    context: float,
    distance: int,
) -> Judgement:
    """Cues of a class counted only where sexual content is near."""
    sexual = _weighted(scan, context_weights)
    positions = [item[0] for item in sexual]
    counted = [
        hit
        for hit in scan.cues.get(cls, ())
        if _context_total(sexual, positions, hit.start, distance) >= context
    ]
    score = sum(hit.weight for hit in counted)
    return Judgement(name, logistic(score, 2.5, 0.7), Signal(score, counted).positions())


# Content notes ---------------------------------------------------------------------------

# Freeform name -> (cue classes with weights, total at which the note is as likely as not).
CONTENT_NOTES: dict[str, tuple[dict[str, float], float]] = {
    "suicidal thoughts": ({SUICIDE: 1.0}, 2.5),
    "self-harm": ({SELF_HARM: 1.0}, 2.5),
    "substance abuse": ({SUBSTANCE_ABUSE: 1.0}, 3.0),
    "domestic abuse": ({DOMESTIC_ABUSE: 1.0}, 2.5),
    "child abuse": ({CHILD_ABUSE: 1.0}, 2.5),
    "eating disorder": ({EATING_DISORDER: 1.0}, 3.0),
    "grief": ({GRIEF: 1.0, DEATH_EVENT: 0.5}, 3.0),
    "drug use": ({DRUGS: 1.0}, 3.0),
    "alcohol": ({ALCOHOL: 1.0}, 3.0),
    "torture": ({TORTURE: 1.0}, 2.5),
    "blood": ({BLOOD: 1.0}, 2.5),
}
# Abuse words count towards a note when its setting is in the same paragraph.
ABUSE_SETTINGS = {"domestic abuse": PARTNER, "child abuse": CHILDHOOD}
LENGTH_UNIT = 20000
"""Characters of text up to which the thresholds hold; longer texts need more."""


def content_notes(scan: Scan) -> list[Judgement]:
    length_factor = max(1.0, math.sqrt(len(scan.doc.text) / LENGTH_UNIT))
    notes = []
    for name, (weights, threshold) in CONTENT_NOTES.items():
        signal = total(scan, weights)
        setting = ABUSE_SETTINGS.get(name)
        if setting is not None:
            extra = _abuse_in_setting(scan, setting)
            signal = Signal(signal.value + sum(h.weight for h in extra), signal.hits + extra)
        if signal.value <= 0:
            continue
        midpoint = threshold * length_factor
        confidence = logistic(signal.value, midpoint, 0.3 * midpoint)
        notes.append(Judgement(name, confidence, signal.positions()))
    return sorted(notes, key=lambda j: -j.confidence)


def _abuse_in_setting(scan: Scan, setting: str) -> list[CueHit]:
    paragraphs = {hit.paragraph for hit in scan.cues.get(setting, ())}
    return [hit for hit in scan.cues.get(ABUSE, ()) if hit.paragraph in paragraphs]
