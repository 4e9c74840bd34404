"""Periodic housekeeping of the shared library's stores."""

from datetime import time

from django.core.management import call_command

from .jobs import periodic


@periodic(daily_at=time(3, 17))
def sessions_clear_expired() -> None:
    """Expired sessions leave the database (`clearsessions`, for the configured engine)."""
    call_command("clearsessions")
