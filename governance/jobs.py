"""governance's jobs: the daily retention run."""

from datetime import time

from core.jobs import periodic

from . import services


@periodic(daily_at=time(3, 30))
def retention_apply() -> dict[str, int]:
    """Apply the retention policies (idempotent: a second run the same day finds nothing)."""
    return services.retention_run()
