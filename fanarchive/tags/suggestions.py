"""Suggested tags: read from a work's text, stored apart from the tags it was given.

Given tags always win: a suggestion that repeats a given tag is not stored, and a
suggestion never replaces one until a wrangler or the creator accepts it. A decision
(accepted or rejected) survives later inference.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from fanarchive.lib.html import html_to_text
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, SuggestionStatus, Tag, TagType
from fanarchive.tags.wrangling import is_pack_canonical, packs

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from fanarchive.tags.inference import Suggestions, Tagger
    from fanarchive.works.models import Work

# The keys of the inference output, and the tag type each names.
SUGGESTION_TYPES: dict[str, str] = {
    "fandoms": TagType.FANDOM,
    "characters": TagType.CHARACTER,
    "relationships": TagType.RELATIONSHIP,
    "rating": TagType.RATING,
    "warnings": TagType.WARNING,
    "category": TagType.CATEGORY,
    "freeforms": TagType.FREEFORM,
}


@cache
def tagger() -> Tagger:
    """One Tagger per process, built from the shipped packs and the operator's."""
    from fanarchive.tags.inference import Tagger

    return Tagger(packs())


def work_text(work: Work) -> str:
    return "\n\n".join(html_to_text(chapter.body) for chapter in work.chapters.all())


def infer_for_work(work_id: int) -> int:
    from fanarchive.works.models import Work

    work = Work.objects.prefetch_related("tags").get(pk=work_id)
    given_fandoms = [tag.resolved().name for tag in work.tags.all() if tag.type == TagType.FANDOM]
    return store_suggestions(work, tagger().infer(work_text(work), given_fandoms=given_fandoms))


@transaction.atomic
def store_suggestions(work: Work, suggestions: Suggestions) -> int:
    """Replace the work's pending suggestions with these; returns how many are kept."""
    given = {tag.merger_id or tag.pk for tag in work.tags.all()}
    decided = set(
        work.suggestions.exclude(status=SuggestionStatus.PENDING).values_list("tag_id", flat=True)
    )
    kept: set[int] = set()
    for key, tag_type in SUGGESTION_TYPES.items():
        entries = getattr(suggestions, key)
        if tag_type == TagType.RATING:
            entries = entries[:1]  # a work has one rating; only the likeliest is suggested
        for entry in entries:
            tag = _tag(tag_type, entry.name)
            if (tag.merger_id or tag.pk) in given or tag.pk in decided:
                continue
            SuggestedTag.objects.update_or_create(
                work=work,
                tag=tag,
                defaults={
                    "confidence": round(entry.confidence, 4),
                    "evidence": entry.evidence[:3],
                    "status": SuggestionStatus.PENDING,
                },
            )
            kept.add(tag.pk)
    work.suggestions.filter(status=SuggestionStatus.PENDING).exclude(tag_id__in=kept).delete()
    refresh_work_filters([work.pk])
    return len(kept)


def _tag(tag_type: str, name: str) -> Tag:
    # Names a pack defines are canonical there; suggesting them should not fill the
    # wranglers' queue.
    tag, _ = Tag.objects.get_or_create(
        type=tag_type, name=name, defaults={"canonical": is_pack_canonical(tag_type, name)}
    )
    return tag


@transaction.atomic
def accept(suggestion: SuggestedTag, user: AbstractBaseUser | None = None) -> None:
    """The suggestion becomes a given tag. An accepted rating replaces the given one."""
    from fanarchive.works.models import WorkTag

    work = suggestion.work
    if suggestion.tag.type == TagType.RATING:
        WorkTag.objects.filter(work=work, tag__type=TagType.RATING).delete()
    WorkTag.objects.get_or_create(work=work, tag=suggestion.tag)
    _decide(suggestion, SuggestionStatus.ACCEPTED, user)


@transaction.atomic
def reject(suggestion: SuggestedTag, user: AbstractBaseUser | None = None) -> None:
    _decide(suggestion, SuggestionStatus.REJECTED, user)


def _decide(
    suggestion: SuggestedTag, status: SuggestionStatus, user: AbstractBaseUser | None
) -> None:
    suggestion.status = status
    suggestion.decided = timezone.now()
    suggestion.decided_by = user if user is not None and user.is_authenticated else None
    suggestion.save(update_fields=["status", "decided", "decided_by"])
    refresh_work_filters([suggestion.work_id])


def suggestions_as_dict(work_id: int) -> dict[str, list[dict[str, object]]]:
    """A work's stored suggestions in the shape of `fanarchive tags infer --json`:
    each type best first; decisions shown as `status`."""
    by_type = {tag_type: key for key, tag_type in SUGGESTION_TYPES.items()}
    result: dict[str, list[dict[str, object]]] = {key: [] for key in SUGGESTION_TYPES}
    stored = SuggestedTag.objects.filter(work_id=work_id).select_related("tag")
    for suggestion in stored.order_by("-confidence", "tag__name"):
        result[by_type[suggestion.tag.type]].append(
            {
                "name": suggestion.tag.name,
                "confidence": suggestion.confidence,
                "evidence": suggestion.evidence,
                "status": suggestion.status,
            }
        )
    return result
