"""The blog's jobs: announcing scheduled posts when their time comes, with nobody reading."""

from core.jobs import periodic

from .services import posts_release_due


@periodic(every_minutes=1)
def posts_release() -> int:
    """Announce every post that came due. Also queued for a post's own time when it is
    scheduled (`job_run_at`); this minute's run catches anything else. Idempotent: a post is
    claimed by a conditional update, so two workers never announce it twice."""
    return posts_release_due()
