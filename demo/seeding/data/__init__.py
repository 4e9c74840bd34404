"""The words of the demo company, kept apart from the code that decides who says what and when.

Data only. Every list is read in order by seeded random generators, so reordering, adding or
removing an entry changes the company or the content generated for a given --seed.
"""

from .accounts import ADMIN, CEO, COMMS, STAFF_ACCOUNTS, TEAM_ACCOUNTS, FixedAccount
from .departments import DEPARTMENTS, DEPARTMENTS_BY_SLUG, EXECUTIVE_OFFICE, OFFICES, Dept
from .names import BIO_TEMPLATES, FIRST_NAMES, HOBBIES, LAST_NAMES, PREVIOUS_EMPLOYERS
from .statuses import (
    AUTHOR_REPLIES,
    CITIES,
    COMMENTS,
    CUSTOMERS,
    DEPARTMENT_STATUSES,
    DEPARTMENT_TAGS,
    GENERIC_STATUSES,
    PROJECTS,
    WEEKDAYS,
)
from .stories import STORIES, Story, StoryComment

__all__ = [
    "ADMIN",
    "AUTHOR_REPLIES",
    "BIO_TEMPLATES",
    "CEO",
    "COMMS",
    "CITIES",
    "COMMENTS",
    "CUSTOMERS",
    "DEPARTMENTS",
    "DEPARTMENTS_BY_SLUG",
    "DEPARTMENT_STATUSES",
    "DEPARTMENT_TAGS",
    "EXECUTIVE_OFFICE",
    "FIRST_NAMES",
    "GENERIC_STATUSES",
    "HOBBIES",
    "LAST_NAMES",
    "OFFICES",
    "PREVIOUS_EMPLOYERS",
    "PROJECTS",
    "STORIES",
    "STAFF_ACCOUNTS",
    "TEAM_ACCOUNTS",
    "WEEKDAYS",
    "Dept",
    "FixedAccount",
    "Story",
    "StoryComment",
]
