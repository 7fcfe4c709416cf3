"""eFiction database dumps handed to `fanarchive import`: a whole archive, not a story.

The dump is read by `fanarchive import-efiction` (`ingest/efiction.py`), which needs the
archive's `stories/` folder beside it; this module only recognises one, so the file
fails with a message saying what to run instead of being read as a story in plain text.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO

from fanarchive.ingest.parsed import ParsedWork, ParseError

NAME = "efiction-dump"
VERSION = "1"
EXTENSIONS: tuple[str, ...] = ()  # never picked up from a folder of stories

_STORIES_TABLE = re.compile(rb"(?:CREATE TABLE|INSERT INTO)[^(\n]*fanfiction_stories", re.I)


def recognizes(head: bytes, name: str) -> bool:
    # Every file of an import is asked: a plain substring test first, the regex (a
    # case-insensitive scan of 64 KiB) only for the rare file that could match.
    return b"fanfiction_stories" in head.lower() and bool(_STORIES_TABLE.search(head))


def parse(stream: BinaryIO, name: str) -> Iterator[ParsedWork]:
    raise ParseError(
        "an eFiction database dump, not a story: import the whole archive with "
        "`fanarchive import-efiction DUMP.sql --stories DIR`"
    )
    yield  # a generator, like every importer's parse
