"""App accounts: other systems that post statuses through the API with a token.

An app is a real account (a `User` with its `Profile`, `Profile.is_app` set, an unusable
password and no email: it never signs in) so its posts are ordinary statuses, rate-limited and
moderated like anyone's, and name it with an "App" badge. Its admin chooses where it may post.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_account"
    )
    # Where it may post: these communities (member or not) and, when set, company-wide.
    communities = models.ManyToManyField(
        "communities.Community", blank=True, related_name="app_accounts"
    )
    may_post_company = models.BooleanField(
        "may post company-wide", default=False, help_text="Statuses for the whole company."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.user.profile.display_name or self.user.username


class AppToken(models.Model):
    """A bearer token of an app: shown once when made, only its SHA-256 kept (the token is 32
    random bytes, so a plain hash is enough: nothing to guess), revocable."""

    app = models.ForeignKey(AppAccount, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, blank=True)
    # The first characters, to tell tokens apart in the admin.
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'token'})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
