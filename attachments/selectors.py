"""Reads of attachments: a download authorised against its owner as it is now, a page's
attachments in one query."""

import re
from collections import defaultdict
from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from profiles.models import User
from profiles.permissions import is_moderator

from . import registry
from .models import Attachment

TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def attachment_get_for_download(*, user: User, token: str) -> Attachment:
    """The attachment if `user` may download it, else 404, the same as for a missing file:
    unattached, only its uploader; removed by a moderator, only moderators; otherwise whoever
    may read its owner now (attachments.registry)."""
    if not isinstance(token, str) or not TOKEN.match(token):
        raise Http404("No such file.")
    attachment = Attachment.objects.filter(token=token).first()
    if attachment is None:
        raise Http404("No such file.")
    if attachment.owner_id is None:
        if attachment.uploader_id != user.pk:
            raise Http404("No such file.")
        return attachment
    if attachment.is_removed and not is_moderator(user):
        raise Http404("No such file.")
    if not registry.can_read(user, attachment.owner):
        raise Http404("No such file.")
    return attachment


def upload_get_for_uploader(*, user: User, token: str) -> Attachment:
    if not isinstance(token, str) or not TOKEN.match(token):
        raise Http404("No such upload.")
    attachment = Attachment.objects.filter(token=token, uploader_id=user.pk).first()
    if attachment is None:
        raise Http404("No such upload.")
    return attachment


def current_q() -> models.Q:
    """On its owner now: neither edited out nor removed."""
    return models.Q(detached_at__isnull=True, removed_at__isnull=True)


def attachments_of(owner: models.Model) -> list[Attachment]:
    return list(
        Attachment.objects.filter(
            current_q(),
            owner_type=ContentType.objects.get_for_model(owner),
            owner_id=owner.pk,
        ).order_by("position", "id")
    )


def attachments_decorate(owners: Sequence[models.Model]) -> None:
    """Sets `attachment_list` (what the API and cards show) and `attachments_removed` (removed
    by a moderator: the card says so) on each owner, in one query for owners of one model."""
    if not owners:
        return
    by_owner: dict[int, list[Attachment]] = defaultdict(list)
    owner_type = ContentType.objects.get_for_model(owners[0])
    rows = Attachment.objects.filter(
        owner_type=owner_type,
        owner_id__in=[o.pk for o in owners],
        detached_at__isnull=True,
    ).order_by("position", "id")
    for row in rows:
        by_owner[row.owner_id].append(row)
    for owner in owners:
        items = by_owner.get(owner.pk, [])
        owner.attachment_list = [a for a in items if not a.is_removed]
        owner.attachments_removed = [a for a in items if a.is_removed]


def attachment_on(*, owner: models.Model, token: str) -> Attachment:
    """One current attachment of `owner` (for moderation), or 404."""
    if not isinstance(token, str) or not TOKEN.match(token):
        raise Http404("No such attachment.")
    attachment = Attachment.objects.filter(
        token=token,
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        detached_at__isnull=True,
    ).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def tokens_of(owner: models.Model) -> list[str]:
    return [a.token for a in attachments_of(owner)]


def uploads_by(*, user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(uploader=user).order_by("created_at", "id")
