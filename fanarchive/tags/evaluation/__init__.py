"""Scoring suggested tags against stories whose tags are known.

`stories/` holds the frozen evaluation set: stories written for fanarchive, each with
its true tags in a header. It was written before any inference rule was tuned and is
not edited to suit the rules. `evaluate_paths` reads tagged works through the real
importers, hides their tags, infers, and compares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fanarchive.ingest.parsed import ParsedWork, ParseError
from fanarchive.ingest.registry import discover, importer_for
from fanarchive.lib.html import html_to_text
from fanarchive.tags.constants import CHOSE_NOT_TO_WARN, NO_WARNINGS

FROZEN_SET = Path(__file__).resolve().parent / "stories"
TYPES = ("fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms")


def truth_of(parsed: ParsedWork) -> dict[str, set[str]]:
    """The tags a story was given, relationships written as the tagger writes them
    (the pack's form, else names in alphabetical order), so "Dean Winchester/Castiel"
    and "Castiel/Dean Winchester" are one relationship."""
    from fanarchive.tags.relationships import canonical_name
    from fanarchive.tags.wrangling import packs, resolver

    known = [name for pack in packs() for name in pack.relationships]
    relationships = {
        canonical_name(name, resolver(), parsed.fandoms, known) or name
        for name in parsed.relationships
    }
    return {
        "fandoms": set(parsed.fandoms),
        "characters": set(parsed.characters),
        "relationships": relationships,
        "rating": {parsed.rating} if parsed.rating else set(),
        "warnings": set(parsed.warnings) - {NO_WARNINGS, CHOSE_NOT_TO_WARN},
        "category": set(parsed.categories),
        "freeforms": set(parsed.freeforms),
    }


def cases_from(paths: list[Path]) -> list[Any]:
    from fanarchive.tags.inference.evaluate import Case

    cases = []
    for path in discover(paths):
        try:
            with path.open("rb") as stream:
                for parsed in importer_for(path).parse(stream, str(path)):
                    text = "\n\n".join(html_to_text(chapter.body) for chapter in parsed.chapters)
                    cases.append(Case(name=path.name, text=text, truth=truth_of(parsed)))
        except ParseError as error:
            raise ParseError(f"{path}: {error}") from None
    return cases


def evaluate_paths(paths: list[Path], tagger: Any = None) -> dict[str, Any]:
    """Score `tagger` (by default the archive's, with its operator packs) on the tagged
    stories under `paths`."""
    from django.conf import settings

    from fanarchive.tags.inference.evaluate import evaluate
    from fanarchive.tags.suggestions import tagger as archive_tagger

    tagger = tagger or archive_tagger()
    return evaluate(cases_from(paths), tagger, threshold=settings.SUGGESTION_THRESHOLD)


def format_report(report: dict[str, Any]) -> str:
    lines = [f"{'type':<14} {'precision':>9} {'recall':>7} {'support':>8}"]
    for name in TYPES:
        row = report["types"][name]
        lines.append(
            f"{name:<14} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['support']:>8}"
        )
    adult = report["adult"]
    lines.append(
        f"{'adult':<14} {adult['precision']:>9.3f} {adult['recall']:>7.3f} {adult['support']:>8}"
    )
    lines.append(f"fandom accuracy (packed fandoms): {report['fandom_accuracy']:.3f}")
    lines.append("rating confusion (true -> predicted):")
    for true_rating, row in report["rating_confusion"].items():
        cells = ", ".join(f"{predicted}: {count}" for predicted, count in row.items())
        lines.append(f"  {true_rating}: {cells}")
    return "\n".join(lines)
