from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.ingest.registry import discover
from fanarchive.ingest.report import Progress, add_import_options, report_and_exit, report_of
from fanarchive.ingest.run import import_files


class Command(BaseCommand):
    help = (
        "Import stories from files, directories (searched recursively) and zip archives "
        "of story files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        add_import_options(parser)
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="N processes: N-1 read and parse files while one writes (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            # Exit code 2: bad usage, nothing was read.
            raise CommandError(f"no such file or directory: {', '.join(missing)}", returncode=2)
        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more", returncode=2)
        report = report_of(options)
        ensure_archive(self.stderr)

        files = list(discover(options["paths"]))
        outcomes = import_files(
            files,
            force=options["force"],
            keep_duplicates=options["keep_duplicates"],
            jobs=options["jobs"],
        )
        progress = Progress.for_paths(files, self.stderr._out)
        report_and_exit(self, outcomes, options, report=report, progress=progress)
