from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide plumbing: the data directory and the commands that announce it."""

    name = "fanarchive.core"
    label = "core"
