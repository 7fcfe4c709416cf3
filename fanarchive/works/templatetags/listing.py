from collections.abc import Mapping
from dataclasses import dataclass

from django import template

from fanarchive.works.listing import DATE_RANGES, RANGE_LABELS

register = template.Library()


@dataclass(frozen=True)
class RangeRow:
    name: str
    label: str
    is_date: bool
    low: str
    high: str


@register.simple_tag
def range_rows(query: Mapping[str, str]) -> list[RangeRow]:
    """The sidebar's range rows, each with the bounds `query` (request.GET) gave, as
    written, so a bad bound is shown back rather than lost."""
    return [
        RangeRow(
            name,
            label,
            name in DATE_RANGES,
            query.get(f"{name}_from", ""),
            query.get(f"{name}_to", ""),
        )
        for name, label in RANGE_LABELS
    ]
