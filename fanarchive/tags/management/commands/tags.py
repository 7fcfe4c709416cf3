import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanarchive.tags.lookup import TagLookupError, find_tag
from fanarchive.tags.models import WranglingError


class Command(BaseCommand):
    help = "Wrangle tags, and suggest tags for works by reading them."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        merge = commands.add_parser("merge", help="make TAG a synonym of CANONICAL")
        merge.add_argument("tag", metavar="TAG")
        merge.add_argument("--into", required=True, metavar="CANONICAL")

        canonical = commands.add_parser("canonical", help="make TAG canonical")
        canonical.add_argument("tag", metavar="TAG")

        meta = commands.add_parser("meta", help="file TAG under the broader META tag")
        meta.add_argument("tag", metavar="TAG")
        meta.add_argument("--under", required=True, metavar="META")

        parent = commands.add_parser("parent", help="file TAG under PARENT (media, fandom...)")
        parent.add_argument("tag", metavar="TAG")
        parent.add_argument("--under", required=True, metavar="PARENT")

        suggest = commands.add_parser("suggest", help="the unwrangled queue with suggestions")
        suggest.add_argument("--fandom", metavar="F")
        suggest.add_argument("--limit", type=int, default=5)
        suggest.add_argument("--json", action="store_true")

        infer = commands.add_parser("infer", help="suggest tags for works by reading them")
        infer.add_argument("work_ids", nargs="*", type=int, metavar="WORK_ID")
        infer.add_argument("--json", action="store_true")

        evaluate = commands.add_parser(
            "evaluate", help="hide the tags of tagged stories, infer, and score the result"
        )
        evaluate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        evaluate.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"handle_{options['action']}")(options)
        except (TagLookupError, WranglingError) as error:
            raise CommandError(str(error), returncode=2) from None

    def handle_merge(self, options: dict[str, Any]) -> None:
        tag, canonical = find_tag(options["tag"]), find_tag(options["into"])
        tag.make_synonym_of(canonical)
        self.stderr.write(f"{tag.type}:{tag.name} is now a synonym of {canonical.resolved().name}")

    def handle_canonical(self, options: dict[str, Any]) -> None:
        tag = find_tag(options["tag"])
        tag.make_canonical()
        self.stderr.write(f"{tag.type}:{tag.name} is canonical")

    def handle_meta(self, options: dict[str, Any]) -> None:
        tag, meta = find_tag(options["tag"]), find_tag(options["under"])
        tag.add_meta_tag(meta)
        self.stderr.write(f"{tag.name} is now a sub tag of {meta.resolved().name}")

    def handle_parent(self, options: dict[str, Any]) -> None:
        tag, parent = find_tag(options["tag"]), find_tag(options["under"])
        tag.add_parent(parent)
        self.stderr.write(f"{tag.name} is filed under {parent.resolved().name}")

    def handle_suggest(self, options: dict[str, Any]) -> None:
        from fanarchive.tags.wrangling import queue

        fandom = find_tag(f"fandom:{options['fandom']}") if options["fandom"] else None
        for entry in queue(fandom, limit=options["limit"]):
            if options["json"]:
                self.stdout.write(json.dumps(entry.as_dict(), ensure_ascii=False))
                continue
            self.stdout.write(f"{entry.tag.type}:{entry.tag.name} ({entry.works} works)")
            for candidate in entry.candidates:
                marker = "=" if candidate["exact"] else "~"
                reasons = "; ".join(candidate["reasons"])  # type: ignore[arg-type]
                self.stdout.write(
                    f"  {marker} {candidate['name']}  {candidate['score']}  {reasons}"
                )

    def handle_infer(self, options: dict[str, Any]) -> None:
        from fanarchive.tags.suggestions import infer_for_work, suggestions_as_dict
        from fanarchive.works.models import Work

        ids = options["work_ids"] or list(Work.objects.order_by("pk").values_list("pk", flat=True))
        missing = set(ids) - set(Work.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise CommandError(
                f"no work with id {', '.join(map(str, sorted(missing)))}", returncode=2
            )
        for work_id in ids:
            count = infer_for_work(work_id)
            if options["json"]:
                record = {"work_id": work_id, "suggested": suggestions_as_dict(work_id)}
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            self.stderr.write(f"work {work_id}: {count} suggested tags")

    def handle_evaluate(self, options: dict[str, Any]) -> None:
        from fanarchive.tags.evaluation import evaluate_paths, format_report

        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            raise CommandError(f"no such file or directory: {', '.join(missing)}", returncode=2)
        report = evaluate_paths(options["paths"])
        if options["json"]:
            json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            self.stdout.write(format_report(report))
