"""API tokens: issued by the operator command, shown once, stored as a hash, revoked."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fanarchive.api.models import ApiToken
from fanarchive.api.tests.conftest import bearer
from fanarchive.works.tests.factories import make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_hash(db):
    make_user("operator", is_staff=True)
    out, err = run("create", "operator", "--name", "nightly import")
    raw = out.strip()
    assert raw.startswith("fa_") and len(raw) > 40
    token = ApiToken.objects.get()
    assert token.name == "nightly import"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.digest
    assert f"token {token.pk}" in err


def test_a_token_stands_for_its_user_and_notes_its_use(client, db):
    user = make_user("operator", is_staff=True)
    token, raw = ApiToken.issue(user)
    assert token.last_used is None
    assert client.get("/api/works", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_list_shows_every_token_without_its_value(db):
    user = make_user("operator")
    _, raw = ApiToken.issue(user, "first")
    out, _ = run("list")
    assert "operator" in out and "first" in out and "active" in out
    assert raw not in out


def test_a_revoked_token_is_refused(client, db):
    token, raw = ApiToken.issue(make_user("operator", is_staff=True))
    run("revoke", str(token.pk))
    assert "revoked" in run("list")[0]
    response = client.get("/api/works", **bearer(raw))
    assert response.status_code == 401


def test_a_token_of_a_deactivated_account_is_refused(client, db):
    user = make_user("gone", is_staff=True)
    _, raw = ApiToken.issue(user)
    user.is_active = False
    user.save()
    assert client.get("/api/works", **bearer(raw)).status_code == 401


def test_create_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="no such user"):
        run("create", "nobody")


def test_revoking_an_unknown_token_fails(db):
    with pytest.raises(CommandError, match="no such token"):
        run("revoke", "4242")


def test_it_warns_when_the_user_may_not_write(db):
    make_user("plain")
    _, err = run("create", "plain")
    assert "reads only" in err
