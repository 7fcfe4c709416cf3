"""Sets `Work.crossover` for the works an upgraded archive already holds; from here on
tags.filtering.refresh_work_filters keeps it.

AO3's rule, as tags.filtering.is_crossover states it, copied rather than imported so
this migration keeps its meaning if that module changes: a work is a crossover when no
one of its fandoms (synonyms replaced by their canonical tag) shares a tag with all the
others, each fandom counted with all its meta tags, transitively.
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import Count

BATCH = 1000


def _meta_closure(MetaTagging) -> dict[int, set[int]]:
    direct: defaultdict[int, set[int]] = defaultdict(set)
    for sub_id, meta_id in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"):
        direct[sub_id].add(meta_id)
    closure: dict[int, set[int]] = {}
    for start in direct:
        seen: set[int] = set()
        stack = list(direct[start])
        while stack:
            tag_id = stack.pop()
            if tag_id not in seen:
                seen.add(tag_id)
                stack.extend(direct.get(tag_id, ()))
        closure[start] = seen
    return closure


def _is_crossover(fandom_ids: set[int], closure: dict[int, set[int]]) -> bool:
    if len(fandom_ids) <= 1:
        return False
    groups = [{fandom_id, *closure.get(fandom_id, ())} for fandom_id in fandom_ids]
    return not any(all(group & other for other in groups) for group in groups)


def compute_crossovers(apps, schema_editor) -> None:
    Work = apps.get_model("works", "Work")
    WorkTag = apps.get_model("works", "WorkTag")
    MetaTagging = apps.get_model("tags", "MetaTagging")
    closure = _meta_closure(MetaTagging)
    fandom_tags = WorkTag.objects.filter(tag__type="fandom")
    # Only works given two fandom tags or more can be crossovers: read just those.
    candidates = sorted(
        fandom_tags.values("work_id")
        .annotate(fandoms=Count("tag_id"))
        .filter(fandoms__gte=2)
        .values_list("work_id", flat=True)
    )
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        fandoms: defaultdict[int, set[int]] = defaultdict(set)
        rows = fandom_tags.filter(work_id__in=batch).values_list(
            "work_id", "tag_id", "tag__merger_id"
        )
        for work_id, tag_id, merger_id in rows:
            fandoms[work_id].add(merger_id or tag_id)
        crossovers = [work_id for work_id, ids in fandoms.items() if _is_crossover(ids, closure)]
        Work.objects.filter(pk__in=crossovers).update(crossover=True)


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0002_work_crossover"),
        ("tags", "0003_wrangling_and_suggestions"),
    ]

    # Backwards, the column goes with 0002: nothing to undo here.
    operations = [migrations.RunPython(compute_crossovers, migrations.RunPython.noop)]
