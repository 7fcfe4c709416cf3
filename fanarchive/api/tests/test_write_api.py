"""Creating and importing works through the API: token only, through the one writer."""

import io
import json
import zipfile

import pytest

from fanarchive.api.tests.conftest import bearer
from fanarchive.ingest.models import Provenance
from fanarchive.works.models import Work
from fanarchive.works.serialize import WORK_KEYS

pytestmark = pytest.mark.django_db

NEW_WORK = {
    "title": "The Cartographer's Apprentice",
    "creators": ["inkwell"],
    "rating": "Teen And Up Audiences",
    "warnings": ["No Archive Warnings Apply"],
    "category": ["Gen"],
    "fandoms": ["Mapmakers"],
    "characters": ["The Apprentice"],
    "freeforms": ["Coastlines"],
    "summary": "<p>Lines on paper <script>alert(1)</script>become roads.</p>",
    "chapters": [
        {
            "title": "Ink",
            "body": '<p onmouseover="x()">She drew the bay twice.</p><p>Then slept.</p>',
        },
        {"title": "Paper", "body": "<p>The second map was the true one.</p>"},
    ],
}
STORY = """Title: The Lamplighter's Round
Author: wickfield
Rating: General Audiences
Fandom: Street Lamps

Every evening the lamplighter walked the long street with his ladder, and every
evening the lamps came on one after another behind him like a line of small moons.
"""


def post_work(client, payload, token):
    return client.post(
        "/api/works", json.dumps(payload), content_type="application/json", **bearer(token)
    )


def test_it_creates_a_work_through_the_writer(client, writer_token):
    response = post_work(client, NEW_WORK, writer_token)
    assert response.status_code == 201, response.content
    outcome = response.json()
    assert outcome["status"] == "imported"
    assert set(WORK_KEYS) <= set(outcome)
    work = Work.objects.get(pk=outcome["work_id"])
    assert outcome["fandoms"] == ["Mapmakers"]
    assert outcome["chapters"] == 2
    assert "script" not in work.summary
    first = work.chapters.get(position=1)
    assert first.body == '<p id="p1">She drew the bay twice.</p><p id="p2">Then slept.</p>'
    assert first.title == "Ink"
    assert work.word_count == 14
    assert Provenance.objects.get(work=work).importer == "api"
    # Indexed like an import: the API's own search finds it.
    found = client.get("/api/works", {"q": "cartographer"}).json()
    assert [hit["work_id"] for hit in found["results"]] == [work.pk]


def test_the_same_work_twice_is_stored_once(client, writer_token):
    post_work(client, NEW_WORK, writer_token)
    again = post_work(client, NEW_WORK, writer_token)
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert Work.objects.count() == 1


def test_a_bad_work_is_a_validation_error(client, writer_token):
    bad = {**NEW_WORK, "rating": "Spicy", "chapters": []}
    response = post_work(client, bad, writer_token)
    assert response.status_code == 422
    fields = {detail["loc"][-1] for detail in response.json()["error"]["details"]}
    assert {"rating", "chapters"} <= fields
    assert not Work.objects.exists()


def test_writing_needs_a_token_that_may_write(client, reader_token):
    assert post_work(client, NEW_WORK, "fa_nonsense").status_code == 401
    refused = post_work(client, NEW_WORK, reader_token)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    anonymous = client.post("/api/works", json.dumps(NEW_WORK), content_type="application/json")
    assert anonymous.status_code == 401
    assert not Work.objects.exists()


def test_a_logged_in_session_cannot_write(client, writer_token):
    from fanarchive.works.tests.factories import make_user

    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    response = client.post("/api/works", json.dumps(NEW_WORK), content_type="application/json")
    assert response.status_code == 401
    assert not Work.objects.exists()


def upload(client, token, name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return client.post("/api/imports", {"file": file}, **bearer(token))


def test_it_imports_an_uploaded_file_as_the_import_command_does(client, writer_token):
    response = upload(client, writer_token, "lamplighter.txt", STORY.encode())
    assert response.status_code == 200, response.content
    [outcome] = response.json()["results"]
    assert outcome["status"] == "imported"
    assert outcome["title"] == "The Lamplighter's Round"
    assert outcome["creators"] == ["wickfield"]
    assert outcome["fandoms"] == ["Street Lamps"]
    assert outcome["file"] == "api-upload/importer/lamplighter.txt"
    assert outcome["error"] is None
    provenance = Provenance.objects.get(work_id=outcome["work_id"])
    assert provenance.source_path == "api-upload/importer/lamplighter.txt"
    again = upload(client, writer_token, "lamplighter.txt", STORY.encode())
    assert again.json()["results"][0]["status"] == "unchanged"


def test_it_imports_each_story_of_a_zip_archive(client, writer_token):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("one.txt", STORY)
        archive.writestr(
            "two.txt",
            STORY.replace("Lamplighter's Round", "Second Round")
            + ("\nA different ending: the lamps stayed dark and the street slept under stars.\n"),
        )
    response = upload(client, writer_token, "../../etc/stories.zip", buffer.getvalue())
    outcomes = response.json()["results"]
    assert [o["file"] for o in outcomes] == [
        "api-upload/importer/stories.zip/one.txt",
        "api-upload/importer/stories.zip/two.txt",
    ]
    assert outcomes[0]["status"] == "imported"


def test_an_unreadable_file_is_a_failed_outcome(client, writer_token):
    response = upload(client, writer_token, "noise.bin", bytes(range(256)) * 40)
    [outcome] = response.json()["results"]
    assert outcome["status"] == "failed"
    assert outcome["error"]
    assert outcome["work_id"] is None


def test_an_import_without_a_file_is_a_validation_error(client, writer_token):
    response = client.post("/api/imports", {}, **bearer(writer_token))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
