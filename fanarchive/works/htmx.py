"""Listing pages that htmx updates in place: the works index and the search page.

Their GET form fetches the same URL with htmx and swaps the `#listing` region (results
and sidebar); see templates/works/_listing_hx.html. Such a request (`HX-Request`) gets
only the template's `htmx` partial, the page title and the region; any other request,
including htmx's back-button restore, gets the whole page. One URL answers both ways, so
the response varies on the headers and no cache hands one in place of the other."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PARTIAL = "htmx"
VARY = ("HX-Request", "HX-History-Restore-Request")


def wants_region(request: HttpRequest) -> bool:
    """Whether htmx asked for the region only. A history restore (htmx's back button,
    sent without HX-Request by our configuration) needs the whole page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in headers


def render_listing(
    request: HttpRequest, template_name: str, context: dict[str, object]
) -> HttpResponse:
    """`template_name` rendered whole, or only its `htmx` partial for htmx."""
    name = f"{template_name}#{PARTIAL}" if wants_region(request) else template_name
    response = render(request, name, context)
    patch_vary_headers(response, VARY)
    return response
