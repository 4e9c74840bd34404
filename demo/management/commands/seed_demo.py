"""`manage.py seed_demo`: a believable company for demos, development and benchmarks.

Only the command line lives here; what is seeded, and how, is in the `demo.seeding`
package, whose docstring explains why a rerun creates nothing and the same --seed gives the
same company.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.seeding import (
    Cast,
    ContentSeeder,
    LeadershipSeeder,
    Progress,
    build_plan,
    company_totals,
    content_totals,
    leadership_totals,
    seed_company,
)
from demo.seeding.activity import HISTORY_MAX_PEOPLE, ActivitySeeder
from demo.seeding.attachments import AttachmentSeeder, attachment_totals
from demo.seeding.communities import CommunitySeeder, community_totals
from demo.seeding.community_plan import plan_communities
from demo.seeding.ideas import IdeaSeeder, idea_totals
from demo.seeding.polls import PollSeeder, poll_totals

DEFAULT_STATUSES = 600
# The progress bar shows on a terminal, and for runs long enough to want it anywhere else.
PROGRESS_MIN_PEOPLE = 500
PROGRESS_MIN_STATUSES = 20_000


class Command(BaseCommand):
    help = (
        "Create a believable demo company: departments, people, managers and follows, "
        "communities with their members, and "
        "statuses with comments, reactions and notifications over the last 90 days, and "
        "executive blog posts, questions to leadership, and ideas with votes and decisions."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default="demo", help="Password of every demo account.")
        parser.add_argument(
            "--employees", type=int, default=80, help="How many people work here (default 80)."
        )
        parser.add_argument(
            "--statuses",
            type=int,
            default=DEFAULT_STATUSES,
            help=f"How many statuses there are (default {DEFAULT_STATUSES}; 0 for none).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same company.")
        parser.add_argument(
            "--activity-days",
            type=int,
            default=None,
            help="Days of drawn activity history for the engagement report (default 365).",
        )

    def handle(self, *args, **options) -> None:
        started_at = timezone.now()
        password: str = options["password"]
        employees: int = options["employees"]
        statuses: int = options["statuses"]
        seed: int = options["seed"]
        if not password:
            raise CommandError("--password cannot be empty.")
        activity_days = options["activity_days"]
        if activity_days is not None and not 0 <= activity_days <= 3 * 365:
            raise CommandError("--activity-days must be between 0 and 1095.")
        if statuses < 0:
            raise CommandError("--statuses cannot be negative.")
        try:
            people = build_plan(seed=seed, employees=employees)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        progress = Progress(
            self.stderr,
            enabled=self.stderr.isatty()
            or employees > PROGRESS_MIN_PEOPLE
            or statuses >= PROGRESS_MIN_STATUSES,
        )

        clock = time.perf_counter()
        stages: list[tuple[str, float]] = []

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            stages.append((name, now - clock))
            clock = now

        company = seed_company(people, password=password, seed=seed, progress=progress)
        lap("company")
        cast = Cast.build(people, company.user_ids, company.departments, seed)
        places = CommunitySeeder(cast, plan_communities(people, seed=seed), seed=seed)
        new_communities = places.ensure()
        lap("communities")
        new_posts = 0
        if statuses > 0:
            seeder = ContentSeeder(
                cast,
                seed=seed,
                statuses=statuses,
                progress=progress,
                places=places.places(),
                scripted=places.scripted_posts,
            )
            if seeder.slow_templates:
                self.stderr.write(
                    f"{len(seeder.slow_templates)} templates are rendered one by one: "
                    + "; ".join(t[:40] for t in seeder.slow_templates)
                )
            new_posts = places.ensure_posts(seeder.clock)
            stories, created = seeder.run()
            lap("content")
            posts, questions = LeadershipSeeder(cast, seed=seed).run()
            lap("leadership")
            content = content_totals()
            self.stdout.write(
                f"Content ready: {content.statuses:,} statuses, "
                f"{content.comments:,} comments, {content.reactions:,} reactions "
                f"({new_posts + stories + created:,} new statuses)."
            )
            leadership = leadership_totals()
            self.stdout.write(
                f"Leadership ready: {leadership.posts:,} blog posts, "
                f"{leadership.questions:,} questions ({leadership.answered:,} answered; "
                f"{posts + questions:,} new)."
            )
            new_ideas = IdeaSeeder(cast, seed=seed).run()
            lap("ideas")
            idea_count = idea_totals()
            self.stdout.write(
                f"Ideas ready: {idea_count.ideas:,} ideas, {idea_count.votes:,} votes, "
                f"{idea_count.decisions:,} decisions ({new_ideas:,} new)."
            )
            new_polls = PollSeeder(seed=seed).run()
            lap("polls")
            all_polls, open_polls = poll_totals()
            self.stdout.write(
                f"Polls ready: {all_polls:,} polls ({open_polls:,} open; {new_polls:,} new)."
            )
            new_files = AttachmentSeeder(log=self.stderr.write).run()
            lap("attachments")
            files, pictures = attachment_totals()
            self.stdout.write(
                f"Attachments ready: {files:,} files on posts ({pictures:,} pictures; "
                f"{new_files:,} new)."
            )
            new_events = ActivitySeeder(
                cast, seed=seed, started_at=started_at, history_days=activity_days
            ).run()
            lap("activity")
            history = (
                "12 months"
                if len(people) <= HISTORY_MAX_PEOPLE
                else f"the content only: over {HISTORY_MAX_PEOPLE:,} people"
            )
            self.stdout.write(
                f"Activity ready for the engagement report: {new_events:,} new events "
                f"({history}); rollups rebuilt."
            )

        community = community_totals()
        self.stdout.write(
            f"Communities ready: {community.communities:,} communities, "
            f"{community.memberships:,} members, {community.pending:,} requests and invitations "
            f"({new_communities:,} new communities)."
        )
        totals = company_totals()
        self.stdout.write(
            self.style.SUCCESS(
                f"Company ready: {totals.people:,} people in {totals.departments:,} departments, "
                f"{totals.follows:,} follows ({company.created:,} new accounts). "
                f"Log in as alice / {password}."
            )
        )
        total = sum(seconds for _, seconds in stages)
        self.stdout.write(
            f"Took {total:.0f} s: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in stages)
            + "."
        )
