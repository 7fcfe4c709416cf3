"""One shape for every error the API answers: `{"error": {"code", "message"}}`, with
`details` for a request that failed validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class ApiError(HttpError):
    """An error with its own code (`adult_consent_required`, say), not just a status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code


def error_body(status: int, message: str, code: str | None = None, **extra: Any) -> dict:
    return {"error": {"code": code or CODES.get(status, "error"), "message": message, **extra}}


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
        return api.create_response(request, error_body(status, message, **extra), status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same words whether the thing is missing or hidden from this reader.
        return respond(request, 404, "Not found, or not visible to you.")

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, "A valid token is needed: Authorization: Bearer TOKEN")
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, "Too many requests; slow down and try again later.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, str(exc), code=getattr(exc, "code", None))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg"))}
            for error in exc.errors
        ]
        return respond(request, 422, "The request is not valid.", details=details)
