"""Provisioning from the company directory (SCIM 2.0, RFC 7643/7644).

The identity provider (Entra ID, Okta, …) owns who works here. What it sent is kept on records
beside the accounts it made (its `userName`, `externalId`, `employeeNumber`) so the product's
own rows (users, profiles, communities, roles) keep their shapes and nobody else has to know
about SCIM. A record's `scim_id` is the `id` the directory sees; it never changes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class ScimToken(models.Model):
    """A bearer token for one provisioning client. Only the SHA-256 of the secret is stored:
    the secret is shown once, when it is made, and cannot be read back."""

    name = models.CharField(max_length=80, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, to tell tokens apart in the admin.
    prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ProvisionedUser(models.Model):
    """An account the directory made or took over. Never deleted with its account: a SCIM
    DELETE marks `deleted_at` (the account stays, inactive, a former employee)."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_record"
    )
    # The directory's userName as it sent it (often an email address); the account's username
    # is derived from it when it is not a valid username here.
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    employee_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("user_name"),
                name="provisioned_user_name_ci_unique",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]
        indexes = [
            models.Index(Lower("user_name"), name="provisioned_user_name_idx"),
            models.Index(fields=["external_id"], name="provisioned_user_ext_idx"),
        ]

    def __str__(self) -> str:
        return self.user_name


class GroupKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    ROLE = "role", "Role"


class ProvisionedGroup(models.Model):
    """A directory group: a provisioned community, or one of the roles (a Django group) when
    its display name is mapped in `SCIM_ROLE_GROUPS`."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, choices=GroupKind.choices)
    community = models.OneToOneField(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scim_record",
    )
    role = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("display_name"), name="provisioned_group_name_ci_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="community", community__isnull=False, role__isnull=True)
                    | models.Q(kind="role", community__isnull=True, role__isnull=False)
                ),
                name="provisioned_group_target",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class ProvisioningEvent(models.Model):
    """Every change a provisioning client made, with the name of the token it used. Append-only
    (read-only in the admin)."""

    token_name = models.CharField(max_length=80)
    action = models.CharField(max_length=20)  # create, replace, patch, delete
    resource_type = models.CharField(max_length=10)  # User, Group
    resource_id = models.CharField(max_length=64)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="provisioning_event_time_idx"),
            models.Index(
                fields=["resource_type", "resource_id"], name="provisioning_event_res_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token_name}: {self.action} {self.resource_type} {self.resource_id}"
