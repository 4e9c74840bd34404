"""The fixed accounts: the CEO, the people demos log in as, and the site admin.

Their usernames are what the README and the tests use, so they never depend on the seed.
"""

from dataclasses import dataclass

from profiles.permissions import COMPLIANCE, EXECUTIVES, HR, MODERATORS

from .departments import EXECUTIVE_OFFICE


@dataclass(frozen=True)
class FixedAccount:
    username: str
    first_name: str
    last_name: str
    title: str
    department: str
    pronouns: str
    bio: str
    roles: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # a staff account's (the plan draws the others')


CEO = FixedAccount(
    "ceo", "Morgan", "Reyes", "Chief Executive Officer", EXECUTIVE_OFFICE, "she/her",
    "CEO. Ten years ago this company was three people and a whiteboard.\n\n"
    "I read every question in **Ask leadership**; the answers are in my posts.",
    roles=(EXECUTIVES,),
)  # fmt: skip
# Each joins the first team of their department, so they have a manager, a head and the CEO
# above them.
TEAM_ACCOUNTS = (
    FixedAccount(
        "alice", "Alice", "Moreau", "Software Engineer", "engineering", "she/her",
        "Backend engineer on the **platform** team. I like fast tests and slow coffee.",
    ),
    FixedAccount(
        "bob", "Bob", "Mensah", "Account Executive", "sales", "he/him",
        "Account executive for our mid-market customers. Ask me what customers really think.",
    ),
    FixedAccount(
        "hr", "Hana", "Kovač", "HR Analyst", "people-hr", "she/her",
        "HR analyst: engagement surveys, reports and making numbers mean something.",
        roles=(HR,),
    ),
    FixedAccount(
        "mod", "Sam", "Okonkwo", "Internal Communications Specialist", "marketing", "they/them",
        "I keep our internal network friendly and useful. Flag anything that needs a look.",
        roles=(MODERATORS,),
    ),
)  # fmt: skip
# Each reports to their department's head, outside the teams.
STAFF_ACCOUNTS = (
    FixedAccount(
        "compliance", "Priya", "Raman", "Compliance Officer", "legal", "she/her",
        "Compliance officer: records, retention and legal holds. I read the audit log so "
        "that you can trust what is kept, and for how long.",
        roles=(COMPLIANCE,),
        skills=("Compliance", "Privacy", "GDPR", "Risk Management"),
    ),
)  # fmt: skip
# Outside the hiring plan, reporting to the CEO: the communications manager who drafts and
# publishes for the CEO as her delegate (docs/governance.md, "Delegates").
COMMS = FixedAccount(
    "comms", "Jordan", "Avery", "Communications Manager", EXECUTIVE_OFFICE, "he/him",
    "Communications manager in the CEO's office. I draft and publish some of Morgan's posts "
    "and answers **on her behalf**: they always say so.",
)  # fmt: skip
ADMIN = FixedAccount("admin", "Site", "Administrator", "Administrator", "", "", "")
