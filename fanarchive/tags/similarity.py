"""Rank canonical tags a wrangler might merge an unwrangled tag into.

Framework-free (no Django): the caller passes names and counts it got from the database.

The score of a candidate, between 0 and 1, higher is better:

    name  = max(token_sort_ratio, WRatio) / 100          candidate at least as long
            max(token_sort_ratio, 0.95 * token_set_ratio) / 100   candidate shorter
            rapidfuzz scorers on both names normalised by `normalise_name` (case-folded,
            punctuation read as spaces, accents on Latin letters dropped), so word order
            and "/" versus " x " do not matter and a typo costs little
            ("Hermoine Granger" vs "Hermione Granger" = 0.94). WRatio gives a short tag
            credit for matching part of a longer name ("Buffy" vs "Buffy Summers" =
            0.90); it is not used for a shorter candidate, where that credit rewards
            fragments ("angel" inside "granger" would make "Angel" 0.72 for "Hermoine
            Granger"); whole shared words still count there through token_set_ratio
            ("Harry James Potter" vs "Harry Potter" = 0.95).
            times KIND_PENALTY (0.8) when both names are relationships of different
            kinds ("A/B" romantic, "A & B" platonic), which the normalised names hide.
    share = min(1, cooccurrence[candidate] / works_of_tag)
            the fraction of the tag's works that also carry the candidate's context:
            what `cooccurrence` counts is the caller's choice (works shared with the
            candidate's synonyms, or with the other tags of its fandom);
            taken as 1 (no discount) when `cooccurrence` is None or works_of_tag <= 0.
    score = name * (1 - COOCCURRENCE_WEIGHT + COOCCURRENCE_WEIGHT * share)
            with COOCCURRENCE_WEIGHT = 0.3: a candidate never seen with the tag keeps
            70% of its name similarity, one seen on every work all of it. Co-occurrence
            alone never proposes a candidate: the score is at most the name similarity.

Candidates scoring below `floor` (MIN_SCORE, 0.6) are left out. The rest are sorted by
score, then by the raw co-occurrence count (so with `works_of_tag` unknown co-occurrence
still breaks ties), then by name similarity, then by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from fanarchive.tags.relationships import normalise_name, parse_relationship

COOCCURRENCE_WEIGHT = 0.3
KIND_PENALTY = 0.8
MIN_SCORE = 0.6
SHORTER_SCALE = 0.95


@dataclass(frozen=True)
class Candidate:
    name: str
    """A canonical tag name of the same type as the tag."""
    score: float
    """0..1, higher is better (see the module docstring)."""
    reasons: tuple[str, ...]
    """For the wrangler: ("name similarity 0.92", "shares 14 of its 20 works")."""


@lru_cache(maxsize=65536)
def _normalised(name: str) -> str:
    relationship = parse_relationship(name)
    if relationship is None:
        return normalise_name(name)
    # members only, so the separator (" x ", "/", "&") is not compared as a word
    return normalise_name(" ".join((*relationship.members, relationship.qualifier)))


@lru_cache(maxsize=65536)
def _kind(name: str) -> str | None:
    relationship = parse_relationship(name)
    return relationship.kind if relationship else None


def name_similarity(tag: str, candidate: str, *, cutoff: float = 0.0) -> float:
    """How alike two names are, 0..1, on their normalised forms (see the module
    docstring); 0.0 when below `cutoff` or when either name normalises to nothing."""
    left, right = _normalised(tag), _normalised(candidate)
    if not left or not right:
        return 0.0
    score_cutoff = cutoff * 100
    if len(right) >= len(left):
        other = fuzz.WRatio(left, right, score_cutoff=score_cutoff)
    else:
        other = SHORTER_SCALE * fuzz.token_set_ratio(left, right)
    best = max(fuzz.token_sort_ratio(left, right, score_cutoff=score_cutoff), other)
    return best / 100 if best >= score_cutoff else 0.0


def rank_candidates(
    tag: str,
    canonical: Sequence[str],
    *,
    cooccurrence: Mapping[str, int] | None = None,
    works_of_tag: int = 0,
    limit: int = 5,
    floor: float = MIN_SCORE,
) -> list[Candidate]:
    """The best `limit` of `canonical` for `tag`, best first, each scoring at least
    `floor`. See the module docstring for the formula."""
    if limit <= 0 or not _normalised(tag):
        return []
    tag_kind = _kind(tag)
    use_share = cooccurrence is not None and works_of_tag > 0
    ranked: list[tuple[tuple[float, int, float, str, str], Candidate]] = []
    for name in dict.fromkeys(canonical):
        similarity = name_similarity(tag, name, cutoff=floor)
        if similarity <= 0.0:
            continue
        reasons = [f"name similarity {similarity:.2f}"]
        kind = _kind(name) if tag_kind else None
        if tag_kind and kind and kind != tag_kind:
            similarity *= KIND_PENALTY
            reasons.append(f"{kind}, the tag is {tag_kind}")
        count = max(0, cooccurrence.get(name, 0)) if cooccurrence is not None else 0
        score = similarity
        if use_share:
            share = min(1.0, count / works_of_tag)
            score *= 1 - COOCCURRENCE_WEIGHT + COOCCURRENCE_WEIGHT * share
            reasons.append(f"shares {count} of its {works_of_tag} works")
        elif count:
            reasons.append(f"shares {count} work{'' if count == 1 else 's'}")
        if score < floor:
            continue
        order = (-score, -count, -similarity, name.casefold(), name)
        ranked.append((order, Candidate(name, score, tuple(reasons))))
    ranked.sort(key=lambda item: item[0])
    return [candidate for _, candidate in ranked[:limit]]
