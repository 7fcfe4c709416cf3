"""Background work for tags, through django.tasks (run at once by the embedded default,
or by `fanarchive db_worker` with FANARCHIVE_TASKS=database)."""

from django.tasks import task

from fanarchive.tags.filtering import refresh_filters_for, refresh_work_filters


@task()
def refresh_filters_for_tags(tag_ids: list[int]) -> int:
    return refresh_filters_for(tag_ids)


@task()
def refresh_filters_for_works(work_ids: list[int]) -> None:
    refresh_work_filters(work_ids)


@task()
def infer_work_tags(work_id: int) -> int:
    """Read the work's text and store what it suggests; returns how many suggestions."""
    from fanarchive.tags.suggestions import infer_for_work

    return infer_for_work(work_id)
