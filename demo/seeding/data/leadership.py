"""The executive blog and the questions to leadership that every demo has, whatever the seed.

Authors are "ceo" or "cto" (the head of engineering, an executive); "comms", the CEO's
delegate, posts some of the CEO's. A post is known by its slug
and a question by its body, so a second run creates nothing. Commenters and askers name a fixed
account ("alice") or "someone" (an employee picked by the seeded generator).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PostComment:
    author: str
    body: str
    hours_after: float


@dataclass(frozen=True)
class LeadershipPost:
    slug: str
    author: str
    title: str
    summary: str
    tags: tuple[str, ...]
    body: str
    # Days before now (published), or negative: days from now (scheduled). None: a draft.
    days_ago: float | None
    comments: tuple[PostComment, ...] = ()
    # A delegate who wrote and published it on the author's behalf ("comms"); empty: the author.
    posted_by: str = ""


@dataclass(frozen=True)
class LeadershipQuestion:
    asker: str
    body: str
    days_ago: float
    anonymous: bool = False
    # How many of the colleagues vote, as a share of the company.
    vote_share: float = 0.1
    answered_by: str = ""  # "ceo" or "cto"; empty: still open
    answer: str = ""
    answer_hours_after: float = 0


POSTS = (
    LeadershipPost(
        slug="where-we-stand-after-q3",
        author="ceo",
        title="Where we stand after Q3",
        summary="Revenue, hiring and the three bets we are making for the rest of the year.",
        tags=("strategy", "quarterly", "allhands"),
        days_ago=54,
        body="""\
Every quarter I write down where we are, in plain words, before the all-hands. Here is Q3.

## The numbers

We closed the quarter ahead of plan on revenue and slightly behind on hiring. The short version:

| Metric | Plan | Actual |
|---|---|---|
| New annual revenue | 4.0 M | 4.4 M |
| Net revenue retention | 112 % | 115 % |
| Hires | 38 | 31 |
| Customer satisfaction | 4.5 | 4.6 |

The retention number is the one I am proudest of: customers who bought from us a year ago are
spending more with us today, and that is earned every single day by support, success and
engineering.

## What went well

- The **platform migration** finished two weeks early, with no customer-facing incident.
- Mid-market sales closed our largest deal ever, after a nine-month cycle.
- People Ops rolled out the new onboarding: new hires ship their first change in week one.

## What did not

- We are still slow to hire senior engineers. Referrals are our best channel by far.
- Our release notes are an afterthought. Customers notice.
- Too many meetings. I am part of that problem.

## The three bets for Q4

1. **Self-serve onboarding**, so small customers never need to talk to us to get started.
2. **Reliability first**: no new feature ships without its alerting and runbook.
3. **Fewer, better meetings**: every recurring meeting gets an owner and an end date.

> "Strategy is choosing what not to do." We will say no to good ideas this quarter so that we
> can say yes to the great ones.

Bring your questions to the all-hands, or ask them in *Ask leadership* — anonymously if you
prefer. I read every one.
""",
        comments=(
            PostComment(
                "alice", "Thanks for the table: seeing plan next to actual helps a lot.", 3
            ),
            PostComment("bob", "The mid-market deal was a team effort. Proud of everyone!", 5),
            PostComment("someone", "Love the end dates on recurring meetings. Long overdue.", 9),
            PostComment("someone", "Will the self-serve bet change how sales is organised?", 20),
        ),
    ),
    LeadershipPost(
        slug="how-we-think-about-reliability",
        author="cto",
        title="How we think about reliability",
        summary="Error budgets, on-call people can live with, and why we slow down on purpose.",
        tags=("engineering", "reliability", "oncall"),
        days_ago=41,
        body="""\
Reliability is a feature, and like every feature it has a cost. This post explains how
engineering decides how much of it to buy.

## Error budgets

Each service has a target, and the gap between the target and 100 % is a budget we may spend
on change:

| Service | Target | Monthly budget |
|---|---|---|
| Login and sessions | 99.95 % | 22 minutes |
| Feeds and search | 99.9 % | 43 minutes |
| Reporting exports | 99.5 % | 3.6 hours |

When a team spends its budget, it stops shipping features until the service is back within
target. Nobody is blamed for that: it is the system working.

## On-call people can live with

- Rotations of at least **six people**, one week each, handed over on Tuesdays.
- Every page must be actionable. A page that was not gets fixed or deleted within a week.
- The night after a page, you start late. That is not a favour; it is the policy.

## Postmortems

We write one for every incident that touches customers, within five working days, and we
publish them internally. The template asks *what made this possible*, never *who did this*.

> A good postmortem leaves the system safer and the people who were on call prouder.

## What changes next quarter

1. Every new service launches with a dashboard, alerts and a runbook.
2. We retire the two oldest cron hosts.
3. Game days every month, rotating between teams.

Questions welcome, here or in *Ask leadership*.
""",
        comments=(
            PostComment("alice", "Starting late after a night page is a huge deal. Thank you.", 2),
            PostComment("someone", "Can other departments join the game days as observers?", 6),
            PostComment("someone", "Publishing postmortems internally builds so much trust.", 30),
        ),
    ),
    LeadershipPost(
        slug="our-hybrid-work-principles",
        author="ceo",
        posted_by="comms",
        title="Our hybrid work principles",
        summary="Offices are for collaboration, not attendance. What that means in practice.",
        tags=("culture", "hybrid", "offices"),
        days_ago=23,
        body="""\
After six months of listening — surveys, office visits, and many of your questions — here are
the principles we will work by. They replace the old remote-work policy.

## Principles

- **Teams decide** which days they meet in person. The company does not count badges.
- **Offices are for collaboration**: planning, onboarding, workshops, celebrating.
- **Remote is first-class**: every meeting works for the people who are not in the room.
- **Core hours** are 10:00–15:00 in your team's main time zone; outside them, no expectation
  of an instant reply.

## What the company provides

| For | What |
|---|---|
| Everyone | A home-office budget, renewed every two years |
| Teams | A travel budget to meet in person once a quarter |
| New hires | Their first week in an office with their team |

## What we ask of you

1. Agree your team's in-person days and write them down in the team page.
2. Keep your calendar honest: where you are and when you are reachable.
3. Tell your manager when something does not work. These principles will change.

> Where you work matters less than how well we work together.

The People team will run a short survey in three months to see how this is going.
""",
        comments=(
            PostComment("hr", "The survey goes out at the end of next quarter. Thanks all!", 1),
            PostComment("someone", "Team-decided days is exactly what we asked for. Thank you.", 4),
            PostComment("bob", "Quarterly team travel will make a real difference for sales.", 8),
            PostComment("someone", "Does the home-office budget include a proper chair?", 26),
            PostComment("alice", "Core hours in the team's time zone: sensible and kind.", 30),
        ),
    ),
    LeadershipPost(
        slug="building-the-next-platform",
        author="cto",
        title="Building the next platform",
        summary="Why we are investing in a shared platform team, and what it will build first.",
        tags=("engineering", "platform", "roadmap"),
        days_ago=9,
        body="""\
Our product teams each solved the same problems — deployments, feature flags, background jobs
— in slightly different ways. It got us here. It will not get us to the next stage.

## What the platform team owns

- The **paved road**: one way to build, test, deploy and observe a service.
- Shared building blocks: feature flags, background jobs, audit logging.
- Developer experience: fast CI, local environments that start in minutes.

## What it does not own

- Product decisions. Platform serves product teams; it does not set their roadmap.
- Every service's on-call. You build it, you run it — on a better road.

## The first six months

| Month | Milestone |
|---|---|
| 1–2 | One deployment pipeline for every service |
| 3–4 | Feature flags as a service, old flag libraries retired |
| 5–6 | CI under ten minutes for the monorepo |

## How to help

1. Tell us where you lose time: the platform backlog is open to everyone.
2. Volunteer your service as an early adopter.
3. Review the RFCs: we decide in writing, in the open.

> The best platform is the one nobody has to think about.
""",
        comments=(
            PostComment("alice", "Happy to volunteer our service as an early adopter.", 2),
            PostComment("someone", "CI under ten minutes would change my life.", 3),
            PostComment(
                "someone", "Will the RFCs be open to comments from outside engineering?", 7
            ),
        ),
    ),
    LeadershipPost(
        slug="announcing-our-annual-kickoff",
        author="ceo",
        posted_by="comms",
        title="Announcing our annual kickoff",
        summary="Two days, every office, one plan for next year. Details inside.",
        tags=("kickoff", "allhands"),
        days_ago=-5,
        body="""\
Next year starts with all of us together.

## When and where

- **Two days**, in every office at once, connected by a live stream.
- Remote colleagues get a travel budget to join their nearest office.

## Agenda

1. Where we are, and where we are going next year.
2. Department sessions: plans, teams and goals.
3. A customer panel — unscripted.
4. The annual awards, nominated by you.

> Plans are nothing; planning is everything.

Nominations for the awards open next week.
""",
    ),
    LeadershipPost(
        slug="draft-compensation-review-notes",
        author="ceo",
        title="Compensation review: how it will work this year",
        summary="A draft: bands, timelines and how managers decide.",
        tags=("compensation", "people"),
        days_ago=None,
        body="""\
*Draft — not shared yet.*

## Timeline

- Managers receive their budgets in the first week of the review.
- Conversations happen in the third week; letters go out in the fourth.

## Principles

1. Published salary bands for every role.
2. The same increase budget for every department.
3. Calibration across teams before anyone hears a number.

| Band | Range |
|---|---|
| To be confirmed | To be confirmed |
""",
    ),
)


QUESTIONS = (
    LeadershipQuestion(
        asker="someone",
        body="When will we publish salary bands for every role?",
        days_ago=34,
        vote_share=0.55,
    ),
    LeadershipQuestion(
        asker="alice",
        body="Is there a plan to reduce the number of recurring meetings for engineers?",
        days_ago=50,
        anonymous=True,
        vote_share=0.3,
        answered_by="cto",
        answer_hours_after=30,
        answer="""\
Yes. Starting this month:

- Every recurring meeting in engineering has an **owner** and an **end date**.
- Wednesdays are meeting-free for product teams.
- Status meetings become written updates in the team's page.

We will check in three months whether it helped.""",
    ),
    LeadershipQuestion(
        asker="someone",
        body="How are we thinking about using AI tools in our day-to-day work?",
        days_ago=45,
        vote_share=0.35,
        answered_by="cto",
        answer_hours_after=48,
        answer="""\
Carefully, and with enthusiasm. The short version:

1. Approved tools are listed on the engineering wiki; customer data never goes into others.
2. You own what you ship, whoever (or whatever) wrote the first draft.
3. Each team runs one experiment this quarter and shares what it learned.""",
    ),
    LeadershipQuestion(
        asker="bob",
        body="Will the sales commission plan change next year?",
        days_ago=40,
        vote_share=0.15,
        answered_by="ceo",
        answer_hours_after=20,
        answer="""\
Only a little. We keep the structure you know and fix two things you told us about:

- **Accelerators** start at 100 % of quota, not 110 %.
- Multi-year deals pay the first year in full at signature.

The full plan will be shared in the kickoff.""",
    ),
    LeadershipQuestion(
        asker="someone",
        body="What happens to our office plans now that teams decide their in-person days?",
        days_ago=21,
        anonymous=True,
        vote_share=0.25,
        answered_by="ceo",
        answer_hours_after=26,
        answer="""\
We keep every office. What changes is what they are for:

| Space | Before | After |
|---|---|---|
| Desks | Assigned | Booked per day |
| Meeting rooms | 40 % | 60 % of the floor |

> Offices are for collaboration, not attendance.""",
    ),
    LeadershipQuestion(
        asker="hr",
        body="Could we add a second parental leave week for all parents, not only primary carers?",
        days_ago=30,
        vote_share=0.2,
        answered_by="ceo",
        answer_hours_after=72,
        answer="""\
Yes — from next month, every parent gets **sixteen weeks** of fully paid leave, whoever is the
primary carer. Thank you for pushing for this.""",
    ),
    LeadershipQuestion(
        asker="someone",
        body="Why was the engineering offsite cancelled, and will it be rescheduled?",
        days_ago=12,
        anonymous=True,
        vote_share=0.12,
    ),
    LeadershipQuestion(
        asker="someone",
        body="Can we get a clear career ladder for individual contributors beyond senior?",
        days_ago=16,
        vote_share=0.3,
    ),
    LeadershipQuestion(
        asker="mod",
        body="How do we decide which customer requests make it onto the roadmap?",
        days_ago=8,
        vote_share=0.1,
    ),
    LeadershipQuestion(
        asker="someone",
        body="Is there a budget for conferences and training next year?",
        days_ago=6,
        vote_share=0.18,
    ),
    LeadershipQuestion(
        asker="someone",
        body="Will we open an office in Asia, or keep hiring remotely there?",
        days_ago=4,
        vote_share=0.06,
    ),
    LeadershipQuestion(
        asker="someone",
        body="What is the plan for the old reporting product that many customers still use?",
        days_ago=2,
        vote_share=0.04,
    ),
)
