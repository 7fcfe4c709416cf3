"""The one writer every importer's parsed works go through.

Works are written in batches, one transaction per batch and a savepoint per work, so a
work is stored whole or not at all, and a failed work costs only itself. The re-import
rules of docs/cli.md decide whether a parsed work is new, the same as a stored one, or
an update. Updates are written in place at once; new works are staged and inserted
together, one statement a table, when the batch ends (or before a work that may be a
copy of one of them is looked up). What the batch's works share (their filter rows, the
search index, tags and creators looked up) is done once per batch: per work it was most
of an import's time. When something the batch shares fails, the batch is rolled back
and its works written one at a time, so the failure is pinned on one work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanarchive.core.rows import insert_rows
from fanarchive.ingest.models import FingerprintBand, Provenance, TextFingerprint
from fanarchive.ingest.parsed import ParsedWork
from fanarchive.ingest.reading import PreparedChapter, ReadyWork, prepare
from fanarchive.lib import minhash
from fanarchive.lib.html import html_to_text, looks_like_html, sanitize
from fanarchive.lib.minhash import similarity
from fanarchive.search.engines import ChapterText, get_engine
from fanarchive.search.indexing import index_works_chapters
from fanarchive.tags.constants import CHOSE_NOT_TO_WARN, NOT_RATED
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import Tag, TagType
from fanarchive.tags.tasks import infer_works_tags
from fanarchive.tags.wrangling import auto_wrangle, is_pack_canonical
from fanarchive.works.models import (
    Chapter,
    Creator,
    Series,
    SeriesWork,
    Work,
    WorkCreator,
    WorkRevision,
    WorkTag,
)
from fanarchive.works.models import CreatorContact as StoredContact

Status = Literal["imported", "unchanged", "updated", "duplicate"]
TagKey = tuple[str, str]
type _Copied = tuple[Work | int, float] | None
"""The work (stored: its id; this batch's: the object) a new work's text copies, and
the estimated share of shingles they have in common."""


@dataclass
class WriteResult:
    status: Status
    work: Work
    """The work written or matched; for a duplicate, the stored work it copies."""
    note: str = ""


@dataclass
class _Found:
    """Tags and creators one work looked up or created, and what it wrote. They join
    the batch's only once the work's savepoint is released: a rolled-back work's new
    rows are gone."""

    tags: dict[TagKey, Tag] = field(default_factory=dict)
    creators: dict[str, Creator] = field(default_factory=dict)
    written: list[int] = field(default_factory=list)
    staged: list[tuple[Work, ReadyWork]] = field(default_factory=list)
    """New works, not yet inserted: nothing reads them before the batch ends, so all of
    a batch's rows (works, tags, credits, taggings, chapters, provenance) go in with one
    statement a table. Saved one work at a time they were most of the writing time."""
    chapter_texts: list[ChapterText] = field(default_factory=list)
    """The new works' chapters with their search text, indexed once they have ids;
    updated works are indexed from their stored chapters."""
    updated: set[int] = field(default_factory=set)
    """Works changed in place: indexed from their stored chapters, even one the same
    batch imported (whose search text made at its import is then stale)."""


@dataclass
class _Batch:
    known: _Found = field(default_factory=_Found)
    stored_keys: set[str] = field(default_factory=set)
    """Content hashes, source URLs and source paths the archive held when the batch
    began, or that a work of the batch added: a work with none of them is new, and
    needs no query to find out."""
    keep_duplicates: bool = False
    prints: dict[int, list[tuple[Work | int, bytes]]] = field(default_factory=dict)
    """Works (stored ones by id, this batch's new ones as objects) and their MinHash
    signatures, by the band keys they share with the batch's works."""

    @classmethod
    def of(cls, works: Sequence[ReadyWork], keep_duplicates: bool = False) -> _Batch:
        batch = cls(keep_duplicates=keep_duplicates)
        parsed = [ready.parsed for ready in works]
        hashes = {work.content_hash for work in parsed}
        urls = {work.source_url for work in parsed if work.source_url}
        paths = {work.source_file for work in parsed if work.source_file}
        for chunk in _chunks(hashes):
            found = Provenance.objects.filter(content_hash__in=chunk)
            batch.stored_keys.update(found.values_list("content_hash", flat=True))
        for chunk in _chunks(urls):
            found = Work.objects.filter(source_url__in=chunk)
            batch.stored_keys.update(found.values_list("source_url", flat=True))
        for chunk in _chunks(paths):
            found = Provenance.objects.filter(source_path__in=chunk)
            batch.stored_keys.update(found.values_list("source_path", flat=True))
        keys = sorted({key for ready in works for key in _tag_keys(ready.parsed)})
        for chunk in _chunks(keys):
            batch.known.tags |= _tags_named(chunk)
        batch._find_prints(works)
        return batch

    def _find_prints(self, works: Sequence[ReadyWork]) -> None:
        keys = {key for ready in works if ready.signature for key in _band_keys(ready.signature)}
        sharing: dict[int, list[int]] = {}
        for chunk in _chunks(keys):
            for key, work_id in FingerprintBand.objects.filter(key__in=chunk).values_list(
                "key", "work_id"
            ):
                sharing.setdefault(work_id, []).append(key)
        for chunk in _chunks(sharing):
            for work_id, signature in TextFingerprint.objects.filter(work_id__in=chunk).values_list(
                "work_id", "signature"
            ):
                for key in sharing[work_id]:
                    self.prints.setdefault(key, []).append((work_id, bytes(signature)))

    def copy_of(self, ready: ReadyWork) -> _Copied:
        """The stored or batch work whose text this one's copies, and how closely."""
        if ready.signature is None or self.keep_duplicates:
            return None
        best: _Copied = None
        for key in _band_keys(ready.signature):
            for work, signature in self.prints.get(key, ()):
                score = similarity(ready.signature, signature)
                if score >= settings.DUPLICATE_SIMILARITY and (best is None or score > best[1]):
                    best = (work, score)
        return best

    def remember_print(self, work: Work | int, ready: ReadyWork) -> None:
        if ready.signature is not None:
            for key in _band_keys(ready.signature):
                self.prints.setdefault(key, []).append((work, ready.signature))

    def may_be_stored(self, parsed: ParsedWork) -> bool:
        keys = {parsed.content_hash, parsed.source_url, parsed.source_file} - {""}
        return not keys.isdisjoint(self.stored_keys)

    def accept(self, parsed: ParsedWork, found: _Found) -> None:
        self.known.tags |= found.tags
        self.known.creators |= found.creators
        self.known.written += found.written
        self.known.staged += found.staged
        self.known.updated |= found.updated
        self.stored_keys |= {parsed.content_hash, parsed.source_url, parsed.source_file}

    def insert_staged(self) -> None:
        """Insert the new works waiting for the end of the batch, with all their rows
        (at the end, or before a work that may be a copy of one of them is looked up)."""
        staged, known = self.known.staged, self.known
        if not staged:
            return
        fandoms: dict[TagKey, list[str]] = {}
        for _, ready in staged:
            for key in _tag_keys(ready.parsed):
                fandoms.setdefault(key, ready.parsed.fandoms)
        tags = _tags_for(list(fandoms), known, known, fandoms)
        names = {name for _, ready in staged for name in _unique(ready.parsed.creators)}
        creators = _creators_for(sorted(names), known, known)
        # Works are model instances: their ids are read back, and results carry them.
        Work.objects.bulk_create([work for work, _ in staged])
        rows = _StagedRows()
        for work, ready in staged:
            parsed = ready.parsed
            _store_contacts(parsed, creators)
            rows.credits += [
                (work.pk, creators[name].pk, position)
                for position, name in enumerate(_unique(parsed.creators), start=1)
            ]
            rows.taggings += [(work.pk, pk) for pk in {tags[key].pk for key in _tag_keys(parsed)}]
            rows.chapters += [
                (work.pk, position, *_chapter_values(prepared))
                for position, prepared in enumerate(ready.chapters, start=1)
            ]
            provenance = _provenance_values(parsed)
            rows.provenance.append(
                (work.pk, timezone.now(), *(provenance[name] for name in _PROVENANCE_FIELDS))
            )
            if ready.signature is not None:
                rows.prints.append((work.pk, ready.signature))
                rows.bands += [(work.pk, key) for key in _band_keys(ready.signature)]
        rows.insert()
        chapter_ids = _chapter_ids([work.pk for work, _ in staged])
        for work, ready in staged:
            known.chapter_texts += [
                ChapterText(chapter_ids[work.pk, position], work.pk, position, text)
                for position, text in enumerate(ready.indexed_texts, start=1)
            ]
            _set_series(work, ready.parsed)
        known.written += [work.pk for work, _ in staged]
        known.staged = []

    def finish(self) -> None:
        """What follows every written work, once for the batch, inside its transaction:
        search never sees half a work."""
        self.insert_staged()
        written = self.known.written
        if not written:
            return
        # Also indexes the works' metadata (tags are searchable text).
        refresh_work_filters(written)
        updated = self.known.updated
        texts = [text for text in self.known.chapter_texts if text.work_id not in updated]
        get_engine().write_chapters(texts)
        index_works_chapters(set(written) - {text.work_id for text in texts})
        # Suggested tags are read from the text by a task; with the embedded backend it
        # runs now, with a database worker the import does not wait for it.
        infer_works_tags.enqueue(work_ids=written)


@dataclass
class _StagedRows:
    """The rows of a batch's new works other than the works themselves, as plain tuples
    in the order of the fields `insert` names. No id is read back from them but the
    chapters' (in one query), and a model instance a row (some 30 a work, with tags and
    MinHash bands) cost far more to build and compile than the database took to store
    it."""

    credits: list[tuple[Any, ...]] = field(default_factory=list)
    taggings: list[tuple[Any, ...]] = field(default_factory=list)
    chapters: list[tuple[Any, ...]] = field(default_factory=list)
    provenance: list[tuple[Any, ...]] = field(default_factory=list)
    prints: list[tuple[Any, ...]] = field(default_factory=list)
    bands: list[tuple[Any, ...]] = field(default_factory=list)

    def insert(self) -> None:
        # In an order that satisfies the foreign keys.
        insert_rows(WorkCreator, ["work", "creator", "position"], self.credits)
        insert_rows(WorkTag, ["work", "tag"], self.taggings)
        insert_rows(Chapter, ["work", "position", *_CHAPTER_FIELDS], self.chapters)
        insert_rows(Provenance, ["work", "imported", *_PROVENANCE_FIELDS], self.provenance)
        insert_rows(TextFingerprint, ["work", "signature"], self.prints)
        insert_rows(FingerprintBand, ["work", "key"], self.bands)


_CHAPTER_FIELDS = [f.name for f in fields(PreparedChapter)]
_chapter_values = attrgetter(*_CHAPTER_FIELDS)
_PROVENANCE_FIELDS = [
    "source_path",
    "file_name",
    "content_hash",
    "importer",
    "importer_version",
    "fields",
    "reviews",
]


def _chapter_ids(work_ids: list[int]) -> dict[tuple[int, int], int]:
    """The ids of these works' chapters, by (work id, position)."""
    ids: dict[tuple[int, int], int] = {}
    for chunk in _chunks(work_ids):
        rows = Chapter.objects.filter(work_id__in=chunk).values_list("work_id", "position", "pk")
        ids |= {(work_id, position): pk for work_id, position, pk in rows}
    return ids


@lru_cache(maxsize=1024)
def _band_keys(signature: bytes) -> tuple[int, ...]:
    """`minhash.band_keys`, remembered: a work's keys are wanted four times a batch."""
    return tuple(minhash.band_keys(signature))


def _chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    """Lists short enough for one IN (...) on any database."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def write_work(
    parsed: ParsedWork, *, force: bool = False, keep_duplicates: bool = False
) -> WriteResult:
    """Store a parsed work, or recognise it as one already stored. Raises what fails."""
    (result,) = write_batch([prepare(parsed)], force=force, keep_duplicates=keep_duplicates)
    if isinstance(result, Exception):
        raise result
    return result


def write_batch(
    works: Sequence[ReadyWork], *, force: bool = False, keep_duplicates: bool = False
) -> list[WriteResult | Exception]:
    """Store many works, each all or nothing: a result or the error, in order. With
    `keep_duplicates`, a near copy of a stored text is stored too (a false match)."""
    try:
        return _write_together(works, force, keep_duplicates)
    except Exception as error:
        if len(works) == 1:
            return [error]
        # Something the batch shares failed; one work at a time finds the culprit.
        return [
            result
            for ready in works
            for result in write_batch([ready], force=force, keep_duplicates=keep_duplicates)
        ]


def _write_together(
    works: Sequence[ReadyWork], force: bool, keep_duplicates: bool
) -> list[WriteResult | Exception]:
    results: list[WriteResult | Exception] = []
    with transaction.atomic():
        batch = _Batch.of(works, keep_duplicates)
        for ready in works:
            copied = batch.copy_of(ready)
            if batch.may_be_stored(ready.parsed) or (copied and isinstance(copied[0], Work)):
                # It may be a copy of a work this batch wrote: the queries that tell must
                # see its rows. Inserted outside the work's savepoint, which a failure
                # of this work would roll back with them.
                batch.insert_staged()
            found = _Found()
            try:
                with transaction.atomic():
                    result = _write_one(ready, force, batch, found, copied)
            except Exception as error:
                results.append(error)
                continue
            batch.accept(ready.parsed, found)
            results.append(result)
        batch.finish()
    return results


def _write_one(
    ready: ReadyWork, force: bool, batch: _Batch, found: _Found, copied: _Copied
) -> WriteResult:
    parsed, chapters, known = ready.parsed, ready.chapters, batch.known
    if not batch.may_be_stored(parsed):
        return _new(ready, batch, found, copied)

    same_bytes = (
        Provenance.objects.filter(content_hash=parsed.content_hash).select_related("work").first()
    )
    if same_bytes is not None:
        return WriteResult("unchanged", same_bytes.work, "same file content as stored")

    stored = find_by_source(parsed)
    if stored is None:
        return _new(ready, batch, found, copied)

    copy, kept = fingerprint_of_parsed(parsed, chapters), fingerprint_of_work(stored, parsed)
    if copy == kept:
        _provenance(stored, parsed).save()
        return WriteResult("unchanged", stored, "same text and metadata as stored")

    if (reason := _older_than_stored(stored, parsed)) and not force:
        return WriteResult(
            "unchanged", stored, f"older than the stored copy ({reason}); --force applies it"
        )

    if copy["chapters"] == kept["chapters"] and not force and _another_format(stored, parsed):
        # The same text in another file (an EPUB without its title page, say) differs in
        # metadata because its format carries less, not because the story changed.
        _provenance(stored, parsed).save()
        return WriteResult(
            "unchanged",
            stored,
            "same text as stored, from another file; its differing metadata was not "
            "applied (--force applies it)",
        )

    _snapshot(stored, reason="replaced by " + (parsed.source_file or "an import"))
    _update(stored, ready, known, found)
    _provenance(stored, parsed).save()
    batch.remember_print(stored.pk, ready)
    return WriteResult("updated", stored)


def _new(ready: ReadyWork, batch: _Batch, found: _Found, copied: _Copied) -> WriteResult:
    """A work no source or file matched: staged to be stored, unless its text copies a
    work already stored (or earlier in the batch), which is reported, not stored twice."""
    if copied is not None:
        work, score = copied
        original = work if isinstance(work, Work) else Work.objects.get(pk=work)
        note = f"{score:.0%} of its text matches work #{original.pk}"
        return WriteResult("duplicate", original, note)
    result = _stage(ready, found)
    batch.remember_print(result.work, ready)
    return result


def source_of(parsed: ParsedWork) -> str:
    """A work's source: its source URL, else the file path it came from."""
    return parsed.source_url or parsed.source_file


def find_by_source(parsed: ParsedWork) -> Work | None:
    if parsed.source_url:
        by_url = Work.objects.filter(source_url=parsed.source_url).order_by("pk").first()
        if by_url is not None:
            return by_url
    if parsed.source_file:
        from_file = (
            Provenance.objects.filter(source_path=parsed.source_file)
            .order_by("pk")
            .select_related("work")
            .first()
        )
        if from_file is not None:
            return from_file.work
    return None


# Comparing works ------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def _normal_text(html: str) -> str:
    """Text with markup and whitespace differences removed, for comparing copies."""
    return _SPACE.sub(" ", html_to_text(html)).strip()


def _parsed_tags(parsed: ParsedWork) -> dict[str, list[str]]:
    return {
        TagType.RATING: [parsed.rating or NOT_RATED],
        TagType.WARNING: parsed.warnings or [CHOSE_NOT_TO_WARN],
        TagType.CATEGORY: parsed.categories,
        TagType.FANDOM: parsed.fandoms,
        TagType.RELATIONSHIP: parsed.relationships,
        TagType.CHARACTER: parsed.characters,
        TagType.FREEFORM: parsed.freeforms,
    }


def _given_tags(parsed: ParsedWork) -> dict[str, bool]:
    """Which tag types the parsed copy says anything about (a missing rating or warning
    is filled in by default, which is not the source saying so)."""
    given = {tag_type: bool(names) for tag_type, names in _parsed_tags(parsed).items()}
    given[TagType.RATING] = parsed.rating is not None
    given[TagType.WARNING] = bool(parsed.warnings)
    return given


def _tag_keys(parsed: ParsedWork) -> Iterator[TagKey]:
    for tag_type, names in _parsed_tags(parsed).items():
        for name in _unique(names):
            yield tag_type, name


def fingerprint_of_parsed(parsed: ParsedWork, chapters: list[PreparedChapter]) -> dict[str, Any]:
    return _fingerprint(
        parsed,
        title=parsed.title,
        creators=_unique(parsed.creators),
        tags={t: sorted(set(names)) for t, names in _parsed_tags(parsed).items()},
        summary=parsed.summary,
        notes=parsed.notes,
        end_notes=parsed.end_notes,
        chapters=[(c.title, _normal_text(c.body)) for c in chapters],
        language=parsed.language,
        complete=parsed.complete,
        expected_chapters=parsed.expected_chapters,
        published=parsed.published,
        updated=parsed.updated,
        series=[(s.title, s.position) for s in parsed.series],
    )


def fingerprint_of_work(work: Work, parsed: ParsedWork) -> dict[str, Any]:
    tags: dict[str, set[str]] = {tag_type: set() for tag_type in _parsed_tags(parsed)}
    for tag in work.tags.all():
        tags.setdefault(tag.type, set()).add(tag.name)
    return _fingerprint(
        parsed,
        title=work.title,
        creators=work.creator_names(),
        tags={t: sorted(names) for t, names in tags.items() if t in _parsed_tags(parsed)},
        summary=work.summary,
        notes=work.notes,
        end_notes=work.end_notes,
        chapters=[(c.title, _normal_text(c.body)) for c in work.chapters.order_by("position")],
        language=work.language,
        complete=work.complete,
        expected_chapters=work.expected_chapters,
        published=work.published,
        updated=work.updated,
        series=[(e.series.title, e.position) for e in work.series_entries.select_related("series")],
    )


def _fingerprint(parsed: ParsedWork, **values: Any) -> dict[str, Any]:
    """What must match for two copies to be the same story. Fields the parsed source
    does not give at all are left out: a format that carries less metadata (a plain
    text copy of an HTML download, say) is not a change."""
    optional = {
        "language": parsed.language,
        "complete": parsed.complete,
        "expected_chapters": parsed.expected_chapters,
        "published": parsed.published,
        "updated": parsed.updated,
        "series": parsed.series,
        "notes": parsed.notes,
        "end_notes": parsed.end_notes,
    }
    for name, given in optional.items():
        if given is None or given in ("", []):
            values.pop(name)
    if not parsed.creators:
        values.pop("creators")
    if not parsed.summary:
        values.pop("summary")
    # Tag types the copy gives no tags of at all: a plain-text copy of an AO3 download
    # without its relationships has not removed them.
    given = _given_tags(parsed)
    values["tags"] = {t: names for t, names in values["tags"].items() if given[t]}
    for name in ("summary", "notes", "end_notes"):
        if name in values:
            values[name] = _normal_text(values[name])
    values["title"] = _SPACE.sub(" ", values["title"]).strip()
    return values


def _another_format(stored: Work, parsed: ParsedWork) -> bool:
    """Whether the copy comes from a file the work was never imported from, and says it
    was updated no later than the stored work: another download of the same state of
    the story. An edited file imported again is not another format."""
    if parsed.updated and parsed.updated > stored.updated:
        return False
    return not Provenance.objects.filter(work=stored, source_path=parsed.source_file).exists()


def _older_than_stored(stored: Work, parsed: ParsedWork) -> str:
    """Why the parsed copy looks older than the stored one, or "" if it does not."""
    if len(parsed.chapters) < stored.posted_chapters:
        return f"{len(parsed.chapters)} chapters, stored has {stored.posted_chapters}"
    if parsed.updated and parsed.updated < stored.updated:
        return f"updated {parsed.updated}, stored was updated {stored.updated}"
    return ""


# Writing ----------------------------------------------------------------------------


def _fill(work: Work, ready: ReadyWork) -> None:
    """Set the work's own fields from the parsed copy."""
    parsed, chapters = ready.parsed, ready.chapters
    today = timezone.localdate()
    published = (
        parsed.published or next((c.published for c in chapters if c.published), None) or today
    )
    expected = parsed.expected_chapters
    if parsed.complete is False:
        complete = False
    else:
        # A source that says nothing about completion is taken as complete, as AO3
        # takes a work whose posted chapters meet the expected count.
        expected = expected or len(chapters)
        complete = parsed.complete is True or expected == len(chapters)

    work.title = parsed.title.strip() or "Untitled"
    work.summary = sanitize(parsed.summary)
    work.notes = sanitize(parsed.notes)
    work.end_notes = sanitize(parsed.end_notes)
    work.language = parsed.language or settings.DEFAULT_WORK_LANGUAGE
    work.word_count = sum(c.word_count for c in chapters)
    work.expected_chapters = expected
    work.posted_chapters = len(chapters)
    work.complete = complete
    work.published = published
    work.updated = max(parsed.updated or published, published)
    work.source_url = parsed.source_url
    # A plain download of a rescued work says nothing of the archive: not a change.
    work.imported_from = parsed.archive_name or work.imported_from
    work.original_location = parsed.original_location or work.original_location
    for counter in ("hits", "kudos", "bookmarks", "comments"):
        if (value := getattr(parsed, counter)) is not None:
            setattr(work, counter, value)


def _stage(ready: ReadyWork, found: _Found) -> WriteResult:
    work = Work()
    _fill(work, ready)
    # Only when new: a draft an editor has published since stays published.
    work.posted = ready.parsed.posted is not False
    found.staged.append((work, ready))
    return WriteResult("imported", work)


def _update(work: Work, ready: ReadyWork, known: _Found, found: _Found) -> None:
    """Change a stored work to the parsed copy, in place. What the copy says nothing
    about (no creators, no summary or notes, no tags of a type) stays as stored: a
    plainer format of the same story removes nothing."""
    parsed = ready.parsed
    found.updated.add(work.pk)
    kept = {name: getattr(work, name) for name in ("summary", "notes", "end_notes")}
    _fill(work, ready)
    for name, value in kept.items():
        if not getattr(parsed, name):
            setattr(work, name, value)
    work.save()
    if parsed.creators:
        WorkCreator.objects.filter(work=work).delete()
        creators = _creators_for(_unique(parsed.creators), known, found)
        WorkCreator.objects.bulk_create(
            WorkCreator(work=work, creator=creators[name], position=position)
            for position, name in enumerate(_unique(parsed.creators), start=1)
        )
        _store_contacts(parsed, creators)
    given = [tag_type for tag_type, says in _given_tags(parsed).items() if says]
    keys = [key for key in _tag_keys(parsed) if key[0] in given]
    tags = _tags_for(keys, known, found, dict.fromkeys(keys, parsed.fandoms))
    wanted = {tags[key].pk for key in keys}
    replaced = WorkTag.objects.filter(work=work, tag__type__in=given)
    replaced.exclude(tag_id__in=wanted).delete()
    stored = set(WorkTag.objects.filter(work=work).values_list("tag_id", flat=True))
    WorkTag.objects.bulk_create([WorkTag(work=work, tag_id=pk) for pk in wanted - stored])
    if parsed.series:
        SeriesWork.objects.filter(work=work).delete()
        _set_series(work, parsed)
    _update_chapters(work, ready.chapters)
    _replace_fingerprint(work, ready.signature)
    found.written.append(work.pk)


def _replace_fingerprint(work: Work, signature: bytes | None) -> None:
    TextFingerprint.objects.filter(work=work).delete()
    FingerprintBand.objects.filter(work=work).delete()
    if signature is not None:
        TextFingerprint.objects.create(work=work, signature=signature)
        FingerprintBand.objects.bulk_create(
            FingerprintBand(work=work, key=key) for key in _band_keys(signature)
        )


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _creators_for(names: list[str], known: _Found, found: _Found) -> dict[str, Creator]:
    """The creators of these names, from the batch's, looked up or created; what was
    looked up or created goes into `found`."""
    creators = {name: known.creators[name] for name in names if name in known.creators}
    asked = [name for name in names if name not in creators]
    for chunk in _chunks(asked):
        creators |= {c.name: c for c in Creator.objects.filter(name__in=chunk)}
    missing = [name for name in asked if name not in creators]
    made = Creator.objects.bulk_create(Creator(name=name) for name in missing)
    creators |= {creator.name: creator for creator in made}
    found.creators |= {name: creators[name] for name in asked}
    return creators


def _store_contacts(parsed: ParsedWork, creators: dict[str, Creator]) -> None:
    """Keep what an archive knew privately about its authors, on the creators credited
    with these names; later details fill in, never blank out, earlier ones."""
    for contact in parsed.contacts:
        if (creator := creators.get(contact.name.strip())) is None:
            continue
        stored, _ = StoredContact.objects.get_or_create(creator=creator)
        for name in ("email", "real_name", "website", "bio"):
            setattr(stored, name, getattr(contact, name).strip() or getattr(stored, name))
        stored.archive = parsed.archive_name or stored.archive
        stored.save()


def _tags_for(
    keys: list[TagKey], known: _Found, found: _Found, fandoms: dict[TagKey, list[str]]
) -> dict[TagKey, Tag]:
    """The tags of these (type, name) pairs: from the batch's (which looked up all its
    works' tags in one go), else created, and wrangled automatically as new tags are
    (`fandoms`: the fandom names given with each). What was created goes into `found`."""
    have = {key: known.tags[key] for key in keys if key in known.tags}
    unmet = [key for key in keys if key not in have]
    # Created in one statement; a tag another import created meanwhile is skipped and
    # read back with the rest.
    Tag.objects.bulk_create(
        [Tag(type=t, name=n, canonical=is_pack_canonical(t, n)) for t, n in unmet],
        ignore_conflicts=True,
    )
    for chunk in _chunks(unmet):
        created = _tags_named(chunk)
        have |= created
        found.tags |= created
        for key, tag in created.items():
            auto_wrangle(tag, fandoms[key])
    return have


def _tags_named(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Tag]:
    """The tags with these (type, name) pairs that exist, in one simple query (an OR of
    a dozen pairs cost Django more to build than the database to answer)."""
    if not keys:
        return {}
    types, names = {t for t, _ in keys}, {n for _, n in keys}
    wanted = set(keys)
    rows = Tag.objects.filter(type__in=types, name__in=names)
    return {(tag.type, tag.name): tag for tag in rows if (tag.type, tag.name) in wanted}


def _set_series(work: Work, parsed: ParsedWork) -> None:
    """Link the work to its series (a stored work's links are deleted first: a new
    work's would cost a query a work to find there are none)."""
    for entry in parsed.series:
        series = Series.objects.filter(title=entry.title).order_by("pk").first()
        # Series pages show their summary as plain text.
        summary = html_to_text(entry.summary) if looks_like_html(entry.summary) else entry.summary
        summary = summary.strip()
        if series is None:
            series = Series.objects.create(title=entry.title, summary=summary)
        elif summary and not series.summary:
            series.summary = summary
            series.save(update_fields=["summary"])
        position = entry.position
        if position is None:
            position = series.entries.count() + 1
        SeriesWork.objects.create(series=series, work=work, position=position)


def _update_chapters(work: Work, chapters: list[PreparedChapter]) -> None:
    """Chapters are updated in place by position, so their ids and URLs stay stable."""
    existing = {chapter.position: chapter for chapter in work.chapters.all()}
    for position, prepared in enumerate(chapters, start=1):
        chapter = existing.pop(position, None) or Chapter(work=work, position=position)
        for name, value in vars(prepared).items():
            setattr(chapter, name, value)
        chapter.save()
    Chapter.objects.filter(pk__in=[chapter.pk for chapter in existing.values()]).delete()


def _provenance(work: Work, parsed: ParsedWork) -> Provenance:
    return Provenance(work=work, **_provenance_values(parsed))


def _provenance_values(parsed: ParsedWork) -> dict[str, Any]:
    """A Provenance row's fields but its work and time."""
    return {
        "source_path": parsed.source_file,
        "file_name": parsed.source_file.rsplit("/", 1)[-1],
        "content_hash": parsed.content_hash,
        "importer": parsed.importer,
        "importer_version": parsed.importer_version,
        "fields": [[key, value] for key, value in parsed.fields],
        "reviews": [
            {
                "reviewer": review.reviewer,
                "text": review.text,
                "posted": review.posted.isoformat() if review.posted else None,
                "chapter": review.chapter,
            }
            for review in parsed.reviews
        ],
    }


def _snapshot(work: Work, reason: str) -> None:
    """Keep the text and metadata an update is about to replace."""
    WorkRevision.objects.create(
        work=work,
        reason=reason,
        snapshot={
            "title": work.title,
            "summary": work.summary,
            "notes": work.notes,
            "end_notes": work.end_notes,
            "language": work.language,
            "complete": work.complete,
            "expected_chapters": work.expected_chapters,
            "published": work.published.isoformat(),
            "updated": work.updated.isoformat(),
            "source_url": work.source_url,
            "creators": work.creator_names(),
            "tags": [[tag.type, tag.name] for tag in work.tags.all()],
            "series": [
                [entry.series.title, entry.position]
                for entry in work.series_entries.select_related("series")
            ],
            "chapters": [
                {
                    "position": c.position,
                    "title": c.title,
                    "summary": c.summary,
                    "notes": c.notes,
                    "end_notes": c.end_notes,
                    "published": c.published.isoformat() if c.published else None,
                    "body": c.body,
                }
                for c in work.chapters.order_by("position")
            ],
        },
    )
