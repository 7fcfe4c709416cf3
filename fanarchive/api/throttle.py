"""Rate limiting: `API_RATE_LIMIT` requests per client ("60/minute"; empty: no limit),
counted in Django's cache. Read per request, so it can be changed under a running
test."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

DEFAULT_RATE = ""
PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
PERIODS |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_limit(rate: str) -> tuple[int, int]:
    """("60/minute") -> (60 requests, 60 seconds); ValueError for anything else."""
    count, _, period = rate.partition("/")
    seconds = PERIODS.get(period.strip().lower().removesuffix("s") or "_") or PERIODS.get(
        period.strip().lower()
    )
    if not count.strip().isdigit() or seconds is None:
        raise ValueError(f"API_RATE_LIMIT: {rate!r} is not N/second, minute, hour or day")
    return int(count), seconds


class SettingRateThrottle(SimpleRateThrottle):
    cache_format = "api_throttle_%(ident)s"

    def __init__(self) -> None:
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE) or ""
        if not rate.strip():
            return True
        self.rate = rate.strip()
        self.num_requests, self.duration = parse_limit(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        """A client is its token, else its account, else its address."""
        auth = request.headers.get("authorization", "")
        if auth:
            ident = "t" + hashlib.sha256(auth.encode()).hexdigest()
        elif request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = f"a{self.get_ident(request)}"
        return self.cache_format % {"ident": ident}
