"""What a rescued archive knows beyond the story lands, and private details stay private."""

from datetime import date

import pytest
from django.test import Client

from fanarchive.ingest.models import Provenance
from fanarchive.ingest.parsed import (
    CreatorContact,
    ParsedChapter,
    ParsedReview,
    ParsedWork,
)
from fanarchive.ingest.writer import write_work
from fanarchive.works.models import Creator, Work


def rescued(**changes: object) -> ParsedWork:
    work = ParsedWork(
        title="The Lighthouse Keeper's Ledger",
        chapters=[ParsedChapter("<p>The lamp was lit at dusk, as always.</p>")],
        importer="test",
        importer_version="1",
        source_file="/dumps/old.sql#sid=7",
        content_hash="a" * 64,
        creators=["tidewatcher"],
        rating="General Audiences",
        archive_name="The Old Harbour Archive",
        original_location="http://harbour.example.org/viewstory.php?sid=7",
        contacts=[CreatorContact("tidewatcher", email="tide@example.org", real_name="Mara Quill")],
        reviews=[ParsedReview("gull", "Lovely!", date(2006, 5, 1), chapter=1)],
    )
    for name, value in changes.items():
        setattr(work, name, value)
    return work


@pytest.mark.django_db
def test_it_keeps_the_archive_the_work_came_from_and_shows_it():
    work = write_work(rescued()).work
    work.refresh_from_db()
    assert work.imported_from == "The Old Harbour Archive"
    assert work.original_location == "http://harbour.example.org/viewstory.php?sid=7"
    page = Client().get(work.get_absolute_url()).content.decode()
    assert "Imported from <cite>The Old Harbour Archive</cite>" in page
    assert 'href="http://harbour.example.org/viewstory.php?sid=7"' in page


@pytest.mark.django_db
def test_it_never_links_an_original_location_that_is_not_a_web_address():
    work = write_work(rescued(original_location="javascript:alert(1)")).work
    page = Client().get(work.get_absolute_url()).content.decode()
    assert "<code>javascript:alert(1)</code>" in page
    assert 'href="javascript:' not in page


@pytest.mark.django_db
def test_it_stores_author_contacts_privately():
    work = write_work(rescued()).work
    contact = Creator.objects.get(name="tidewatcher").contact
    assert (contact.email, contact.real_name) == ("tide@example.org", "Mara Quill")
    for url in (work.get_absolute_url(), Creator.objects.get().get_absolute_url()):
        page = Client().get(url).content.decode()
        assert "tide@example.org" not in page
        assert "Mara Quill" not in page


@pytest.mark.django_db
def test_it_keeps_reviews_with_the_provenance():
    work = write_work(rescued()).work
    provenance = Provenance.objects.get(work=work)
    assert provenance.reviews == [
        {"reviewer": "gull", "text": "Lovely!", "posted": "2006-05-01", "chapter": 1}
    ]


@pytest.mark.django_db
def test_a_later_plain_copy_keeps_the_archive_and_contacts():
    work = write_work(rescued()).work
    plain = rescued(
        archive_name="",
        original_location="",
        contacts=[],
        content_hash="b" * 64,
        chapters=[ParsedChapter("<p>The lamp was lit at dusk, as always. And again.</p>")],
    )
    result = write_work(plain, force=True)
    assert result.status == "updated"
    stored = Work.objects.get(pk=work.pk)
    assert stored.imported_from == "The Old Harbour Archive"
    assert Creator.objects.get(name="tidewatcher").contact.email == "tide@example.org"
