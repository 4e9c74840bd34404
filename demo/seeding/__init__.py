"""A believable demo company, for demos, development and benchmarks (`manage.py seed_demo`).

Idempotent by construction. The company is "hired" one person at a time from a random stream
seeded by --seed, and where a person lands depends only on the people hired before them: person
number i is the same whatever --employees says. A second run finds every username already there
and creates nothing; a larger --employees hires only the missing people, and the people already
there keep their managers and titles. The content works the same way: a larger --statuses
continues the stream of statuses where the last run stopped.

Planning and writing are kept apart, so the same --seed gives the same rows on SQLite and on
PostgreSQL, with one writer or two:

    hierarchy.py      who works here, under whom, and who follows whom (no database)
    people.py         writes departments, skills, accounts, profiles, roles and follows
    cast.py           the company as the content needs it: teams, posting rates, office hours
    community_plan.py which communities there are and who is in them (no database)
    communities.py    writes the communities, their members and their scripted posts
    rendering.py      status HTML from templates without rendering each status
    stream.py         the statuses, comments and reactions, a share in communities (no database)
    content.py        writes the scripted stories and the stream
    notifications.py  what the accounts people log in as have been told
    leadership.py     the executive blog and the questions to leadership, via the services
    polls.py          a few polls, open and closed, on statuses that ask for one, with votes
    writers.py        bulk_create / COPY, the two-writer threads, the progress bar
    data/             the words: departments, titles, skills, names, templates, stories

The generators are `random.Random`, seeded: they make demo data, never secrets, hence the
`noqa: S311` where one is created.
"""

from .cast import Cast
from .content import ContentSeeder, content_totals
from .hierarchy import build_plan
from .leadership import LeadershipSeeder, leadership_totals
from .people import company_totals, seed_company
from .writers import Progress

__all__ = [
    "Cast",
    "ContentSeeder",
    "LeadershipSeeder",
    "Progress",
    "build_plan",
    "company_totals",
    "content_totals",
    "leadership_totals",
    "seed_company",
]
