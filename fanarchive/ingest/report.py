"""What an import says as it goes: one line per work on stderr, the `--json` objects on
stdout, a progress bar on a terminal, a summary at the end, and the `--report` file.
Shared by every import command."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from fanarchive.ingest.run import Outcome

STATUSES = ("imported", "updated", "unchanged", "duplicate", "failed")

INTERRUPTED = 130
"""The shell's exit code for a command stopped by Ctrl-C."""

PLAIN_PROGRESS_SECONDS = 30.0
"""How often a progress line is written when stderr is not a terminal (a log file, a
CI job): often enough to see an import is alive, rarely enough to read the log."""


@dataclass
class Progress:
    """Files done of files planned, works by status and throughput. On a terminal a bar
    redrawn in place under the per-work lines; elsewhere a plain line now and then."""

    stream: TextIO
    sizes: dict[str, int]
    """The size of each path the import will read, by the name outcomes carry."""
    terminal: bool
    started: float = field(default_factory=time.monotonic)
    counts: Counter[str] = field(default_factory=Counter)
    done: set[str] = field(default_factory=set)
    done_bytes: int = 0
    last_drawn: float = 0.0
    drawn: bool = False

    @classmethod
    def for_paths(cls, paths: list[Path], stream: TextIO) -> Progress:
        sizes = {}
        for path in paths:
            try:
                sizes[str(path)] = path.stat().st_size
            except OSError:
                sizes[str(path)] = 0
        return cls(stream, sizes, terminal=stream.isatty())

    def clear(self) -> None:
        """Make room for a line of text above the bar."""
        if self.terminal and self.drawn:
            self.stream.write("\r\x1b[K")
            self.drawn = False

    def advance(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.origin and outcome.origin not in self.done:
            self.done.add(outcome.origin)
            self.done_bytes += self.sizes.get(outcome.origin, 0)
        now = time.monotonic()
        if self.terminal:
            # Redrawn after every line it was cleared for, at most ten times a second
            # otherwise; a thousand-line-a-second import must not spend its time here.
            if not self.drawn or now - self.last_drawn >= 0.1:
                self.stream.write("\r\x1b[K" + self.line(now))
                self.stream.flush()
                self.drawn, self.last_drawn = True, now
        elif now - self.last_drawn >= PLAIN_PROGRESS_SECONDS:
            self.stream.write(f"progress: {self.line(now)}\n")
            self.last_drawn = now

    def finish(self) -> None:
        self.clear()

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        total_bytes = sum(self.sizes.values())
        share = self.done_bytes / total_bytes if total_bytes else 1.0
        counts = ", ".join(f"{self.counts[s]} {s}" for s in STATUSES if self.counts[s])
        rate = self.done_bytes / elapsed / 1e6
        left = (elapsed / share - elapsed) if 0 < share < 1 else 0.0
        width = 24
        filled = round(width * share)
        bar = "#" * filled + "-" * (width - filled)
        return (
            f"[{bar}] {len(self.done)}/{len(self.sizes)} files, {counts or 'starting'}, "
            f"{rate:.1f} MB/s, {_clock(elapsed)} elapsed"
            + (f", about {_clock(left)} left" if left else "")
        )


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


@dataclass
class Report:
    """The `--report FILE.json` of an import: every file with its outcome."""

    path: Path
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.entries.append(
            {
                "file": outcome.file,
                "status": outcome.status,
                "work_id": outcome.work.pk if outcome.work is not None else None,
                "title": outcome.work.title if outcome.work is not None else None,
                "duplicate_of": outcome.duplicate_of,
                "note": outcome.note or None,
                "error": outcome.error or None,
            }
        )

    def write(self, counts: Counter[str], *, interrupted: bool) -> None:
        data = {
            "started": self.started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "interrupted": interrupted,
            "totals": {status: counts[status] for status in STATUSES},
            "files": self.entries,
        }
        # Written whole under another name first: an interrupted write leaves no half file.
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        partial.replace(self.path)


def print_outcomes(
    outcomes: Iterable[Outcome],
    *,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
    as_json: bool,
    progress: Progress | None = None,
    report: Report | None = None,
) -> Counter[str]:
    """Report each outcome as it comes and a summary line at the end; the counts per
    status, for the exit code. Interrupted (Ctrl-C), it still writes the report and
    the summary of what was stored, then lets the interruption go on."""
    counts: Counter[str] = Counter()
    started = time.monotonic()
    interrupted = False
    try:
        for outcome in outcomes:
            counts[outcome.status] += 1
            if progress is not None:
                progress.clear()
            stderr.write(describe(outcome))
            if as_json:
                stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False))
            if report is not None:
                report.add(outcome)
            if progress is not None:
                progress.advance(outcome)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if progress is not None:
            progress.finish()
        if report is not None:
            report.write(counts, interrupted=interrupted)
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        stderr.write(f"{summary} in {elapsed:.1f}s")
        if interrupted:
            stderr.write(
                "interrupted: the works above are stored, the batch being written is not; "
                "run the same command again to import the rest"
            )
    return counts


def describe(outcome: Outcome) -> str:
    if outcome.duplicate_of is not None:
        return f"duplicate  of #{outcome.duplicate_of} <- {outcome.file} ({outcome.note})"
    if outcome.work is None:
        return f"failed     {outcome.file}: {outcome.error}"
    line = f"{outcome.status:<10} #{outcome.work.pk} {outcome.work.title!r} <- {outcome.file}"
    return f"{line} ({outcome.note})" if outcome.note else line


def add_import_options(parser: CommandParser) -> None:
    """The options every import command shares: what it prints and how it writes."""
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
        "--report",
        type=Path,
        metavar="FILE.json",
        help="write every outcome to FILE.json at the end (also when interrupted)",
    )


def report_of(options: dict[str, Any]) -> Report | None:
    """The `--report` asked for; a CommandError (exit code 2, nothing read) when its
    folder does not exist, rather than after hours of importing."""
    path: Path | None = options["report"]
    if path is None:
        return None
    if not path.parent.is_dir():
        raise CommandError(f"no such directory for --report: {path}", returncode=2)
    return Report(path)


def report_and_exit(
    command: BaseCommand,
    outcomes: Iterable[Outcome],
    options: dict[str, Any],
    *,
    report: Report | None,
    progress: Progress | None = None,
) -> None:
    """Print the outcomes and exit as every import command does: 1 when a file failed,
    130 when interrupted (after the summary and the report)."""
    try:
        counts = print_outcomes(
            outcomes,
            stdout=command.stdout,
            stderr=command.stderr,
            as_json=options["json"],
            progress=progress,
            report=report,
        )
    except KeyboardInterrupt:
        raise SystemExit(INTERRUPTED) from None
    if counts["failed"]:
        raise SystemExit(1)
