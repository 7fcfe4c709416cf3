from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "fanarchive.tags"
    label = "tags"
