"""Stable ids for feed entries: a work is the same entry in every feed and catalog, and
keeps its id when its title, address or host name in a request changes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from fanarchive.works.models import Work


def authority() -> str:
    """The site's host name (SITE_URL's), the tag URI's authority."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def work_entry_id(work: Work) -> str:
    """A tag URI (RFC 4151) dated the day the work was stored here, so the id never
    changes and is never reused by another work."""
    return f"tag:{authority()},{work.created:%Y-%m-%d}:work/{work.pk}"
