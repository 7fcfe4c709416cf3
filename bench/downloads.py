"""Benchmark: time and peak memory to build the downloads of one very long work.

Targets (issue "Downloads"): peak memory for the 500,000-word work, EPUB <= 200 MB,
PDF <= 1 GB.

1. A fresh SQLite archive in a temporary directory (`fanarchive migrate`, untimed), and
   one deterministic work written into it through the ORM as the writer stores works
   (`works/tests/factories.make_work`: sanitised chapter HTML with paragraph ids, word
   counts, tags, filter rows): `--preset full` is 500,000 words in 50 chapters of
   English-like prose from bench/synthetic.py's TextMaker (seeded: the same text on
   every machine), with dialogue, scene breaks and about one word in 60 in italics;
   every chapter has a title, some a summary and notes.
2. Each download format is built by its own child process (`python bench/downloads.py
   --child build`): Django started, the `Book` read, then `write` timed into a file.
   The peak memory is the child's ru_maxrss (os.wait4), so it is that build's alone,
   Django and the book's metadata included; "start" is a child that only starts Django
   and reads the book, the floor under every figure.
3. When WeasyPrint is installed (it is not a dependency): `python -m weasyprint` on the
   work's single-file HTML download, timed from start to exit, for the record of why
   the PDF download is made with ReportLab.
4. When calibre is installed: `ebook-convert` of the same work's single-file HTML
   download to EPUB and to PDF, timed from start to exit; its memory is the largest
   ru_maxrss among the process and the children it waited for (calibre renders PDF in
   a child process).

Run `python bench/downloads.py --preset full` (a few minutes; `--preset small` is a
50,000-word work); `--markdown` prints the table as docs/performance.md has it.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FORMATS = ("epub", "pdf", "html", "txt")
TARGETS_MB = {"epub": 200, "pdf": 1024}
SEED = 500
ITALIC_EVERY = 60
CALIBRE_TIMEOUT = 1800


@dataclass(frozen=True)
class Preset:
    words: int
    chapters: int


PRESETS = {"small": Preset(50_000, 10), "full": Preset(500_000, 50)}


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "date": datetime.date.today().isoformat(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# Children -------------------------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanarchive.settings")
    import django

    django.setup()


def chapter_html(text: str, rng: Any) -> str:
    """TextMaker's prose as stored HTML: paragraphs, scene breaks, some italics."""
    paragraphs = []
    for block in text.split("\n\n"):
        if block.strip() == "* * *":
            paragraphs.append('<hr class="scene-break">')
            continue
        words = block.split(" ")
        marks = rng.random(len(words)) < 1 / ITALIC_EVERY
        for index in marks.nonzero()[0].tolist():
            word = words[index]
            match = re.fullmatch(r"([\"]?)([A-Za-z']+)(.*)", word)
            if match:
                words[index] = f"{match[1]}<em>{match[2]}</em>{match[3]}"
        paragraphs.append(f"<p>{' '.join(words)}</p>")
    return "\n".join(paragraphs)


def child_populate(preset: Preset) -> dict[str, Any]:
    _django()
    import numpy as np
    from synthetic import TextMaker

    from fanarchive.works.tests.factories import make_work

    maker = TextMaker(SEED)
    rng = np.random.default_rng([SEED, 1])
    per_chapter = preset.words // preset.chapters
    chapters = []
    for position in range(1, preset.chapters + 1):
        chapter: dict[str, object] = {
            "title": maker.title(rng),
            "body": chapter_html(maker.text(rng, per_chapter), rng),
        }
        if position % 5 == 1:
            chapter["summary"] = f"<p>{maker.summaries(rng, np.array([20]))[0]}</p>"
        if position % 7 == 1:
            chapter["notes"] = f"<p>{maker.summaries(rng, np.array([30]))[0]}</p>"
        chapters.append(chapter)
    work = make_work(
        "The Long Tide",
        creators=("saltwind",),
        fandoms=("Original Work",),
        relationships=("Keeper/Cartographer",),
        characters=("The Keeper", "The Cartographer", "The Ferryman"),
        freeforms=("Slow Burn", "Epic Length", "Storms"),
        summary=f"<p>{maker.summaries(rng, np.array([60]))[0]}</p>",
        notes=f"<p>{maker.summaries(rng, np.array([30]))[0]}</p>",
        chapters=chapters,
        published=datetime.date(2020, 1, 1),
        updated=datetime.date(2024, 6, 1),
    )
    return {"work_id": work.pk, "words": work.word_count, "chapters": len(chapters)}


def child_build(work_id: int, fmt_name: str | None, out: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    _django()
    from fanarchive.downloads.book import book_of_work
    from fanarchive.downloads.formats import all_formats
    from fanarchive.works.models import Work

    book = book_of_work(Work.objects.get(pk=work_id))
    ready = time.perf_counter()
    if fmt_name is None or out is None:
        return {"start_seconds": ready - started}
    fmt = next(fmt for fmt in all_formats() if fmt_name == fmt.NAME)
    with out.open("wb") as stream:
        fmt.write(book, stream)
    return {"start_seconds": ready - started, "seconds": time.perf_counter() - ready}


# The parent ----------------------------------------------------------------------------


def run_child(argv: list[str], env: dict[str, str], timeout: float) -> tuple[dict, float, float]:
    """Run a process; (its JSON output or {}, wall seconds, peak RSS in MB)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)  # noqa: S603
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                raise RuntimeError(f"{argv[0]} took more than {timeout} s")
            time.sleep(0.02)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.returncode != 0:
            command = " ".join(argv[:3])
            raise RuntimeError(f"{command} failed ({process.returncode}): {error[-2000:]}")
        stdout.seek(0)
        text = stdout.read().decode("utf-8", "replace").strip()
    result = json.loads(text.splitlines()[-1]) if text.startswith("{") else {}
    return result, wall, usage.ru_maxrss / 1024


def _row(
    what: str, fmt: str, seconds: float, wall: float, rss: float, path: Path | None = None
) -> dict[str, Any]:
    size = path.stat().st_size if path else 0
    return {
        "what": what,
        "format": fmt,
        "seconds": seconds,
        "wall": wall,
        "rss_mb": rss,
        "bytes": size,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    preset = PRESETS[args.preset]
    folder = Path(tempfile.mkdtemp(prefix="fanarchive-bench-downloads-"))
    env = {
        **os.environ,
        "FANARCHIVE_DATA_DIR": str(folder / "data"),
        "FANARCHIVE_TASKS": "database",
        "DJANGO_SETTINGS_MODULE": "fanarchive.settings",
    }
    env.pop("DATABASE_URL", None)
    me = [sys.executable, str(Path(__file__).resolve())]
    try:
        log(f"fresh archive in {folder}")
        subprocess.run(
            [sys.executable, "-m", "fanarchive", "migrate", "-v", "0"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        log(f"writing a {preset.words:,}-word work in {preset.chapters} chapters")
        work, seconds, _ = run_child(
            [*me, "--child", "populate", "--preset", args.preset], env, 3600
        )
        log(f"work {work['work_id']}: {work['words']:,} words, written in {seconds:.1f} s")
        rows: list[dict[str, Any]] = []
        start, wall, rss = run_child(
            [*me, "--child", "build", "--work-id", str(work["work_id"])], env, 600
        )
        rows.append(_row("start (Django + Book, no file)", "", start["start_seconds"], wall, rss))
        files: dict[str, Path] = {}
        for name in args.formats:
            path = folder / f"work.{name}"
            argv = [*me, "--child", "build", "--work-id", str(work["work_id"])]
            log(f"building {name}")
            result, wall, rss = run_child([*argv, "--format", name, "--out", str(path)], env, 3600)
            files[name] = path
            rows.append(_row(f"fanarchive {name}", name, result["seconds"], wall, rss, path))
            log(f"{name}: {result['seconds']:.1f} s, {rss:.0f} MB peak")
        if "html" in files and importlib.util.find_spec("weasyprint") and not args.no_weasyprint:
            # The typesetter not chosen for the PDF download, on the same HTML: why not.
            out = folder / "weasyprint.pdf"
            log("weasyprint html -> pdf")
            argv = [sys.executable, "-m", "weasyprint", str(files["html"]), str(out)]
            _, wall, rss = run_child(argv, env, 3600)
            rows.append(_row("WeasyPrint html -> pdf", "pdf", wall, wall, rss, out))
            log(f"weasyprint: {wall:.1f} s, {rss:.0f} MB peak")
        calibre = shutil.which("ebook-convert")
        if calibre and "html" in files and not args.no_calibre:
            version = subprocess.run(  # noqa: S603
                [calibre, "--version"], capture_output=True, check=False
            ).stdout.decode()
            calibre_env = {
                **env,
                "CALIBRE_CONFIG_DIRECTORY": str(folder / "calibre"),
                "QT_QPA_PLATFORM": "offscreen",
            }
            if os.geteuid() == 0:
                # calibre's PDF output renders in Chromium, which refuses root unsandboxed.
                calibre_env["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox"
            for target in ("epub", "pdf"):
                out = folder / f"calibre.{target}"
                log(f"ebook-convert html -> {target}")
                _, wall, rss = run_child(
                    [calibre, str(files["html"]), str(out)], calibre_env, CALIBRE_TIMEOUT
                )
                rows.append(
                    _row(f"calibre ebook-convert html -> {target}", target, wall, wall, rss, out)
                )
                log(f"calibre {target}: {wall:.1f} s, {rss:.0f} MB peak")
        else:
            version = ""
        return {
            "machine": machine(),
            "preset": args.preset,
            "work": work,
            "calibre": version.splitlines()[0] if version else None,
            "rows": rows,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_report(report: dict[str, Any], markdown: bool) -> None:
    m = report["machine"]
    work = report["work"]
    print(
        f"{m['date']}, {m['machine']}, {m['cpus']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, load {m['load_average']}; calibre: {report['calibre'] or 'absent'}"
    )
    print(f"work: {work['words']:,} words, {work['chapters']} chapters ({report['preset']})")
    if markdown:
        print("| build | seconds | peak memory (RSS) | target | file |")
        print("|---|---:|---:|---|---:|")
    for row in report["rows"]:
        target = TARGETS_MB.get(row.get("format", "")) if row["what"].startswith("fan") else None
        verdict = (
            f"<= {target:,} MB: {'met' if row['rss_mb'] <= target else 'NOT met'}" if target else ""
        )
        size = f"{row['bytes'] / 1e6:.1f} MB" if row["bytes"] else "-"
        if markdown:
            print(
                f"| {row['what']} | {row['seconds']:.1f} | {row['rss_mb']:,.0f} MB | "
                f"{verdict or '-'} | {size} |"
            )
        else:
            print(
                f"{row['what']:<40} {row['seconds']:8.1f} s {row['rss_mb']:8.0f} MB  "
                f"{size:>9}  {verdict}"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument(
        "--formats", nargs="+", choices=FORMATS, default=list(FORMATS), help="what to build"
    )
    parser.add_argument("--no-calibre", action="store_true", help="skip ebook-convert")
    parser.add_argument(
        "--no-weasyprint", action="store_true", help="skip WeasyPrint (when installed)"
    )
    parser.add_argument("--markdown", action="store_true", help="the table as Markdown")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--child", choices=("populate", "build"), help=argparse.SUPPRESS)
    parser.add_argument("--work-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--format", dest="format_name", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.child == "populate":
        print(json.dumps(child_populate(PRESETS[args.preset])))
        return
    if args.child == "build":
        out = Path(args.out) if args.out else None
        print(json.dumps(child_build(args.work_id, args.format_name, out)))
        return
    report = run(args)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    print_report(report, args.markdown)


if __name__ == "__main__":
    main()
