"""Importers: one module per story format, each a ``parse(stream, name)`` function that
yields :class:`fanarchive.ingest.parsed.ParsedWork` objects and knows nothing of the
database. ``fanarchive.ingest.registry`` decides which one reads which file."""
