"""Who may open a work and see its text: AO3's adult-content gate (works/_adult.html.erb).

Pages, and later the API and downloads, ask here; nothing else decides it. A work is
adult unless it is rated General Audiences or Teen And Up Audiences. Its text is shown
only to a reader who agreed (`?view_adult=true`, remembered for the browser session and
for every work), to staff, and to the accounts its creators belong to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from fanarchive.works.models import Work, WorkQuerySet

CONSENT_PARAM = "view_adult"
SESSION_KEY = "view_adult"


class LoginRequired(Exception):
    """The work exists and a logged-in reader could open it; this one is anonymous."""


def readable_work(request: HttpRequest, work_id: int, works: WorkQuerySet | None = None) -> Work:
    """The work the reader asked for, from `works` (all works by default).

    Raises Http404 for works the reader may not see (drafts, works hidden by an admin,
    missing ones) and LoginRequired for restricted works an anonymous reader asks for.
    """
    works = Work.objects.all() if works is None else works
    try:
        return works.visible_to(request.user).get(pk=work_id)
    except Work.DoesNotExist:
        if not request.user.is_authenticated and (
            Work.objects.login_would_show().filter(pk=work_id).exists()
        ):
            raise LoginRequired from None
        raise Http404("No such work") from None


def reader_consents(request: HttpRequest) -> bool:
    """Whether the reader has agreed to see adult content in this browser session.
    Agreeing now (`?view_adult=true`) is remembered in the session."""
    if request.GET.get(CONSENT_PARAM) == "true":
        request.session[SESSION_KEY] = True
    return bool(request.session.get(SESSION_KEY, False))


def must_gate(request: HttpRequest, work: Work) -> bool:
    """True when the page may show the work's tags and summary but not its text."""
    consents = reader_consents(request)  # first, so agreeing on any work is remembered
    if consents or not work.is_adult:
        return False
    user = request.user
    if user.is_staff:
        return False
    return not (
        user.is_authenticated
        and any(link.creator.user_id == user.pk for link in work.creator_links.all())
    )


def consent_url(request: HttpRequest) -> str:
    """The page the reader is on, agreeing to see adult content ("Yes, Continue")."""
    query = request.GET.copy()
    query[CONSENT_PARAM] = "true"
    return f"{request.path}?{query.urlencode()}"


def go_back_url(request: HttpRequest) -> str:
    """Where "No, Go Back" leads: the page the reader came from on this site, else the
    works index."""
    referer = request.headers.get("referer", "")
    if (
        referer
        and urlsplit(referer).path != request.path
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return referer
    return reverse("works:index")
