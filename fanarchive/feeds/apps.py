from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "fanarchive.feeds"
    label = "feeds"
