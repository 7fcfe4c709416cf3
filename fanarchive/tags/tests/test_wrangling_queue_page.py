"""The wranglers' queue page: staff only, suggestions ranked, bulk actions."""

import pytest
from django.urls import reverse

from fanarchive.tags.models import Tag, TagType
from fanarchive.works.tests.factories import make_tag, make_user, make_work, tag_work

pytestmark = pytest.mark.django_db

BUFFY = "Buffy the Vampire Slayer"


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("wrangler", is_staff=True))
    return client


def queue_data():
    fandom = make_tag(TagType.FANDOM, BUFFY)
    fandom.make_canonical()
    spuffy = make_tag(TagType.RELATIONSHIP, "Buffy Summers/Spike")
    spuffy.make_canonical()
    variant = make_tag(TagType.RELATIONSHIP, "Spike x Buffy")
    stray = make_tag(TagType.FREEFORM, "zzz unmatched thing")
    tag_work(make_work("One", fandoms=()), fandom, spuffy, variant, stray)
    return spuffy, variant, stray


def test_readers_cannot_see_the_queue(client):
    assert client.get(reverse("tags:queue")).status_code == 403
    client.force_login(make_user())
    assert client.get(reverse("tags:queue")).status_code == 403
    assert client.post(reverse("tags:queue"), {"action": "canonical"}).status_code == 403


def test_the_queue_shows_unwrangled_tags_with_ranked_suggestions(staff_client):
    queue_data()
    page = staff_client.get(reverse("tags:queue"), {"fandom": BUFFY}).content.decode()

    assert "Spike x Buffy" in page
    assert "zzz unmatched thing" in page
    assert "Buffy Summers/Spike" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_merging_selected_tags_into_their_best_suggestion(staff_client):
    spuffy, variant, stray = queue_data()
    response = staff_client.post(
        reverse("tags:queue"),
        {"fandom": BUFFY, "action": "merge", "tag": [variant.pk, stray.pk]},
    )

    assert response.status_code == 302
    assert Tag.objects.get(pk=variant.pk).merger == spuffy
    assert not Tag.objects.get(pk=stray.pk).wrangled  # no candidate, left alone


def test_making_selected_tags_canonical(staff_client):
    _, variant, stray = queue_data()
    staff_client.post(reverse("tags:queue"), {"action": "canonical", "tag": [stray.pk]})

    assert Tag.objects.get(pk=stray.pk).canonical
    assert not Tag.objects.get(pk=variant.pk).wrangled
