"""One story met in several formats and versions: copies with one source URL are one
work, and a newer download of a work in progress updates it in place."""

from pathlib import Path

import pytest

from fanarchive.ingest.tests.fixtures.epub.build import build_epub, source
from fanarchive.ingest.tests.test_import_command import run_import, write
from fanarchive.works.models import Chapter, Work, WorkRevision

AO3_HTML = Path(__file__).parent / "fixtures" / "ao3" / "lantern_keepers.html"
SOURCE_URL = "https://archiveofourown.org/works/90000001"

CHAPTER_FOUR = """
      <div class="meta group">
  <h2 class="heading">Chapter 4: Keeping</h2>
</div>

<!--chapter content-->
<div class="userstuff">
  <p>In spring the council sent a letter about the lamp, and Ines used it to light the stove.</p>
</div>
<!--/chapter content-->
"""


def newer_download() -> str:
    """The same AO3 work a month later: chapter 2 edited, chapter 4 posted, complete."""
    page = AO3_HTML.read_text(encoding="utf-8")
    page = page.replace("Chapters: 3/?", "Chapters: 4/4").replace(
        "Updated: 2021-06-02", "Completed: 2021-07-01"
    )
    page = page.replace("He had also brought a goat", "He had also brought a goose")
    page = page.replace("the goat had eaten a glove", "the goose had eaten a glove")
    last_chapter_end = page.index('<div id="afterword">')
    closing = page.rindex("</div>", 0, last_chapter_end)
    return page[:closing] + CHAPTER_FOUR + page[closing:]


@pytest.mark.django_db
def test_a_newer_download_of_a_work_in_progress_updates_it_in_place(tmp_path):
    code, [first], _ = run_import(AO3_HTML)
    assert (code, first["status"], first["complete"], first["chapters"]) == (
        0,
        "imported",
        False,
        3,
    )
    work = Work.objects.get(pk=first["work_id"])
    chapter_ids = list(work.chapters.order_by("position").values_list("pk", flat=True))

    newer = write(tmp_path / "downloads" / "lantern_keepers.html", newer_download())
    code, [second], _ = run_import(newer)

    assert (code, second["status"], second["work_id"]) == (0, "updated", work.pk)
    assert (second["complete"], second["chapters"]) == (True, 4)
    chapters = list(Chapter.objects.filter(work=work).order_by("position"))
    assert [c.pk for c in chapters[:3]] == chapter_ids
    assert "goose" in chapters[1].body and "goat" not in chapters[1].body
    assert chapters[3].title == "Keeping"
    assert "used it to light the stove" in chapters[3].body
    (revision,) = WorkRevision.objects.filter(work=work)
    kept = revision.snapshot["chapters"]
    assert len(kept) == 3
    assert "brought a goat" in kept[1]["body"]
    assert work.get_absolute_url() == Work.objects.get(pk=work.pk).get_absolute_url()


@pytest.mark.django_db
def test_the_calibre_epub_of_a_stored_ao3_download_is_unchanged(tmp_path):
    _, [html], _ = run_import(AO3_HTML)
    book = tmp_path / "lantern.epub"
    book.write_bytes(build_epub(source("lantern_keepers_calibre_epub")))
    _, [copy], _ = run_import(book)
    assert (copy["status"], copy["work_id"]) == ("unchanged", html["work_id"])
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_a_plainer_copy_with_the_same_source_changes_nothing(tmp_path):
    """A text copy carries fewer tags and no notes; what it leaves out is not a change."""
    _, [html], _ = run_import(AO3_HTML)
    stored = Work.objects.get(pk=html["work_id"])
    texts = [c.body for c in stored.chapters.order_by("position")]
    plain = "\n\n".join(
        f"Chapter {n}: {title}\n\n{body}" if title else f"Chapter {n}\n\n{body}"
        for n, (title, body) in enumerate(
            zip(
                stored.chapters.order_by("position").values_list("title", flat=True),
                texts,
                strict=True,
            ),
            start=1,
        )
    )
    copy = write(
        tmp_path / "lantern.txt",
        f"Title: {stored.title}\nAuthor: {', '.join(stored.creator_names())}\n"
        f"Source: {SOURCE_URL}\n\n{plain}\n",
    )
    _, [line], _ = run_import(copy)
    assert (line["status"], line["work_id"]) == ("unchanged", html["work_id"])
    assert line["relationships"] == html["relationships"]
    assert line["freeforms"] == html["freeforms"]


@pytest.mark.django_db
def test_an_update_from_a_plainer_copy_keeps_what_the_copy_does_not_say(tmp_path):
    _, [html], _ = run_import(AO3_HTML)
    stored = Work.objects.get(pk=html["work_id"])
    summary, notes = stored.summary, stored.notes
    chapters = "\n\n".join(
        f"Chapter {n}\n\n{body}\n\nA line the author added later."
        for n, body in enumerate(
            stored.chapters.order_by("position").values_list("body", flat=True), 1
        )
    )
    copy = write(
        tmp_path / "lantern.txt", f"Title: {stored.title}\nSource: {SOURCE_URL}\n\n{chapters}\n"
    )
    _, [line], _ = run_import(copy)
    assert (line["status"], line["work_id"]) == ("updated", html["work_id"])
    for key in (
        "creators",
        "rating",
        "warnings",
        "fandoms",
        "relationships",
        "freeforms",
        "series",
    ):
        assert line[key] == html[key], key
    stored.refresh_from_db()
    assert (stored.summary, stored.notes) == (summary, notes)
    assert "A line the author added later." in stored.chapters.get(position=2).body


FANFICFARE = Path(__file__).parent / "fixtures" / "fanficfare"


@pytest.mark.django_db
def test_a_copy_whose_format_carries_less_does_not_overwrite_the_stored_metadata():
    """FanFicFare's EPUB without its title page has the same text, but its tags arrive
    untyped: it is the same story in a poorer format, not a change."""
    _, [full], _ = run_import(FANFICFARE / "gullhaven.epub")
    _, [poor], _ = run_import(FANFICFARE / "gullhaven-no-titlepage.epub")
    assert (poor["status"], poor["work_id"]) == ("unchanged", full["work_id"])
    for key in ("fandoms", "characters", "relationships", "freeforms", "series", "summary"):
        assert poor[key] == full[key], key
    assert Work.objects.get(pk=full["work_id"]).provenance.count() == 2


@pytest.mark.django_db
def test_force_applies_a_poorer_copy_and_an_edited_file_still_updates(tmp_path):
    _, [stored], _ = run_import(FANFICFARE / "gullhaven.epub")
    _, [forced], _ = run_import(FANFICFARE / "gullhaven-no-titlepage.epub", "--force")
    assert (forced["status"], forced["work_id"]) == ("updated", stored["work_id"])

    page = write(
        tmp_path / "page.txt", "Title: Lamps\nSource: https://example.org/s/9\n\n" + "Lit. " * 40
    )
    _, [first], _ = run_import(page)
    assert first["status"] == "imported"
    write(
        page, "Title: Lamps\nFandom: Tidewater\nSource: https://example.org/s/9\n\n" + "Lit. " * 40
    )
    _, [edited], _ = run_import(page)
    assert (edited["status"], edited["fandoms"]) == ("updated", ["Tidewater"])


@pytest.mark.django_db
def test_a_work_imported_and_updated_in_one_batch_is_searched_as_updated(tmp_path):
    from fanarchive.lib.columns import Audience
    from fanarchive.search.service import SearchQuery, search

    folder = tmp_path / "downloads"
    write(folder / "a-first.html", AO3_HTML.read_text(encoding="utf-8"))
    write(folder / "b-newer.html", newer_download())
    code, outcomes, _ = run_import(folder)

    assert code == 0
    assert [outcome["status"] for outcome in outcomes] == ["imported", "updated"]
    work = Work.objects.get()

    def found(text: str) -> list[tuple[int, int | None]]:
        hits = search(SearchQuery(text=text), Audience.STAFF).hits
        return [(hit.work.pk, hit.chapter_position) for hit in hits]

    assert found('"used it to light the stove"') == [(work.pk, 4)]
    assert found('"goose had eaten a glove"') == [(work.pk, 2)]
    assert found('"goat had eaten a glove"') == []
