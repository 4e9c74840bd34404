"""`manage.py seed_demo`: a believable company for demos, development and benchmarks.

Idempotent by construction. The company is "hired" one person at a time from a random stream
seeded by --seed, and where a person lands depends only on the people hired before them: person
number i is the same whatever --employees says. A second run finds every username already there
and creates nothing; a larger --employees hires only the missing people, and the people already
there keep their managers and titles.

Writes go through bulk_create, not the one-person-at-a-time services in profiles/services.py,
which would take many minutes at 10,000 people. The invariants those services keep still hold:
every account has a profile and a verified primary email, managers are hired before their
reports (so there is no cycle), and everyone follows their manager and teammates, as
`follow_onboarding` does for a real new hire. Seeding records no RoleChange: it is the starting
state, not a change anyone made.
"""

import random
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import accumulate, islice

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from enterprise_social.text import render_markdown
from profiles.models import Department, Follow, Profile, Skill, User
from profiles.permissions import EXECUTIVES, HR, MODERATORS

EMAIL_DOMAIN = "example.com"
BATCH_SIZE = 2000
# Rows per `__in` lookup: below SQLite's historical limit of 999 variables per statement.
LOOKUP_CHUNK = 900
PROGRESS_WIDTH = 30
PROGRESS_MIN_PEOPLE = 500

# Levels of the org chart, from the bottom. A person at level L > 0 leads people at level L - 1.
IC, MANAGER, DIRECTOR, SENIOR_DIRECTOR, GROUP_DIRECTOR = range(5)
HEAD = 5
CEO_LEVEL = 6
# How many direct reports a new leader at each level will take on (inclusive ranges).
SPANS = {MANAGER: (4, 8), DIRECTOR: (3, 6), SENIOR_DIRECTOR: (3, 5), GROUP_DIRECTOR: (3, 5)}
# What a department's head hires, in order: four teams first, then deeper and deeper groups, so
# a large department stays a tree of believable spans instead of one VP with 100 reports.
HEAD_HIRES = (MANAGER, MANAGER, MANAGER, MANAGER, DIRECTOR, DIRECTOR, SENIOR_DIRECTOR)
HEAD_HIRES_THEN = GROUP_DIRECTOR


# --- The company ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dept:
    name: str
    slug: str
    description: str
    weight: float
    head_title: str
    head_roles: tuple[str, ...]
    leader_titles: tuple[str, str, str, str]  # manager, director, senior director, group director
    ic_titles: tuple[str, ...]  # repeated titles are more common
    skills: tuple[str, ...]
    # Executive Office has no head of its own (the CEO leads it) and a few staff report to the
    # CEO directly, with these titles, before its first team.
    root_staff: tuple[str, ...] = ()
    # Stops hiring here at this size, so the CEO's span stays believable in a large company.
    max_size: int | None = None


EXECUTIVE_OFFICE = "executive-office"

DEPARTMENTS: tuple[Dept, ...] = (
    Dept(
        "Executive Office", EXECUTIVE_OFFICE,
        "The CEO's office: strategy, planning and the company's operating rhythm.",
        0.035, "", (),
        ("Strategy & Operations Manager", "Director of Strategy", "Senior Director, Strategy",
         "Executive Director, Strategy"),
        ("Executive Business Partner", "Strategy Analyst", "Business Operations Associate"),
        ("Strategic Planning", "OKRs", "Board Relations", "Executive Communication",
         "Financial Modelling", "Stakeholder Management", "Market Analysis"),
        root_staff=("Chief of Staff", "Executive Assistant to the CEO"),
        max_size=9,
    ),
    Dept(
        "Engineering", "engineering",
        "Builds and runs the product: platform, applications, infrastructure and security.",
        0.30, "Chief Technology Officer", (EXECUTIVES,),
        ("Engineering Manager", "Director of Engineering", "Senior Director of Engineering",
         "VP of Engineering"),
        ("Software Engineer", "Software Engineer", "Senior Software Engineer",
         "Senior Software Engineer", "Staff Software Engineer", "Frontend Engineer",
         "Backend Engineer", "Site Reliability Engineer", "Data Engineer", "Security Engineer",
         "QA Engineer", "Mobile Engineer", "Principal Engineer"),
        ("Python", "Django", "PostgreSQL", "TypeScript", "React", "Kubernetes", "Terraform",
         "AWS", "Go", "Rust", "Observability", "CI/CD", "Security", "System Design",
         "Data Pipelines", "Accessibility"),
    ),
    Dept(
        "Product", "product",
        "Decides what we build next and why, with customers, data and the teams that build it.",
        0.06, "Chief Product Officer", (EXECUTIVES,),
        ("Group Product Manager", "Director of Product", "Senior Director of Product",
         "VP of Product"),
        ("Product Manager", "Product Manager", "Senior Product Manager", "Product Analyst",
         "Technical Product Manager", "Product Operations Specialist"),
        ("Roadmapping", "Discovery", "User Interviews", "Analytics", "SQL", "Experimentation",
         "Pricing", "Prioritisation", "Product Strategy", "Writing Specs"),
    ),
    Dept(
        "Design", "design",
        "Product design, research and the design system that keeps everything consistent.",
        0.05, "VP of Design", (),
        ("Design Manager", "Director of Design", "Senior Director of Design",
         "Executive Director of Design"),
        ("Product Designer", "Product Designer", "Senior Product Designer", "UX Researcher",
         "Content Designer", "Visual Designer", "Design Systems Engineer"),
        ("Figma", "Prototyping", "User Research", "Design Systems", "Interaction Design",
         "Accessibility", "Illustration", "UX Writing", "Usability Testing"),
    ),
    Dept(
        "Sales", "sales",
        "Finds new customers and grows the ones we have, from first call to signed contract.",
        0.15, "Chief Revenue Officer", (EXECUTIVES,),
        ("Sales Manager", "Director of Sales", "Regional Vice President, Sales",
         "Area Vice President, Sales"),
        ("Account Executive", "Account Executive", "Senior Account Executive",
         "Sales Development Representative", "Sales Development Representative",
         "Solutions Engineer", "Enterprise Account Executive", "Sales Operations Analyst"),
        ("Negotiation", "Salesforce", "Forecasting", "Prospecting", "Enterprise Sales",
         "Solution Selling", "Demos", "Account Planning", "MEDDIC"),
    ),
    Dept(
        "Marketing", "marketing",
        "Brand, campaigns, content, events and internal communications.",
        0.08, "VP of Marketing", (),
        ("Marketing Manager", "Director of Marketing", "Senior Director of Marketing",
         "Executive Director of Marketing"),
        ("Content Marketing Manager", "Product Marketing Manager", "Growth Marketer",
         "Brand Designer", "Events Manager", "Marketing Operations Specialist",
         "Internal Communications Specialist", "SEO Specialist"),
        ("Copywriting", "SEO", "Campaigns", "Brand", "Events", "Social Media", "HubSpot",
         "Analytics", "Storytelling", "Internal Communications"),
    ),
    Dept(
        "People & HR", "people-hr",
        "Hiring, onboarding, growth, benefits and the everyday experience of working here.",
        0.05, "Chief People Officer", (EXECUTIVES, HR),
        ("People Operations Manager", "Director of People", "Senior Director of People",
         "Executive Director of People"),
        ("HR Business Partner", "Talent Partner", "Talent Partner", "People Operations Specialist",
         "HR Analyst", "Learning & Development Specialist", "Total Rewards Analyst"),
        ("Recruiting", "Onboarding", "Compensation", "Employee Relations", "Coaching",
         "HR Analytics", "Benefits", "Learning & Development", "Workday"),
    ),
    Dept(
        "Finance", "finance",
        "Planning, accounting, payroll, procurement and keeping the company funded.",
        0.05, "Chief Financial Officer", (EXECUTIVES,),
        ("Finance Manager", "Director of Finance", "Senior Director of Finance", "VP of Finance"),
        ("Financial Analyst", "Financial Analyst", "Senior Accountant", "Accountant",
         "FP&A Analyst", "Payroll Specialist", "Procurement Specialist"),
        ("Excel", "Financial Modelling", "Forecasting", "Accounting", "Payroll", "SQL",
         "Budgeting", "Audit", "Tax", "Procurement"),
    ),
    Dept(
        "Customer Success", "customer-success",
        "Onboards customers, answers their questions and makes sure they get value from us.",
        0.12, "VP of Customer Success", (),
        ("Customer Success Team Lead", "Director of Customer Success",
         "Senior Director of Customer Success", "Executive Director of Customer Success"),
        ("Customer Success Manager", "Customer Success Manager", "Support Engineer",
         "Support Specialist", "Support Specialist", "Implementation Consultant",
         "Technical Account Manager"),
        ("Customer Onboarding", "Zendesk", "Troubleshooting", "Renewals", "Training",
         "Account Management", "Escalations", "Documentation", "Empathy"),
    ),
    Dept(
        "Operations", "operations",
        "Workplace, IT, business systems and the processes that keep the company running.",
        0.08, "VP of Operations", (),
        ("Operations Manager", "Director of Operations", "Senior Director of Operations",
         "Executive Director of Operations"),
        ("Business Operations Analyst", "IT Support Specialist", "IT Systems Administrator",
         "Workplace Coordinator", "Business Systems Analyst", "Program Manager"),
        ("Process Improvement", "Project Management", "IT Support", "Vendor Management",
         "Okta", "Jira", "Workplace", "Automation", "SQL"),
    ),
    Dept(
        "Legal", "legal",
        "Contracts, privacy, compliance and intellectual property.",
        0.025, "General Counsel", (),
        ("Associate General Counsel", "Deputy General Counsel", "Senior Deputy General Counsel",
         "Chief Compliance Officer"),
        ("Corporate Counsel", "Commercial Counsel", "Privacy Counsel", "Paralegal",
         "Compliance Analyst", "Contracts Manager"),
        ("Contracts", "Privacy", "GDPR", "Compliance", "Intellectual Property", "Employment Law",
         "Negotiation", "Risk Management"),
    ),
)  # fmt: skip
DEPARTMENTS_BY_SLUG = {d.slug: d for d in DEPARTMENTS}

OFFICES = (
    ("New York", 5), ("London", 5), ("Berlin", 3), ("Bengaluru", 3), ("Toronto", 2),
    ("Singapore", 2), ("São Paulo", 2), ("Remote", 4),
)  # fmt: skip
SAME_OFFICE_AS_MANAGER = 0.6

# Embedded rather than Faker, which is a test-only dependency. Names from many cultures, kept
# apart only to pick plausible pronouns for the people who show them.
FEMININE = """
Olivia Emma Amara Sofia Isabella Chloe Aisha Fatima Priya Ananya Meera Kavya Mei Yuki Hana Sakura
Seo-yeon Linh Mai Thao Maria Camila Valentina Lucía Gabriela Inês Beatriz Ana Chiara Giulia Elena
Anna Katarzyna Zofia Olga Daria Ingrid Astrid Freya Sigrid Amélie Lena Clara Léa Camille Zoë Niamh
Siobhán Aoife Chiamaka Ngozi Adaeze Folake Abena Ama Wanjiru Amina Hodan Tigist Layla Yasmin Shirin
Leila Noa Tamar Elif Zeynep Mariam Aroha Leilani Nadia Rosa Grace Hannah Sarah Emily Ruth Imani
Thandiwe Nomvula Xin Jing Siti Dewi Ayu Carmen Pilar Rania Dalia
""".split()
MASCULINE = """
Liam Noah James Oliver Ethan Lucas Mateo Santiago Diego Alejandro Javier Carlos João Pedro Thiago
Rafael Luca Marco Giovanni Matteo Pierre Louis Hugo Antoine Jonas Felix Lukas Maximilian Søren Erik
Lars Magnus Piotr Tomasz Jakub Dmitri Ivan Oleksandr Andriy Nikos Yannis Mehmet Emre Omar Yusuf
Hassan Karim Tariq Reza Arjun Rohan Vikram Rahul Aditya Karthik Sanjay Wei Jun Hao Ming Haruto
Kenji Hiroshi Takeshi Min-jun Ji-ho Duc Minh Tuan Chinedu Emeka Oluwaseun Tunde Kwame Kofi Juma
Tesfaye Abdi Tane Malik Andre Marcus Daniel David Samuel Benjamin Connor Seán Eoin Cian Daan Bram
""".split()
NEUTRAL = """
Alex Sam Jordan Taylor Riley Casey Avery Quinn Rowan Sasha Kiran Jamie Charlie Robin Ari Eden Noor
Kai Dakota Remy
""".split()
LAST_NAMES = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Moore Jackson Martin Lee
Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill
Campbell Mitchell Roberts Carter Evans Turner Parker Collins Edwards Murphy O'Brien Kelly Byrne
Walsh Gallagher García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres
Flores Rivera Gómez Díaz Moreno Castillo Silva Santos Oliveira Souza Pereira Costa Almeida Ferreira
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Dubois Lefebvre Moreau Laurent Girard
Bernard Fontaine Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Jansen de_Vries
van_Dijk Bakker Visser Andersson Johansson Nilsson Larsen Hansen Nielsen Virtanen Kowalski Nowak
Wiśniewski Petrenko Shevchenko Kovalenko Bondarenko Papadopoulos Georgiou Yılmaz Kaya Demir Şahin
Öztürk Haddad Khoury Mansour Nasser Rahman Hussein Farah Abdullah Hosseini Karimi Cohen Levi
Mizrahi Friedman Patel Sharma Singh Gupta Iyer Reddy Nair Menon Chatterjee Banerjee Das Rao Kapoor
Mehta Joshi Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Tanaka Suzuki Takahashi Watanabe Ito
Yamamoto Nakamura Kobayashi Sato Kim Park Choi Jung Kang Yoon Nguyen Tran Pham Le Hoang Vu Cruz
Bautista Ramos Mendoza Okafor Adeyemi Okonkwo Balogun Eze Mensah Owusu Boateng Asante Mwangi Otieno
Kamau Njoroge Bekele Haile Abebe Ali Mohamed Diallo Traoré Keita Ndiaye Diop Nkosi Dlamini Khumalo
Mokoena Kealoha Tuhiwai
""".split()
# An underscore joins the words of a surname ("de Vries") in the list above.
LAST_NAMES = [name.replace("_", " ") for name in dict.fromkeys(LAST_NAMES)]
FIRST_NAMES = (
    [(name, "she/her") for name in dict.fromkeys(FEMININE)]
    + [(name, "he/him") for name in dict.fromkeys(MASCULINE)]
    + [(name, "they/them") for name in dict.fromkeys(NEUTRAL)]
)
PRONOUN_SHARE = 0.4

HOBBIES = (
    "bouldering", "sourdough", "trail running", "chess", "board games", "birdwatching",
    "cycling", "jazz piano", "pottery", "film photography", "gardening", "open-water swimming",
    "crosswords", "volunteering at the food bank", "learning Japanese", "football on Sundays",
    "sci-fi novels", "home espresso", "hiking", "salsa dancing", "woodworking", "yoga",
    "podcasts about history", "cooking for far too many people",
)  # fmt: skip
PREVIOUS_EMPLOYERS = (
    "Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers",
    "Adventure Works", "Litware", "Proseware", "Initech", "Globex", "a tiny startup",
    "a university research lab", "a consultancy",
)  # fmt: skip
BIO_TEMPLATES = (
    "{title} in {dept}. I care about **{skill_a}** and **{skill_b}**.\n\nOutside work: {hobby}.",
    "Joined from {previous}. Ask me about *{skill_a}*, {skill_b} or {hobby}.",
    "- Focus: {skill_a}\n- Based in {city}\n- Happy to talk about {hobby}",
    "Hi, I'm {first}! {title}, previously at {previous}.\n\nI'm usually the one "
    "talking about **{skill_a}**.",
    "Working on {skill_a} and {skill_b}. If it's about {hobby}, I have opinions.",
    "{title} on the {dept} team. Currently a little obsessed with {skill_a}.",
)
BIO_SHARE = 0.65


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
ADMIN = FixedAccount("admin", "Site", "Administrator", "Administrator", "", "", "")


@dataclass
class Person:
    index: int
    username: str
    first_name: str
    last_name: str
    department: str  # a slug, or "" for the admin account
    level: int
    title: str
    manager: int | None  # index of the manager in the plan
    location: str = ""
    pronouns: str = ""
    bio: str = ""
    skills: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    days_ago: int = 0
    popularity: float = 1.0

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"


@dataclass
class _Opening:
    """A leader still hiring: who they are, what level they hire and how many more."""

    leader: int
    level: int  # of the people this leader hires
    remaining: int | None  # None: a department head, who never stops hiring
    hired: int = 0


def ascii_slug(text: str) -> str:
    text = text.translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ı": "i"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class CompanyPlan:
    """Hires people one by one; the result for n people is a prefix of the one for n + 1."""

    seed: int
    rng: random.Random = field(init=False)
    people: list[Person] = field(default_factory=list)
    openings: dict[str, list[_Opening]] = field(default_factory=dict)
    sizes: Counter = field(default_factory=Counter)
    usernames: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def hire_ceo(self) -> Person:
        ceo = self._add(CEO.department, CEO_LEVEL, None, fixed=CEO)
        ceo.location, ceo.days_ago, ceo.popularity = "New York", 3650, 40.0
        office = DEPARTMENTS_BY_SLUG[EXECUTIVE_OFFICE]
        self.openings[EXECUTIVE_OFFICE] = [
            _Opening(leader=ceo.index, level=IC, remaining=len(office.root_staff))
        ]
        return ceo

    def hire_head(self, dept: Dept) -> Person:
        head = self._add(dept.slug, HEAD, 0)
        head.days_ago = self.rng.randint(1500, 3400)
        head.popularity = 20.0 if EXECUTIVES in dept.head_roles else 10.0
        head.roles = dept.head_roles
        self.openings[dept.slug] = [_Opening(leader=head.index, level=MANAGER, remaining=None)]
        return head

    def hire(self, dept: Dept, fixed: FixedAccount | None = None) -> Person:
        stack = self.openings[dept.slug]
        while stack and stack[-1].remaining == 0:
            stack.pop()
        if not stack:  # Executive Office after its root staff: the CEO starts hiring teams
            stack.append(_Opening(leader=0, level=MANAGER, remaining=None))
        opening = stack[-1]
        level = opening.level
        if opening.remaining is None:
            hired = opening.hired
            level = HEAD_HIRES[hired] if hired < len(HEAD_HIRES) else HEAD_HIRES_THEN
        if fixed is not None and level != IC:
            raise RuntimeError(f"{fixed.username} must join a team, not lead one")
        person = self._add(dept.slug, level, opening.leader, fixed=fixed)
        opening.hired += 1
        if opening.remaining is not None:
            opening.remaining -= 1
        if level > IC:
            low, high = SPANS[level]
            stack.append(
                _Opening(
                    leader=person.index, level=level - 1, remaining=self.rng.randint(low, high)
                )
            )
        return person

    def next_department(self) -> Dept:
        """The department furthest below its share of the company; the first one on a tie."""
        total = len(self.people) + 1
        open_ = [d for d in DEPARTMENTS if d.max_size is None or self.sizes[d.slug] < d.max_size]
        return max(open_, key=lambda d: d.weight * total - self.sizes[d.slug])

    def _add(
        self, dept_slug: str, level: int, manager: int | None, fixed: FixedAccount | None = None
    ) -> Person:
        rng = self.rng
        dept = DEPARTMENTS_BY_SLUG[dept_slug]
        boss = self.people[manager] if manager is not None else None
        if fixed is not None:
            first, last, pronouns = fixed.first_name, fixed.last_name, fixed.pronouns
            username, title = fixed.username, fixed.title
        else:
            first, pronouns = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            pronouns = pronouns if rng.random() < PRONOUN_SHARE else ""
            username = self._username(first, last)
            title = self._title(dept, level, boss)
        # Teams tend to sit together; department heads are spread over the offices.
        near_boss = boss is not None and boss.level < CEO_LEVEL and boss.location != "Remote"
        if near_boss and rng.random() < SAME_OFFICE_AS_MANAGER:
            location = boss.location
        else:
            location = rng.choices([o for o, _ in OFFICES], weights=[w for _, w in OFFICES])[0]
        skills = tuple(rng.sample(dept.skills, rng.randint(2, 5)))
        if fixed is not None:
            bio = fixed.bio
        elif rng.random() < BIO_SHARE:
            bio = rng.choice(BIO_TEMPLATES).format(
                first=first, title=title, dept=dept.name, city=location,
                skill_a=skills[0], skill_b=skills[1], hobby=rng.choice(HOBBIES),
                previous=rng.choice(PREVIOUS_EMPLOYERS),
            )  # fmt: skip
        else:
            bio = ""
        popularity = {IC: 1.0, MANAGER: 2.0}.get(level, 4.0)
        if level == IC and rng.random() < 0.06:
            popularity = 8.0  # the person everyone asks
        person = Person(
            index=len(self.people),
            username=username,
            first_name=first,
            last_name=last,
            department=dept_slug,
            level=level,
            title=title,
            manager=manager,
            location=location,
            pronouns=pronouns,
            bio=bio,
            skills=skills,
            roles=fixed.roles if fixed is not None else (),
            days_ago=rng.randint(20, 3000),
            popularity=popularity,
        )
        self.people.append(person)
        self.sizes[dept_slug] += 1
        return person

    def _username(self, first: str, last: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        self.usernames[base] += 1
        count = self.usernames[base]
        return base if count == 1 else f"{base}{count}"

    def _title(self, dept: Dept, level: int, boss: Person | None) -> str:
        if level == HEAD:
            return dept.head_title
        if level > IC:
            return dept.leader_titles[level - 1]
        if boss is not None and boss.level == CEO_LEVEL and dept.root_staff:
            staff = sum(1 for p in self.people if p.manager == boss.index and p.level == IC)
            return dept.root_staff[staff % len(dept.root_staff)]
        return self.rng.choice(dept.ic_titles)


def build_plan(*, seed: int, employees: int) -> list[Person]:
    """The first `employees` people of the company for `seed`. Raises ValueError if too few."""
    plan = CompanyPlan(seed=seed)
    plan.hire_ceo()
    for dept in DEPARTMENTS:
        if dept.head_title:
            plan.hire_head(dept)
    for account in TEAM_ACCOUNTS:
        dept = DEPARTMENTS_BY_SLUG[account.department]
        plan.hire(dept)  # their manager, who opens the department's first team
        plan.hire(dept, fixed=account)
    if employees < len(plan.people):
        raise ValueError(f"The company needs at least {len(plan.people)} employees.")
    while len(plan.people) < employees:
        plan.hire(plan.next_department())
    return plan.people


def admin_person() -> Person:
    """The site admin: an account with a profile, outside the org chart."""
    return Person(
        index=-1,
        username=ADMIN.username,
        first_name=ADMIN.first_name,
        last_name=ADMIN.last_name,
        department="",
        level=IC,
        title=ADMIN.title,
        manager=None,
    )


def follow_pairs(people: list[Person], *, seed: int) -> set[tuple[int, int]]:
    """(follower, followee) plan indexes: teams follow each other, plus skewed random follows.

    Like the people, the follows of the first n people do not depend on how many come after:
    each newcomer follows, and is followed by, people hired before them. Growing the company
    adds follows that involve its new people only, and early hires (the executives, the heads)
    gather the most followers, as they do in a real company.
    """
    pairs: set[tuple[int, int]] = set()
    teams: dict[int, list[int]] = defaultdict(list)
    for person in people:
        if person.manager is not None:
            teams[person.manager].append(person.index)
    for manager, team in teams.items():
        for member in team:
            pairs.add((member, manager))  # the onboarding rule: your manager ...
            pairs.add((manager, member))  # ... who follows you back
            pairs.update((member, mate) for mate in team if mate != member)  # ... and teammates
    rng = random.Random(f"{seed}:follows")
    popularity = list(accumulate(p.popularity for p in people))
    for newcomer in range(1, len(people)):
        # Most people follow a handful beyond their team, a few follow dozens; the popular
        # are likelier picks. A couple of colleagues follow the newcomer back.
        wanted = 5 + int(35 * rng.random() ** 3)
        total = popularity[newcomer - 1]
        for _ in range(wanted):
            pairs.add((newcomer, bisect_right(popularity, rng.random() * total, hi=newcomer - 1)))
        for _ in range(rng.randint(0, 3)):
            pairs.add((rng.randrange(newcomer), newcomer))
    return pairs


# --- Writing it ------------------------------------------------------------------------------


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Progress:
    """A one-line text bar on stderr: `[#####.....]  50% people`."""

    def __init__(self, stream, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last: tuple[str, int] | None = None

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if self.last == (label, percent):
            return
        self.last = (label, percent)
        filled = percent * PROGRESS_WIDTH // 100
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        end = "\n" if percent == 100 else ""
        self.stream.write(f"\r[{bar}] {percent:3d}% {label}", ending=end, style_func=str)
        self.stream.flush()


class Command(BaseCommand):
    help = "Create a believable demo company: departments, people, managers and follows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default="demo", help="Password of every demo account.")
        parser.add_argument(
            "--employees", type=int, default=80, help="How many people work here (default 80)."
        )
        parser.add_argument(
            "--statuses", type=int, default=0, help="Statuses to post (arrives with the feeds)."
        )
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same company.")

    def handle(self, *args, **options) -> None:
        password: str = options["password"]
        employees: int = options["employees"]
        seed: int = options["seed"]
        if not password:
            raise CommandError("--password cannot be empty.")
        try:
            people = build_plan(seed=seed, employees=employees)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.progress = Progress(
            self.stderr,
            enabled=self.stderr.isatty() or employees > PROGRESS_MIN_PEOPLE,
        )
        self.password = password
        self._hash: str | None = None

        with transaction.atomic():
            departments = self.ensure_departments()
            skills = self.ensure_skills()
        with transaction.atomic():
            user_ids, created = self.ensure_accounts(people)
        with transaction.atomic():
            self.ensure_profiles(people, user_ids, departments, skills)
        with transaction.atomic():
            self.ensure_roles(people, user_ids)
        with transaction.atomic():
            self.ensure_follows(people, user_ids, seed=seed)

        if options["statuses"] > 0:
            self.stdout.write(
                f"Statuses arrive with the feeds feature; --statuses {options['statuses']} "
                "is accepted and skipped for now."
            )
        seeded = Profile.objects.filter(department__slug__in=DEPARTMENTS_BY_SLUG).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Company ready: {seeded:,} people in {Department.objects.count():,} departments, "
                f"{Follow.objects.count():,} follows ({created:,} new accounts). "
                f"Log in as alice / {password}."
            )
        )

    @property
    def password_hash(self) -> str:
        # Hashing is deliberately slow (~0.3 s): once per run, shared by every new account.
        if self._hash is None:
            self._hash = make_password(self.password)
        return self._hash

    def ensure_departments(self) -> dict[str, int]:
        existing = set(Department.objects.values_list("slug", flat=True))
        Department.objects.bulk_create(
            [
                Department(name=d.name, slug=d.slug, description=d.description)
                for d in DEPARTMENTS
                if d.slug not in existing
            ],
            ignore_conflicts=True,
        )
        return dict(Department.objects.values_list("slug", "id"))

    def ensure_skills(self) -> dict[str, int]:
        names: dict[str, str] = {}
        for dept in DEPARTMENTS:
            for name in dept.skills:
                names.setdefault(slugify(name), name)
        existing = set(Skill.objects.filter(slug__in=names).values_list("slug", flat=True))
        Skill.objects.bulk_create(
            [Skill(slug=slug, name=name) for slug, name in names.items() if slug not in existing],
            ignore_conflicts=True,
        )
        return dict(Skill.objects.filter(slug__in=names).values_list("slug", "id"))

    def ensure_accounts(self, people: list[Person]) -> tuple[dict[str, int], int]:
        """Create the missing accounts; returns {username: user id} and how many were new."""
        accounts = [*people, admin_person()]
        user_ids = self.user_ids([p.username for p in accounts])
        self.reset_passwords_if_changed(user_ids)
        now = timezone.now()
        missing = [p for p in accounts if p.username not in user_ids]
        for done, batch in enumerate(chunked(missing, BATCH_SIZE), start=1):
            User.objects.bulk_create(
                [
                    User(
                        username=p.username,
                        email=p.email,
                        first_name=p.first_name,
                        last_name=p.last_name,
                        password=self.password_hash,
                        is_staff=p.username == ADMIN.username,
                        is_superuser=p.username == ADMIN.username,
                        date_joined=now - timedelta(days=p.days_ago),
                    )
                    for p in batch
                ],
                batch_size=BATCH_SIZE,
            )
            self.progress.update("accounts", done * BATCH_SIZE, len(missing))
        new_ids = self.user_ids([p.username for p in missing])
        user_ids.update(new_ids)
        # Verified and primary: login by email works at once and no confirmation is asked.
        EmailAddress.objects.bulk_create(
            (
                EmailAddress(
                    user_id=new_ids[p.username], email=p.email, verified=True, primary=True
                )
                for p in missing
            ),
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        return user_ids, len(missing)

    def reset_passwords_if_changed(self, user_ids: dict[str, int]) -> None:
        """Every demo account has the password asked for, also when a run asks for a new one.

        One check on the CEO's account stands for all: they were all set to the same hash.
        """
        if CEO.username not in user_ids:
            return
        current = User.objects.filter(pk=user_ids[CEO.username]).values_list("password", flat=True)
        if check_password(self.password, current[0]):
            return
        for batch in chunked(user_ids.values(), LOOKUP_CHUNK):
            User.objects.filter(pk__in=batch).update(password=self.password_hash)

    def ensure_profiles(
        self,
        people: list[Person],
        user_ids: dict[str, int],
        departments: dict[str, int],
        skills: dict[str, int],
    ) -> None:
        """Create missing profiles, managers before their reports, with their skills."""
        admin = admin_person()
        profile_ids = self.profile_ids(list(user_ids.values()))
        missing = [p for p in [admin, *people] if user_ids[p.username] not in profile_ids]
        # Plan order hires managers first, so each depth's managers exist before its reports.
        depth: dict[int, int] = {}
        for person in people:
            depth[person.index] = 0 if person.manager is None else depth[person.manager] + 1
        by_depth: dict[int, list[Person]] = defaultdict(list)
        for person in missing:
            by_depth[depth.get(person.index, 0)].append(person)  # the admin has no manager
        now = timezone.now()
        done = 0
        for level in sorted(by_depth):
            for batch in chunked(by_depth[level], BATCH_SIZE):
                profiles = []
                for p in batch:
                    manager_id = None
                    if p.manager is not None:
                        manager_id = profile_ids[user_ids[people[p.manager].username]]
                    profiles.append(
                        Profile(
                            user_id=user_ids[p.username],
                            display_name=p.display_name,
                            title=p.title,
                            department_id=departments.get(p.department),
                            manager_id=manager_id,
                            location=p.location,
                            pronouns=p.pronouns,
                            bio=p.bio,
                            bio_html=render_markdown(p.bio) if p.bio else "",
                            created_at=now - timedelta(days=p.days_ago),
                        )
                    )
                Profile.objects.bulk_create(profiles, batch_size=BATCH_SIZE)
                profile_ids.update(self.profile_ids([p.user_id for p in profiles]))
                done += len(batch)
                self.progress.update("profiles", done, len(missing))
        Through = Profile.skills.through
        rows = (
            Through(profile_id=profile_ids[user_ids[p.username]], skill_id=skills[slugify(name)])
            for p in missing
            for name in p.skills
        )
        for batch in chunked(rows, BATCH_SIZE):
            Through.objects.bulk_create(batch, ignore_conflicts=True)

    def ensure_roles(self, people: list[Person], user_ids: dict[str, int]) -> None:
        """Put the fixed accounts and the executives in their groups (the rest have none)."""
        groups = {
            name: Group.objects.get_or_create(name=name)[0].pk
            for name in (EXECUTIVES, HR, MODERATORS)
        }
        Through = User.groups.through
        Through.objects.bulk_create(
            [
                Through(user_id=user_ids[p.username], group_id=groups[role])
                for p in people
                for role in p.roles
            ],
            ignore_conflicts=True,
        )

    def ensure_follows(self, people: list[Person], user_ids: dict[str, int], *, seed: int) -> None:
        ids = [user_ids[p.username] for p in people]
        pairs = {(ids[a], ids[b]) for a, b in follow_pairs(people, seed=seed)}
        # Skipping the follows already there makes a second run fast; ignore_conflicts still
        # covers a follow someone makes while this runs.
        for batch in chunked(ids, LOOKUP_CHUNK):
            pairs.difference_update(
                Follow.objects.filter(follower_id__in=batch).values_list(
                    "follower_id", "followee_id"
                )
            )
        now = timezone.now()
        rows = (Follow(follower_id=a, followee_id=b, created_at=now) for a, b in sorted(pairs))
        done = 0
        for batch in chunked(rows, BATCH_SIZE):
            Follow.objects.bulk_create(batch, ignore_conflicts=True)
            done += len(batch)
            self.progress.update("follows", done, len(pairs))

    @staticmethod
    def user_ids(usernames: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in chunked(usernames, LOOKUP_CHUNK):
            found.update(User.objects.filter(username__in=batch).values_list("username", "id"))
        return found

    @staticmethod
    def profile_ids(user_ids: list[int]) -> dict[int, int]:
        """{user id: profile id} for those of these users who have a profile."""
        found: dict[int, int] = {}
        for batch in chunked(user_ids, LOOKUP_CHUNK):
            found.update(Profile.objects.filter(user_id__in=batch).values_list("user_id", "id"))
        return found
