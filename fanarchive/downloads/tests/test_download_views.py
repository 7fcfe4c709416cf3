"""The download views: the same permissions and adult gate as the pages, a file built
through the task queue, cached, rebuilt when the work changes, streamed as an
attachment."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fanarchive.downloads.links import series_download_path, work_download_path
from fanarchive.tags.constants import EXPLICIT, MATURE
from fanarchive.works.models import Creator, Series, Work
from fanarchive.works.tests.factories import add_chapter, make_tag, make_user, make_work, tag_work

pytestmark = pytest.mark.django_db

SECRET = "The lamp in the bell tower had been lit by no one."


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def text_download(client: Client, work: Work, **params: str):
    return client.get(work_download_path(work.pk, work.title, "txt"), params)


def test_it_streams_a_work_as_an_attachment_named_after_its_title() -> None:
    work = make_work("The Bell Tower", chapters=[f"<p>{SECRET}</p>"])
    response = text_download(Client(), work)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == 'attachment; filename="the-bell-tower.txt"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert SECRET in body_of(response).decode()


@pytest.mark.parametrize("fields", [{"posted": False}, {"hidden_by_admin": True}])
def test_it_refuses_drafts_and_hidden_works_as_their_pages_do(fields: dict) -> None:
    work = make_work("Not Yet", chapters=[f"<p>{SECRET}</p>"], **fields)
    assert Client().get(work.get_absolute_url()).status_code == 404
    assert text_download(Client(), work).status_code == 404


def test_staff_may_download_drafts() -> None:
    work = make_work("Not Yet", chapters=[f"<p>{SECRET}</p>"], posted=False)
    client = Client()
    client.force_login(make_user("wrangler", is_staff=True))
    assert SECRET in body_of(text_download(client, work)).decode()


def test_a_restricted_work_sends_anonymous_readers_to_log_in() -> None:
    work = make_work("Members Only", chapters=[f"<p>{SECRET}</p>"], restricted=True)
    response = text_download(Client(), work)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client = Client()
    client.force_login(make_user())
    assert SECRET in body_of(text_download(client, work)).decode()


def test_an_adult_work_asks_for_consent_before_giving_its_text() -> None:
    work = make_work("After Hours", rating=EXPLICIT, chapters=[f"<p>{SECRET}</p>"])
    client = Client()
    notice = text_download(client, work)
    assert notice.status_code == 200
    assert notice["Content-Type"].startswith("text/html")
    page = notice.content.decode()
    assert "could have adult content" in page
    assert SECRET not in page
    assert "view_adult=true" in page
    agreed = text_download(client, work, view_adult="true")
    assert SECRET in body_of(agreed).decode()
    # Agreeing is remembered for the browser session, as on the pages.
    assert SECRET in body_of(text_download(client, work)).decode()


def test_an_unrated_work_is_gated_and_its_creator_needs_no_consent() -> None:
    work = make_work("Unrated", rating=None, chapters=[f"<p>{SECRET}</p>"])
    assert SECRET not in text_download(Client(), work).content.decode()
    author = make_user("author")
    Creator.objects.filter(name="quillandlamp").update(user=author)
    client = Client()
    client.force_login(author)
    assert SECRET in body_of(text_download(client, work)).decode()


def test_it_answers_404_for_unknown_formats_and_works() -> None:
    work = make_work()
    client = Client()
    assert client.get(work_download_path(work.pk, work.title, "docx")).status_code == 404
    assert client.get(work_download_path(work.pk + 1, work.title, "txt")).status_code == 404


def test_the_second_download_comes_from_the_cache(settings) -> None:
    work = make_work("The Bell Tower", chapters=[f"<p>{SECRET}</p>"])
    first = body_of(text_download(Client(), work))
    cached = list(settings.DOWNLOAD_CACHE_DIR.rglob("*.txt"))
    assert len(cached) == 1
    modified = cached[0].stat().st_mtime_ns
    assert body_of(text_download(Client(), work)) == first
    assert cached[0].stat().st_mtime_ns == modified


def test_an_edited_work_is_built_again_and_the_old_file_removed(settings) -> None:
    work = make_work("The Bell Tower", chapters=[f"<p>{SECRET}</p>"])
    body_of(text_download(Client(), work))
    add_chapter(work, "<p>A second chapter, added later.</p>")
    assert "A second chapter, added later." in body_of(text_download(Client(), work)).decode()
    assert len(list(settings.DOWNLOAD_CACHE_DIR.rglob("*.txt"))) == 1


def test_a_tag_renamed_by_a_wrangler_reaches_the_download() -> None:
    work = make_work("The Bell Tower", freeforms=["Bell Ringing"])
    assert "Bell Ringing" in body_of(text_download(Client(), work)).decode()
    tag = make_tag("freeform", "Bell Ringing")
    tag.name = "Campanology"
    tag.save()
    text = body_of(text_download(Client(), work)).decode()
    assert "Campanology" in text
    assert "Bell Ringing" not in text


def test_a_series_downloads_as_one_book_of_the_works_the_reader_may_see() -> None:
    first = make_work("Part One", chapters=["<p>The first part begins.</p>"], series=[("Bells", 1)])
    make_work(
        "Part Two",
        chapters=["<p>The hidden part.</p>"],
        series=[("Bells", 2)],
        restricted=True,
    )
    series = Series.objects.get(title="Bells")
    path = series_download_path(series.pk, series.title, "txt")
    anonymous = body_of(Client().get(path)).decode()
    assert "The first part begins." in anonymous
    assert "The hidden part." not in anonymous
    client = Client()
    client.force_login(make_user())
    member = body_of(client.get(path)).decode()
    assert "The first part begins." in member and "The hidden part." in member
    assert member.index("The first part begins.") < member.index("The hidden part.")
    assert first.pk


def test_a_series_with_an_adult_work_asks_for_consent() -> None:
    make_work("Part One", series=[("Bells", 1)])
    make_work("Part Two", rating=MATURE, chapters=[f"<p>{SECRET}</p>"], series=[("Bells", 2)])
    series = Series.objects.get(title="Bells")
    path = series_download_path(series.pk, series.title, "txt")
    assert SECRET not in Client().get(path).content.decode()
    assert SECRET in body_of(Client().get(path, {"view_adult": "true"})).decode()


def test_a_series_of_only_hidden_works_is_not_found() -> None:
    make_work("Gone", series=[("Bells", 1)], hidden_by_admin=True)
    series = Series.objects.get(title="Bells")
    assert Client().get(series_download_path(series.pk, "Bells", "txt")).status_code == 404


def test_the_work_page_offers_each_available_format() -> None:
    work = make_work("The Bell Tower")
    page = Client().get(work.get_absolute_url()).content.decode()
    for extension in ("epub", "pdf", "html", "txt"):
        assert work_download_path(work.pk, work.title, extension) in page


def test_the_series_page_offers_the_series_as_one_book() -> None:
    make_work("Part One", series=[("Bells", 1)])
    series = Series.objects.get(title="Bells")
    page = Client().get(series.get_absolute_url()).content.decode()
    assert series_download_path(series.pk, series.title, "epub") in page


def test_a_work_given_a_tag_after_it_was_downloaded_gets_it_in_the_next() -> None:
    work = make_work("The Bell Tower")
    assert "Campanology" not in body_of(text_download(Client(), work)).decode()
    tag_work(work, make_tag("freeform", "Campanology"))
    assert "Campanology" in body_of(text_download(Client(), work)).decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_queue_a_download_waits_for_the_worker(settings) -> None:
    import io

    from django.core.management import call_command
    from django.test import override_settings

    settings.DOWNLOAD_WAIT_SECONDS = 0
    work = make_work("The Bell Tower", chapters=[f"<p>{SECRET}</p>"])
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        waiting = text_download(Client(), work)
        assert waiting.status_code == 503
        assert waiting["Retry-After"] == "10"
        assert "being prepared" in waiting.content.decode()

        call_command("db_worker", "--batch", stdout=io.StringIO(), stderr=io.StringIO())

        assert SECRET in body_of(text_download(Client(), work)).decode()


def test_deleting_a_work_deletes_its_files(settings) -> None:
    work = make_work("The Bell Tower")
    body_of(text_download(Client(), work))
    assert list(settings.DOWNLOAD_CACHE_DIR.rglob("*.txt"))
    work.delete()
    assert not list(settings.DOWNLOAD_CACHE_DIR.rglob("*.txt"))


def test_a_book_identifier_is_a_urn_whatever_the_site_is_called(settings) -> None:
    from fanarchive.downloads.book import book_of_work

    settings.SITE_NAME = "The Old Lighthouse Archive"
    work = make_work("The Bell Tower")
    assert (
        book_of_work(work).identifier == f"urn:fanarchive:the-old-lighthouse-archive:work:{work.pk}"
    )
