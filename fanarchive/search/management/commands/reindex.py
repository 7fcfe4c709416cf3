import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanarchive.core.archive import ensure_archive
from fanarchive.search.indexing import WORK_BATCH, rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every work, in batches (searching works meanwhile)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=WORK_BATCH,
            metavar="N",
            help=f"works per transaction (default {WORK_BATCH})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_archive(self.stderr)
        started = time.monotonic()

        def progress(done: int, total: int, chapters: int) -> None:
            self.stderr.write(f"reindexed {done}/{total} works ({chapters} chapters)")

        works, chapters = rebuild(batch_size=max(1, options["batch_size"]), progress=progress)
        elapsed = time.monotonic() - started
        self.stderr.write(f"reindexed {works} works and {chapters} chapters in {elapsed:.1f}s")
