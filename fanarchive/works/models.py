"""Works, their chapters, creators and series, shaped after AO3's."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from fanarchive.lib.columns import Audience
from fanarchive.tags.constants import NOT_RATED, SAFE_RATINGS
from fanarchive.tags.filtering import strong_suggestions, works_under
from fanarchive.tags.models import DISPLAY_ORDER, SuggestedTag, Tag, TagType

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


# A language code such as "en", "pt-BR" or "zh-Hans", as a `lang` attribute takes it.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


class Creator(models.Model):
    """A name a work is credited to. Imported authors are external names that an
    account may claim later."""

    name = models.TextField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("works:creator", args=[self.name])


class CreatorContact(models.Model):
    """What an old archive knew about an author and readers must never see: kept so the
    author can be found, and can prove who they are when they claim their works. Only
    the admin shows it."""

    creator = models.OneToOneField(Creator, on_delete=models.CASCADE, related_name="contact")
    email = models.TextField(blank=True)
    real_name = models.TextField(blank=True)
    website = models.TextField(blank=True)
    bio = models.TextField(blank=True, help_text="As the old archive stored it; not sanitised.")
    archive = models.TextField(blank=True, help_text="The archive these details came from.")
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact details of {self.creator}"


def language_name(language: str) -> str:
    """A stored language as a reader reads it ("English", "Français"), else as stored."""
    info = LANG_INFO.get(language.strip().lower(), {})
    return capfirst(info.get("name_local") or info.get("name") or language)


def language_tag(language: str) -> str:
    """A stored language as a BCP 47 tag for a `lang` attribute, or "" when it is not
    one (a language name, say)."""
    return language.strip() if LANGUAGE_TAG.fullmatch(language.strip()) else ""


def is_web_address(value: str) -> bool:
    """Whether a stored value may become a link: only http(s), never javascript:."""
    return value.lower().startswith(("http://", "https://"))


def audience_of(user: AbstractBaseUser | AnonymousUser) -> Audience:
    if user.is_staff:
        return Audience.STAFF
    return Audience.MEMBER if user.is_authenticated else Audience.PUBLIC


class WorkQuerySet(models.QuerySet["Work"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> WorkQuerySet:
        """Works a reader may list and open: posted, not hidden, and restricted ones
        only for logged-in readers. Staff see everything."""
        return self.for_audience(audience_of(user))

    def for_audience(self, audience: Audience) -> WorkQuerySet:
        if audience == Audience.STAFF:
            return self
        visible = self.filter(posted=True, hidden_by_admin=False)
        if audience == Audience.PUBLIC:
            visible = visible.filter(restricted=False)
        return visible

    def update(self, **kwargs: Any) -> int:
        # The in-memory listing columns learn of changes from notes; an UPDATE sends no
        # signal, so it leaves one here.
        from fanarchive.search.columns import note_changed

        with transaction.atomic(using=self.db):
            changed = list(self.values_list("pk", flat=True))
            if not changed:
                return 0
            count = super().update(**kwargs)
            note_changed(changed)
        return count

    def tagged(self, tag: Tag, *, include_suggested: bool = False) -> WorkQuerySet:
        """Works a filter on `tag` finds (its synonyms and sub tags included)."""
        # A subquery, not a join: no DISTINCT over every column of every work.
        return self.filter(pk__in=works_under(tag, include_suggested=include_suggested))

    def needing_rating_review(self) -> WorkQuerySet:
        """Works rated General or Teen by their creators that a pending suggestion above
        the threshold rates higher: gated until a wrangler decides (Work.is_adult)."""
        return self._rated_safe().filter(pk__in=_adult_rating_suggestions().values("work_id"))

    def not_adult(self) -> WorkQuerySet:
        """The works `Work.is_adult` lets anyone read, as one query: for listings that
        must leave adult works out (the OPDS catalog, which cannot ask for consent)."""
        return self._rated_safe().exclude(pk__in=_adult_rating_suggestions().values("work_id"))

    def _rated_safe(self) -> WorkQuerySet:
        """Rated by their creators, with safe ratings alone (synonyms resolved)."""
        safe = Tag.objects.filter(type=TagType.RATING).filter(
            Q(name__in=SAFE_RATINGS, merger__isnull=True) | Q(merger__name__in=SAFE_RATINGS)
        )
        ratings = WorkTag.objects.filter(tag__type=TagType.RATING)
        return self.filter(pk__in=ratings.filter(tag__in=safe).values("work_id")).exclude(
            pk__in=ratings.exclude(tag__in=safe).values("work_id")
        )

    def login_would_show(self) -> WorkQuerySet:
        """Works a logged-in reader may open and an anonymous one may not: posted, not
        hidden, restricted."""
        return self.filter(posted=True, hidden_by_admin=False, restricted=True)


class Work(models.Model):
    title = models.TextField()
    summary = models.TextField(blank=True, help_text="Sanitised HTML.")
    notes = models.TextField(blank=True, help_text="Sanitised HTML.")
    end_notes = models.TextField(blank=True, help_text="Sanitised HTML.")
    language = models.TextField(default="en", blank=True)
    word_count = models.PositiveIntegerField(default=0)
    expected_chapters = models.PositiveIntegerField(null=True, blank=True)
    posted_chapters = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(default=True)
    published = models.DateField(default=timezone.localdate)
    updated = models.DateField(default=timezone.localdate)
    restricted = models.BooleanField(default=False, help_text="Only logged-in readers.")
    posted = models.BooleanField(default=True, help_text="Unposted works are drafts.")
    hidden_by_admin = models.BooleanField(default=False)
    source_url = models.TextField(blank=True, db_index=True)
    imported_from = models.TextField(
        blank=True, help_text="The archive the work was rescued from, shown on its page."
    )
    original_location = models.TextField(
        blank=True, help_text="Where the work lived in that archive: a URL, or its id there."
    )
    hits = models.PositiveIntegerField(default=0)
    kudos = models.PositiveIntegerField(default=0)
    bookmarks = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    crossover = models.BooleanField(
        default=False,
        db_index=False,
        help_text="Whether no one of the work's fandoms is related to all the others "
        "(AO3's rule); kept by tags.filtering.refresh_work_filters as wrangling changes.",
    )
    creators = models.ManyToManyField(Creator, through="WorkCreator", related_name="works")
    tags = models.ManyToManyField(Tag, through="WorkTag", related_name="works")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-updated", "-id"], name="work_updated"),
            models.Index(fields=["-published", "-id"], name="work_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("works:detail", args=[self.pk])

    @property
    def original_location_is_link(self) -> bool:
        """Whether the original location can be linked: only web addresses, so a stored
        value can never become a javascript: link."""
        return is_web_address(self.original_location)

    def tags_by_type(self) -> dict[str, list[Tag]]:
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for tag in self.tags.all():
            grouped[tag.type].append(tag)
        return {
            tag_type: sorted(grouped[tag_type], key=lambda t: t.name) for tag_type in DISPLAY_ORDER
        }

    @property
    def rating(self) -> str:
        ratings = [tag.name for tag in self.tags.all() if tag.type == TagType.RATING]
        return ratings[0] if ratings else NOT_RATED

    @property
    def is_adult(self) -> bool:
        """Whether a reader must consent before seeing the text. Errs towards the gate:
        no rating, a rating that is not a safe one, or an adult rating beside a safe
        one all count as adult."""
        if not self.has_safe_ratings:
            return True
        return self.suggested_adult_rating() is not None

    @property
    def has_safe_ratings(self) -> bool:
        """Rated, and only with safe ratings (General or Teen), by its creator."""
        ratings = [tag.resolved().name for tag in self.tags.all() if tag.type == TagType.RATING]
        return bool(ratings) and SAFE_RATINGS.issuperset(ratings)

    @property
    def needs_rating_review(self) -> bool:
        """Rated safe by its creator but suggested adult: gated, and flagged for
        wranglers, until one decides. Suggestions may protect a reader, never expose."""
        return self.has_safe_ratings and self.suggested_adult_rating() is not None

    def suggested_adult_rating(self) -> SuggestedTag | None:
        """The likeliest pending adult rating suggestion above the threshold."""
        return (
            _adult_rating_suggestions()
            .filter(work=self)
            .select_related("tag")
            .order_by("-confidence")
            .first()
        )

    @property
    def chapter_count_display(self) -> str:
        expected = self.expected_chapters if self.expected_chapters is not None else "?"
        return f"{self.posted_chapters}/{expected}"

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def language_tag(self) -> str:
        return language_tag(self.language)

    def recount(self) -> None:
        """Word and chapter counts from the stored chapters, after chapters change
        outside an import (the admin)."""
        totals = self.chapters.aggregate(words=models.Sum("word_count"), count=models.Count("pk"))
        self.word_count = totals["words"] or 0
        self.posted_chapters = totals["count"]
        Work.objects.filter(pk=self.pk).update(
            word_count=self.word_count, posted_chapters=self.posted_chapters
        )

    def creator_names(self) -> list[str]:
        return [link.creator.name for link in self.creator_links.select_related("creator")]

    def can_be_read_by(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return Work.objects.visible_to(user).filter(pk=self.pk).exists()


class WorkCreator(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creator_links")
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="work_links")
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "creator"], name="workcreator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.creator} on work {self.work_id}"


class WorkTag(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="taggings")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="worktag_unique")]
        indexes = [models.Index(fields=["tag", "work"], name="worktag_by_tag")]

    def __str__(self) -> str:
        return f"{self.tag} on work {self.work_id}"


def chapter_heading(position: int, title: str) -> str:
    """A chapter's heading on its page, in the index and in every download."""
    return f"Chapter {position}: {title}" if title else f"Chapter {position}"


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="Sanitised HTML.")
    notes = models.TextField(blank=True, help_text="Sanitised HTML.")
    end_notes = models.TextField(blank=True, help_text="Sanitised HTML.")
    published = models.DateField(null=True, blank=True)
    body = models.TextField(help_text="Sanitised HTML; every paragraph has an id p<n>.")
    word_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "position"], name="chapter_position_unique")
        ]

    def __str__(self) -> str:
        return self.heading

    def get_absolute_url(self) -> str:
        return reverse("works:chapter", args=[self.work_id, self.position])

    @property
    def heading(self) -> str:
        return chapter_heading(self.position, self.title)


class Series(models.Model):
    title = models.TextField()
    summary = models.TextField(blank=True)
    works = models.ManyToManyField(Work, through="SeriesWork", related_name="series")

    class Meta:
        verbose_name_plural = "series"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("works:series", args=[self.pk])


class SeriesWork(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="entries")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="series_entries")
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["series", "position"]
        constraints = [models.UniqueConstraint(fields=["series", "work"], name="serieswork_unique")]

    def __str__(self) -> str:
        return f"Part {self.position} of {self.series}"


class WorkRevision(models.Model):
    """A work's text and metadata as they were before an update replaced them."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="revisions")
    created = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"work {self.work_id} before {self.created:%Y-%m-%d %H:%M}"


def _adult_rating_suggestions() -> QuerySet[SuggestedTag]:
    return SuggestedTag.objects.filter(strong_suggestions(), tag__type=TagType.RATING).exclude(
        tag__name__in=SAFE_RATINGS
    )


def adult_work_ids(works: list[Work]) -> set[int]:
    """Which of these works need consent, as `Work.is_adult` decides, in one query for
    a whole page (tags prefetched) instead of one per work."""
    rated_safe = [work for work in works if work.has_safe_ratings]
    suggested = set(
        _adult_rating_suggestions().filter(work__in=rated_safe).values_list("work_id", flat=True)
    )
    return {work.pk for work in works if not work.has_safe_ratings or work.pk in suggested}
