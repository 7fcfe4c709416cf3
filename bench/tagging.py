"""Benchmark: suggested-tag inference throughput, next to a bare regex scan floor.

Works of about 30 KB (a 5,000-word story) are assembled from the frozen evaluation
set's paragraphs in a seeded random order, and each is inferred on one core. The floor
is one pass of Python's `re` tokenising the same text: what reading every word costs
before any tagging. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanarchive.settings")


def build_works(paragraphs: list[str], total_bytes: int, work_bytes: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    works, current, size, total = [], [], 0, 0
    while total < total_bytes:
        paragraph = rng.choice(paragraphs)
        current.append(paragraph)
        size += len(paragraph.encode())
        if size >= work_bytes:
            works.append("\n\n".join(current))
            total += size
            current, size = [], 0
    return works


def main() -> None:
    import django

    django.setup()
    import re

    from fanarchive.tags.evaluation import FROZEN_SET, cases_from
    from fanarchive.tags.inference import Tagger
    from fanarchive.tags.packs import SHIPPED_PACKS, load_packs

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--work-kb", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    paragraphs = [p for case in cases_from([FROZEN_SET]) for p in case.text.split("\n\n") if p]
    works = build_works(paragraphs, int(args.megabytes * 1e6), int(args.work_kb * 1e3), args.seed)
    size_mb = sum(len(work.encode()) for work in works) / 1e6

    started = time.perf_counter()
    tagger = Tagger(load_packs(SHIPPED_PACKS))
    build_s = time.perf_counter() - started

    words = re.compile(r"\w+")
    started = time.perf_counter()
    for work in works:
        words.findall(work)
    floor_s = time.perf_counter() - started

    started = time.perf_counter()
    for work in works:
        tagger.infer(work)
    infer_s = time.perf_counter() - started

    print(
        f"date: {datetime.date.today()}  machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"text: {len(works)} works, {size_mb:.1f} MB (about {args.work_kb:.0f} KB each)")
    print(f"tagger build (12 packs): {build_s * 1000:.0f} ms")
    print(f"inference: {size_mb / infer_s:.2f} MB/s per core ({infer_s:.2f} s)")
    print(f"floor, re \\w+ scan of the same text: {size_mb / floor_s:.2f} MB/s ({floor_s:.2f} s)")
    print(f"inference / floor time: {infer_s / floor_s:.1f}x")


if __name__ == "__main__":
    main()
