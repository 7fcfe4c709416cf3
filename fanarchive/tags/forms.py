"""The wrangling forms of a tag's page: make canonical, make a synonym of another tag,
add a meta tag, add a parent. The rules are the model's (Tag.make_synonym_of and the
others); the form names the other tag as people write it and reports refusals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from fanarchive.tags.lookup import TagLookupError, find_tag
from fanarchive.tags.models import FIXED_TAGS, Tag, WranglingError

# Each wrangling action and the label of its button.
ACTIONS: dict[str, str] = {
    "canonical": "Make canonical",
    "synonym": "Make synonym of",
    "meta": "Add meta tag",
    "parent": "Add parent",
}
# The actions that name another tag.
NEEDS_OTHER = frozenset({"synonym", "meta", "parent"})


def is_fixed(tag: Tag | None) -> bool:
    """AO3's ratings, warnings and categories: the adult gate and the listings rely
    on their names, so they are never renamed, retyped, merged or deleted."""
    return tag is not None and tag.name in FIXED_TAGS.get(tag.type, [])


class WrangleForm(forms.Form):
    """One wrangling change to `tag`. `other` names the tag it relates to, written
    `Name` or `type:Name` (fanarchive.tags.lookup.find_tag)."""

    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    other = forms.CharField(required=False, strip=True, label="Tag")

    def __init__(self, tag: Tag, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tag = tag
        self.other_tag: Tag | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == "synonym" and is_fixed(self.tag):
            raise forms.ValidationError(
                f"{self.tag.name} is one of AO3's fixed tags; it cannot become a synonym."
            )
        if action in NEEDS_OTHER:
            written = str(cleaned.get("other") or "")
            if not written:
                self.add_error("other", "Name the tag, as Name or type:Name.")
            else:
                try:
                    self.other_tag = find_tag(written)
                except TagLookupError as error:
                    self.add_error("other", str(error))
        return cleaned

    def apply(self) -> bool:
        """Make the change. False, with the refusal as a form error, when the tag model
        refuses it (nothing is changed then)."""
        if not self.is_valid():
            return False
        try:
            with transaction.atomic():
                self._apply(self.cleaned_data["action"])
        except WranglingError as error:
            self.add_error(None, str(error))
            return False
        return True

    def _apply(self, action: str) -> None:
        other = self.other_tag
        if action == "canonical":
            self.tag.make_canonical()
        elif action == "synonym" and other is not None:
            self.tag.make_synonym_of(other)
        elif action == "meta" and other is not None:
            self.tag.add_meta_tag(other)
        elif action == "parent" and other is not None:
            self.tag.add_parent(other)

    @property
    def success_message(self) -> str:
        other = self.other_tag.resolved().name if self.other_tag else ""
        return {
            "canonical": f"{self.tag.name} is canonical.",
            "synonym": f"{self.tag.name} is now a synonym of {other}.",
            "meta": f"{self.tag.name} is now a sub tag of {other}.",
            "parent": f"{self.tag.name} is filed under {other}.",
        }[self.cleaned_data["action"]]
