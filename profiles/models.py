from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class User(AbstractUser):
    """The account. Everything a colleague sees about a person lives on `Profile`."""

    # Set only by self sign-up (profiles.adapters): everyone else came from an admin, single
    # sign-on or provisioning, and their sign-in email is the company's (docs/security.md).
    signed_up_by_self = models.BooleanField(
        default=False,
        help_text="Signed up on an allowed domain; may manage their own email addresses "
        "while self sign-up is open.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                condition=~models.Q(email=""),
            ),
        ]


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill or area of expertise, shared between profiles so the directory can filter by it."""

    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def avatar_upload_to(instance: "Profile", filename: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"avatars/{instance.user_id}-{stamp}.webp"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=100)
    title = models.CharField("job title", max_length=120, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    location = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    skills = models.ManyToManyField(Skill, blank=True, related_name="profiles")
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    # An app account (app_accounts): another system that posts through the API with a token.
    # Shown with an "App" badge wherever it is named; it never signs in.
    is_app = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["display_name", "id"], name="profile_name_idx"),
            models.Index(fields=["department", "display_name", "id"], name="profile_dept_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    def get_absolute_url(self) -> str:
        return reverse("profiles:detail", kwargs={"username": self.user.username})

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p[:1].isalnum()]
        if not parts:
            return (self.user.username[:1] or "?").upper()
        if len(parts) == 1:
            return parts[0][:2].upper()
        return (parts[0][0] + parts[-1][0]).upper()

    @property
    def avatar_url(self) -> str:
        """A URL that always answers an image: the uploaded avatar or generated initials."""
        if self.avatar:
            version = int(self.updated_at.timestamp()) if self.updated_at else 0
            url = reverse("profiles:avatar", kwargs={"username": self.user.username})
            return f"{url}?v={version}"
        return reverse("profiles:avatar", kwargs={"username": self.user.username})


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]
        indexes = [
            # "Who follows X" (followers list, fan-out); the unique constraint covers the reverse.
            models.Index(fields=["followee", "follower"], name="follow_followee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followee_id}"


class RoleChange(models.Model):
    """An append-only record of every change of someone's role, for admins to audit."""

    class Action(models.TextChoices):
        GRANTED = "granted", "granted"
        REVOKED = "revoked", "revoked"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="role_changes_made",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_changes"
    )
    role = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.role} {self.action} for {self.user_id} by {self.actor_id}"
