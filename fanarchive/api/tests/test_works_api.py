"""Listing, searching and reading works through the API, as the site does."""

import pytest

from fanarchive.api.tests.conftest import OPEN_TEXT
from fanarchive.search.tests.stories import store
from fanarchive.tags.constants import MATURE, TEEN
from fanarchive.works.serialize import WORK_KEYS

pytestmark = pytest.mark.django_db


def get(client, url: str, status: int = 200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def titles(answer: dict) -> list[str]:
    return [work["title"] for work in answer["results"]]


def test_it_lists_public_works_newest_first_with_pagination(client, archive):
    answer = get(client, "/api/works", per_page=1)
    assert answer["count"] == 2
    assert answer["pages"] == 2
    assert answer["previous"] is None
    assert "page=2" in answer["next"]
    second = get(client, answer["next"])
    assert second["page"] == 2
    assert second["next"] is None
    assert {*titles(answer), *titles(second)} == {"Lanterns on the Canal", "The Velvet Curtain"}


def test_it_searches_the_text_with_a_snippet_pointing_at_the_paragraph(client, archive):
    answer = get(client, "/api/works", q="lanterns canal")
    [hit] = answer["results"]
    assert hit["title"] == "Lanterns on the Canal"
    assert hit["chapter"] == 1
    assert hit["paragraph"] == 1
    assert "<mark>" in hit["snippet"]
    assert hit["fandoms"] == ["Canal Tales"]
    assert hit["creators"] == ["tillerwright"]


def test_it_reads_the_sites_filter_parameters(client, archive):
    store("A Teen Story", "<p>Nothing here.</p>", rating=TEEN, fandoms=["Other Fandom"])
    store("A Mature Story", "<p>Nothing here.</p>", rating=MATURE, fandoms=["Other Fandom"])
    assert titles(get(client, "/api/works", tag="fandom:Other Fandom", sort="title")) == [
        "A Mature Story",
        "A Teen Story",
    ]
    assert titles(get(client, "/api/works", tag="Other Fandom", rating=TEEN)) == ["A Teen Story"]
    excluded = get(client, "/api/works", exclude="Canal Tales", sort="title")
    assert titles(excluded) == ["A Mature Story", "A Teen Story"]
    assert get(client, "/api/works", words_from="1000")["count"] == 0


def test_it_rejects_an_unknown_sort_with_an_error_object(client, archive):
    answer = get(client, "/api/works", 422, sort="nonsense")
    assert answer["error"]["code"] == "invalid"
    assert answer["error"]["details"][0]["loc"][-1] == "sort"


def test_it_caps_the_page_size(client, archive):
    assert get(client, "/api/works", 422, per_page=101)["error"]["code"] == "invalid"
    assert get(client, "/api/works", 422, page=0)["error"]["code"] == "invalid"


def test_work_detail_has_the_import_json_fields_and_links(client, archive):
    work = archive.open
    answer = get(client, f"/api/works/{work.pk}")
    assert set(WORK_KEYS) <= set(answer)
    assert answer["work_id"] == work.pk
    assert answer["notes"] == "<p>Written on a train.</p>"
    assert answer["characters"] == ["The Ferryman"]
    assert answer["chapters"] == 2
    assert answer["url"] == f"http://testserver/works/{work.pk}/"
    assert answer["chapters_url"] == f"http://testserver/api/works/{work.pk}/chapters"
    assert answer["adult"] is False and answer["gated"] is False
    for download in answer["downloads"]:
        assert download["url"].startswith(f"http://testserver/downloads/works/{work.pk}/")


def test_chapters_list_and_read(client, archive):
    work = archive.open
    index = get(client, f"/api/works/{work.pk}/chapters")
    assert [(c["position"], c["words"]) for c in index["chapters"]] == [(1, 9), (2, 7)]
    chapter = get(client, index["chapters"][0]["url"])
    assert chapter["body"] == OPEN_TEXT.replace("<p>", '<p id="p1">')
    assert chapter["position"] == 1
    missing = get(client, f"/api/works/{work.pk}/chapters/3", 404)
    assert missing == {
        "error": {"code": "not_found", "message": "Not found, or not visible to you."}
    }


def test_chapter_body_is_sanitised(client, db):
    work = store("Scripted", '<p onclick="steal()">Hello<script>alert(1)</script></p>')
    body = get(client, f"/api/works/{work.pk}/chapters/1")["body"]
    assert "script" not in body
    assert "onclick" not in body
    assert "Hello" in body


def test_a_missing_work_is_a_404_error_object(client, db):
    assert get(client, "/api/works/999999", 404)["error"]["code"] == "not_found"


def test_fandoms_are_counted_as_the_fandoms_page_counts(client, archive):
    answer = get(client, "/api/fandoms")
    assert [(row["tag"]["name"], row["works"]) for row in answer["results"]] == [("Canal Tales", 2)]


def test_the_openapi_schema_is_served(client, db):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/works", "/api/works/{work_id}", "/api/tags", "/api/imports"} <= set(
        schema["paths"]
    )
    assert "ErrorOut" in schema["components"]["schemas"]


def test_the_docs_page_never_loads_script_from_a_cdn(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page
