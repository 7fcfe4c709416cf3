from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class DownloadsConfig(AppConfig):
    name = "fanarchive.downloads"
    label = "downloads"

    def ready(self) -> None:
        from fanarchive.works.models import Series, Work

        post_delete.connect(_forget_work_files, sender=Work, dispatch_uid="downloads-work")
        post_delete.connect(_forget_series_files, sender=Series, dispatch_uid="downloads-series")


def _forget_work_files(sender: Any, instance: Any, **kwargs: Any) -> None:
    from fanarchive.downloads.building import forget

    forget("works", instance.pk)


def _forget_series_files(sender: Any, instance: Any, **kwargs: Any) -> None:
    from fanarchive.downloads.building import forget

    forget("series", instance.pk)
