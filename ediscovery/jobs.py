"""eDiscovery's jobs: building an export, resuming a stalled build, the daily cleanup."""

from datetime import time

from core.jobs import periodic

from . import services


def export_build(export_id: int) -> None:
    services.export_build(export_id=export_id)


@periodic(every_minutes=10)
def exports_resume() -> int:
    return services.exports_resume()


@periodic(daily_at=time(3, 41))
def exports_expire() -> int:
    return services.exports_expire()
