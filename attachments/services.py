"""The only code that writes attachments: uploads, attaching to an owner, moderation, purges."""

import contextlib
import hashlib
import logging
import re
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from core.filetypes import IMAGE, VIDEO, Refused, sniff
from core.jobs import job_enqueue_on_commit
from core.ratelimit import RateLimited
from core.uploads import TooLarge, megabytes
from profiles.models import User
from profiles.permissions import is_employee, is_moderator

from . import processing, registry
from .models import MAX_ALT, MAX_NAME, Attachment, Kind, new_token

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


# --- Uploads -------------------------------------------------------------------------------


def clean_alt(alt: str | None) -> str:
    alt = " ".join((alt or "").split())
    if len(alt) > MAX_ALT:
        raise ValidationError({"alt": f"At most {MAX_ALT} characters."})
    return alt


def clean_name(name: str | None, *, extension: str) -> str:
    """What people see and the download is called: the sender's name without any path, with
    the extension of what the file really is."""
    base = PurePath(UNSAFE_NAME.sub("", (name or "").replace("\\", "/"))).name.strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[: MAX_NAME - len(extension) - 1] or "file"
    return f"{stem}.{extension}"


def limit_for(kind: str) -> int:
    return {
        Kind.IMAGE: settings.ATTACHMENTS_IMAGE_MAX_BYTES,
        Kind.FILE: settings.ATTACHMENTS_FILE_MAX_BYTES,
        Kind.VIDEO: settings.ATTACHMENTS_VIDEO_MAX_BYTES,
    }[kind]


def uploaded_today(user: User, *, now: datetime) -> int:
    since = now - timedelta(hours=24)
    total = Attachment.objects.filter(uploader=user, created_at__gte=since).aggregate(
        total=Sum("size")
    )["total"]
    return total or 0


def _check_quota(user: User, size: int, *, now: datetime) -> None:
    quota = settings.ATTACHMENTS_DAILY_QUOTA_BYTES
    if uploaded_today(user, now=now) + size > quota:
        raise RateLimited(
            f"You can upload {megabytes(quota)} in 24 hours; this file would go past it. "
            "Try again later.",
            retry_after=3600,
        )


@contextlib.contextmanager
def _on_disk(upload) -> Iterator[str]:
    """A path to the upload's bytes: Django's temporary file, or one written for a small
    upload held in memory (ffprobe and zipfile read paths). Removed afterwards."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        yield path()
        return
    with tempfile.NamedTemporaryFile(prefix="upload-", suffix=".bin") as copy:
        upload.seek(0)
        for chunk in upload.chunks(CHUNK):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_name(token: str, suffix: str) -> str:
    # Never a name the sender chose: the token, and what the file is.
    return f"attachments/{token[:2]}/{token}{suffix}"


def upload_create(*, uploader: User, upload, alt: str = "") -> Attachment:
    """Check `upload` (a Django UploadedFile) by its content, keep it (pictures re-encoded) and
    return the unattached Attachment. Refusals: ValidationError (400, naming the kind),
    TooLarge (413), RateLimited (429, the daily quota). Nothing is kept from a refusal."""
    if not is_employee(uploader):
        raise PermissionDenied("Log in with an active account.")
    alt = clean_alt(alt)
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    size = upload.size or 0
    if size > settings.UPLOAD_MAX_BYTES:
        raise TooLarge({"file": f"Files may be at most {megabytes(settings.UPLOAD_MAX_BYTES)}."})
    now = timezone.now()
    token = new_token()
    with _on_disk(upload) as path:
        try:
            filetype = sniff(path)
        except Refused as exc:
            raise ValidationError({"file": str(exc)}) from exc
        limit = limit_for(filetype.kind)
        if size > limit:
            noun = {IMAGE: "Pictures", VIDEO: "Videos"}.get(filetype.kind, "Files")
            raise TooLarge({"file": f"{noun} may be at most {megabytes(limit)}."})
        _check_quota(uploader, size, now=now)
        row = Attachment(
            token=token,
            uploader=uploader,
            kind=filetype.kind,
            size=size,
            content_type=filetype.content_type,
            sha256=_sha256(path),
            alt=alt,
            created_at=now,
        )
        content = None
        thumbnail = None
        try:
            if filetype.kind == IMAGE:
                picture = processing.picture_from(path)
                content = ContentFile(picture.data)
                thumbnail = picture.thumbnail
                row.content_type, row.size = picture.content_type, len(picture.data)
                row.width, row.height = picture.width, picture.height
                row.name = clean_name(upload.name, extension=picture.extension)
            else:
                if filetype.kind == VIDEO:
                    video = processing.video_from(path, content_type=filetype.content_type)
                    row.width, row.height, row.duration = video.width, video.height, video.duration
                    thumbnail = video.poster
                row.name = clean_name(upload.name, extension=filetype.extension)
        except processing.Unreadable as exc:
            raise ValidationError({"file": str(exc)}) from exc
        if content is None:
            upload.seek(0)
            content = upload
        saved = []
        try:
            extension = row.name.rsplit(".", 1)[-1]
            row.file.name = default_storage.save(_stored_name(token, f".{extension}"), content)
            saved.append(row.file.name)
            if thumbnail:
                row.thumbnail.name = default_storage.save(
                    _stored_name(token, ".thumb.webp"), ContentFile(thumbnail)
                )
                saved.append(row.thumbnail.name)
            with transaction.atomic():
                row.save()
        except BaseException:
            for name in saved:
                default_storage.delete(name)
            raise
    return row


def upload_update(*, user: User, attachment: Attachment, alt: str) -> Attachment:
    if attachment.uploader_id != user.pk:
        raise PermissionDenied("Only its uploader can describe a file.")
    attachment.alt = clean_alt(alt)
    attachment.save(update_fields=["alt"])
    _owner_changed(attachment)
    return attachment


def _owner_changed(attachment: Attachment) -> None:
    if attachment.owner_id is not None:
        owner_type = ContentType.objects.get_for_id(attachment.owner_type_id)
        registry.owner_changed(
            label=f"{owner_type.app_label}.{owner_type.model}", owner_id=attachment.owner_id
        )


# --- Attaching -----------------------------------------------------------------------------


def clean_ids(ids: Sequence | None, *, limit: int) -> list[str]:
    tokens = list(dict.fromkeys(str(token).strip() for token in ids or ()))
    if len(tokens) > limit:
        raise ValidationError({"attachments": f"At most {limit} attachments."})
    return tokens


def _uploads_to_attach(*, user: User, tokens: list[str]) -> dict[str, Attachment]:
    found = {
        a.token: a
        for a in Attachment.objects.select_for_update().filter(
            token__in=tokens, owner_id__isnull=True, uploader_id=user.pk
        )
    }
    for token in tokens:
        upload = found.get(token)
        # Someone else's, attached elsewhere, or missing: one message, nothing to learn.
        if upload is None:
            raise ValidationError(
                {"attachments": f"No upload {token[:40]!r} of yours is waiting to be attached."}
            )
        if upload.kind == Kind.IMAGE and not upload.alt:
            raise ValidationError(
                {
                    "attachments": f"Describe the picture “{upload.name}” for people who cannot "
                    "see it (alt text) before posting."
                }
            )
    return found


def attachments_attach(
    *,
    owner: models.Model,
    ids: Sequence | None,
    user: User,
    limit: int,
    now: datetime | None = None,
) -> list[Attachment]:
    """Attach `user`'s unattached uploads `ids` (tokens, in order) to `owner`, at most `limit`.
    Call it inside the transaction that writes the owner: a refusal rolls everything back."""
    tokens = clean_ids(ids, limit=limit)
    if not tokens:
        return []
    now = now or timezone.now()
    found = _uploads_to_attach(user=user, tokens=tokens)
    owner_type = ContentType.objects.get_for_model(owner)
    attached = []
    for position, token in enumerate(tokens):
        upload = found[token]
        upload.owner_type, upload.owner_id = owner_type, owner.pk
        upload.position, upload.attached_at = position, now
        attached.append(upload)
    Attachment.objects.bulk_update(attached, ["owner_type", "owner_id", "position", "attached_at"])
    return attached


def attachments_set(
    *,
    owner: models.Model,
    ids: Sequence,
    user: User,
    limit: int,
    now: datetime | None = None,
) -> tuple[list[str], list[Attachment]]:
    """Make `ids` the owner's attachments, in order: new uploads of `user` are attached, those
    left out are detached (kept for the owner's history until the owner goes). Returns the
    tokens there were before and the attachments now."""
    tokens = clean_ids(ids, limit=limit)
    now = now or timezone.now()
    owner_type = ContentType.objects.get_for_model(owner)
    current = {
        a.token: a
        for a in Attachment.objects.select_for_update().filter(
            owner_type=owner_type,
            owner_id=owner.pk,
            detached_at__isnull=True,
            removed_at__isnull=True,
        )
    }
    before = [a.token for a in sorted(current.values(), key=lambda a: (a.position, a.pk))]
    new = _uploads_to_attach(user=user, tokens=[t for t in tokens if t not in current])
    now_attached = []
    for position, token in enumerate(tokens):
        item = current.get(token) or new[token]
        if item.owner_id is None:
            item.owner_type, item.owner_id, item.attached_at = owner_type, owner.pk, now
        item.position = position
        now_attached.append(item)
    gone = [a for token, a in current.items() if token not in tokens]
    for item in gone:
        item.detached_at = now
    Attachment.objects.bulk_update(
        now_attached + gone, ["owner_type", "owner_id", "position", "attached_at", "detached_at"]
    )
    return before, now_attached


def attachment_remove(
    *, moderator: User, attachment: Attachment, reason: str, now: datetime | None = None
) -> Attachment:
    """A moderator takes one attachment off its post; the caller logs it publicly. The file is
    kept for moderators (their log links to it) and served to nobody else."""
    if not is_moderator(moderator):
        raise PermissionDenied("Only moderators moderate.")
    if attachment.is_removed:
        raise ValidationError({"attachment": "This attachment is already removed."})
    if attachment.owner_id is None or attachment.detached_at is not None:
        raise ValidationError({"attachment": "This attachment is not on this post."})
    attachment.removed_by = moderator
    attachment.removal_reason = reason
    attachment.removed_at = now or timezone.now()
    attachment.save(update_fields=["removed_by", "removal_reason", "removed_at"])
    _owner_changed(attachment)
    return attachment


def attachments_release(*, owner: models.Model) -> None:
    """The owner is gone for good (deleted by its author): its files are deleted once the
    transaction commits, by the job runner."""
    owner_type = ContentType.objects.get_for_model(owner)
    job_enqueue_on_commit("attachments.jobs.owner_files_delete", owner_type.pk, owner.pk)


# --- Deleting ------------------------------------------------------------------------------


def attachments_delete(attachments: Sequence[Attachment]) -> int:
    """Delete these attachments and their files (idempotent: a missing file is fine)."""
    for attachment in attachments:
        for field in (attachment.file, attachment.thumbnail):
            if field:
                try:
                    field.storage.delete(field.name)
                except OSError:
                    logger.warning("could not delete %s", field.name)
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    return len(attachments)


def attachments_expire(*, attachments: Sequence[Attachment], reason: str, now: datetime) -> int:
    """Past retention: each file (and thumbnail) is deleted once the transaction commits, its
    row stays on its post as a removed attachment with `reason` and no moderator, so the post
    shows that something was there. Its name and description go too. Idempotent."""
    names = [f.name for a in attachments for f in (a.file, a.thumbnail) if f]
    ids = [a.pk for a in attachments]
    if not ids:
        return 0
    Attachment.objects.filter(pk__in=ids, removed_at__isnull=True).update(
        removed_at=now, removal_reason=reason
    )
    Attachment.objects.filter(pk__in=ids).update(file="", thumbnail="", alt="", name="")

    def delete_files() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete %s", name)

    transaction.on_commit(delete_files)
    return len(ids)


def attachments_delete_on_commit(attachments: Sequence[Attachment]) -> int:
    """`attachments_delete` once the current transaction commits (its owner is purged in it)."""
    items = list(attachments)
    if items:
        transaction.on_commit(lambda: attachments_delete(items))
    return len(items)


def owner_files_delete(*, owner_type_id: int, owner_id: int) -> int:
    return attachments_delete(
        list(Attachment.objects.filter(owner_type_id=owner_type_id, owner_id=owner_id))
    )


def uploads_purge(*, now: datetime | None = None) -> int:
    """Delete uploads never attached within ATTACHMENTS_UNATTACHED_HOURS, and attachments whose
    owner no longer exists (deleted outright). Idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.ATTACHMENTS_UNATTACHED_HOURS)
    stale = list(Attachment.objects.filter(owner_id__isnull=True, created_at__lt=cutoff))
    deleted = attachments_delete(stale)
    owner_types = (
        Attachment.objects.filter(owner_type__isnull=False)
        .values_list("owner_type", flat=True)
        .distinct()
        .order_by()
    )
    for owner_type_id in owner_types:
        model = ContentType.objects.get_for_id(owner_type_id).model_class()
        rows = Attachment.objects.filter(owner_type_id=owner_type_id)
        if model is not None:
            rows = rows.exclude(owner_id__in=model._default_manager.values("pk"))
        deleted += attachments_delete(list(rows))
    return deleted
