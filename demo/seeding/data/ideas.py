"""The ideas every demo has, whatever the seed: one or more in each state, with decisions.

Authors and commenters name a fixed account ("alice", "bob"), an executive ("ceo", or "cto",
"cfo", "cpo": the head of that department, or the CEO when the company is too small to have
one) or "someone" (an employee picked by the seeded generator). An idea is known by its title,
so a second run creates nothing.
"""

import re
from dataclasses import dataclass

_BLOCK_START = re.compile(r"^\s*([-*]\s|[|#>]|\d+\.\s)")


def unwrap(text: str) -> str:
    """Join the lines of each paragraph: the renderer keeps single line breaks (nl2br), and
    people type paragraphs, not wrapped lines. Lists, tables and headings keep their lines."""
    out: list[str] = []
    for line in text.splitlines():
        if (
            out
            and out[-1]
            and line
            and not _BLOCK_START.match(line)
            and not _BLOCK_START.match(out[-1])
        ):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


@dataclass(frozen=True)
class IdeaComment:
    author: str
    body: str
    hours_after: float  # after the proposal


@dataclass(frozen=True)
class IdeaStep:
    state: str
    by: str
    days_after: float  # after the proposal
    reason: str


@dataclass(frozen=True)
class DemoIdea:
    author: str
    title: str
    description: str
    days_ago: float
    # How many of the colleagues vote, as a share of those who were here.
    vote_share: float
    tags: tuple[str, ...] = ()
    department: str = ""  # a slug; empty: the whole company
    steps: tuple[IdeaStep, ...] = ()
    comments: tuple[IdeaComment, ...] = ()


IDEAS = (
    DemoIdea(
        author="alice",
        title="Book desks and rooms from the calendar",
        days_ago=3,
        vote_share=0.09,
        tags=("office", "tooling"),
        department="operations",
        description=unwrap("""\
Half of my Mondays start with walking around looking for a free desk near my team.

**Proposal:** let us book desks and meeting rooms from the calendar we already use, with a floor
plan that shows who sits where today.

- no more double-booked rooms
- teams can sit together on their office days
- facilities see which floors are actually used
"""),
        comments=(
            IdeaComment("bob", "Yes please. Sales has the same problem on Tuesdays.", 5),
            IdeaComment(
                "someone", "Could it release a room when nobody shows up after 10 minutes?", 20
            ),
        ),
    ),
    DemoIdea(
        author="someone",
        title="Publish the salary bands for every role",
        days_ago=46,
        vote_share=0.32,
        tags=("pay", "transparency"),
        department="people-hr",
        description=unwrap("""\
We say we are transparent, but pay is the one thing nobody can see.

Publishing the **band** (not individual salaries) for every role and level would:

1. make promotions and offers easier to understand,
2. close gaps nobody knows about,
3. help people plan their careers here instead of asking recruiters elsewhere.

Several companies our size already do this.
"""),
        comments=(
            IdeaComment("someone", "This would have saved me a very awkward conversation.", 6),
            IdeaComment("alice", "Bands per level would already be a big step.", 30),
            IdeaComment("bob", "Sales would need commission explained too, not just base.", 52),
        ),
    ),
    DemoIdea(
        author="bob",
        title="Let customers vote on our roadmap inside the product",
        days_ago=24,
        vote_share=0.18,
        tags=("customers", "roadmap"),
        department="product",
        description=unwrap("""\
Customers ask me every week whether "their" feature is coming. A public board inside the
product where they can vote (and see what we decided) would turn those calls into data.
"""),
        steps=(
            IdeaStep(
                "under_review",
                "cpo",
                6,
                "Product is looking at two tools and at what we would have to moderate. "
                "We will come back with a decision after the next planning cycle.",
            ),
        ),
        comments=(
            IdeaComment("someone", "We would need a way to merge duplicates, like Ask does.", 9),
            IdeaComment("cpo", "Good point: that is one of the things we are evaluating.", 150),
        ),
    ),
    DemoIdea(
        author="someone",
        title="Quiet rooms on every floor",
        days_ago=38,
        vote_share=0.27,
        tags=("office", "focus"),
        department="operations",
        description=unwrap("""\
Open space is great for talking and terrible for thinking. One small room per floor where
calls and conversations are not allowed would help everyone who needs an hour of focus.
"""),
        steps=(
            IdeaStep(
                "accepted",
                "ceo",
                9,
                "Yes. Facilities will convert one meeting room per floor, starting with floors "
                "2 and 3 next month. Thank you to everyone who voted: the numbers made it easy.",
            ),
        ),
        comments=(
            IdeaComment("alice", "Could we also have a no-meeting morning once a week?", 4),
            IdeaComment("someone", "Please make them bookable for an hour at most.", 28),
        ),
    ),
    DemoIdea(
        author="someone",
        title="Pilot a four-day work week this summer",
        days_ago=70,
        vote_share=0.38,
        tags=("wellbeing",),
        description=unwrap("""\
Several companies have run a four-day week at full pay and kept their output. A three-month
pilot in one or two teams would show whether it works for us.
"""),
        steps=(
            IdeaStep(
                "under_review",
                "ceo",
                5,
                "We are talking to two companies that ran a pilot, and to Finance.",
            ),
            IdeaStep(
                "declined",
                "cfo",
                33,
                "Not this year. Support and Customer Success would need 20 % more people to "
                "keep our response times, and we cannot hire that fast. We will look again in "
                "the spring with a pilot designed for support teams too. The summer Fridays "
                "from 1 pm stay.",
            ),
        ),
        comments=(
            IdeaComment("someone", "Even a 9-day fortnight would be a start.", 12),
            IdeaComment("bob", "Thanks for explaining the reasoning properly.", 800),
        ),
    ),
    DemoIdea(
        author="alice",
        title="Run the whole test suite on every pull request in under 10 minutes",
        days_ago=80,
        vote_share=0.14,
        tags=("engineering", "tooling"),
        department="engineering",
        description=unwrap("""\
Our CI takes 35 minutes, so people batch changes and merge without waiting. Splitting the
suite across machines and caching dependencies should get us under 10 minutes.

| Step | Today | Target |
|---|---|---|
| Install | 6 min | 1 min |
| Tests | 27 min | 7 min |
"""),
        steps=(
            IdeaStep(
                "accepted",
                "cto",
                4,
                "Accepted: the platform team takes it this quarter. @alice, you are welcome to "
                "join them for the work.",
            ),
            IdeaStep(
                "done",
                "cto",
                58,
                "Shipped. Median CI time is now 8 minutes 40 seconds. Thank you all.",
            ),
        ),
        comments=(
            IdeaComment("someone", "Flaky tests will be the real problem, not the machines.", 3),
            IdeaComment("alice", "Agreed: I can start with a list of the flaky ones.", 7),
        ),
    ),
    DemoIdea(
        author="someone",
        title="Bring back the summer offsite for the whole company",
        days_ago=60,
        vote_share=0.29,
        tags=("culture", "allhands"),
        description=unwrap("""\
Since we grew past 200 people the summer offsite stopped. Most of us have never met
colleagues in other offices. One day, one place, everyone.
"""),
        steps=(
            IdeaStep(
                "declined",
                "ceo",
                7,
                "Not this year: the budget went to the new office. I know this is a "
                "disappointment.",
            ),
            IdeaStep(
                "under_review",
                "ceo",
                40,
                "Reopening this: Finance found room in the events budget, and 40 % of you "
                "voted for it. We are pricing two venues.",
            ),
        ),
        comments=(IdeaComment("bob", "Happy to help organise.", 10),),
    ),
    DemoIdea(
        author="someone",
        title="One page that lists every internal tool and who owns it",
        days_ago=9,
        vote_share=0.07,
        tags=("docs", "tooling"),
        description=unwrap("""\
New people ask the same question for weeks: *where is the tool for X, and who do I ask?*
A single page, kept up to date by the owners, would answer it.
"""),
    ),
    DemoIdea(
        author="bob",
        title="A mentoring programme for first-time managers",
        days_ago=85,
        vote_share=0.16,
        tags=("careers", "management"),
        department="people-hr",
        description=unwrap("""\
Most of our managers were promoted from their teams and learned on the job. Pairing each new
manager with an experienced one from another department for six months would help.
"""),
        steps=(
            IdeaStep(
                "accepted",
                "ceo",
                12,
                "Accepted. People & HR will run the first cohort from next month.",
            ),
            IdeaStep(
                "done",
                "ceo",
                70,
                "The first cohort of 14 pairs has finished; a second starts in January.",
            ),
        ),
    ),
)
