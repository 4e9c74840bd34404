"""One JSON Lines row per record, one plain function per kind: each builds a dict from the row
and the relations its selector already joined (no query here, so a big export streams).

Times are ISO 8601 in UTC; people are usernames (null when the account is gone); text is the
source as written (Markdown), also when it was removed: a tombstone's `removal` says who
removed it, when and why. Nothing in a row is anyone's private setting or a vote.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import reverse


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _at(value) -> str | None:
    return value.isoformat() if value is not None else None


# A URL pattern reversed once, not once per row (reverse() was a third of a build's time).
SENTINEL = 987654321


@lru_cache(maxsize=16)
def _route(name: str, kwarg: str) -> str:
    return reverse(name, kwargs={kwarg: SENTINEL}).replace(str(SENTINEL), "{}")


def _url(name: str, kwarg: str, value) -> str:
    return settings.SITE_URL + _route(name, kwarg).format(value)


def _removal(obj) -> dict | None:
    if not obj.removal:
        return None
    return {
        "kind": obj.removal,
        "reason": obj.removal_reason,
        "by": _name(obj.removed_by),
        "at": _at(obj.removed_at),
    }


def status_row(status) -> dict:
    return {
        "id": status.pk,
        "url": _url("feeds:status", "status_id", status.pk),
        "author": _name(status.author),
        "created_at": _at(status.created_at),
        "edited_at": _at(status.edited_at),
        "visibility": status.visibility,
        "department": status.department.name if status.department_id else None,
        "community": status.community.slug if status.community_id else None,
        "body": status.body,
        "is_announcement": status.is_announcement,
        "announced_by": _name(status.announced_by),
        "comments_locked": status.comments_locked,
        "lock_reason": status.lock_reason,
        "removal": _removal(status),
    }


def status_revision_row(revision) -> dict:
    """An earlier version; the status's current text is its row in statuses.jsonl."""
    return {
        "id": revision.pk,
        "status_id": revision.status_id,
        "body": revision.body,
        "written_at": _at(revision.written_at),
        "replaced_at": _at(revision.replaced_at),
        "attachments": list(revision.attachments),
    }


def comment_row(comment) -> dict:
    return {
        "id": comment.pk,
        "status_id": comment.status_id,
        "community": comment.status.community.slug if comment.status.community_id else None,
        "author": _name(comment.author),
        "created_at": _at(comment.created_at),
        "body": comment.body,
        "removal": _removal(comment),
    }


def moderation_action_row(action) -> dict:
    target = None
    if action.target_type_id is not None:
        target = {
            "type": f"{action.target_type.app_label}.{action.target_type.model}",
            "id": action.target_id,
        }
    return {
        "id": action.pk,
        "moderator": _name(action.moderator),
        "action": action.action,
        "status_id": action.status_id,
        "comment_id": action.comment_id,
        "target": target,
        "reason": action.reason,
        "created_at": _at(action.created_at),
    }


def blog_post_row(post) -> dict:
    return {
        "id": post.pk,
        "url": _url("blog:post", "slug", post.slug),
        "author": _name(post.author),
        # The delegate who wrote it for the author (null: the author did).
        "posted_by": _name(post.posted_by),
        "title": post.title,
        "slug": post.slug,
        "summary": post.summary,
        "body": post.body,
        "state": post.status,
        "publish_at": _at(post.publish_at),
        "created_at": _at(post.created_at),
        "edited_at": _at(post.edited_at),
        "card_status_id": post.card_id,
    }


def blog_post_revision_row(revision) -> dict:
    return {
        "id": revision.pk,
        "post_id": revision.post_id,
        "title": revision.title,
        "summary": revision.summary,
        "body": revision.body,
        "written_at": _at(revision.written_at),
        "replaced_at": _at(revision.replaced_at),
    }


def question_row(question) -> dict:
    """An anonymous question never names its asker, here as everywhere."""
    return {
        "id": question.pk,
        "url": _url("exec_blog:question", "question_id", question.pk),
        "asker": None if question.anonymous else _name(question.asker),
        "anonymous": question.anonymous,
        "body": question.body,
        "created_at": _at(question.created_at),
        "answer": {
            "body": question.answer_body,
            "by": _name(question.answered_by),
            "posted_by": _name(question.answer_posted_by),
            "at": _at(question.answered_at),
        }
        if question.answered_at
        else None,
        "merged_into": question.merged_into_id,
        "removal": _removal(question),
    }


def attachment_row(attachment, *, path: str | None, sha256: str | None) -> dict:
    """`path` and `sha256`: the file in the ZIP (None when the stored file is gone: a
    deleted post's files are released). `upload_sha256` is the hash taken at upload, of the
    file as sent (pictures are then re-encoded, so theirs differs from `sha256`)."""
    owner = attachment.owner_type
    return {
        "id": attachment.pk,
        "token": attachment.token,
        "owner": {"type": f"{owner.app_label}.{owner.model}", "id": attachment.owner_id},
        "uploader": _name(attachment.uploader),
        "kind": attachment.kind,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "alt": attachment.alt,
        "created_at": _at(attachment.created_at),
        "detached_at": _at(attachment.detached_at),
        "removal": {
            "reason": attachment.removal_reason,
            "by": _name(attachment.removed_by),
            "at": _at(attachment.removed_at),
        }
        if attachment.removed_at
        else None,
        "path": path,
        "sha256": sha256,
        "upload_sha256": attachment.sha256,
    }
