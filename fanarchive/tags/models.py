"""AO3's tag model: one typed table, canonical tags and synonyms."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from fanarchive.tags.constants import ARCHIVE_WARNINGS, CATEGORIES, RATINGS


class TagType(models.TextChoices):
    MEDIA = "media", "Media"
    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"


FIXED_TAGS: dict[str, list[str]] = {
    TagType.RATING: RATINGS,
    TagType.WARNING: ARCHIVE_WARNINGS,
    TagType.CATEGORY: CATEGORIES,
}

# The order AO3 shows tag types in a work's meta block.
DISPLAY_ORDER = [
    TagType.RATING,
    TagType.WARNING,
    TagType.CATEGORY,
    TagType.FANDOM,
    TagType.RELATIONSHIP,
    TagType.CHARACTER,
    TagType.FREEFORM,
]


class TagQuerySet(models.QuerySet["Tag"]):
    def of_type(self, tag_type: str) -> TagQuerySet:
        return self.filter(type=tag_type)


class Tag(models.Model):
    type = models.CharField(max_length=20, choices=TagType.choices)
    # No length limit: a rescued work keeps every tag as its source wrote it.
    name = models.TextField()
    canonical = models.BooleanField(default=False)
    merger = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="synonyms",
        help_text="The canonical tag this one is a synonym of.",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "name"], name="tag_unique_per_type"),
            models.CheckConstraint(
                condition=Q(merger__isnull=True) | Q(canonical=False),
                name="tag_canonical_is_no_synonym",
            ),
        ]
        ordering = ["type", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tags:detail", args=[self.type, self.name])

    @property
    def filter_value(self) -> str:
        """How the works index's `tag` parameter names this tag: "type:name"."""
        return f"{self.type}:{self.name}"

    @property
    def type_label(self) -> str:
        return TagType(self.type).label

    def resolved(self) -> Tag:
        """The tag a filter on this one means: its canonical tag if it is a synonym."""
        return self.merger if self.merger_id else self

    def filter_tag_ids(self) -> set[int]:
        """Ids of every tag whose works a filter on this tag finds: the canonical tag
        and all its synonyms."""
        canonical = self.resolved()
        return {canonical.pk, *canonical.synonyms.values_list("pk", flat=True)}

    def make_synonym_of(self, canonical: Tag) -> None:
        if canonical.type != self.type:
            raise ValueError(f"{self.type} tag {self.name!r} cannot merge into {canonical.type}")
        canonical = canonical.resolved()
        if canonical.pk == self.pk:
            raise ValueError(f"tag {self.name!r} cannot be a synonym of itself")
        self.canonical = False
        self.merger = canonical
        self.save(update_fields=["canonical", "merger"])
        # Synonyms of a synonym follow it to the canonical tag.
        self.synonyms.update(merger=canonical)
