from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.ingest.report import print_outcomes
from fanarchive.ingest.run import import_paths


class Command(BaseCommand):
    help = "Import stories from files and directories (searched recursively)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object per work on stdout"
        )
        parser.add_argument(
            "--force", action="store_true", help="apply a copy that looks older than the stored one"
        )
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
        ensure_archive(self.stderr)

        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more", returncode=2)
        outcomes = import_paths(options["paths"], force=options["force"], jobs=options["jobs"])
        counts = print_outcomes(
            outcomes, stdout=self.stdout, stderr=self.stderr, as_json=options["json"]
        )
        if counts["failed"]:
            raise SystemExit(1)
