import argparse
import html
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.lib.columns import Audience
from fanarchive.search.service import SEARCH_SORTS, SearchHit, SearchQuery, search
from fanarchive.tags.constants import RATINGS
from fanarchive.works.listing import (
    COMPLETION,
    CROSSOVER,
    DATE_RANGES,
    NUMBER_RANGES,
    RANGE_SIDES,
    range_bound,
    ranges_from,
)

_TAG = re.compile(r"<[^>]*>")


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


class Command(BaseCommand):
    help = (
        "Search the archive's posted works as its operator: restricted works included, "
        "adult works' text shown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="", metavar="QUERY")
        parser.add_argument("--include", action="append", default=[], metavar="TAG")
        parser.add_argument("--exclude", action="append", default=[], metavar="TAG")
        parser.add_argument("--rating", action="append", default=[], metavar="R")
        parser.add_argument("--sort", choices=SEARCH_SORTS, default=None)
        parser.add_argument("--limit", type=positive_int, default=20, metavar="N")
        parser.add_argument("--suggested", action="store_true", help="include tags only suggested")
        # `completion` holds the site's `complete` parameter value (a key of COMPLETION).
        completion = parser.add_mutually_exclusive_group()
        completion.add_argument(
            "--complete", dest="completion", action="store_const", const="complete",
            help="complete works only",
        )  # fmt: skip
        completion.add_argument(
            "--wip", dest="completion", action="store_const", const="wip",
            help="works in progress only",
        )  # fmt: skip
        parser.add_argument("--single-chapter", action="store_true", help="one chapter only")
        parser.add_argument("--language", default="", metavar="CODE", help="e.g. en")
        parser.add_argument("--crossover", choices=CROSSOVER, default="include")
        # The site's range parameters: --words-from gives `words_from`, as ?words_from=
        # does. Read strictly in handle(), where a bad bound is bad usage (exit code 2).
        for name in (*NUMBER_RANGES, *DATE_RANGES):
            for side in RANGE_SIDES:
                parser.add_argument(
                    f"--{name}-{side}", metavar="YYYY-MM-DD" if name in DATE_RANGES else "N"
                )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        ratings = tuple(rating_name(value) for value in options["rating"])
        ranges = ranges_from(range_bounds(options))
        ensure_archive(self.stderr)
        query = SearchQuery(
            text=options["query"],
            include=tuple(options["include"]),
            exclude=tuple(options["exclude"]),
            ratings=ratings,
            sort=options["sort"],
            include_suggested=options["suggested"],
            complete=COMPLETION.get(options["completion"] or ""),
            single_chapter=options["single_chapter"],
            language=options["language"].strip(),
            ranges=ranges,
            crossover=CROSSOVER[options["crossover"]],
        )
        # The operator sees what a logged-in reader sees: restricted works included.
        results = search(query, Audience.MEMBER, limit=options["limit"], show_adult_snippets=True)
        if options["json"]:
            payload = {"total": results.total, "results": [as_dict(hit) for hit in results.hits]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            for hit in results.hits:
                self.stdout.write(as_line(hit))
        self.stderr.write(f"{results.total} works found, {len(results.hits)} shown")


def rating_name(value: str) -> str:
    """An AO3 rating name, written in any case; bad usage otherwise."""
    for rating in RATINGS:
        if rating.casefold() == value.strip().casefold():
            return rating
    raise CommandError(f"unknown rating {value!r}; one of: {', '.join(RATINGS)}", returncode=2)


def range_bounds(options: dict[str, Any]) -> dict[str, str]:
    """The range options given, keyed as the site's query parameters (`words_from`);
    bad usage if one is not a whole number (or, for dates, not YYYY-MM-DD)."""
    bounds = {}
    for name in (*NUMBER_RANGES, *DATE_RANGES):
        for side in RANGE_SIDES:
            key = f"{name}_{side}"
            if (value := options.get(key)) is None:
                continue
            if range_bound(name, value) is None:
                wanted = "a date YYYY-MM-DD" if name in DATE_RANGES else "a whole number"
                raise CommandError(f"--{name}-{side} must be {wanted}, not {value!r}", returncode=2)
            bounds[key] = value
    return bounds


def as_dict(hit: SearchHit) -> dict[str, Any]:
    return {
        "work_id": hit.work.pk,
        "title": hit.work.title,
        "snippet": hit.snippet_html,
        "chapter": hit.chapter_position,
        "paragraph": hit.paragraph,
    }


def as_line(hit: SearchHit) -> str:
    """`#12 'Title' chapter 2, paragraph 3: … the *match* …`"""
    line = f"#{hit.work.pk} {hit.work.title!r}"
    if hit.chapter_position is not None:
        line += f" chapter {hit.chapter_position}, paragraph {hit.paragraph}"
    if hit.snippet_html:
        marked = hit.snippet_html.replace("<mark>", "*").replace("</mark>", "*")
        line += ": " + html.unescape(_TAG.sub("", marked))
    return line
