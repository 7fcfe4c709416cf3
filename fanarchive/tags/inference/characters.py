"""Which characters a story is about, resolved within its fandom(s).

Mentions of a character's name, aliases, nicknames and derived first names/surnames
are pooled under the canonical name; a form two characters of one pack share goes to
the one with clearly more unshared mentions, else to nobody. Salience grows with the
number of mentions, the paragraphs they spread over and dialogue attribution, and is
judged against the most mentioned character: one passing mention scores low.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass

from fanarchive.tags.inference.scan import Index, NameEntry, NameHit, Scan

MENTION_SCALE = 3.0
MIN_CONFIDENCE = 0.05
MAX_CHARACTERS = 25


@dataclass
class CharacterResult:
    pack: int
    character: int
    name: str
    gender: str
    confidence: float
    mentions: list[NameHit]
    """Counted mentions, in text order."""

    @functools.cached_property
    def positions(self) -> list[int]:
        return [hit.start for hit in self.mentions]

    def evidence_positions(self) -> list[int]:
        attributed = [hit.start for hit in self.mentions if hit.attributed]
        return attributed[:2] + self.positions[:3]


def _owners(index: Index, phrase_key: str, chosen: dict[int, float]) -> tuple[int, set[int]] | None:
    """(pack, characters) a form may mean within the chosen packs."""
    by_pack: defaultdict[int, set[int]] = defaultdict(set)
    for entry in index.table[phrase_key]:
        if isinstance(entry, NameEntry) and entry.pack in chosen:
            by_pack[entry.pack].add(entry.character)
    if not by_pack:
        return None
    pack = max(by_pack, key=lambda p: (chosen[p], -p))
    return pack, by_pack[pack]


def assign(index: Index, scan: Scan, chosen: dict[int, float]) -> dict[tuple[int, int], list]:
    """Mentions per (pack, character) within the chosen packs."""
    mentions: defaultdict[tuple[int, int], list[NameHit]] = defaultdict(list)
    ambiguous: list[tuple[int, set[int], list[NameHit]]] = []
    for phrase_key in scan.names:
        owners = _owners(index, phrase_key, chosen)
        if owners is None:
            continue
        valid, _ = scan.valid(phrase_key, in_fandom=True)
        if not valid:
            continue
        pack, characters = owners
        if len(characters) == 1:
            mentions[(pack, next(iter(characters)))].extend(valid)
        else:
            ambiguous.append((pack, characters, valid))
    for pack, characters, valid in ambiguous:
        counts = sorted(((len(mentions.get((pack, c), ())), c) for c in characters), reverse=True)
        (best, owner), (second, _) = counts[0], counts[1]
        if best > 0 and best >= 2 * second:
            mentions[(pack, owner)].extend(valid)
    return mentions


def rank(index: Index, scan: Scan, chosen: dict[int, float]) -> list[CharacterResult]:
    """Characters of the chosen packs (pack -> fandom confidence), most salient first."""
    mentions = assign(index, scan, chosen)
    if not mentions:
        return []
    unique = {k: _unique(hits) for k, hits in mentions.items()}
    top = max(len(hits) for hits in unique.values())
    results: dict[str, CharacterResult] = {}
    for (pack, number), hits in unique.items():
        character = index.packs[pack].characters[number]
        confidence = _salience(hits, top) * min(1.0, 0.4 + chosen[pack])
        if confidence < MIN_CONFIDENCE:
            continue
        name = character.name
        result = CharacterResult(pack, number, name, character.gender, confidence, hits)
        if name not in results or results[name].confidence < confidence:
            results[name] = result
    ranked = sorted(results.values(), key=lambda r: (-r.confidence, r.positions[0]))
    return ranked[:MAX_CHARACTERS]


def _unique(hits: list[NameHit]) -> list[NameHit]:
    seen: dict[int, NameHit] = {}
    for hit in hits:
        seen.setdefault(hit.start, hit)
    return [seen[start] for start in sorted(seen)]


def _salience(hits: list[NameHit], top: int) -> float:
    count = len(hits)
    attributed = sum(1 for hit in hits if hit.attributed)
    spread = len({hit.paragraph for hit in hits})
    amount = count + attributed + 0.5 * min(spread - 1, 4)
    absolute = 1.0 - math.exp(-amount / MENTION_SCALE)
    relative = 0.55 + 0.45 * min(1.0, 3.0 * count / top)
    return absolute * relative
