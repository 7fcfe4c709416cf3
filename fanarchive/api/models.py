"""API tokens: the write endpoints' credentials, issued by an operator
(`fanarchive api-token create`)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# Every token starts so, so a leaked one is easy to recognise in a log or a repository.
TOKEN_PREFIX = "fa_"  # noqa: S105 -- a prefix, not a secret


def token_digest(raw: str) -> str:
    """What is stored of a token: its SHA-256. A token is 256 random bits, so a fast
    hash is enough; a stolen table gives nothing to use."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.TextField(blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        permissions = [("write_works", "Can import and create works through the API")]

    def __str__(self) -> str:
        return f"API token {self.pk} ({self.name or 'unnamed'}) of {self.user}"

    @classmethod
    def issue(cls, user: models.Model, name: str = "") -> tuple[ApiToken, str]:
        """A new token for `user` and its value, which is shown once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=token_digest(raw)), raw

    @classmethod
    def holder_of(cls, raw: str) -> ApiToken | None:
        """The usable token whose value is `raw`, noting that it was used."""
        token = cls.objects.usable().select_related("user").filter(digest=token_digest(raw)).first()
        if token is not None:
            now = timezone.now()
            cls.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now
        return token

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])

    @property
    def may_write(self) -> bool:
        return self.user.is_staff or self.user.has_perm("api.write_works")
