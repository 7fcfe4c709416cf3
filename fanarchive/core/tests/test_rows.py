"""The writer stores a batch's rows as plain tuples (`insert_rows`), not model
instances: what lands in the database must be what the ORM would have stored."""

import datetime

import pytest
from django.utils import timezone

from fanarchive.core.rows import insert_rows
from fanarchive.ingest.models import FingerprintBand, Provenance, TextFingerprint
from fanarchive.works.models import Chapter
from fanarchive.works.tests.factories import make_work

pytestmark = pytest.mark.django_db

SIGNATURE = bytes(range(256)) * 2 + b"\x00\xff"
FIELDS = [["Title", 'Pr\u00eat-\u00e0-porter \u2014 "quoted"'], ["Notes", "tab\there\nline"]]
REVIEWS = [{"reviewer": "Ada", "text": "<b>Lovely</b> \U0001f600", "posted": None, "chapter": 2}]


def stored(model, work, exclude=("id", "work", "imported")):
    names = [f.attname for f in model._meta.concrete_fields if f.name not in exclude]
    rows = model.objects.filter(work=work).order_by(*names[:2]).values_list(*names)
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]


def test_it_stores_rows_as_the_orm_does():
    by_orm, by_rows = make_work("By ORM", chapters=()), make_work("By Rows", chapters=())
    published = datetime.date(2011, 2, 3)
    chapters = [
        ("Un", "<p>s</p>", "", "<p>n</p>", published, '<p id="p1">Caf\u00e9</p>', 1),
        ("", "", "", "", None, '<p id="p1">x</p>', 0),
    ]
    names = ["title", "summary", "notes", "end_notes", "published", "body", "word_count"]
    provenance = ["/s/a.txt", "a.txt", "ab" * 32, "plaintext", "3", FIELDS, REVIEWS]
    prov_names = ["source_path", "file_name", "content_hash", "importer", "importer_version"]
    prov_names += ["fields", "reviews"]
    keys = [-(2**63), 2**63 - 1, 0, 12345]
    now = timezone.now()

    Chapter.objects.bulk_create(
        Chapter(work=by_orm, position=n, **dict(zip(names, values, strict=True)))
        for n, values in enumerate(chapters, start=1)
    )
    Provenance.objects.create(work=by_orm, **dict(zip(prov_names, provenance, strict=True)))
    TextFingerprint.objects.create(work=by_orm, signature=SIGNATURE)
    FingerprintBand.objects.bulk_create(FingerprintBand(work=by_orm, key=k) for k in keys)

    rows = [(by_rows.pk, n, *values) for n, values in enumerate(chapters, start=1)]
    insert_rows(Chapter, ["work", "position", *names], rows)
    insert_rows(Provenance, ["work", "imported", *prov_names], [(by_rows.pk, now, *provenance)])
    insert_rows(TextFingerprint, ["work", "signature"], [(by_rows.pk, SIGNATURE)])
    insert_rows(FingerprintBand, ["work", "key"], [(by_rows.pk, k) for k in keys])

    for model in (Chapter, Provenance, TextFingerprint, FingerprintBand):
        assert stored(model, by_rows) == stored(model, by_orm), model.__name__
    assert stored(TextFingerprint, by_rows) == [(SIGNATURE,)]
    assert Provenance.objects.get(work=by_rows).imported == now
    assert Provenance.objects.get(work=by_rows).fields == FIELDS


def test_it_refuses_rows_that_leave_a_field_out():
    work = make_work(chapters=())
    with pytest.raises(ValueError, match="body"):
        insert_rows(Chapter, ["work", "position", "title"], [(work.pk, 1, "Untitled")])
    assert not Chapter.objects.filter(work=work).exists()
