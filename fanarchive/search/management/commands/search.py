import argparse
import html
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.search.service import SEARCH_SORTS, SearchHit, SearchQuery, search
from fanarchive.tags.constants import RATINGS
from fanarchive.works.models import Work

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
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        ratings = tuple(rating_name(value) for value in options["rating"])
        ensure_archive(self.stderr)
        query = SearchQuery(
            text=options["query"],
            include=tuple(options["include"]),
            exclude=tuple(options["exclude"]),
            ratings=ratings,
            sort=options["sort"],
            include_suggested=options["suggested"],
        )
        works = Work.objects.filter(posted=True, hidden_by_admin=False)
        results = search(query, works, limit=options["limit"], show_adult_snippets=True)
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
