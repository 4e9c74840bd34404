"""The engagement report's jobs: adding new activity to the rollups the report reads."""

from core.jobs import periodic

from . import rollups

# Events added per run; a larger backlog (after a bulk import) drains over the next minutes.
CATCH_UP_LIMIT = 50_000


@periodic(every_minutes=1)
def rollups_catch_up() -> int:
    """Drain the pending events into the rollups. Idempotent: each event leaves the queue in
    the transaction that counts it, under the rollups' row lock."""
    return rollups.rollups_catch_up(limit=CATCH_UP_LIMIT)
