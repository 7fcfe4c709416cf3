from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "fanarchive.ingest"
    label = "ingest"
