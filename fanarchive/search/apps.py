from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fanarchive.search"
    label = "search"
