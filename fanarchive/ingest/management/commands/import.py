from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.ingest.registry import discover
from fanarchive.ingest.report import Progress, Report, print_outcomes
from fanarchive.ingest.run import import_files

INTERRUPTED = 130
"""The shell's code for a command stopped by Ctrl-C."""


class Command(BaseCommand):
    help = (
        "Import stories from files, directories (searched recursively) and zip archives "
        "of story files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object per work on stdout"
        )
        parser.add_argument(
            "--force", action="store_true", help="apply a copy that looks older than the stored one"
        )
        parser.add_argument(
            "--keep-duplicates",
            action="store_true",
            help="import works whose text is a near copy of a stored work's (not duplicates)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            metavar="N",
            help="N processes: N-1 read and parse files while one writes (default 1)",
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE.json",
            help="write every file's outcome to FILE.json at the end (also when interrupted)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            # Exit code 2: bad usage, nothing was read.
            raise CommandError(f"no such file or directory: {', '.join(missing)}", returncode=2)
        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more", returncode=2)
        report_path: Path | None = options["report"]
        if report_path is not None and not report_path.parent.is_dir():
            raise CommandError(f"no such directory for --report: {report_path}", returncode=2)
        ensure_archive(self.stderr)

        files = list(discover(options["paths"]))
        outcomes = import_files(
            files,
            force=options["force"],
            keep_duplicates=options["keep_duplicates"],
            jobs=options["jobs"],
        )
        try:
            counts = print_outcomes(
                outcomes,
                stdout=self.stdout,
                stderr=self.stderr,
                as_json=options["json"],
                progress=Progress.for_paths(files, self.stderr._out),
                report=Report(report_path) if report_path is not None else None,
            )
        except KeyboardInterrupt:
            raise SystemExit(INTERRUPTED) from None
        if counts["failed"]:
            raise SystemExit(1)
