"""The scripted communities: the places every demo has, whatever the seed, with their posts.

One open community per office (everyone who works there; `SITE_POSTS`, or `REMOTE_POSTS` for
the people who work remotely), two project teams that ask to join, three interest groups anyone
joins, a private leadership offsite and a secret acquisition team. `alice` has asked to join
Atlas launch (pending) and owns the book club; `bob` rides with the cyclists and is on Project
Falcon, neither of which `alice` is in.

People are named as the stories name them, plus a few community words: "owner", "admin" (the
first admin), "member" (a member drawn at random who has not spoken in the thread yet, never a
fixed account), "head_of_<department slug>" (its head; the CEO for the executive office). In a
post or comment, {name} is that person's "@username"; {office} and {community} are the site's
office and the community's name.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CommunityComment:
    author: str
    body: str


@dataclass(frozen=True)
class CommunityPost:
    author: str
    body: str
    comments: tuple[CommunityComment, ...] = ()
    reactions: int = 0
    pinned: bool = False  # pinned on the community's page by its owner


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    name: str
    description: str
    visibility: str  # communities.models.Visibility
    join_policy: str  # communities.models.JoinPolicy
    owner: str
    days_ago: int  # created this long ago
    admins: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # always in (by name)
    departments: tuple[str, ...] = ()  # draw members from these (empty: the whole company)
    share: float = 0.0  # of the people drawn from who are members
    heads: bool = False  # every department head is a member
    excluded: tuple[str, ...] = ()  # never drawn
    requested: tuple[str, ...] = ()  # asked to join, not approved yet
    invited: tuple[str, ...] = ()  # invited, not accepted yet
    in_stream: bool = False  # the stream of statuses may post here too (see stream.py)
    posts: tuple[CommunityPost, ...] = ()


def _c(author: str, body: str) -> CommunityComment:
    return CommunityComment(author, body)


# An office's community: one per office someone works in, everyone there a member.
SITE_DESCRIPTION = (
    "Everyone who works from our {office} office: building news, events, lunch plans and who is "
    "in this week. Open to all; visitors welcome."
)
SITE_POSTS = (
    CommunityPost(
        "owner",
        "Welcome to **{community}**! Building news, events and lunch plans for everyone at "
        "the {office} office. Desks are booked on the [intranet](https://example.com/desks); "
        "visitors sign in at reception. New here? Say hello below.",
        (_c("member", "Hello from the third floor! Glad this exists."),
         _c("admin", "Welcome all! Reception keeps spare badges if you forget yours.")),
        reactions=14,
        pinned=True,
    ),
    CommunityPost(
        "member",
        "Who's up for lunch on Friday? There's a new ramen place two streets away. Meet in the "
        "lobby at 12:30.",
        (_c("member", "Count me in!"), _c("member", "Save me a seat, I'll be ten minutes late.")),
        reactions=9,
    ),
)  # fmt: skip
REMOTE_NAME = "Remote crew"
REMOTE_DESCRIPTION = (
    "For everyone who works from home or on the road: tips, co-working meetups and the "
    "occasional virtual coffee."
)
REMOTE_POSTS = (
    CommunityPost(
        "owner",
        "Welcome to **{community}**! For everyone who works from home or on the road. Put "
        "your time zone in your profile so people know when to reach you, and share your best "
        "tips here.",
        (_c("member", "Tip one: a second monitor changed my life."),
         _c("member", "Tip two: get out of the house before the first meeting.")),
        reactions=11,
        pinned=True,
    ),
    CommunityPost(
        "member",
        "Virtual coffee roulette is back: every Tuesday at 15:00 UTC you're paired with someone "
        "at random for 20 minutes. Sign up in the thread.",
        (_c("member", "Signed up! Last round I met someone from legal who also bakes."),),
        reactions=8,
    ),
)  # fmt: skip

COMMUNITIES = (
    DemoCommunity(
        "atlas-launch", "Atlas launch",
        "The cross-functional team getting Atlas out of the door: product, engineering and "
        "marketing. Ask to join if you are working on the launch.",
        "open", "request", owner="head_of_product", days_ago=75, admins=("head_of_marketing",),
        departments=("product", "engineering", "marketing"), share=0.25,
        excluded=("alice",), requested=("alice",), in_stream=True,
        posts=(
            CommunityPost(
                "owner",
                "Atlas launch plan, v3: beta on the 14th, general availability four weeks "
                "later. The checklist and who owns what are in the "
                "[launch doc](https://example.com/atlas/launch). #launch",
                (_c("member", "Support playbook is on the checklist now, thanks for adding it."),
                 _c("admin", "Marketing site goes to review next Tuesday.")),
                reactions=12, pinned=True,
            ),
            CommunityPost(
                "member",
                "Pricing page copy is ready for review. Looking for a second pair of eyes, "
                "ideally from someone who talks to customers every day.",
                (_c("admin", "I'll take a look this afternoon."),),
                reactions=4,
            ),
            CommunityPost(
                "admin",
                "Launch dry run went well: two bugs found, both fixed. Next up: the support "
                "playbook and the status page. #launch",
                (_c("owner", "Great work, everyone."),),
                reactions=15,
            ),
        ),
    ),
    DemoCommunity(
        "orion-migration", "Orion platform migration",
        "Moving our services to the Orion platform. Working notes, cut-over plans and incidents; "
        "engineers on the migration only.",
        "private", "request", owner="head_of_engineering", days_ago=120, admins=("alice",),
        departments=("engineering",), share=0.2, in_stream=True,
        posts=(
            CommunityPost(
                "alice",
                "Migration status: 14 of 22 services run on Orion. The rest need the queue "
                "upgrade first; I'll post the plan on Monday. #platform",
                (_c("member", "Billing is next on our side, we're ready when the queue is."),
                 _c("alice", "Perfect, I'll put billing first in the plan.")),
                reactions=7,
            ),
            CommunityPost(
                "owner",
                "Reminder: the old cluster goes read-only on the 1st. If your service still "
                "writes to it, talk to {alice} this week.",
                (_c("member", "Ours is moved, checking the batch jobs today."),),
                reactions=5, pinned=True,
            ),
        ),
    ),
    DemoCommunity(
        "cyclists", "Cyclists",
        "Commuters, weekend riders and people who just like bikes. Group rides, routes and "
        "where to get a puncture fixed near the office.",
        "open", "open", owner="bob", days_ago=200, share=0.07, excluded=("alice",),
        posts=(
            CommunityPost(
                "bob",
                "Saturday ride: 60 km along the river, coffee stop halfway, no-drop pace. "
                "Meet at 8:00 by the north entrance.",
                (_c("member", "I'm in. Bringing the new wheels."),
                 _c("member", "Can't make this one, next time!"),
                 _c("bob", "Route is on the club page, ping me if you get lost.")),
                reactions=10, pinned=True,
            ),
            CommunityPost(
                "member",
                "Anyone know a bike shop near the office that does same-day repairs?",
                (_c("bob", "The one behind the station, ask for Lena. Fast and fair."),),
                reactions=3,
            ),
        ),
    ),
    DemoCommunity(
        "parents", "Parents",
        "Working parents and carers: school holidays, sick days, recommendations and moral "
        "support.",
        "open", "open", owner="hr", days_ago=300, members=("alice",), share=0.12,
        posts=(
            CommunityPost(
                "owner",
                "School holidays start in three weeks. A reminder that you can take up to five "
                "days of family leave, and the "
                "[flexible hours policy](https://example.com/policies/flex) applies to everyone.",
                (_c("member", "Thank you, this is really helpful."),),
                reactions=18,
            ),
            CommunityPost(
                "alice",
                "Tips for working from home with a toddler who has just discovered door "
                "handles? Asking for a friend (me).",
                (_c("member", "Door knob covers. And a very good pair of headphones."),
                 _c("member", "Schedule your deep work for nap time and guard it with your life."),
                 _c("alice", "Ordering the covers now, thank you both.")),
                reactions=9,
            ),
        ),
    ),
    DemoCommunity(
        "book-club", "Book club",
        "One book a month, chosen by vote, discussed on the last Thursday. Finished or not, "
        "you are welcome.",
        "open", "open", owner="alice", days_ago=160, share=0.05,
        posts=(
            CommunityPost(
                "alice",
                "This month we're reading *The Soul of a New Machine*. We meet on the last "
                "Thursday at 17:30, in the library corner or on video. All welcome.",
                (_c("member", "Halfway through and I already recognise three of our release "
                              "meetings in it."),
                 _c("alice", "Ha! Bring examples.")),
                reactions=8, pinned=True,
            ),
            CommunityPost(
                "member",
                "Suggestions for next month? I'd vote for something short after this one.",
                (_c("member", "*Klara and the Sun*?"), _c("alice", "Adding it to the poll.")),
                reactions=4,
            ),
        ),
    ),
    DemoCommunity(
        "leadership-offsite", "Leadership offsite",
        "Planning the leadership team's offsite: agenda, pre-reads and logistics. By "
        "invitation.",
        "private", "invite", owner="ceo", days_ago=40, admins=("head_of_people-hr",),
        heads=True, invited=("mod",),
        posts=(
            CommunityPost(
                "ceo",
                "Offsite agenda draft: day one is strategy and our three bets for next year, day "
                "two is org design and the budget. Please add what's missing by Friday.",
                (_c("head_of_finance", "Budget pre-read will be up on Wednesday."),
                 _c("head_of_engineering", "Can we keep an hour for the platform roadmap?"),
                 _c("ceo", "Yes, added after lunch on day one.")),
                reactions=6, pinned=True,
            ),
            CommunityPost(
                "head_of_finance",
                "Budget pre-read is up: [FY plan v2](https://example.com/finance/fy-plan). The "
                "big question for the room: how much we put behind Atlas.",
                (_c("head_of_product", "I'll bring the beta numbers."),),
                reactions=4,
            ),
        ),
    ),
    DemoCommunity(
        "project-falcon", "Project Falcon",
        "The acquisition team. Confidential: nothing here is discussed outside this group "
        "until we announce.",
        "secret", "invite", owner="ceo", days_ago=25, admins=("head_of_finance",),
        members=("head_of_legal", "head_of_sales", "bob"),
        posts=(
            CommunityPost(
                "ceo",
                "Welcome to the Falcon team. Everything about the acquisition stays in here "
                "until we announce. Next milestone: the data room opens on Monday.",
                (_c("head_of_legal", "NDAs are signed on both sides."),),
                reactions=4, pinned=True,
            ),
            CommunityPost(
                "head_of_legal",
                "The diligence checklist is in the data room. {bob}, can you pull together the "
                "overlap between their customer list and ours?",
                (_c("bob", "On it: first cut by Wednesday."),
                 _c("head_of_finance", "Thanks, that feeds straight into the valuation.")),
                reactions=3,
            ),
        ),
    ),
)  # fmt: skip

# The communities --employees adds beyond the scripted ones, one for every
# `EMPLOYEES_PER_COMMUNITY` people: their names are drawn from these (see community_plan.py).
INTEREST_SUFFIXES = ("club", "enthusiasts", "circle", "corner")
PROJECT_SUFFIXES = ("launch", "working group", "tiger team", "migration", "guild")
