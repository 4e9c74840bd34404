"""eDiscovery exports: asked for by Compliance, built by the job runner, downloaded, expired.

Every request and every download is an audit entry (audit.actions). The ZIP is kept in the
default storage (MEDIA_ROOT or the private bucket: never a public path) and served only by
`ediscovery.views.download`."""

import hashlib
import json
import logging
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.actions import EXPORT_EDISCOVERY_DOWNLOADED, EXPORT_EDISCOVERY_REQUESTED
from audit.services import audit_record
from communities.models import Community
from core.jobs import job_enqueue_on_commit
from profiles.models import User

from . import rows, selectors
from .archive import BLOCK, ExportZip
from .models import MAX_COMMUNITIES, MAX_CUSTODIANS, MAX_Q, ExportRequest
from .permissions import may_export

logger = logging.getLogger(__name__)

BUILD_JOB = "ediscovery.jobs.export_build"
CHUNK = 500
# Builds that stopped (a worker lost) are started again this many times in all.
MAX_ATTEMPTS = 3
FORMAT = "enterprise-social-ediscovery/1"
UNSAFE = re.compile(r"[^\w.\- ]+")
State = ExportRequest.State


def _names(values, field: str, errors: dict, limit: int) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        errors[field] = "A list of names."
        return []
    names = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(names) > limit:
        errors[field] = f"At most {limit}."
    return names


def _date(value, field: str, errors: dict) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[field] = "A date as YYYY-MM-DD."
    return None


def export_request_create(
    *,
    actor: User,
    custodians: list[str] | None = None,
    communities: list[str] | None = None,
    start: date | str | None,
    end: date | str | None,
    q: str = "",
) -> ExportRequest:
    """Validate, record (audited) and queue the build. A refusal names every problem and writes
    nothing."""
    if not may_export(actor):
        raise PermissionDenied("Only Compliance asks for eDiscovery exports.")
    errors: dict[str, str] = {}
    usernames = _names(custodians, "custodians", errors, MAX_CUSTODIANS)
    slugs = _names(communities, "communities", errors, MAX_COMMUNITIES)
    first = _date(start, "start", errors)
    last = _date(end, "end", errors)
    q = " ".join((q or "").split())
    if len(q) > MAX_Q:
        errors["q"] = f"Search terms may be at most {MAX_Q} characters."
    if not usernames and not slugs and not errors.keys() & {"custodians", "communities"}:
        errors["custodians"] = "Name at least one custodian or community."
    people = {u.username: u for u in User.objects.filter(username__in=usernames)}
    unknown = [name for name in usernames if name not in people]
    if unknown:
        errors["custodians"] = f"No such people: {', '.join(unknown)}."
    found = {c.slug: c for c in Community.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        errors["communities"] = f"No such communities: {', '.join(missing)}."
    if first and last and first > last:
        errors["end"] = "The end must be on or after the start."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        export = ExportRequest.objects.create(
            requested_by=actor,
            requested_by_name=actor.get_username(),
            custodians=[{"id": people[n].pk, "username": n} for n in usernames],
            communities=[{"id": found[s].pk, "slug": s} for s in slugs],
            start=first,
            end=last,
            q=q,
        )
        audit_record(
            action=EXPORT_EDISCOVERY_REQUESTED,
            actor=actor,
            target=export,
            detail=export.parameters(),
        )
        job_enqueue_on_commit(BUILD_JOB, export.pk, job_timeout=settings.EDISCOVERY_JOB_TIMEOUT)
    return export


# --- Building ------------------------------------------------------------------------------


def export_build(*, export_id: int) -> ExportRequest | None:
    """The job. Takes the export (a lease, so a second delivery of the same job leaves it
    alone), re-checks that its requester is still in Compliance, writes the ZIP and marks it
    ready; a failure marks it failed with the reason. Idempotent: a ready export is left."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.EDISCOVERY_JOB_TIMEOUT + 60)
    claimed = (
        ExportRequest.objects.filter(pk=export_id)
        .filter(Q(state=State.QUEUED) | Q(state=State.RUNNING, lease_until__lt=now))
        .update(
            state=State.RUNNING,
            started_at=now,
            lease_until=lease,
            attempts=F("attempts") + 1,
            error="",
        )
    )
    if not claimed:
        return None
    export = ExportRequest.objects.select_related("requested_by").get(pk=export_id)
    mine = ExportRequest.objects.filter(pk=export_id, state=State.RUNNING, started_at=now)
    if not may_export(export.requested_by):
        mine.update(
            state=State.FAILED,
            error="Its requester is no longer in Compliance.",
            finished_at=timezone.now(),
            lease_until=None,
        )
        return export
    try:
        name, size, sha256, counts = _write(export, as_of=now)
    except Exception:
        logger.exception("eDiscovery export %s failed", export_id)
        mine.update(
            state=State.FAILED,
            error="The export could not be built; the error is in the server's log.",
            finished_at=timezone.now(),
            lease_until=None,
        )
        return export
    finished = timezone.now()
    done = mine.update(
        state=State.READY,
        file=name,
        size=size,
        sha256=sha256,
        counts=counts,
        finished_at=finished,
        expires_at=finished + timedelta(days=settings.EDISCOVERY_LINK_DAYS),
        lease_until=None,
    )
    if not done:  # taken over after our lease ran out: theirs stands, ours goes
        default_storage.delete(name)
    export.refresh_from_db()
    return export


def _safe(name: str) -> str:
    return UNSAFE.sub("_", name).strip(". ") or "file"


def _attachment_rows(archive: ExportZip, scope, spool) -> tuple[int, int]:
    """Copy each attachment's file into files/ and spool its row (the ZIP takes one member at a
    time, so attachments.jsonl is written after the files)."""
    copied = missing = 0
    for attachment in selectors.attachments(scope).iterator(chunk_size=CHUNK):
        path = sha256 = None
        if attachment.file:
            try:
                handle = attachment.file.storage.open(attachment.file.name, "rb")
            except OSError:
                handle = None
            if handle is not None:
                with handle:
                    member = archive.copy_file(
                        f"files/{attachment.token}/{_safe(attachment.name)}", handle
                    )
                path, sha256 = member.path, member.sha256
        copied += path is not None
        missing += path is None
        row = rows.attachment_row(attachment, path=path, sha256=sha256)
        spool.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
    return copied, missing


def _spooled(spool) -> Iterator[dict]:
    spool.seek(0)
    for line in spool:
        yield json.loads(line)


def _write(export: ExportRequest, *, as_of) -> tuple[str, int, str, dict]:
    scope = selectors.scope_of(export, as_of=as_of)
    parts = (
        ("statuses.jsonl", selectors.statuses, rows.status_row),
        ("status_revisions.jsonl", selectors.status_revisions, rows.status_revision_row),
        ("comments.jsonl", selectors.comments, rows.comment_row),
        ("moderation_actions.jsonl", selectors.moderation_actions, rows.moderation_action_row),
        ("blog_posts.jsonl", selectors.blog_posts, rows.blog_post_row),
        ("blog_post_revisions.jsonl", selectors.blog_post_revisions, rows.blog_post_revision_row),
        ("questions.jsonl", selectors.questions, rows.question_row),
    )
    counts: dict[str, int] = {}
    with tempfile.TemporaryFile() as zipped, tempfile.TemporaryFile() as spool:
        archive = ExportZip(zipped)
        for path, select, row in parts:
            member = archive.write_jsonl(
                path, (row(obj) for obj in select(scope).iterator(chunk_size=CHUNK))
            )
            counts[path] = member.rows
        copied, missing = _attachment_rows(archive, scope, spool)
        counts["attachments.jsonl"] = archive.write_jsonl("attachments.jsonl", _spooled(spool)).rows
        counts["files"], counts["files_missing"] = copied, missing
        archive.close(
            {
                "format": FORMAT,
                "export_id": export.pk,
                "requested_by": export.requested_by_name,
                "requested_at": export.created_at,
                "as_of": as_of,
                "time_zone": settings.TIME_ZONE,
                "parameters": export.parameters(),
                "selection": {"from": scope.since, "until": scope.until},
                "counts": counts,
            }
        )
        size = zipped.tell()
        zipped.seek(0)
        digest = _sha256(zipped)
        zipped.seek(0)
        name = default_storage.save(
            f"ediscovery/{export.pk}-{secrets.token_hex(8)}.zip", File(zipped)
        )
    return name, size, digest, counts


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    while block := handle.read(BLOCK):
        digest.update(block)
    return digest.hexdigest()


# --- Downloads and expiry ------------------------------------------------------------------


def export_download_record(*, actor: User, export: ExportRequest, byte_range: str = "") -> None:
    """One audit entry per download served (a resumed download, asking for a range, is one
    more, with its range)."""
    if not may_export(actor):
        raise PermissionDenied("Only Compliance downloads eDiscovery exports.")
    detail = {"sha256": export.sha256, "size": export.size}
    if byte_range:
        detail["range"] = byte_range[:100]
    audit_record(action=EXPORT_EDISCOVERY_DOWNLOADED, actor=actor, target=export, detail=detail)


def exports_expire(*, now=None) -> int:
    """Delete the files of exports past their time; the rows stay, marked expired (their
    download links answer 410)."""
    now = now or timezone.now()
    done = 0
    due = ExportRequest.objects.filter(state=State.READY, expires_at__lte=now).order_by("pk")
    for export in due.iterator(chunk_size=CHUNK):
        with transaction.atomic():
            updated = ExportRequest.objects.filter(pk=export.pk, state=State.READY).update(
                state=State.EXPIRED, file=""
            )
            if updated and export.file:
                name = export.file
                transaction.on_commit(lambda name=name: default_storage.delete(name))
        done += updated
    return done


def exports_resume(*, now=None) -> int:
    """Builds whose lease ran out (the worker was lost) start again, MAX_ATTEMPTS in all; then
    they fail with the reason."""
    now = now or timezone.now()
    stalled = ExportRequest.objects.filter(state=State.RUNNING, lease_until__lt=now)
    failed = stalled.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=State.FAILED,
        error=f"The export did not finish in {MAX_ATTEMPTS} attempts.",
        finished_at=now,
        lease_until=None,
    )
    again = 0
    for export_id in stalled.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True):
        job_enqueue_on_commit(BUILD_JOB, export_id, job_timeout=settings.EDISCOVERY_JOB_TIMEOUT)
        again += 1
    return failed + again
