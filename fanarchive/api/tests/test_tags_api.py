"""Tags through the API: listed by type and name, and each with its wrangling links."""

import pytest

from fanarchive.tags.models import Tag
from fanarchive.works.tests.factories import make_tag, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrangled(db) -> dict[str, Tag]:
    media = make_tag("media", "Books")
    fandom = make_tag("fandom", "Harbour Saga")
    fandom.make_canonical()
    fandom.add_parent(media)
    meta = make_tag("fandom", "Harbour Saga (All Media)")
    fandom.add_meta_tag(meta)
    character = make_tag("character", "Ada the Pilot")
    character.make_canonical()
    character.add_parent(fandom)
    synonym = make_tag("character", "Ada")
    synonym.make_synonym_of(character)
    make_work("The Pilot's Log", fandoms=["Harbour Saga"], characters=["Ada"])
    return {"fandom": fandom, "meta": meta, "character": character, "synonym": synonym}


def names(refs: list[dict]) -> list[str]:
    return [ref["name"] for ref in refs]


def test_it_lists_tags_by_type_and_prefix(client, wrangled):
    answer = client.get("/api/tags", {"type": "character"}).json()
    assert names(answer["results"]) == ["Ada", "Ada the Pilot"]
    assert answer["count"] == 2
    assert names(client.get("/api/tags", {"prefix": "harbour s"}).json()["results"]) == [
        "Harbour Saga",
        "Harbour Saga (All Media)",
    ]
    canonical = client.get("/api/tags", {"type": "character", "canonical": "true"}).json()
    assert names(canonical["results"]) == ["Ada the Pilot"]


def test_it_pages_tags(client, wrangled):
    first = client.get("/api/tags", {"type": "character", "per_page": 1}).json()
    assert first["pages"] == 2 and names(first["results"]) == ["Ada"]
    second = client.get(first["next"]).json()
    assert names(second["results"]) == ["Ada the Pilot"]
    assert second["next"] is None and second["previous"]


def test_an_unknown_tag_type_is_a_validation_error(client, wrangled):
    response = client.get("/api/tags", {"type": "flavour"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_a_tag_has_its_wrangling_links(client, wrangled):
    fandom = client.get(f"/api/tags/{wrangled['fandom'].pk}").json()
    assert fandom["canonical"] is True
    assert names(fandom["meta_tags"]) == ["Harbour Saga (All Media)"]
    assert names(fandom["parents"]) == ["Books"]
    assert names(fandom["children"]) == ["Ada the Pilot"]
    assert fandom["works"] == 1
    synonym = client.get(f"/api/tags/{wrangled['synonym'].pk}").json()
    assert synonym["merger"]["name"] == "Ada the Pilot"
    assert synonym["canonical"] is False
    character = client.get(synonym["merger"]["url"]).json()
    assert names(character["synonyms"]) == ["Ada"]
    assert character["works"] == 1
    meta = client.get(f"/api/tags/{wrangled['meta'].pk}").json()
    assert names(meta["sub_tags"]) == ["Harbour Saga"]
    # The meta tag's filter finds its sub tag's works, as on the site.
    assert meta["works"] == 1
    listed = client.get(meta["works_url"]).json()
    assert [work["title"] for work in listed["results"]] == ["The Pilot's Log"]


def test_a_missing_tag_is_a_404_error_object(client, db):
    response = client.get("/api/tags/987654")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
