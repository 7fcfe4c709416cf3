"""The operators' admin: every list and form renders, take-downs work, HTML typed in is
sanitised, fixed tags stay fixed."""

import pytest
from django.urls import reverse

from fanarchive.ingest.models import Provenance
from fanarchive.tags.constants import EXPLICIT
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.models import Chapter, Creator, Series, Work, WorkRevision
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def work() -> Work:
    work = make_work(
        "Night Shift", rating=EXPLICIT, series=[("Ledgers", 1)], relationships=["Angel/Cordy"]
    )
    Provenance.objects.create(
        work=work,
        source_path="/fics/night.txt",
        file_name="night.txt",
        content_hash="ab" * 32,
        importer="plaintext",
        importer_version="1",
        fields=[["title", "Night Shift"], ["disclaimer", "Not mine — Joss's"]],
    )
    WorkRevision.objects.create(work=work, reason="replaced", snapshot={"title": "Old"})
    return work


def admin_urls(work: Work) -> list[str]:
    tag = work.tags.get(type=TagType.RELATIONSHIP)
    objects = {
        "works_work": work,
        "works_chapter": work.chapters.get(),
        "works_creator": work.creators.get(),
        "works_series": work.series.get(),
        "works_workrevision": work.revisions.get(),
        "tags_tag": tag,
        "ingest_provenance": work.provenance.get(),
    }
    urls = []
    for name, obj in objects.items():
        urls += [
            reverse(f"admin:{name}_changelist"),
            reverse(f"admin:{name}_change", args=[obj.pk]),
        ]
    return urls


def test_every_admin_page_renders(admin_client, work):
    for url in admin_urls(work):
        assert admin_client.get(url).status_code == 200, url
    for name in ("works_work", "works_chapter", "works_creator", "works_series", "tags_tag"):
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200, name


def test_the_work_list_shows_creators_rating_and_visibility(admin_client, work):
    content = admin_client.get(reverse("admin:works_work_changelist")).content.decode()
    assert "Night Shift" in content
    assert "quillandlamp" in content
    assert "Explicit" in content
    search = admin_client.get(reverse("admin:works_work_changelist"), {"q": "night"})
    assert search.context["cl"].result_count == 1


def test_the_hide_action_takes_works_down_and_unhide_restores_them(admin_client, client, work):
    other = make_work("Stays up")
    changelist = reverse("admin:works_work_changelist")

    response = admin_client.post(
        changelist, {"action": "hide", "_selected_action": [work.pk]}, follow=True
    )

    assert "Hid 1 work(s) from readers." in response.content.decode()
    work.refresh_from_db()
    other.refresh_from_db()
    assert work.hidden_by_admin and not other.hidden_by_admin
    assert client.get(work.get_absolute_url()).status_code == 404

    admin_client.post(changelist, {"action": "unhide", "_selected_action": [work.pk]})
    work.refresh_from_db()
    assert not work.hidden_by_admin
    assert client.get(work.get_absolute_url()).status_code == 200


def test_chapter_html_typed_into_the_admin_is_sanitised_numbered_and_counted(admin_client, work):
    chapter = work.chapters.get()
    response = admin_client.post(
        reverse("admin:works_chapter_change", args=[chapter.pk]),
        {
            "work": work.pk,
            "position": 1,
            "title": "",
            "published": "",
            "summary": "<p>ok<script>bad()</script></p>",
            "notes": "",
            "body": "<p>One two</p><p onclick='x()'>three<script>alert(1)</script></p>",
            "end_notes": "",
        },
    )
    assert response.status_code == 302
    chapter.refresh_from_db()
    assert chapter.body == '<p id="p1">One two</p><p id="p2">three</p>'
    assert chapter.summary == "<p>ok</p>"
    assert chapter.word_count == 3
    assert Work.objects.get(pk=work.pk).word_count == 3


def test_provenance_and_revisions_are_read_only(admin_client, work):
    provenance = work.provenance.get()
    content = admin_client.get(
        reverse("admin:ingest_provenance_change", args=[provenance.pk])
    ).content.decode()
    assert "Not mine — Joss&#x27;s" in content
    assert 'name="source_path"' not in content  # shown, not editable
    assert admin_client.get(reverse("admin:ingest_provenance_add")).status_code == 403
    assert admin_client.get(reverse("admin:works_workrevision_add")).status_code == 403


def test_the_tag_list_filters_by_type_and_canonical(admin_client):
    make_tag(TagType.FANDOM, "Angel")
    url = reverse("admin:tags_tag_changelist")
    fandoms = admin_client.get(url, {"type__exact": TagType.FANDOM}).context["cl"]
    assert [tag.name for tag in fandoms.result_list] == ["Angel"]
    canonical = admin_client.get(url, {"canonical__exact": "1"}).context["cl"]
    assert canonical.result_count == Tag.objects.filter(canonical=True).count() == 17


def test_making_a_tag_a_synonym_in_the_admin_brings_its_synonyms_along(admin_client):
    final = make_tag(TagType.CHARACTER, "Rupert Giles")
    first = make_tag(TagType.CHARACTER, "Giles")
    ripper = make_tag(TagType.CHARACTER, "Ripper", synonym_of=first)

    response = admin_client.post(
        reverse("admin:tags_tag_change", args=[first.pk]),
        {"type": TagType.CHARACTER, "name": "Giles", "merger": final.pk},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    ripper.refresh_from_db()
    assert first.merger == final and ripper.merger == final


def test_the_admin_refuses_a_synonym_of_another_type(admin_client):
    fandom = make_tag(TagType.FANDOM, "Angel")
    character = make_tag(TagType.CHARACTER, "Angel")
    response = admin_client.post(
        reverse("admin:tags_tag_change", args=[character.pk]),
        {"type": TagType.CHARACTER, "name": "Angel", "merger": fandom.pk},
    )
    assert response.status_code == 200
    assert "only be a synonym of a tag of its own type" in response.content.decode()
    character.refresh_from_db()
    assert character.merger is None


def test_fixed_tags_cannot_be_renamed_or_deleted(admin_client):
    explicit = Tag.objects.get(type=TagType.RATING, name=EXPLICIT)
    admin_client.post(
        reverse("admin:tags_tag_change", args=[explicit.pk]),
        {"type": TagType.FREEFORM, "name": "Anything goes", "canonical": "on"},
    )
    explicit.refresh_from_db()
    assert (explicit.type, explicit.name) == (TagType.RATING, EXPLICIT)
    assert admin_client.get(reverse("admin:tags_tag_delete", args=[explicit.pk])).status_code == 403


def test_autocomplete_finds_tags_creators_series_and_works(admin_client, work):
    url = reverse("admin:autocomplete")
    for model, field, term, app in [
        ("worktag", "tag", "Angel", "works"),
        ("workcreator", "creator", "quill", "works"),
        ("serieswork", "series", "Ledg", "works"),
        ("serieswork", "work", "Night", "works"),
        ("tag", "merger", "Angel", "tags"),
    ]:
        response = admin_client.get(
            url, {"app_label": app, "model_name": model, "field_name": field, "term": term}
        )
        assert response.status_code == 200, (model, field)
        assert response.json()["results"], (model, field)
    assert Creator.objects.count() == 1 and Series.objects.count() == 1
    assert Chapter.objects.count() == 1


def test_deleting_a_chapter_in_the_admin_recounts_the_work(admin_client):
    work = make_work("Two parts", chapters=["<p>One two three.</p>", "<p>Four five.</p>"])
    second = work.chapters.get(position=2)

    response = admin_client.post(
        reverse("admin:works_chapter_delete", args=[second.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    work = Work.objects.get(pk=work.pk)
    assert work.posted_chapters == 1
    assert work.word_count == 3


def test_a_chapter_edited_in_the_admin_is_searchable_by_its_new_text(admin_client, work):
    from fanarchive.lib.columns import Audience
    from fanarchive.search.service import SearchQuery, search

    chapter = work.chapters.get()
    admin_client.post(
        reverse("admin:works_chapter_change", args=[chapter.pk]),
        {
            "work": work.pk,
            "position": 1,
            "title": "",
            "published": "",
            "summary": "",
            "notes": "",
            "body": "<p>The periwinkle lighthouse blinked twice.</p>",
            "end_notes": "",
        },
    )

    found = search(SearchQuery(text='"periwinkle lighthouse"'), Audience.STAFF, limit=5)
    assert [hit.work.pk for hit in found.hits] == [work.pk]
