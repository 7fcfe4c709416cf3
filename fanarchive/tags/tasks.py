"""Background work for tags, through django.tasks (run at once by the embedded default,
or by `fanarchive db_worker` with FANARCHIVE_TASKS=database)."""

import logging

from django.tasks import task

from fanarchive.tags.filtering import refresh_filters_for, refresh_work_filters

log = logging.getLogger(__name__)


@task()
def refresh_filters_for_tags(tag_ids: list[int]) -> int:
    return refresh_filters_for(tag_ids)


@task()
def refresh_filters_for_works(work_ids: list[int]) -> None:
    refresh_work_filters(work_ids)


@task()
def infer_works_tags(work_ids: list[int]) -> int:
    """Read each work's text and store what it suggests; returns how many suggestions.
    One task per imported batch: a task each cost an import more than half its writing
    time with a database queue. A work that fails does not stop the others."""
    from fanarchive.tags.suggestions import infer_for_work

    suggestions, failed = 0, []
    for work_id in work_ids:
        try:
            suggestions += infer_for_work(work_id)
        except Exception:
            log.exception("inferring tags of work %s failed", work_id)
            failed.append(work_id)
    if failed:
        raise RuntimeError(f"inferring tags failed for works {failed}")
    return suggestions
