"""The Tagger: suggested tags for a story's text, from fandom packs and cue lexicons."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from fanarchive.tags.inference import characters as character_ranking
from fanarchive.tags.inference import content, fandoms, relationships
from fanarchive.tags.inference.lexicon import (
    KISS,
    ROMANCE,
    SEX_EXPLICIT,
    SEX_IMPLIED,
    cue_table,
)
from fanarchive.tags.inference.model import Suggestion, Suggestions
from fanarchive.tags.inference.scan import Document, Index, scan
from fanarchive.tags.packs import Pack

MIN_WORDS = 5
"""Texts with fewer words get no suggestions at all."""
MAX_EVIDENCE = 3
CROSSOVER_CONFIDENCE = 0.5
"""Fandom confidence from which a pack's characters are suggested."""
TOP_FANDOM_CONFIDENCE = 0.3
"""The top fandom's characters are suggested from this confidence on."""
TIED_STRENGTH_FACTOR = 0.75
UNPACKED_GIVEN_CONFIDENCE = 0.8
"""When the creator's fandoms are all unknown to the packs, a detected pack must be this
sure before its characters are suggested."""
ROMANCE_SIGNAL_SCALE = 6.0
MIN_JUDGED = 0.05
"""Warnings and content notes below this confidence are left out."""

_WORD = re.compile(r"\w+")


class Tagger:
    """Builds its indexes once; ``infer`` is then one regular-expression pass per text
    plus work proportional to what was found."""

    def __init__(self, packs: list[Pack]) -> None:
        self.packs = list(packs)
        self.index = Index.build(self.packs, cue_table())

    def infer(self, text: str, *, given_fandoms: Sequence[str] = ()) -> Suggestions:
        if _word_count(text, MIN_WORDS) < MIN_WORDS:
            return Suggestions()
        found = scan(self.index, text)
        doc = found.doc
        detected = fandoms.detect(self.index, found)
        chosen = self._chosen(detected, given_fandoms)
        ranked = character_ranking.rank(self.index, found, chosen)
        pairs = relationships.suggest(found, ranked, self.packs)
        features = content.Features.of(found)
        fandom_known = 1.0 if given_fandoms else max(chosen.values(), default=0.0)
        romance = 1.0 - math.exp(
            -found.cue_weight(KISS, ROMANCE, SEX_IMPLIED, SEX_EXPLICIT) / ROMANCE_SIGNAL_SCALE
        )
        confident_pairs = [p for p in pairs if p.confidence >= 0.5] or pairs
        return Suggestions(
            fandoms=[
                _suggestion(doc, self.packs[r.pack].name, r.confidence, r.evidence)
                for r in detected
            ],
            characters=[
                _suggestion(doc, c.name, c.confidence, c.evidence_positions()) for c in ranked
            ],
            relationships=[_suggestion(doc, p.name, p.confidence, p.evidence) for p in pairs],
            rating=_judged(doc, content.rating(features), minimum=0.0),
            warnings=_judged(doc, content.warnings(found, features, ranked)),
            category=[
                _suggestion(doc, name, confidence, positions)
                for name, confidence, positions in relationships.categories(
                    confident_pairs, fandom_known, romance
                )
            ],
            freeforms=_judged(doc, content.content_notes(found)),
        )

    def _chosen(
        self, detected: list[fandoms.FandomResult], given_fandoms: Sequence[str]
    ) -> dict[int, float]:
        """Packs whose characters may be suggested, with the confidence in each."""
        if given_fandoms:
            given = fandoms.resolve(self.packs, given_fandoms)
            if given:
                return dict.fromkeys(given, 1.0)
            return {
                r.pack: r.confidence for r in detected if r.confidence >= UNPACKED_GIVEN_CONFIDENCE
            }
        chosen = {r.pack: r.confidence for r in detected if r.confidence >= CROSSOVER_CONFIDENCE}
        if not chosen and detected:
            # No confident fandom: the top one (of tied packs of one canon, the first)
            # still names the characters when the evidence for it is strong.
            top = detected[0]
            confidence = max(top.confidence, TIED_STRENGTH_FACTOR * top.strength)
            if confidence >= TOP_FANDOM_CONFIDENCE:
                chosen[top.pack] = confidence
        return chosen


def _word_count(text: str, enough: int) -> int:
    count = 0
    for _ in _WORD.finditer(text):
        count += 1
        if count >= enough:
            break
    return count


def _sentences(doc: Document, positions: Iterable[int]) -> list[str]:
    quoted: list[str] = []
    for position in positions:
        sentence = doc.sentence_at(position)
        if sentence and sentence not in quoted:
            quoted.append(sentence)
            if len(quoted) == MAX_EVIDENCE:
                break
    return quoted


def _suggestion(
    doc: Document, name: str, confidence: float, positions: Iterable[int]
) -> Suggestion:
    value = round(min(1.0, max(0.0, confidence)), 4)
    return Suggestion(name, value, _sentences(doc, positions) if value > 0 else [])


def _judged(
    doc: Document, judgements: list[content.Judgement], *, minimum: float = MIN_JUDGED
) -> list[Suggestion]:
    """Suggestions in the judgements' order (already best first), without the ones below
    ``minimum``."""
    return [
        _suggestion(doc, j.name, j.confidence, j.positions)
        for j in judgements
        if j.confidence >= minimum
    ]
