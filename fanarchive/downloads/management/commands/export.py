import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.downloads.access import works_of_series
from fanarchive.downloads.book import Book, book_of_series, book_of_work
from fanarchive.downloads.building import write_to
from fanarchive.downloads.formats import FORMAT_NAMES, format_named
from fanarchive.works.models import Series, Work


class Command(BaseCommand):
    help = (
        "Write a work, or a series as one book, as EPUB, PDF, HTML or TXT (AZW3 and MOBI "
        "with calibre). As the archive's operator: drafts, hidden, restricted and adult "
        "works included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("work_id", nargs="?", type=int, metavar="WORK_ID")
        parser.add_argument("--series", type=int, metavar="SERIES_ID", help="a series as one book")
        parser.add_argument("--format", required=True, choices=FORMAT_NAMES, dest="format_name")
        parser.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="file or directory to write (default: the title as file name, here); "
            "- for standard output",
        )

    def handle(self, *args: object, **options: object) -> None:
        ensure_archive(self.stderr)
        work_id, series_id = options["work_id"], options["series"]
        if (work_id is None) == (series_id is None):
            raise CommandError("give a WORK_ID or --series SERIES_ID (one of them)")
        fmt = format_named(str(options["format_name"]))
        if fmt is None:
            raise CommandError(
                f"{options['format_name']} needs calibre's ebook-convert, which is not "
                "installed (apt-get install calibre)"
            )
        book = _series_book(int(series_id)) if series_id is not None else _work_book(work_id)
        output = options["output"]
        if output == "-":
            fmt.write(book, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        destination = Path(str(output)) if output else Path.cwd()
        if destination.is_dir():
            destination = destination / f"{book.filename_stem}.{fmt.EXTENSION}"
        write_to(book, fmt, destination)
        self.stdout.write(str(destination))


def _work_book(work_id: object) -> Book:
    try:
        return book_of_work(Work.objects.get(pk=work_id))
    except Work.DoesNotExist:
        raise CommandError(f"no work with id {work_id}") from None


def _series_book(series_id: int) -> Book:
    try:
        series = Series.objects.get(pk=series_id)
    except Series.DoesNotExist:
        raise CommandError(f"no series with id {series_id}") from None
    works = works_of_series(series, Work.objects.all())
    if not works:
        raise CommandError(f"series {series_id} has no works")
    return book_of_series(series, works)
