"""The job runner's side of webhooks (core.jobs): each endpoint's sender, and a sweep."""

from core.jobs import periodic

from . import services


def endpoint_deliver(endpoint_id: int) -> int:
    """Queued when a delivery is made (and by "retry now"): send the endpoint's due
    deliveries in order. Idempotent."""
    return services.endpoint_deliver(endpoint_id=endpoint_id)


@periodic(every_minutes=1)
def deliveries_due() -> int:
    """Every minute, and at each endpoint's next retry (`job_run_at`): send what is due, in case
    a job was lost or a retry's time came. One indexed query when nothing is due."""
    return sum(services.endpoint_deliver(endpoint_id=pk) for pk in services.endpoints_due())
