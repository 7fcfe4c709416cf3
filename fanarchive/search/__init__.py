"""Finding works: full-text search over titles, summaries, tags and chapter text."""
