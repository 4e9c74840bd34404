"""Communities: people who gather around a team, a project, a place or an interest.

A status may belong to one community (`feeds.Status.community`). Who may read it is decided from
the community as it is at that moment (its visibility, the reader's membership), never copied
onto the status: see `communities.permissions` and `feeds.permissions.visible_q_for`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_NAME = 80
MAX_DESCRIPTION = 2000


class Visibility(models.TextChoices):
    OPEN = "open", "Open: anyone reads and can join"
    PRIVATE = "private", "Private: anyone finds it, only members read"
    SECRET = "secret", "Secret: only members know it exists"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Anyone can join"
    REQUEST = "request", "People ask, admins approve"
    INVITE = "invite", "By invitation only"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class State(models.TextChoices):
    INVITED = "invited", "Invited"
    REQUESTED = "requested", "Asked to join"
    ACTIVE = "active", "Member"


def picture_upload_to(instance: "Community", filename: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"communities/{instance.pk}-{stamp}.webp"


class Community(models.Model):
    name = models.CharField(max_length=MAX_NAME)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.TextField(max_length=MAX_DESCRIPTION, blank=True)
    picture = models.ImageField(upload_to=picture_upload_to, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    # Membership managed by the company directory (SCIM groups): shown as such, not editable.
    provisioned = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Active members, kept by the services in the same transaction as the membership change.
    members_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["visibility", "name"], name="community_vis_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The page itself is served by feeds (a community's page is its statuses).
        return f"/c/{self.slug}/"


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_unique"),
            # Only an active member holds a role above member.
            models.CheckConstraint(
                condition=Q(state="active") | Q(role="member"), name="membership_role_active"
            ),
        ]
        indexes = [
            # A person's communities (feed, stream, the list's "yours" first).
            models.Index(fields=["user", "state"], name="membership_user_state_idx"),
            # A community's members by state and role (members page, admins to notify).
            models.Index(fields=["community", "state", "role"], name="membership_comm_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} ({self.role}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == State.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.state == State.ACTIVE and self.role in (Role.OWNER, Role.ADMIN)

    @property
    def is_owner(self) -> bool:
        return self.state == State.ACTIVE and self.role == Role.OWNER
