"""Which fandom(s) a story belongs to, from the pack names and terms it mentions.

Every name or term found gives its pack(s) evidence: full names, aliases and distinctive
terms count much more than nicknames; a form several packs share is split between
them; an ordinary word or a common given name counts little. A nickname or derived
name counts only when another character or term of the same pack also occurs.
Confidence grows with the evidence and shrinks when another pack explains the same
evidence about as well (two packs of one canon); a crossover's second fandom keeps a
high confidence when its evidence is its own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from fanarchive.tags.inference.lexicon import COMMON_FIRST_NAMES
from fanarchive.tags.inference.scan import (
    ALIAS,
    DERIVED,
    KIND_ORDER,
    NAME,
    NICKNAME,
    CueEntry,
    Index,
    NameEntry,
    NameHit,
    Scan,
    TermEntry,
    core_words,
    display_form,
)
from fanarchive.tags.packs import Pack

STRENGTH_SCALE = 3.5
"""Evidence at which a pack's strength reaches 1 - 1/e."""
SHARED_SMOOTHING = 2.0
"""Pseudo-evidence added on both sides when two packs compete for the same names."""
GENERIC_FACTOR = 0.35
WITHOUT_DISTINCTIVE_CAP = 0.4
"""Highest confidence for a pack seen only through common words and common names of
fewer than three of its characters and terms."""
MIN_CONFIDENCE = 0.05
MAX_FANDOMS = 5


@dataclass
class PackEvidence:
    pack: int
    strong: dict[str, float] = field(default_factory=dict)
    weak: dict[str, float] = field(default_factory=dict)
    entities: set[tuple[str, object]] = field(default_factory=set)
    distinctive: bool = False
    first_hits: dict[str, NameHit] = field(default_factory=dict)
    unshared_parts: dict[str, tuple[float, bool]] = field(default_factory=dict)

    def unshared_score(self) -> float:
        """The evidence without dividing shared forms between their packs."""
        supported = self.supported()
        return sum(value for value, weak in self.unshared_parts.values() if supported or not weak)

    def contributions(self) -> dict[str, float]:
        """Counted evidence by phrase key (weak forms only with a second entity)."""
        if self.supported():
            return {**self.weak, **self.strong}
        return dict(self.strong)

    def supported(self) -> bool:
        return len(self.entities) >= 2


@dataclass
class FandomResult:
    pack: int
    score: float
    confidence: float
    evidence: list[int]
    strength: float
    """How sure the evidence points to this pack or to one sharing its names (two packs
    of one canon tie on confidence, not on strength); 0 without distinctive evidence."""
    """Positions of the mentions that speak most for the pack."""


def strength(evidence: float, scale: float = STRENGTH_SCALE) -> float:
    return 1.0 - math.exp(-max(0.0, evidence) / scale)


def _base_weight(entry: NameEntry | TermEntry) -> float:
    tokens = len(core_words(entry.form))
    if isinstance(entry, TermEntry):
        if tokens > 1:
            return 2.5
        # A term the pack writes in lower case is a common noun ("sarcophagus").
        return 1.0 if entry.form.islower() else 2.0
    if entry.kind in (NAME, ALIAS):
        return 3.0 if tokens > 1 else 2.0
    if entry.kind == NICKNAME:
        return 1.5 if tokens > 1 else 1.0
    return 0.6


def _best_entry(entries: Iterable[NameEntry | TermEntry]) -> NameEntry | TermEntry:
    return min(
        entries,
        key=lambda e: -1 if isinstance(e, TermEntry) else KIND_ORDER[e.kind],
    )


def gather(index: Index, scan: Scan) -> dict[int, PackEvidence]:
    evidence: dict[int, PackEvidence] = {}
    for phrase_key in scan.names:
        valid, generic = scan.valid(phrase_key)
        if not valid:
            continue
        by_pack: defaultdict[int, list[NameEntry | TermEntry]] = defaultdict(list)
        for entry in index.table[phrase_key]:
            if not isinstance(entry, CueEntry):
                by_pack[entry.pack].append(entry)
        sharing = len(index.form_packs[phrase_key])
        generic = generic or phrase_key in COMMON_FIRST_NAMES or sharing >= 3
        for pack, entries in by_pack.items():
            entry = _best_entry(entries)
            weight = _base_weight(entry) * (GENERIC_FACTOR if generic else 1.0) / sharing
            value = weight * (1.0 + math.log(len(valid)))
            found = evidence.setdefault(pack, PackEvidence(pack))
            weak = generic or (isinstance(entry, NameEntry) and entry.kind in (NICKNAME, DERIVED))
            (found.weak if weak else found.strong)[phrase_key] = value
            found.unshared_parts[phrase_key] = (value * sharing, weak)
            found.distinctive |= not generic
            found.entities.update(_entities(entries, phrase_key))
            found.first_hits[phrase_key] = valid[0]
    return evidence


def _entities(entries: list[NameEntry | TermEntry], phrase_key: str) -> set[tuple[str, object]]:
    return {
        ("character", e.character) if isinstance(e, NameEntry) else ("term", phrase_key)
        for e in entries
    }


def detect(index: Index, scan: Scan) -> list[FandomResult]:
    """Packs with evidence, most confident first."""
    evidence = gather(index, scan)
    counted = {pack: found.contributions() for pack, found in evidence.items()}
    scores = {pack: sum(values.values()) for pack, values in counted.items()}
    results = []
    for pack, values in counted.items():
        score = scores[pack]
        if score <= 0:
            continue
        confidence = _confidence(pack, score, counted, scores)
        if not evidence[pack].distinctive and len(evidence[pack].entities) < 3:
            confidence = min(confidence, WITHOUT_DISTINCTIVE_CAP)
        if confidence < MIN_CONFIDENCE:
            continue
        strongest = sorted(values, key=lambda k: -values[k])[:3]
        positions = [evidence[pack].first_hits[k].start for k in strongest]
        unshared = evidence[pack].unshared_score() if evidence[pack].distinctive else 0.0
        results.append(
            FandomResult(pack, score, round(confidence, 4), positions, strength(unshared))
        )
    results.sort(key=lambda r: (-r.confidence, -r.score, r.pack))
    return results[:MAX_FANDOMS]


def _confidence(
    pack: int,
    score: float,
    counted: dict[int, dict[str, float]],
    scores: dict[int, float],
) -> float:
    independent = score
    dominance = 1.0
    mine = counted[pack]
    for other, theirs in counted.items():
        if other == pack or scores[other] <= 0:
            continue
        shared_mine = sum(value for k, value in mine.items() if k in theirs)
        independent = min(independent, score - shared_mine)
        if shared_mine <= 0:
            continue
        shared_theirs = sum(value for k, value in theirs.items() if k in mine)
        own = score - shared_mine
        their_own = scores[other] - shared_theirs
        dominance = min(
            dominance,
            (own + SHARED_SMOOTHING) / (own + their_own + 2 * SHARED_SMOOTHING),
        )
    return max(strength(independent), strength(score) * dominance)


# Fandoms the creator gave ------------------------------------------------------------


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").split())


def resolve(packs: Sequence[Pack], names: Sequence[str]) -> list[int]:
    """Pack numbers of fandom tags as a creator wrote them ("BtVS", "Sherlock (BBC)"),
    matched against pack names and aliases, exactly, then without a parenthesised
    qualifier, then closely (fuzzy ratio >= 92)."""
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    for number, pack in enumerate(packs):
        for name in (pack.name, *pack.aliases):
            exact.setdefault(_normal(name), number)
            loose.setdefault(_normal(display_form(name)), number)
    found: list[int] = []
    for name in names:
        number = exact.get(_normal(name))
        if number is None:
            number = loose.get(_normal(display_form(name)))
        if number is None:
            number = _fuzzy(_normal(name), exact)
        if number is not None and number not in found:
            found.append(number)
    return found


def _fuzzy(name: str, table: dict[str, int]) -> int | None:
    best, best_score = None, 0.0
    for candidate, number in table.items():
        score = fuzz.ratio(name, candidate)
        if score > best_score:
            best, best_score = number, score
    return best if best_score >= 92 else None
