"""governance's jobs: the daily retention run."""

from datetime import time

from django.conf import settings

from core.jobs import periodic

from . import services


@periodic(daily_at=time(3, 30))
def retention_apply() -> dict[str, int]:
    """Apply the retention policies (idempotent: a second run the same day finds nothing). Half
    the job runner's time limit per run; a run that needs more queues the next one itself."""
    return services.retention_run(budget_seconds=settings.Q_CLUSTER["timeout"] / 2)
