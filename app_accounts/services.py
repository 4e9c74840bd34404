"""The only code that writes app accounts and their tokens, and the one place that decides
where an app may post (feeds asks through `feeds.hooks.status_by_app`)."""

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit import actions as audit_actions
from audit.services import audit_record
from communities.models import Community
from communities.models import Visibility as CommunityVisibility
from core.images import reencode_upload
from feeds.models import Visibility
from profiles.models import User
from profiles.permissions import is_admin
from profiles.services import avatar_set, user_create

from .models import AppAccount, AppToken

TOKEN_PREFIX = "esapp_"  # noqa: S105 (a prefix, not a secret)
MAX_NAME = 100


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def username_for(name: str) -> str:
    return "app-" + (slugify(name)[:40] or "app")


def picture_check(upload: UploadedFile) -> None:
    """Raise ValidationError unless `upload` makes a picture (profiles' own check)."""
    reencode_upload(
        upload,
        max_bytes=settings.AVATAR_MAX_BYTES,
        max_size=settings.AVATAR_SIZE,
        square=True,
        field="avatar",
    )
    upload.seek(0)


def _check_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only admins manage app accounts.")


def app_account_create(
    *,
    actor: User,
    name: str,
    username: str = "",
    communities: Iterable[Community] = (),
    may_post_company: bool = False,
    picture: UploadedFile | None = None,
) -> AppAccount:
    """A new app: an account that never signs in (unusable password, no email), shown as an
    app. Its token is made separately (`app_token_create`)."""
    _check_admin(actor)
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise ValidationError({"name": f"Give the app a name of at most {MAX_NAME} characters."})
    username = (username or "").strip() or username_for(name)
    try:
        with transaction.atomic():
            user = user_create(username=username, email="", display_name=name, is_app=True)
            user = User.objects.select_related("profile").get(pk=user.pk)  # the saved profile
            app = AppAccount.objects.create(
                user=user, may_post_company=may_post_company, created_by=actor
            )
            app.communities.set(list(communities))
            if picture is not None:
                avatar_set(actor=user, profile=user.profile, upload=picture)
    except IntegrityError:
        raise ValidationError({"username": f"The user name “{username}” is taken."}) from None
    return app


def app_token_create(*, actor: User, app: AppAccount, name: str = "") -> tuple[AppToken, str]:
    """A new token for `app`: returns the row and the token, which is not kept (show it once)."""
    _check_admin(actor)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = AppToken.objects.create(
            app=app,
            name=(name or "").strip()[:100],
            prefix=token[: len(TOKEN_PREFIX) + 6],
            digest=token_digest(token),
            created_by=actor,
        )
        audit_record(
            action=audit_actions.APP_TOKEN_CREATED,
            actor=actor,
            target=row,
            detail={"app": app.user.username},
        )
    return row, token


def app_tokens_revoke(*, actor: User, tokens: Iterable[AppToken]) -> int:
    """Revoke the live ones among `tokens`; each is one audit entry."""
    _check_admin(actor)
    ids = [t.pk for t in tokens]
    with transaction.atomic():
        live = list(
            AppToken.objects.select_for_update()
            .select_related("app__user")
            .filter(pk__in=ids, revoked_at__isnull=True)
        )
        AppToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=timezone.now())
        for token in live:
            audit_record(
                action=audit_actions.APP_TOKEN_REVOKED,
                actor=actor,
                target=token,
                detail={"app": token.app.user.username},
            )
    return len(live)


def app_for_token(token: str) -> AppToken | None:
    """The live token row (with its app and account) for a presented token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        AppToken.objects.select_related("app__user")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    # At most one write a minute per token for "last used".
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        AppToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def app_may_post(*, author: User, community: Community | None, visibility: str) -> bool:
    """`feeds.hooks.status_by_app`: an app posts in the communities its admin chose (member or
    not) and company-wide only when allowed; never for a department. A secret community it may
    not post in is "no such community", as for anyone who is not a member."""
    app = AppAccount.objects.filter(user_id=author.pk).first()
    if app is None:
        raise PermissionDenied("This app account is not set up.")
    if community is None:
        if visibility != Visibility.COMPANY or not app.may_post_company:
            raise PermissionDenied("This app may not post company-wide.")
        return True
    if not app.communities.filter(pk=community.pk).exists():
        if community.visibility == CommunityVisibility.SECRET:
            raise ValidationError({"community": "No such community."})
        raise PermissionDenied(f"This app may not post in {community.name}.")
    return True
