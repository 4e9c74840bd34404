"""`manage.py rollup_engagement`: bring the engagement rollups up to date.

Without dates it adds the events recorded since the last run (run it from cron every few
minutes; `manage.py worker` does it every minute). With --start/--end, or --all, it rebuilds
those days, and the weeks and months around them, from the activity record: idempotent, so
running it twice gives the same rollups.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min
from django.utils import timezone

from activity.models import ActivityEvent
from engagement.rollups import rollups_catch_up, rollups_rebuild


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name}: use a date like 2026-01-31, not {value!r}.") from None


class Command(BaseCommand):
    help = "Add new activity events to the engagement rollups, or rebuild a date range."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", help="First day to rebuild (YYYY-MM-DD).")
        parser.add_argument("--end", help="Last day to rebuild (YYYY-MM-DD); default today.")
        parser.add_argument("--all", action="store_true", help="Rebuild every day with events.")

    def handle(self, *args, **options) -> None:
        began = time.perf_counter()
        if options["all"]:
            bounds = ActivityEvent.objects.aggregate(first=Min("day"), last=Max("day"))
            if bounds["first"] is None:
                self.stdout.write("No activity events yet.")
                return
            start, end = bounds["first"], bounds["last"]
        elif options["start"] or options["end"]:
            if not options["start"]:
                raise CommandError("--end needs --start.")
            start = _day(options["start"], "start")
            end = _day(options["end"], "end") if options["end"] else timezone.localdate()
            if start > end:
                raise CommandError("--start must not be after --end.")
        else:
            added = rollups_catch_up()
            took = time.perf_counter() - began
            self.stdout.write(f"Added {added:,} pending events to the rollups in {took:.2f} s.")
            return
        first, last, events = rollups_rebuild(start=start, end=end)
        rollups_catch_up()
        took = time.perf_counter() - began
        self.stdout.write(
            f"Rebuilt the rollups from {first} to {last} from {events:,} events in {took:.2f} s."
        )
