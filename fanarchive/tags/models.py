"""AO3's tag model: one typed table, canonical tags and synonyms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
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
    meta_tags = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="MetaTagging",
        through_fields=("sub_tag", "meta_tag"),
        related_name="sub_tags",
        blank=True,
    )
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="ParentLink",
        through_fields=("child", "parent"),
        related_name="children",
        blank=True,
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
        # Filters name tags in any case (works.listing.tags_for).
        indexes = [models.Index(Lower("name"), name="tag_lower_name")]
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

    @property
    def wrangled(self) -> bool:
        return self.canonical or self.merger_id is not None

    def make_canonical(self) -> None:
        self.canonical = True
        self.merger = None
        self.save(update_fields=["canonical", "merger"])
        _filters_changed([self.pk])

    def make_synonym_of(self, canonical: Tag) -> None:
        """Make this tag mean `canonical`. Nothing is deleted: its works, parents and
        synonyms move under the canonical tag, and filters find them there."""
        if canonical.type != self.type:
            raise WranglingError(
                f"{self.type} tag {self.name!r} cannot merge into {canonical.type}"
            )
        canonical = canonical.resolved()
        if canonical.pk == self.pk:
            raise WranglingError(f"tag {self.name!r} cannot be a synonym of itself")
        if not canonical.canonical:
            canonical.canonical = True
            canonical.save(update_fields=["canonical"])
        self.canonical = False
        self.merger = canonical
        self.save(update_fields=["canonical", "merger"])
        # Synonyms of a synonym follow it to the canonical tag.
        self.synonyms.update(merger=canonical)
        for parent in self.parents.all():
            ParentLink.objects.get_or_create(child=canonical, parent=parent)
        for link in MetaTagging.objects.filter(sub_tag=self):
            MetaTagging.objects.get_or_create(sub_tag=canonical, meta_tag=link.meta_tag)
        # Read before the links go: the works of its former sub tags lose it as a meta
        # tag (and may become crossovers), and the refresh can no longer find them.
        former_sub_tags = list(
            MetaTagging.objects.filter(meta_tag=self).values_list("sub_tag_id", flat=True)
        )
        MetaTagging.objects.filter(Q(sub_tag=self) | Q(meta_tag=self)).delete()
        _filters_changed([self.pk, canonical.pk, *former_sub_tags])

    def add_meta_tag(self, meta: Tag) -> None:
        """Works tagged with this tag are found under `meta` too (transitively)."""
        meta = meta.resolved()
        sub = self.resolved()
        if meta.type != sub.type:
            raise WranglingError(f"a {meta.type} tag cannot be a meta tag of a {sub.type} tag")
        if meta.pk == sub.pk or sub.pk in meta_closure().get(meta.pk, set()):
            raise WranglingError(f"{meta.name!r} is already below {sub.name!r}: that would loop")
        for tag in (meta, sub):
            if not tag.canonical:
                tag.make_canonical()
        MetaTagging.objects.get_or_create(sub_tag=sub, meta_tag=meta)
        _filters_changed([sub.pk])

    def remove_meta_tag(self, meta: Tag) -> None:
        MetaTagging.objects.filter(sub_tag=self.resolved(), meta_tag=meta.resolved()).delete()
        _filters_changed([self.resolved().pk])

    def add_parent(self, parent: Tag) -> None:
        """Files this tag under `parent`: a fandom under its media, a character,
        relationship or additional tag under its fandom, a relationship under its
        characters."""
        if parent.type not in ALLOWED_PARENTS.get(self.type, ()):
            raise WranglingError(f"a {parent.type} tag cannot be the parent of a {self.type} tag")
        ParentLink.objects.get_or_create(child=self, parent=parent.resolved())


class WranglingError(ValueError):
    """A wrangling change that would break the tag model; the message says why."""


# Which tag types may file a tag of a type under them (AO3's parent links).
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    TagType.FANDOM: (TagType.MEDIA,),
    TagType.CHARACTER: (TagType.FANDOM,),
    TagType.RELATIONSHIP: (TagType.FANDOM, TagType.CHARACTER),
    TagType.FREEFORM: (TagType.FANDOM,),
}


class MetaTagging(models.Model):
    """`meta_tag` is broader than `sub_tag`: a filter on the meta tag finds the sub
    tag's works (AO3's meta/sub tags)."""

    meta_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="sub_links")
    sub_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="meta_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meta_tag", "sub_tag"], name="metatagging_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sub_tag} < {self.meta_tag}"


class ParentLink(models.Model):
    """Files `child` under `parent`: media -> fandom -> character, relationship,
    additional tag; character -> relationship."""

    parent = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="parent_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="parentlink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.child} in {self.parent}"


def meta_closure() -> dict[int, set[int]]:
    """For each tag with meta tags, every meta tag above it, transitively. The meta
    graph is small next to the works, so it is read whole."""
    direct: dict[int, set[int]] = {}
    for sub_id, meta_id in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"):
        direct.setdefault(sub_id, set()).add(meta_id)
    closure: dict[int, set[int]] = {}
    for start in direct:
        seen: set[int] = set()
        stack = list(direct[start])
        while stack:
            tag_id = stack.pop()
            if tag_id not in seen:
                seen.add(tag_id)
                stack.extend(direct.get(tag_id, ()))
        closure[start] = seen
    return closure


def _filters_changed(tag_ids: list[int]) -> None:
    # Late import: the task module imports works, which imports this module.
    from fanarchive.tags.tasks import refresh_filters_for_tags

    refresh_filters_for_tags.enqueue(tag_ids=tag_ids)


class FilterTagging(models.Model):
    """The materialised answer to "which works does a filter on this tag match": for
    each work, every canonical tag it is found under (its tags resolved through
    synonyms, and all their meta tags). Rebuilt by a task when wrangling changes, so
    filters follow wrangling without re-importing works. `suggested` rows come only from
    suggestions above the threshold: exclusion and the adult gate count them,
    inclusion does not unless asked."""

    work = models.ForeignKey("works.Work", on_delete=models.CASCADE, related_name="filter_taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="filter_taggings")
    suggested = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="filtertagging_unique")]
        indexes = [models.Index(fields=["tag", "suggested", "work"], name="filtertagging_by_tag")]

    def __str__(self) -> str:
        return f"work {self.work_id} under {self.tag_id}{' (suggested)' if self.suggested else ''}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Suggested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class SuggestedTag(models.Model):
    """A tag fanarchive read in the text, shown apart from the tags the creator gave.
    A wrangler or creator accepts it (it becomes a given tag) or rejects it; the
    decision survives re-inference."""

    work = models.ForeignKey("works.Work", on_delete=models.CASCADE, related_name="suggestions")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="suggestions")
    confidence = models.FloatField()
    evidence = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="suggestedtag_unique")]
        ordering = ["-confidence"]

    def __str__(self) -> str:
        return f"{self.tag} on work {self.work_id} ({self.confidence:.2f}, {self.status})"
