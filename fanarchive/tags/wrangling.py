"""The wranglers' queue: unwrangled tags per fandom, with ranked suggestions.

Suggestions come from relationship normalisation (the same characters in another
order, spelling or alias) and from string similarity and co-occurrence with canonical
tags. A wrangler confirms them; with AUTO_SYNONYMS, exact relationship equivalents are
merged without one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from fanarchive.tags.models import ParentLink, Tag, TagType
from fanarchive.tags.packs import Pack, load_packs, pack_directories
from fanarchive.tags.relationships import (
    CharacterResolver,
    canonical_name,
    suggest_relationship_synonyms,
)
from fanarchive.tags.similarity import rank_candidates

WRANGLED_TYPES = (TagType.FANDOM, TagType.CHARACTER, TagType.RELATIONSHIP, TagType.FREEFORM)


@dataclass
class QueueEntry:
    tag: Tag
    works: int
    candidates: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "tag": self.tag.name,
            "type": self.tag.type,
            "works": self.works,
            "candidates": self.candidates,
        }


@cache
def packs() -> list[Pack]:
    return load_packs(*pack_directories(settings.DATA_DIR))


@cache
def resolver() -> CharacterResolver:
    return CharacterResolver(packs())


@cache
def _pack_canonical_names() -> frozenset[tuple[str, str]]:
    names = {(TagType.FANDOM, pack.name) for pack in packs()}
    for pack in packs():
        names |= {(TagType.CHARACTER, character.name) for character in pack.characters}
        names |= {(TagType.RELATIONSHIP, name) for name in pack.relationships}
    return frozenset(names)


def is_pack_canonical(tag_type: str, name: str) -> bool:
    """Whether a fandom pack names this tag as canonical: such a tag needs no wrangler
    when it first arrives."""
    return (tag_type, name) in _pack_canonical_names()


def unwrangled(fandom: Tag | None = None) -> QuerySet[Tag]:
    """Tags no wrangler has looked at: neither canonical nor a synonym. With a fandom,
    those filed under it or used on its works."""
    tags = Tag.objects.filter(canonical=False, merger__isnull=True, type__in=WRANGLED_TYPES)
    if fandom is not None:
        fandom = fandom.resolved()
        fandoms = [fandom.pk, *fandom.synonyms.values_list("pk", flat=True)]
        on_its_works = Q(taggings__work__taggings__tag_id__in=fandoms)
        filed_under = Q(pk__in=ParentLink.objects.filter(parent=fandom).values("child"))
        tags = tags.filter(on_its_works | filed_under).exclude(pk__in=fandoms)
    return tags.distinct()


def queue(fandom: Tag | None = None, limit: int = 5) -> list[QueueEntry]:
    """The unwrangled queue, most-used tags first, each with ranked suggestions."""
    tags = unwrangled(fandom).annotate(work_count=Count("taggings", distinct=True))
    fandom_names = [fandom.resolved().name] if fandom is not None else []
    entries = []
    for tag in tags.order_by("-work_count", "type", "name"):
        entry = QueueEntry(tag, tag.work_count)
        entry.candidates = _candidates(tag, fandom_names, limit)
        entries.append(entry)
    return entries


def _canonical_names(tag_type: str, fandom_names: list[str]) -> list[str]:
    """Canonical tags a queue entry may merge into: those of the fandom (filed under it
    or used on its works) first; all of the type when the fandom has none yet."""
    canonical = Tag.objects.filter(type=tag_type, canonical=True)
    if fandom_names:
        filed = canonical.filter(parents__name__in=fandom_names)
        used = canonical.filter(taggings__work__taggings__tag__name__in=fandom_names)
        nearby = list((filed | used).distinct().values_list("name", flat=True))
        if nearby:
            return nearby
    return list(canonical.values_list("name", flat=True))


def _cooccurrence(tag: Tag) -> Counter[str]:
    """For each canonical tag of the same type: works it shares with `tag`'s fandoms."""
    fandoms = Tag.objects.filter(type=TagType.FANDOM, taggings__work__taggings__tag=tag)
    shared = Tag.objects.filter(
        type=tag.type, canonical=True, taggings__work__taggings__tag__in=fandoms
    ).annotate(shared=Count("taggings__work", distinct=True))
    return Counter({row.name: row.shared for row in shared})


def _candidates(tag: Tag, fandom_names: list[str], limit: int) -> list[dict[str, object]]:
    canonical = _canonical_names(tag.type, fandom_names)
    found: dict[str, dict[str, object]] = {}
    if tag.type == TagType.RELATIONSHIP:
        for suggestion in suggest_relationship_synonyms(
            [tag.name], canonical, resolver(), fandom_names
        ):
            found[suggestion.canonical] = {
                "name": suggestion.canonical,
                "score": 1.0 if suggestion.exact else 0.9,
                "exact": suggestion.exact,
                "reasons": [suggestion.reason],
            }
    works = tag.taggings.count()
    for candidate in rank_candidates(
        tag.name, canonical, cooccurrence=_cooccurrence(tag), works_of_tag=works, limit=limit
    ):
        found.setdefault(
            candidate.name,
            {
                "name": candidate.name,
                "score": round(candidate.score, 3),
                "exact": False,
                "reasons": list(candidate.reasons),
            },
        )
    ranked = sorted(found.values(), key=lambda c: -float(c["score"]))  # type: ignore[arg-type]
    return ranked[:limit]


def auto_wrangle(tag: Tag, fandoms: list[str]) -> Tag | None:
    """With AUTO_SYNONYMS, make a new relationship tag a synonym of the canonical tag
    it exactly equals (same characters, same kind; nicknames count only within the
    work's fandoms). Returns that canonical tag."""
    if not settings.AUTO_SYNONYMS or tag.type != TagType.RELATIONSHIP or tag.wrangled:
        return None
    # Only the canonical relationships of the same fandoms can be the same pairing.
    nearby = Tag.objects.filter(type=TagType.RELATIONSHIP, canonical=True)
    if fandoms:
        nearby = nearby.filter(taggings__work__taggings__tag__name__in=fandoms).distinct()
    names = {row.name: row for row in nearby}
    for suggestion in suggest_relationship_synonyms([tag.name], names, resolver(), fandoms):
        if suggestion.exact and suggestion.canonical in names:
            canonical = names[suggestion.canonical]
            tag.make_synonym_of(canonical)
            return canonical
    return None


def canonical_relationship_name(name: str) -> str | None:
    return canonical_name(name, resolver())


def merge_into_top_candidate(tag: Tag, fandom: Tag | None = None) -> Tag | None:
    """The queue's bulk action: make `tag` a synonym of its best candidate, creating
    that canonical tag when normalisation names one that does not exist yet. Returns
    the canonical tag, or None when there is no candidate."""
    fandom_names = [fandom.resolved().name] if fandom is not None else []
    candidates = _candidates(tag, fandom_names, limit=1)
    if not candidates:
        return None
    target, _ = Tag.objects.get_or_create(
        type=tag.type, name=str(candidates[0]["name"]), defaults={"canonical": True}
    )
    tag.make_synonym_of(target)
    return target.resolved()


def apply_to_queue(tags: list[Tag], action: str, fandom: Tag | None = None) -> int:
    """A bulk action over queue entries: "merge" (into each one's best candidate) or
    "canonical". Returns how many tags changed."""
    done = 0
    for tag in tags:
        if tag.wrangled:
            continue
        if action == "canonical":
            tag.make_canonical()
            done += 1
        elif action == "merge" and merge_into_top_candidate(tag, fandom) is not None:
            done += 1
    return done
