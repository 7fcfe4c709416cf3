"""Schemathesis against the generated OpenAPI schema, in process (WSGI): every endpoint,
writes with a valid token, answers within its schema and never with a 500."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from fanarchive.api.tests.conftest import make_archive, make_writer_token

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
# Schemathesis's negative cases for a multipart upload are not reliably invalid (it
# reports a plain one-file form as violating the schema): the upload gets valid ones.
positive = SchemathesisConfig()
positive.projects.default.generation.update(modes=[GenerationMode.POSITIVE])
uploads = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=positive)
# The token of the running test: made in its database, handed to schemathesis's auth.
current: dict[str, str] = {}


class WriterToken:
    def get(self, case, context) -> str:
        return current.get("token", "")

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


schema.auth(refresh_interval=None)(WriterToken)
uploads.auth(refresh_interval=None)(WriterToken)


@pytest.fixture
def token(db):
    make_archive()
    current["token"] = make_writer_token("fuzzer")
    # As Django's test client does: a request must not close the connection that holds
    # the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        current.clear()


FAST = settings(
    max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)


@schema.exclude(path="/api/imports").parametrize()
@FAST
@override_settings(ALLOWED_HOSTS=["*"])
def test_api_conforms_to_its_schema(case, token):
    case.call_and_validate()


@uploads.include(path="/api/imports").parametrize()
@FAST
@override_settings(ALLOWED_HOSTS=["*"])
def test_uploads_conform_to_the_schema(case, token):
    case.call_and_validate()
