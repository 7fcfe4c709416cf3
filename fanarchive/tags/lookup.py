"""Tags as people write them: `Name`, or `Type:Name` where the name alone is ambiguous."""

from __future__ import annotations

from fanarchive.lib.text import strip_controls
from fanarchive.tags.models import Tag, TagType


class TagLookupError(LookupError):
    """No tag, or more than one, answers to what was written; the message says which."""


def parse_tag(value: str) -> tuple[str | None, str]:
    """("fandom", "Sherlock") for "fandom:Sherlock"; (None, name) when the part before a
    colon is no tag type, as in "Star Trek: The Original Series". Control characters
    are dropped: no tag name holds them, and PostgreSQL refuses NUL in a query."""
    value = strip_controls(value, keep_line_breaks=False)
    prefix, colon, name = value.partition(":")
    tag_type = prefix.strip().lower()
    if colon and tag_type in TagType.values and name.strip():
        return tag_type, name.strip()
    return None, value.strip()


def find_tag(value: str) -> Tag:
    """The one tag `value` names (exact name first, then ignoring case)."""
    tag_type, name = parse_tag(value)
    tags = Tag.objects.select_related("merger")
    if tag_type:
        tags = tags.filter(type=tag_type)
    matches = list(tags.filter(name=name)) or list(tags.filter(name__iexact=name))
    if not matches:
        raise TagLookupError(f"no tag named {value!r}")
    if len(matches) > 1:
        types = ", ".join(f"{tag.type}:{tag.name}" for tag in matches)
        raise TagLookupError(f"{value!r} is ambiguous; write one of: {types}")
    return matches[0]
