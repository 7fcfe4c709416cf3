from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "fanarchive.works"
    label = "works"
