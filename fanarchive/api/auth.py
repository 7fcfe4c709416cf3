"""Who is asking: a token (`Authorization: Bearer TOKEN`), a logged-in session, or
nobody. Reads take any of them; writes take a token only, so no cookie can make a
write and no CSRF token is needed."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from fanarchive.api.errors import ApiError
from fanarchive.api.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = ApiToken.holder_of(token.strip())
        if found is not None:
            # Everything after this (visibility, the adult gate) asks request.user.
            request.user = found.user
        return found


class Writer(BearerToken):
    """A token whose user may import and create works: staff, or `api.write_works`."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = super().authenticate(request, token)
        if found is not None and not found.may_write:
            raise ApiError(
                403, "forbidden", "This token's user may not write: staff or api.write_works."
            )
        return found


_bearer = BearerToken()


def identify_reader(request: HttpRequest) -> None:
    """For a read: a token, when one is sent, stands for its user (a bad one is an
    error, never a silent fall back to anonymous); otherwise the session's user, who
    may be anonymous."""
    if "authorization" in request.headers and _bearer(request) is None:
        raise AuthenticationError
