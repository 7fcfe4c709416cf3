"""Tag pages: any tag name round-trips through its URL; synonyms lead to their
canonical tag, whose page lists their works too."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from fanarchive.tags.constants import EXPLICIT
from fanarchive.tags.models import Tag, TagType
from fanarchive.works.tests.factories import make_tag, make_user, make_work

pytestmark = pytest.mark.django_db

ODD_NAMES = [
    (TagType.RELATIONSHIP, "Giles/Jenny"),
    (TagType.RELATIONSHIP, "Kirk & Spock"),
    (TagType.FREEFORM, "What?"),
    (TagType.FREEFORM, "#1 Fan"),
    (TagType.FREEFORM, "100% Done"),
    (TagType.CHARACTER, "Élodie"),
    (TagType.FREEFORM, "a/b/c?d=e&f#g"),
    (TagType.FREEFORM, "Trailing slash/"),
    (TagType.FANDOM, "東方Project"),
    (TagType.FREEFORM, "Plus+Sign; semi:colon"),
]


@pytest.mark.parametrize(("tag_type", "name"), ODD_NAMES)
def test_any_tag_name_round_trips_through_its_url(client, tag_type, name):
    make_work("Tagged", **{
        TagType.RELATIONSHIP: {"relationships": [name]},
        TagType.FREEFORM: {"freeforms": [name]},
        TagType.CHARACTER: {"characters": [name]},
        TagType.FANDOM: {"fandoms": [name]},
    }[tag_type])  # fmt: skip
    tag = Tag.objects.get(type=tag_type, name=name)

    response = client.get(tag.get_absolute_url())

    assert response.status_code == 200, tag.get_absolute_url()
    assert response.context["tag"] == tag
    assert "Tagged" in response.content.decode()


def test_a_tag_page_shows_the_tag_its_type_synonyms_and_works(client):
    canonical = make_tag(TagType.RELATIONSHIP, "Rupert Giles/Jenny Calendar")
    make_tag(TagType.RELATIONSHIP, "Giles/Jenny", synonym_of=canonical)
    make_work("Canonical work", relationships=["Rupert Giles/Jenny Calendar"])
    make_work("Synonym work", relationships=["Giles/Jenny"],
              updated=datetime.date(2025, 1, 1))  # fmt: skip
    make_work("Untagged work")
    make_work("Draft work", relationships=["Giles/Jenny"], posted=False)

    response = client.get(canonical.get_absolute_url())
    content = response.content.decode()

    assert response.status_code == 200
    assert '<h1 class="page-title">Rupert Giles/Jenny Calendar</h1>' in content
    assert "<strong>Relationship</strong>" in content
    assert "<li>Giles/Jenny</li>" in content
    assert "2 Works in Rupert Giles/Jenny Calendar" in content
    assert content.index("Synonym work") < content.index("Canonical work")
    assert "Untagged work" not in content and "Draft work" not in content
    filter_link = "/works/?tag=relationship%3ARupert%20Giles%2FJenny%20Calendar"
    assert f'href="{filter_link}"' in content
    assert "Synonym work" in client.get(filter_link).content.decode()


def test_a_synonyms_page_redirects_to_its_canonical_tag(client):
    canonical = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    synonym = make_tag(TagType.FANDOM, "BtVS & Co?", synonym_of=canonical)
    response = client.get(synonym.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == canonical.get_absolute_url()


def test_unknown_tags_and_types_are_404(client):
    make_work(fandoms=["Angel"])
    assert client.get("/tags/fandom/Angel/").status_code == 200
    assert client.get("/tags/fandom/Nope/").status_code == 404
    assert client.get("/tags/character/Angel/").status_code == 404
    assert client.get("/tags/pairing/Angel/").status_code == 404


def test_a_tag_page_lists_restricted_works_only_to_logged_in_readers(client):
    make_work("Members only", freeforms=["Libraries"], restricted=True)
    url = make_tag(TagType.FREEFORM, "Libraries").get_absolute_url()
    assert "Members only" not in client.get(url).content.decode()
    client.force_login(make_user())
    assert "Members only" in client.get(url).content.decode()


def test_a_tag_page_paginates_and_keeps_the_page_links(client, settings):
    settings.WORKS_PER_PAGE = 2
    for day in range(1, 6):
        make_work(f"Day {day}", freeforms=["Fluff"], updated=datetime.date(2024, 1, day))
    url = make_tag(TagType.FREEFORM, "Fluff").get_absolute_url()

    content = client.get(url, {"page": "3"}).content.decode()

    assert "5 - 5 of 5 Works in Fluff" in content
    assert "Day 1" in content and "Day 2" not in content
    assert client.get(url, {"page": "x"}).status_code == 200


def test_a_tag_page_escapes_the_tag_name(client):
    make_work(freeforms=["<script>alert(1)</script>"], rating=EXPLICIT)
    tag = Tag.objects.get(name="<script>alert(1)</script>")
    content = client.get(tag.get_absolute_url()).content.decode()
    assert "<script" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_the_tag_url_is_quoted(client):
    tag = make_tag(TagType.FREEFORM, "100% Done?")
    assert tag.get_absolute_url() == f"/tags/freeform/{quote('100% Done?')}/"
    assert reverse("tags:detail", args=["freeform", "100% Done?"]) == tag.get_absolute_url()
