"""What an import says as it goes: one line per work on stderr, the `--json` objects on
stdout, a summary at the end. Shared by every import command."""

import json
import time
from collections import Counter
from collections.abc import Iterable

from django.core.management.base import OutputWrapper

from fanarchive.ingest.run import Outcome

STATUSES = ("imported", "updated", "unchanged", "failed")


def print_outcomes(
    outcomes: Iterable[Outcome], *, stdout: OutputWrapper, stderr: OutputWrapper, as_json: bool
) -> Counter[str]:
    """Report each outcome as it comes and a summary line at the end; the counts per
    status, for the exit code."""
    counts: Counter[str] = Counter()
    started = time.monotonic()
    for outcome in outcomes:
        counts[outcome.status] += 1
        stderr.write(describe(outcome))
        if as_json:
            stdout.write(json.dumps(outcome.as_dict(), ensure_ascii=False))
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
    stderr.write(f"{summary} in {elapsed:.1f}s")
    return counts


def describe(outcome: Outcome) -> str:
    if outcome.work is None:
        return f"failed     {outcome.file}: {outcome.error}"
    line = f"{outcome.status:<10} #{outcome.work.pk} {outcome.work.title!r} <- {outcome.file}"
    return f"{line} ({outcome.note})" if outcome.note else line
