from django import template
from django.utils.safestring import SafeString, mark_safe

from fanarchive.lib.html import scope_paragraph_ids

register = template.Library()


@register.filter
def chapter_scoped_ids(body: str, position: int) -> SafeString:
    """A stored (already sanitised) chapter body with ids unique on a whole-work page."""
    return mark_safe(scope_paragraph_ids(body, f"c{position}"))  # noqa: S308
