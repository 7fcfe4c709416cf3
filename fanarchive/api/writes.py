"""What the write endpoints do: a work sent as JSON, or a story file uploaded, stored
through the import path (`ingest.reading`, `ingest.run`, the one writer), so it is
sanitised, counted, indexed and tagged exactly like `fanarchive import`."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from fanarchive.api.errors import ApiError
from fanarchive.ingest.parsed import ParsedChapter, ParsedWork
from fanarchive.ingest.reading import ReadFile, prepare, read_path
from fanarchive.ingest.run import Outcome, import_read_files
from fanarchive.lib.text import strip_controls

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from fanarchive.api.schemas import WorkIn

IMPORTER = "api"
IMPORTER_VERSION = "1"
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


def _plain(text: str) -> str:
    """A plain-text field (a title, a tag): no control characters, no line breaks."""
    return strip_controls(text, " ", keep_line_breaks=False).strip()


def _names(values: list[str]) -> list[str]:
    return list(dict.fromkeys(name for value in values if (name := _plain(value))))


def parsed_of(payload: WorkIn, username: str) -> ParsedWork:
    """The JSON work as an importer would have read it. Its content hash is that of
    the JSON, so sending the same work twice stores it once."""
    data = payload.model_dump()
    parsed = ParsedWork(
        title=_plain(payload.title) or "Untitled",
        chapters=[
            ParsedChapter(
                body=strip_controls(chapter.body),
                title=_plain(chapter.title),
                summary=strip_controls(chapter.summary),
                notes=strip_controls(chapter.notes),
                end_notes=strip_controls(chapter.end_notes),
            )
            for chapter in payload.chapters
        ],
        importer=IMPORTER,
        importer_version=IMPORTER_VERSION,
        creators=_names(payload.creators),
        rating=payload.rating,
        warnings=list(dict.fromkeys(payload.warnings)),
        categories=list(dict.fromkeys(payload.category)),
        fandoms=_names(payload.fandoms),
        relationships=_names(payload.relationships),
        characters=_names(payload.characters),
        freeforms=_names(payload.freeforms),
        summary=strip_controls(payload.summary),
        notes=strip_controls(payload.notes),
        end_notes=strip_controls(payload.end_notes),
        language=_plain(payload.language),
        complete=payload.complete,
        source_url=_plain(payload.source_url),
        fields=[("sent by", username)],
    )
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    parsed.content_hash = hashlib.sha256(text.encode()).hexdigest()
    return parsed


def create_work(payload: WorkIn, username: str) -> Outcome:
    read = ReadFile(file="", works=[prepare(parsed_of(payload, username))], origin="")
    (outcome,) = import_read_files([read])
    return outcome


def upload_name(name: str | None) -> str:
    """The uploaded file's own name, safe as one path segment; its extension helps
    recognise the format."""
    base = _UNSAFE_NAME.sub("_", Path(name or "").name).strip(". ")
    return base[:120] or "upload"


def import_upload(upload: UploadedFile, username: str) -> list[Outcome]:
    """Every work of an uploaded story file or zip archive of them. Each work's
    source is `api-upload/<user>/<file name>`: uploading a corrected file of the same
    name later updates the works it gave, as importing a path again does."""
    if upload.size is not None and upload.size > settings.MAX_FILE_BYTES:
        raise ApiError(
            413, "too_large", f"The file is over the limit of {settings.MAX_FILE_BYTES} bytes."
        )
    name = upload_name(upload.name)
    source = f"api-upload/{_UNSAFE_NAME.sub('_', username)}/{name}"
    with tempfile.TemporaryDirectory(prefix="fanarchive-api-") as folder:
        path = Path(folder).resolve() / name
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        read = read_path(path, max_bytes=settings.MAX_FILE_BYTES)
        prefix = str(path)
        for file in read:
            file.file = _renamed(file.file, prefix, source)
            file.origin = source
            for ready in file.works:
                ready.parsed.source_file = _renamed(ready.parsed.source_file, prefix, source)
        return list(import_read_files(read))


def _renamed(value: str, prefix: str, source: str) -> str:
    return source + value.removeprefix(prefix) if value.startswith(prefix) else value
