"""Relationships between suggested characters, and the category they imply.

Each romantic or sexual cue (a kiss, "lover", a sex scene) is credited to the two
characters named closest to it, within its paragraph and the ones around it (a name in
the following paragraph counts as farther: pronouns point back); credit shrinks with
distance, when a third character is about as close, and when the sentence's pronouns do
not fit the pair ("he kissed her" for two men). A cue with at most one name near it is
credited, at half weight, to the characters its pronouns point to: the last-mentioned
character of each pronoun's gender. A pair needs credit from more than one paragraph,
or one strong cue right next to both names; kinship words near both names ("his
brother") halve the romantic confidence.

Platonic "A & B" suggestions come from friendship and kinship cues near both names and,
for the two main characters of a story without romance between them, from the scenes
they share; they stay at or below 0.65 confidence, under the romantic ones.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from fanarchive.tags.inference.characters import CharacterResult
from fanarchive.tags.inference.lexicon import (
    FAMILY,
    FRIENDSHIP,
    KISS,
    KISS_CHASTE,
    ROMANCE,
    SEX_EXPLICIT,
    SEX_IMPLIED,
    SEX_SENSUAL,
)
from fanarchive.tags.inference.scan import CueHit, Scan
from fanarchive.tags.packs import Pack

ROMANTIC_CUES = {
    KISS: 1.5,
    KISS_CHASTE: 0.7,
    SEX_EXPLICIT: 1.5,
    SEX_IMPLIED: 1.2,
    SEX_SENSUAL: 1.0,
    ROMANCE: 1.0,
}
FRIENDSHIP_CUES = {FRIENDSHIP: 1.0, FAMILY: 1.0}
MAX_DISTANCE = 700
FOLLOWING_PARAGRAPH_PENALTY = 2.5
PRONOUN_SCENE_FACTOR = 0.5
"""Credit factor for a cue with at most one name near, credited through its pronouns."""
ANTECEDENT_DISTANCE = 3000
LEAD_CONFIDENCE = 0.5
MISMATCHED_PRONOUNS = 0.4
"""Credit factor when the cue's sentence has pronouns the pair cannot both be: "he
kissed her" for two men."""
PARAGRAPH_CAP = 4.0
"""Most credit one paragraph gives a pair (one long scene is one piece of evidence)."""
ROMANCE_SCALE = 5.0
PLATONIC_CAP = 0.65
PLATONIC_SCALE = 4.0
PLATONIC_BELOW_ROMANCE = 0.3
"""A pair is considered for a platonic suggestion only below this romantic confidence."""
SHARED_SCENE_WEIGHT = 0.5
KINSHIP_VETO = 2.0
KINSHIP_FACTOR = 0.5
"""Romantic confidence is multiplied by KINSHIP_FACTOR for a pair with this much kinship
credit."""
MIN_SHARED_SCENES = 3
MIN_CHARACTER_CONFIDENCE = 0.3
MIN_CONFIDENCE = 0.05


@dataclass
class PairScore:
    credit: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    """Credit by paragraph."""
    strongest: float = 0.0
    cues: list[tuple[float, int]] = field(default_factory=list)
    """(credit, position) of the cues credited."""

    def total(self) -> float:
        return sum(min(PARAGRAPH_CAP, value) for value in self.credit.values())


@dataclass
class RelationshipResult:
    name: str
    members: tuple[CharacterResult, CharacterResult]
    romantic: bool
    confidence: float
    evidence: list[int]


def _decay(distance: int) -> float:
    if distance <= 120:
        return 1.0
    if distance <= 300:
        return 0.7
    return 0.35


class _Mentions:
    """All mentions of the candidate characters, merged in text order."""

    def __init__(self, characters: list[CharacterResult]) -> None:
        merged = sorted(
            (hit.start, number, hit.paragraph)
            for number, character in enumerate(characters)
            for hit in character.mentions
        )
        self.positions = [item[0] for item in merged]
        self.items = merged

    def nearest(self, position: int, paragraph: int) -> list[tuple[int, int]]:
        """(distance, character number) of each character near a position, nearest
        first: within MAX_DISTANCE characters and one paragraph either side."""
        best: dict[int, int] = {}
        middle = bisect.bisect_left(self.positions, position)
        for step in (-1, 1):
            index = middle if step == 1 else middle - 1
            while 0 <= index < len(self.items):
                start, number, where = self.items[index]
                distance = abs(start - position)
                if distance > MAX_DISTANCE:
                    break
                if where > paragraph:
                    # Pronouns point back: a name in the next paragraph is a weak antecedent.
                    distance = int(distance * FOLLOWING_PARAGRAPH_PENALTY)
                if abs(where - paragraph) <= 1 and distance < best.get(number, MAX_DISTANCE + 1):
                    best[number] = distance
                index += step
        return sorted((distance, number) for number, distance in best.items())

    def last_of_gender(
        self,
        characters: list[CharacterResult],
        gender: str | None,
        position: int,
        *,
        exclude: list[int],
    ) -> int | None:
        """The character of a gender (None: any) mentioned last before a position
        (within ANTECEDENT_DISTANCE characters)."""
        index = bisect.bisect_left(self.positions, position) - 1
        while index >= 0 and position - self.items[index][0] <= ANTECEDENT_DISTANCE:
            number = self.items[index][1]
            if number not in exclude and gender in (None, characters[number].gender):
                return number
            index -= 1
        return None


def _lead_pair(characters: list[CharacterResult]) -> tuple[int, int] | None:
    """The two most salient characters, when both are clearly main characters."""
    if len(characters) >= 2 and characters[1].confidence >= LEAD_CONFIDENCE:
        return (0, 1)
    return None


def _credit_pairs(
    scan: Scan,
    characters: list[CharacterResult],
    classes: dict[str, float],
    *,
    pronoun_scenes: bool = False,
) -> dict[tuple[int, int], PairScore]:
    """Credit for each pair of characters (indexes into ``characters``, most salient
    first) from the cues of ``classes``. With ``pronoun_scenes``, a strong cue with at
    most one name near ("he kissed her") is credited to the characters its
    sentence's pronouns point to them (see ``_credit_pronouns``)."""
    mentions = _Mentions(characters)
    pairs: defaultdict[tuple[int, int], PairScore] = defaultdict(PairScore)
    for cls, factor in classes.items():
        for hit in scan.cues.get(cls, ()):
            near = mentions.nearest(hit.start, hit.paragraph)
            if len(near) < 2:
                if pronoun_scenes and hit.weight * factor >= 1.0:
                    _credit_pronouns(scan, characters, mentions, near, hit, factor, pairs)
                continue
            (_, first), (second_distance, second) = near[0], near[1]
            credit = hit.weight * factor * _decay(second_distance)
            if len(near) > 2 and near[2][0] <= second_distance + 40:
                credit *= 0.5
            genders = {characters[first].gender, characters[second].gender}
            if not _pronouns_fit(scan, hit.start, genders):
                credit *= MISMATCHED_PRONOUNS
            score = pairs[(min(first, second), max(first, second))]
            score.credit[hit.paragraph] += credit
            score.strongest = max(score.strongest, credit)
            score.cues.append((credit, hit.start))
    return pairs


def _credit_pronouns(
    scan: Scan,
    characters: list[CharacterResult],
    mentions: _Mentions,
    near: list[tuple[int, int]],
    hit: CueHit,
    factor: float,
    pairs: defaultdict[tuple[int, int], PairScore],
) -> None:
    """Credit a cue with at most one name near it ("he kissed her") to the pair its
    sentence's pronouns point to: each pronoun's gender goes to the character of that
    gender mentioned last before the cue; a pair still short of a member takes the
    character mentioned last."""
    begin, end = scan.doc.sentence_span(hit.start)
    sentence = scan.doc.text[begin:end]
    masculine = len(_MASCULINE.findall(sentence))
    feminine = len(_FEMININE.findall(sentence))
    chosen = [number for _, number in near]
    wanted: list[str] = []
    named = {characters[number].gender for number in chosen}
    for gender, count in (("m", masculine), ("f", feminine)):
        # A pronoun of the named character's own gender may be that character; two of
        # them ("he kissed him") point to a second one.
        if count >= (2 if gender in named else 1):
            wanted.append(gender)
    for gender in wanted:
        if len(chosen) == 2:
            break
        partner = mentions.last_of_gender(characters, gender, hit.start, exclude=chosen)
        if partner is not None:
            chosen.append(partner)
    while len(chosen) < 2:
        # The scene's other character: the one mentioned last before the cue.
        partner = mentions.last_of_gender(characters, None, hit.start, exclude=chosen)
        if partner is None:
            return
        chosen.append(partner)
    first, second = min(chosen[:2]), max(chosen[:2])
    credit = hit.weight * factor * PRONOUN_SCENE_FACTOR
    score = pairs[(first, second)]
    score.credit[hit.paragraph] += credit
    score.strongest = max(score.strongest, credit)
    score.cues.append((credit, hit.start))


_MASCULINE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_FEMININE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)


def _pronouns_fit(scan: Scan, position: int, genders: set[str]) -> bool:
    """False when the cue's sentence uses pronouns of a gender the pair lacks while the
    pair's genders are both known (a man and a woman fit any sentence)."""
    if genders - {"f", "m"} or genders == {"f", "m"}:
        return True
    begin, end = scan.doc.sentence_span(position)
    sentence = scan.doc.text[begin:end]
    if genders == {"m"}:
        return _FEMININE.search(sentence) is None
    return _MASCULINE.search(sentence) is None


def _relationship_name(pack: Pack | None, first: str, second: str, separator: str) -> str:
    """ "A/B" (or "A & B") in the order of the pack's relationship of the two, if any,
    else alphabetical."""
    if pack is not None:
        for relationship in pack.relationships:
            parts = [p.strip() for p in relationship.split(separator.strip())]
            if len(parts) == 2 and set(parts) == {first, second}:
                return separator.join(parts)
    return separator.join(sorted([first, second]))


def _is_canonical(pack: Pack | None, name: str) -> bool:
    return pack is not None and name in pack.relationships


def _evidence(score: PairScore) -> list[int]:
    return [position for _, position in sorted(score.cues, key=lambda c: (-c[0], c[1]))]


def suggest(
    scan: Scan, characters: list[CharacterResult], packs: list[Pack]
) -> list[RelationshipResult]:
    """Romantic and platonic relationships among the suggested characters."""
    candidates = [c for c in characters if c.confidence >= MIN_CHARACTER_CONFIDENCE]
    if len(candidates) < 2:
        return []
    romantic = _credit_pairs(scan, candidates, ROMANTIC_CUES, pronoun_scenes=True)
    platonic = _credit_pairs(scan, candidates, FRIENDSHIP_CUES)
    kinship = _credit_pairs(scan, candidates, {FAMILY: 1.0})
    lead = _lead_pair(candidates)
    results: list[RelationshipResult] = []
    for pair in sorted(set(romantic) | set(platonic) | ({lead} if lead else set())):
        first, second = candidates[pair[0]], candidates[pair[1]]
        pack = packs[first.pack] if first.pack == second.pack else None
        members_factor = min(1.0, 0.3 + min(first.confidence, second.confidence))
        romance = _romantic(pair, romantic, pack, first, second, members_factor)
        if romance is not None and pair in kinship and kinship[pair].total() >= KINSHIP_VETO:
            # "His brother", "her mother" near both names: family, not romance.
            romance.confidence = round(romance.confidence * KINSHIP_FACTOR, 4)
        if romance is not None:
            results.append(romance)
        if romance is None or romance.confidence < PLATONIC_BELOW_ROMANCE:
            shared = _shared_scenes(first, second)
            friendship = _platonic(
                platonic.get(pair), shared, pair == lead, pack, first, second, members_factor
            )
            if friendship is not None:
                results.append(friendship)
    results = [r for r in results if r.confidence >= MIN_CONFIDENCE]
    results.sort(key=lambda r: (-r.confidence, r.name))
    return results


def _romantic(
    pair: tuple[int, int],
    scores: dict[tuple[int, int], PairScore],
    pack: Pack | None,
    first: CharacterResult,
    second: CharacterResult,
    members_factor: float,
) -> RelationshipResult | None:
    score = scores.get(pair)
    if score is None:
        return None
    confidence = 1.0 - math.exp(-score.total() / ROMANCE_SCALE)
    if len(score.credit) < 2 and score.strongest < 2.5:
        confidence *= 0.6
    name = _relationship_name(pack, first.name, second.name, "/")
    if _is_canonical(pack, name):
        confidence = min(1.0, confidence * 1.15 + 0.03)
    confidence *= members_factor
    return RelationshipResult(name, (first, second), True, round(confidence, 4), _evidence(score))


def _shared_scenes(first: CharacterResult, second: CharacterResult) -> float:
    """Paragraphs naming both characters, plus half of those next to one naming the
    other."""
    mine = {hit.paragraph for hit in first.mentions}
    theirs = {hit.paragraph for hit in second.mentions}
    same = mine & theirs
    adjacent = {p for p in mine - same if p - 1 in theirs or p + 1 in theirs}
    return len(same) + 0.5 * len(adjacent)


def _platonic(
    score: PairScore | None,
    shared: float,
    is_lead: bool,
    pack: Pack | None,
    first: CharacterResult,
    second: CharacterResult,
    members_factor: float,
) -> RelationshipResult | None:
    """A friendship or family bond: friendship and kinship cues near both names, and
    scenes shared by the two main characters of a story without romance."""
    cues = score.total() if score is not None and len(score.credit) >= 2 else 0.0
    if cues == 0 and not (is_lead and shared >= MIN_SHARED_SCENES):
        return None
    amount = cues + (SHARED_SCENE_WEIGHT * shared if is_lead else 0.0)
    confidence = PLATONIC_CAP * (1.0 - math.exp(-amount / PLATONIC_SCALE))
    name = _relationship_name(pack, first.name, second.name, " & ")
    if _is_canonical(pack, name):
        confidence *= 1.15
    confidence = min(PLATONIC_CAP, confidence) * members_factor
    evidence = _evidence(score) if score is not None else []
    return RelationshipResult(name, (first, second), False, round(confidence, 4), evidence)


# Category -------------------------------------------------------------------------------

_KINDS = {
    frozenset({"f", "m"}): "F/M",
    frozenset({"m"}): "M/M",
    frozenset({"f"}): "F/F",
}


def relationship_kind(relationship: RelationshipResult) -> str | None:
    """AO3's category for one romantic pair; None when a gender is unknown."""
    genders = {member.gender for member in relationship.members}
    if "unknown" in genders:
        return None
    if "nb" in genders:
        return "Other"
    return _KINDS.get(frozenset(genders))


def categories(
    relationships: list[RelationshipResult], fandom_confidence: float, romance_signal: float
) -> list[tuple[str, float, list[int]]]:
    """(category, confidence, evidence positions), best first. ``romance_signal`` (0..1)
    says how much romance the text has whoever it is between; it lowers Gen."""
    kinds: dict[str, tuple[float, list[int]]] = {}
    for relationship in relationships:
        kind = relationship_kind(relationship) if relationship.romantic else None
        if kind is None:
            continue
        if kind not in kinds or kinds[kind][0] < relationship.confidence:
            kinds[kind] = (relationship.confidence, relationship.evidence)
    found = [(kind, confidence, evidence) for kind, (confidence, evidence) in kinds.items()]
    confident = sorted((c for c in found if c[1] >= 0.5), key=lambda c: -c[1])
    if len(confident) >= 2:
        found.append(("Multi", confident[1][1], confident[0][2][:1] + confident[1][2][:1]))
    strongest = max((c[1] for c in found), default=0.0)
    if fandom_confidence > 0:
        gen = fandom_confidence * (1.0 - strongest) * (1.0 - 0.6 * romance_signal)
        found.append(("Gen", gen, []))
    return sorted(found, key=lambda c: -c[1])
