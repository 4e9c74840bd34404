"""feeds' sections of a person's data export (profiles.export, registered in FeedsConfig.ready)."""

from profiles.export import register_section, rows
from profiles.models import User

from .models import Comment, PollVote, Reaction, Report, Status, StatusRevision

REMOVAL = ("removal", "removal_reason")  # set when a moderator hid it, with the public reason


def statuses(user: User) -> list[dict]:
    revisions: dict[int, list[dict]] = {}
    for revision in StatusRevision.objects.filter(status__author=user).order_by("written_at"):
        revisions.setdefault(revision.status_id, []).append(
            {
                "body": revision.body,
                "written_at": revision.written_at,
                "replaced_at": revision.replaced_at,
            }
        )
    return [
        {**status, "earlier_versions": revisions.get(status["id"], [])}
        for status in rows(
            Status.objects.filter(author=user),
            "created_at",
            *("id", "body", "visibility", "created_at", "edited_at", "is_announcement"),
            *REMOVAL,
        )
    ]


def comments(user: User) -> list[dict]:
    return rows(
        Comment.objects.filter(author=user),
        "created_at",
        *("id", "status_id", "body", "created_at"),
        *REMOVAL,
    )


def reactions(user: User) -> list[dict]:
    return rows(Reaction.objects.filter(user=user), "created_at", "status_id", "kind", "created_at")


def poll_votes(user: User) -> list[dict]:
    # Anonymous polls store no choice (docs/api.md), so only named votes can be listed.
    return rows(
        PollVote.objects.filter(user=user),
        "created_at",
        "option__poll__status_id",
        "option__label",
        "created_at",
    )


def reports_filed(user: User) -> list[dict]:
    return rows(
        Report.objects.filter(reporter=user),
        "created_at",
        "status_id",
        "comment_id",
        "reason",
        "created_at",
        "resolved_at",
    )


def register() -> None:
    for build in (statuses, comments, reactions, poll_votes, reports_filed):
        register_section(build.__name__, build)
