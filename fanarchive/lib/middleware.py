from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class NoIndexMiddleware:
    """With FANARCHIVE_NOINDEX set, every response asks search engines not to index it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.NOINDEX:
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
