"""Works, their chapters, creators and series, shaped after AO3's."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fanarchive.tags.models import ADULT_RATINGS, DISPLAY_ORDER, NOT_RATED, Tag, TagType

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


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


class WorkQuerySet(models.QuerySet["Work"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> WorkQuerySet:
        """Works a reader may list and open: posted, not hidden, and restricted ones
        only for logged-in readers. Staff see everything."""
        if user.is_staff:
            return self
        visible = self.filter(posted=True, hidden_by_admin=False)
        if not user.is_authenticated:
            visible = visible.filter(restricted=False)
        return visible

    def tagged(self, tag: Tag) -> WorkQuerySet:
        return self.filter(tags__in=tag.filter_tag_ids()).distinct()


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
    hits = models.PositiveIntegerField(default=0)
    kudos = models.PositiveIntegerField(default=0)
    bookmarks = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
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

    def tags_by_type(self) -> dict[str, list[Tag]]:
        grouped: dict[str, list[Tag]] = defaultdict(list)
        for tag in self.tags.all():
            grouped[tag.type].append(tag)
        return {tag_type: sorted(grouped[tag_type], key=lambda t: t.name) for tag_type in DISPLAY_ORDER}

    @property
    def rating(self) -> str:
        ratings = [tag.name for tag in self.tags.all() if tag.type == TagType.RATING]
        return ratings[0] if ratings else NOT_RATED

    @property
    def is_adult(self) -> bool:
        return self.rating in ADULT_RATINGS

    @property
    def chapter_count_display(self) -> str:
        expected = self.expected_chapters if self.expected_chapters is not None else "?"
        return f"{self.posted_chapters}/{expected}"

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


class WorkTag(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="taggings")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="worktag_unique")]
        indexes = [models.Index(fields=["tag", "work"], name="worktag_by_tag")]


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

    @property
    def heading(self) -> str:
        return f"Chapter {self.position}: {self.title}" if self.title else f"Chapter {self.position}"

    def get_absolute_url(self) -> str:
        return reverse("works:chapter", args=[self.work_id, self.position])


class Series(models.Model):
    title = models.TextField()
    summary = models.TextField(blank=True)
    works = models.ManyToManyField(Work, through="SeriesWork", related_name="series")

    class Meta:
        verbose_name_plural = "series"

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
        constraints = [
            models.UniqueConstraint(fields=["series", "work"], name="serieswork_unique")
        ]


class WorkRevision(models.Model):
    """A work's text and metadata as they were before an update replaced them."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="revisions")
    created = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-created"]


def adult_q() -> Q:
    """Works a reader must consent to before seeing text: Mature, Explicit, Not Rated,
    or no rating at all."""
    safe = Tag.objects.filter(type=TagType.RATING).exclude(name__in=ADULT_RATINGS)
    return ~Q(pk__in=WorkTag.objects.filter(tag__in=safe).values("work"))
