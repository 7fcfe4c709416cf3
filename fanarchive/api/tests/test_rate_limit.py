"""Rate limiting: off unless API_RATE_LIMIT is set; then a 429 error object."""

import pytest
from django.core.cache import cache

from fanarchive.api.tests.conftest import bearer
from fanarchive.api.throttle import parse_limit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_there_is_no_limit_by_default(client):
    for _ in range(30):
        assert client.get("/api/fandoms").status_code == 200


def test_past_the_limit_it_answers_429(client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    for _ in range(3):
        assert client.get("/api/fandoms").status_code == 200
    refused = client.get("/api/works")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0


def test_each_token_has_its_own_allowance(client, settings, reader_token):
    settings.API_RATE_LIMIT = "2/minute"
    for _ in range(2):
        client.get("/api/fandoms")
    assert client.get("/api/fandoms").status_code == 429
    assert client.get("/api/fandoms", **bearer(reader_token)).status_code == 200


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("60/minute", (60, 60)), ("5/s", (5, 1)), ("100/hours", (100, 3600)), ("1/day", (1, 86400))],
)
def test_it_reads_rates(rate, expected):
    assert parse_limit(rate) == expected


def test_it_refuses_a_rate_it_cannot_read():
    with pytest.raises(ValueError, match="API_RATE_LIMIT"):
        parse_limit("lots")
