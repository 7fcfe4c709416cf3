"""Restricted, draft, hidden and adult works never leak through the API: not in lists,
searches, snippets, details, chapters, tag counts or fandom counts."""

import pytest

from fanarchive.api.tests.conftest import ADULT_TEXT, bearer
from fanarchive.works.tests.factories import make_user

pytestmark = pytest.mark.django_db

SECRET_WORDS = ["heronfeather", "saltmarsh", "glassblower"]


def everything(client, archive, **headers) -> str:
    """Every read answer an anonymous reader can get about the archive, as one text."""
    answers = [client.get("/api/works", {"per_page": 100}, **headers)]
    answers += [client.get("/api/works", {"q": word}, **headers) for word in SECRET_WORDS]
    answers += [client.get("/api/fandoms", **headers), client.get("/api/tags", **headers)]
    for work in archive.unseen:
        answers += [
            client.get(f"/api/works/{work.pk}", **headers),
            client.get(f"/api/works/{work.pk}/chapters", **headers),
            client.get(f"/api/works/{work.pk}/chapters/1", {"view_adult": "true"}, **headers),
        ]
    return "\n".join(response.content.decode() for response in answers)


def test_unseen_works_are_404_to_anonymous_readers(client, archive):
    for work in archive.unseen:
        for url in (
            f"/api/works/{work.pk}",
            f"/api/works/{work.pk}/chapters",
            f"/api/works/{work.pk}/chapters/1",
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["error"]["code"] == "not_found"


def test_nothing_of_unseen_works_reaches_an_anonymous_reader(client, archive):
    text = everything(client, archive).lower()
    for word in [*SECRET_WORDS, "treaty", "bells", "secret fandom"]:
        assert word not in text
    listed = client.get("/api/works", {"per_page": 100}).json()
    assert listed["count"] == 2


def test_a_member_sees_restricted_works_but_not_drafts_or_hidden_ones(client, archive):
    client.force_login(make_user("member"))
    assert client.get(f"/api/works/{archive.restricted.pk}").status_code == 200
    assert client.get("/api/works", {"q": "heronfeather"}).json()["count"] == 1
    for work in (archive.draft, archive.hidden):
        assert client.get(f"/api/works/{work.pk}").status_code == 404
    fandoms = [row["tag"]["name"] for row in client.get("/api/fandoms").json()["results"]]
    assert "Secret Fandom Restricted" in fandoms
    assert "Secret Fandom Draft" not in fandoms and "Secret Fandom Hidden" not in fandoms


def test_a_members_token_reads_as_that_member(client, archive, reader_token):
    headers = bearer(reader_token)
    assert client.get(f"/api/works/{archive.restricted.pk}", **headers).status_code == 200
    assert client.get(f"/api/works/{archive.draft.pk}", **headers).status_code == 404
    text = everything(client, archive, **headers).lower()
    assert "saltmarsh" not in text and "glassblower" not in text


def test_a_bad_token_is_refused_not_taken_for_anonymous(client, archive):
    response = client.get("/api/works", HTTP_AUTHORIZATION="Bearer fa_not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_staff_see_drafts_and_hidden_works(client, archive):
    client.force_login(make_user("editor", is_staff=True))
    for work in archive.unseen:
        assert client.get(f"/api/works/{work.pk}/chapters/1").status_code == 200
    assert client.get("/api/works").json()["count"] == 5


def test_adult_text_needs_consent(client, archive):
    url = f"/api/works/{archive.adult.pk}/chapters/1"
    refused = client.get(url)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "adult_consent_required"
    assert "view_adult=true" in error["message"]
    assert "moonquartz" not in refused.content.decode()
    agreed = client.get(url, {"view_adult": "true"})
    assert agreed.status_code == 200
    assert "moonquartz" in agreed.json()["body"]
    # Consent is per request: nothing was remembered, no session was made.
    assert client.get(url).status_code == 403
    assert "sessionid" not in agreed.cookies


def test_adult_metadata_is_listed_but_its_notes_and_chapter_titles_wait(client, archive):
    url = f"/api/works/{archive.adult.pk}"
    detail = client.get(url).json()
    assert detail["adult"] is True and detail["gated"] is True
    assert detail["summary"] == "<p>A summary anyone may read.</p>"
    assert detail["notes"] is None
    assert client.get(url, {"view_adult": "true"}).json()["notes"] == (
        "<p>Secret notes of an adult work.</p>"
    )
    index = client.get(f"{url}/chapters").json()
    assert index["gated"] is True
    assert [chapter["title"] for chapter in index["chapters"]] == [None]


def test_search_finds_adult_works_but_shows_their_text_only_with_consent(client, archive):
    [hit] = client.get("/api/works", {"q": "moonquartz"}).json()["results"]
    assert hit["title"] == "The Velvet Curtain"
    assert hit["adult"] is True
    assert hit["snippet"] is None and hit["chapter"] is None
    everything_said = client.get("/api/works", {"q": "moonquartz"}).content.decode()
    assert "whispered" not in everything_said
    [agreed] = client.get("/api/works", {"q": "moonquartz", "view_adult": "true"}).json()["results"]
    assert "<mark>moonquartz</mark>" in agreed["snippet"]
    assert agreed["chapter"] == 1
    assert ADULT_TEXT


def test_the_creator_reads_their_own_adult_work_without_consent(client, archive):
    from fanarchive.works.models import Creator

    owner = make_user("duskquill")
    Creator.objects.filter(name="duskquill").update(user=owner)
    client.force_login(owner)
    assert client.get(f"/api/works/{archive.adult.pk}/chapters/1").status_code == 200


def test_tag_work_counts_leave_out_unseen_works(client, archive):
    from fanarchive.tags.models import Tag

    general = Tag.objects.get(type="rating", name="General Audiences")
    # The open, draft and hidden works are rated General; only the open one counts.
    assert client.get(f"/api/tags/{general.pk}").json()["works"] == 1
    client.force_login(make_user("editor", is_staff=True))
    assert client.get(f"/api/tags/{general.pk}").json()["works"] == 3


def test_a_tag_only_an_unseen_work_carries_is_not_told(client, archive):
    from fanarchive.tags.models import Tag

    secret = Tag.objects.get(type="fandom", name="Secret Fandom Draft")
    assert client.get(f"/api/tags/{secret.pk}").status_code == 404
    assert client.get("/api/tags", {"prefix": "Secret"}).json()["count"] == 0
    client.force_login(make_user("editor", is_staff=True))
    assert client.get(f"/api/tags/{secret.pk}").status_code == 200
