"""A company with three communities, one of each visibility, and someone in every position
towards each of them: the world the endpoint and page tables of tests/communities run against.

It is built once per module inside a transaction that is rolled back after the module's last
test; each test runs in a savepoint inside it (as `tests.conftest.seeded_module` does), so what
a test writes is gone before the next one.
"""

from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Membership
from feeds import services as feed_services
from feeds.models import Status
from profiles.models import User
from profiles.permissions import MODERATORS
from tests.factories import DepartmentFactory, UserFactory

# The positions a person can hold towards a community. Usernames are the role names.
ROLES = (
    "anonymous",
    "non_member",
    "requester",
    "invitee",
    "member",
    "admin",
    "owner",
    "moderator",  # a company moderator, in no community
)
EMPLOYEES = frozenset(ROLES) - {"anonymous"}
MEMBERS = frozenset({"member", "admin", "owner"})
MANAGERS = frozenset({"admin", "owner"})
# Who knows a secret community exists: its members and the people invited to it.
KNOWERS = MEMBERS | {"invitee"}
OUTSIDERS = EMPLOYEES - KNOWERS  # not told of a secret community: 404 everywhere

# The communities by slug: (visibility, join policy, name, description).
KINDS = {
    "open": ("open", "open", "Open Forum", "Everyone talks here."),
    "private": ("private", "request", "Private Plans", "Roadmaps before they are announced."),
    "secret": ("secret", "invite", "Secret Society", "Nobody knows about us."),
}
# Alone in its own open community, named to sort before the others: "yours first" shows.
FOUNDER = "founder"
ELSEWHERE = "aardvark"


def body_in(slug: str) -> str:
    return f"News from inside {slug}"


def build_world() -> None:
    crew = DepartmentFactory(name="Crew", slug="crew")
    people = {
        role: UserFactory(
            username=role,
            finish__department=crew,
            roles=[MODERATORS] if role == "moderator" else None,
        )
        for role in sorted(EMPLOYEES)
    }
    founder = UserFactory(username=FOUNDER, finish__department=crew)
    services.community_create(
        actor=founder, name="Aardvark Club", slug=ELSEWHERE, description="Early risers."
    )
    owner = people["owner"]
    for slug, (visibility, policy, name, description) in KINDS.items():
        # Everyone gets in while it is open and asks; then it takes its final settings.
        community = services.community_create(
            actor=owner, name=name, slug=slug, description=description, join_policy="request"
        )
        for role in ("requester", "member", "admin"):
            services.membership_join(actor=people[role], community=community)
        for role in ("member", "admin"):
            services.member_put(actor=owner, community=community, username=role, state="active")
        services.member_put(actor=owner, community=community, username="admin", role="admin")
        services.member_put(actor=owner, community=community, username="invitee", state="invited")
        feed_services.status_create(
            author=people["member"], body=body_in(slug), community=community
        )
        services.community_update(
            actor=owner, community=community, visibility=visibility, join_policy=policy
        )


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def community(slug: str) -> Community:
    return Community.objects.get(slug=slug)


def snapshot(slug: str) -> dict:
    """Everything a membership write may change: the community's row and its memberships."""
    row = Community.objects.filter(slug=slug).values(
        "name", "description", "visibility", "join_policy", "members_count", "picture"
    )
    return {
        "community": row.first(),
        "members": {
            m["user__username"]: (m["role"], m["state"])
            for m in Membership.objects.filter(community__slug=slug).values(
                "user__username", "role", "state"
            )
        },
        "statuses": Status.objects.filter(community__slug=slug).count(),
    }


def changed(before: dict, **members) -> dict:
    """`before` with these people's memberships set ((role, state), or None for gone), and the
    members count that follows from them."""
    after = {**before["members"], **members}
    after = {name: value for name, value in after.items() if value is not None}
    active = sum(1 for _, state in after.values() if state == "active")
    return {
        **before,
        "community": {**before["community"], "members_count": active},
        "members": after,
    }


def status_in(slug: str) -> Status:
    return Status.objects.get(community__slug=slug, body=body_in(slug))
