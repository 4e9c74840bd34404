"""The scripted stories: a few statuses every demo has, whatever the seed.

The announcement, a moderation example or two, edits with a history, and alice and bob
talking to each other. Authors and mentions name
a fixed account ("alice") or someone near one: "manager_of_bob", "mate_of_alice" (a teammate,
or else the manager), "head_of_sales". In a body, {name} is that person's "@username" and
{author} the story's author. `ContentSeeder.person` in content.py resolves these names.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StoryComment:
    author: str
    body: str
    hours_after: float


@dataclass(frozen=True)
class Story:
    key: str
    author: str
    hours_ago: float
    body: str
    department_only: bool = False
    # Earlier versions, oldest first, with when each was replaced (hours after posting).
    revisions: tuple[tuple[str, float], ...] = ()
    comments: tuple[StoryComment, ...] = ()
    reactions: int = 0
    announce_days: int = 0  # pinned for this many days from now
    hidden_reason: str = ""  # hidden by `mod` ...
    locked_reason: str = ""  # ... or comments locked by `mod`
    moderated_hours_after: float = 0
    reported_by: str = ""
    report_reason: str = ""


STORIES = (
    Story(
        "all-hands", "ceo", 30,
        "**All-hands on Thursday** at 16:00 UTC: in the atrium in New York, on the stream "
        "everywhere else.\n\nWe'll cover:\n\n- the quarter's results and what they mean for next "
        "year\n- the roadmap, with the product leads\n- your questions, answered live\n\n"
        "Send questions in advance through the "
        "[all-hands form](https://example.com/all-hands/questions). The recording stays up for "
        "two weeks. #allhands",
        reactions=45,
        announce_days=14,
        comments=(
            StoryComment("head_of_engineering", "Will there be a replay for the Singapore "
                         "office? It's midnight there.", 1.5),
            StoryComment("author", "Yes {head_of_engineering}: the recording is up the same "
                         "evening, with a live Q&A for APAC on Friday morning.", 2.5),
            StoryComment("hr", "Questions can be anonymous in the form, too. 🙂", 3),
            StoryComment("alice", "Looking forward to the roadmap part! #allhands", 5),
        ),
    ),
    Story(
        "kudos-alice", "bob", 20,
        "Huge thanks to {alice} for turning the Northwind Traders API issue around in a day. "
        "The customer noticed, and the renewal is signed. #kudos #customerwins",
        reactions=24,
        comments=(
            StoryComment("alice", "Happy to help, {author}! The fix ships to every customer on "
                         "Monday.", 1),
            StoryComment("manager_of_bob", "This is what great teamwork looks like. 👏", 2),
            StoryComment("manager_of_alice", "Proud of you {alice}.", 3),
        ),
    ),
    Story(
        "pairing", "alice", 26,
        "Pairing with {bob} on the Northwind Traders integration tomorrow: sales folks, bring "
        "your hardest API questions. #customerwins",
        reactions=9,
        comments=(StoryComment("bob", "I'll bring the coffee ☕", 0.5),),
    ),
    Story(
        "til-index", "alice", 72,
        "#til PostgreSQL can build an index without blocking writes: `CREATE INDEX "
        "CONCURRENTLY`. It saved our deploy this morning. Notes on the "
        "[wiki](https://example.com/wiki/postgres-indexes).",
        reactions=16,
        comments=(
            StoryComment("mate_of_alice", "Didn't know that! Adding it to our runbook.", 2),
            StoryComment("author", "Thanks {mate_of_alice}, the wiki page has the caveats.", 3),
        ),
    ),
    Story(
        "deploy-freeze", "alice", 150,
        "Reminder: the **platform** deploy freeze starts Thursday at 18:00 UTC and ends Monday "
        "at 09:00 UTC. Ping me if you need an exception. #release",
        department_only=True,
        revisions=(
            ("Reminder: the **platform** deploy freeze starts Thursday at 17:00 UTC. Ping me if "
             "you need an exception. #release", 2),
        ),
        reactions=7,
        comments=(StoryComment("manager_of_alice", "Thanks for the correction on the times.", 3),),
    ),
    Story(
        "buddies", "alice", 250,
        "Looking for buddies for next month's new joiners on the platform team: who's in? "
        "Coffee's on me. #onboarding",
        reactions=11,
        comments=(
            StoryComment("mate_of_alice", "Count me in!", 1),
            StoryComment("hr", "Thank you {author}! I'll send the buddy guide.", 4),
        ),
    ),
    Story(
        "pipeline-review", "bob", 290,
        "Q4 pipeline review moved to **Wednesday 15:00** London time, so the Singapore team can "
        "join. Agenda and numbers in the [deck](https://example.com/sales/q4-pipeline). #q4",
        revisions=(
            ("Q4 pipeline review on Tuesday 15:00. Agenda to follow. #q4", 1),
            ("Q4 pipeline review moved to Wednesday 15:00. Agenda to follow. #q4", 3),
        ),
        reactions=8,
    ),
    Story(
        "fabrikam-demo", "bob", 50,
        "Demo day with Fabrikam went really well: they want the analytics add-on for all 40 of "
        "their regional teams. Thanks {manager_of_bob} for the prep. #customerwins",
        reactions=19,
        comments=(StoryComment("head_of_sales", "Fantastic. Let's make it happen {author}!", 2),),
    ),
    Story(
        "open-enrollment", "hr", 96,
        "Benefits open enrollment closes **Friday**. If you haven't checked your choices yet, it "
        "takes ten minutes: [benefits portal](https://example.com/benefits). Questions? Ask here "
        "or message me. #benefits #wellbeing",
        reactions=14,
        comments=(
            StoryComment("bob", "Does the new dental plan cover family members?", 3),
            StoryComment("author", "It does, {bob}: partners and children.", 4),
        ),
    ),
    Story(
        "guidelines", "mod", 200,
        "A quick reminder of our [community guidelines](https://example.com/guidelines): "
        "disagree with ideas, not people; keep customer data out of posts; use #marketplace for "
        "personal sales. Moderation here is public: every action and its reason is in the "
        "moderation log.",
        reactions=12,
    ),
    Story(
        "results", "ceo", 360,
        "Proud of this team: we closed the quarter at **112%** of plan, and customer "
        "satisfaction is at an all-time high. Thank you, all of you. Details at the all-hands. "
        "#q4",
        reactions=60,
        comments=(
            StoryComment("head_of_sales", "What a quarter. Thank you to every customer-facing "
                         "team!", 1),
            StoryComment("bob", "🎉🎉🎉", 2),
        ),
    ),
    Story(
        "offsite-rant", "mate_of_bob", 110,
        "Whoever moved the offsite to a Monday clearly doesn't have kids or a commute. Honestly, "
        "what a clown show.",
        reactions=3,
        hidden_reason="Disagreeing with a decision is fine; name-calling isn't. Hidden under the "
        "community guidelines. Happy to help repost the feedback constructively.",
        moderated_hours_after=5,
        reported_by="manager_of_bob",
        report_reason="Insulting the people who organised the offsite.",
    ),
    Story(
        "no-meeting-wednesdays", "manager_of_alice", 220,
        "Proposal: no-meeting Wednesdays, company-wide, starting next month. Who's in? "
        "#nomeetingwednesday",
        reactions=30,
        comments=(
            StoryComment("alice", "Yes please. One day a week for deep work would change a "
                         "lot.", 0.5),
            StoryComment("bob", "Customers don't stop calling on Wednesdays, though.", 1),
            StoryComment("mate_of_alice", "Customer calls could be the exception?", 1.5),
            StoryComment("manager_of_bob", "Every exception is how these policies die.", 2),
            StoryComment("alice", "Then let's try it for a month and measure.", 2.5),
            StoryComment("mate_of_bob", "This is the fourth thread on this. Can we stop?", 3),
        ),
        locked_reason="The discussion is going in circles. Locking comments: People & HR will "
        "run a proper survey on meeting load next week.",
        moderated_hours_after=4,
    ),
)  # fmt: skip
