import re
from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from rest_framework.test import APIClient

from communities.models import Community, Membership
from demo.seeding import build_plan
from demo.seeding.hierarchy import HEAD, IC, MANAGER
from exec_blog.models import Delegation
from feeds.models import Status
from notifications.models import Notification
from profiles.models import Department, Follow, Profile, Skill, User
from profiles.permissions import COMPLIANCE, EXECUTIVES, HR, MODERATORS
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db

COMPANY = 80  # seed_demo's default
# The default company without statuses (they have their own tests in
# tests/feeds/test_seed_content.py), seeded once for this module.
company = seeded_module("company", statuses=0)


def seed(**options) -> str:
    # The people only: the statuses have their own tests in tests/feeds/test_seed_content.py.
    options.setdefault("statuses", 0)
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "departments": Department.objects.count(),
        "skills": Skill.objects.count(),
        "profile_skills": Profile.skills.through.objects.count(),
        "emails": EmailAddress.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "follows": Follow.objects.count(),
    }


def org() -> dict[str, tuple[str | None, str, str]]:
    """{username: (manager's username, title, department slug)} for every profile."""
    return {
        p.user.username: (
            p.manager.user.username if p.manager else None,
            p.title,
            p.department.slug if p.department else "",
        )
        for p in Profile.objects.select_related("user", "manager__user", "department")
    }


def groups_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def manager_chain(username: str) -> list[str]:
    managers = {name: row[0] for name, row in org().items()}
    chain, current = [], managers[username]
    while current is not None:
        assert current not in chain and current != username, f"cycle above {username}"
        chain.append(current)
        current = managers[current]
    return chain


def test_fixed_accounts_exist_with_their_roles(company):
    assert groups_of("ceo") == {EXECUTIVES}
    assert groups_of("hr") == {HR}
    assert groups_of("mod") == {MODERATORS}
    assert groups_of("compliance") == {COMPLIANCE}
    officer = Profile.objects.select_related("department", "manager").get(
        user__username="compliance"
    )
    assert officer.department.slug == "legal"
    assert officer.manager.title == "General Counsel"
    assert groups_of("alice") == set()
    assert groups_of("bob") == set()
    ceo = Profile.objects.get(user__username="ceo")
    assert ceo.manager is None
    assert ceo.title == "Chief Executive Officer"
    assert ceo.department.name == "Executive Office"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    comms = Profile.objects.select_related("department", "manager__user").get(
        user__username="comms"
    )
    assert comms.title == "Communications Manager"
    assert comms.department.slug == "executive-office" and comms.manager.user.username == "ceo"
    assert groups_of("comms") == set()
    assert Delegation.objects.filter(executive__username="ceo", delegate__username="comms").exists()


def test_alice_and_bob_work_in_different_departments_under_two_managers_or_more(company):
    alice = Profile.objects.get(user__username="alice")
    bob = Profile.objects.get(user__username="bob")
    assert alice.department_id and bob.department_id
    assert alice.department_id != bob.department_id
    assert len(manager_chain("alice")) >= 2
    assert len(manager_chain("bob")) >= 2
    assert manager_chain("alice")[-1] == "ceo"


def test_default_run_builds_a_company_of_at_least_60_in_departments(company):
    output = company
    people = Profile.objects.exclude(department=None)
    assert people.count() >= 60
    assert Department.objects.count() >= 10
    assert not Department.objects.filter(description="").exists()
    # The 80 employees asked for, and the compliance officer beside the org chart's plan.
    assert "Company ready: 81 people in 11 departments" in output
    assert "alice / demo" in output
    # Departments are staffed, not all in one.
    assert max(Counter(people.values_list("department", flat=True)).values()) < 40


def test_every_account_has_its_verified_primary_email(company):
    users = list(User.objects.all())
    assert len(users) == COMPANY + 2  # and the admin, and the compliance officer
    emails = {
        (e.user_id, e.email) for e in EmailAddress.objects.filter(verified=True, primary=True)
    }
    for user in users:
        assert user.email == f"{user.username}@example.com"
        assert (user.pk, user.email) in emails


def test_everyone_can_log_in_with_the_demo_password(client, company):
    generated = User.objects.exclude(
        username__in=["ceo", "hr", "mod", "compliance", "alice", "bob", "admin", "comms"]
    )
    for username in ["bob", "admin", "comms", "compliance", generated.first().username]:
        assert authenticate(username=username, password="demo") is not None, username
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "demo"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_custom_password_is_the_password_of_every_account(company):
    seed(password="s3cret-pass")
    assert authenticate(username="hr", password="s3cret-pass") is not None
    assert authenticate(username="hr", password="demo") is None
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once, shared


def test_running_again_with_another_password_changes_every_demo_password(company):
    assert authenticate(username="alice", password="demo") is not None
    seed(password="new-pass")
    assert authenticate(username="alice", password="new-pass") is not None
    assert authenticate(username="alice", password="demo") is None
    assert len(set(User.objects.values_list("password", flat=True))) == 1


def test_usernames_are_lowercase_ascii_and_unique_per_person(company):
    usernames = list(User.objects.values_list("username", flat=True))
    assert all(re.fullmatch(r"[a-z0-9.]+", name) for name in usernames), usernames
    assert all(
        "." in name
        for name in usernames
        if name not in {"ceo", "hr", "mod", "compliance", "alice", "bob", "admin", "comms"}
    )


def test_no_one_manages_themselves_and_there_is_no_cycle(company):
    managers = {name: row[0] for name, row in org().items()}
    assert {name for name, boss in managers.items() if boss is None} == {"ceo", "admin"}
    for name in managers:
        seen = {name}
        current = managers[name]
        while current is not None:
            assert current not in seen, f"cycle through {name}"
            seen.add(current)
            current = managers[current]


def test_everyone_follows_their_manager_and_teammates(company):
    follows = set(Follow.objects.values_list("follower_id", "followee_id"))
    profiles = list(Profile.objects.exclude(manager=None).select_related("manager"))
    assert profiles
    for profile in profiles:
        assert (profile.user_id, profile.manager.user_id) in follows
    alice = Profile.objects.get(user__username="alice")
    teammates = Profile.objects.filter(manager_id=alice.manager_id).exclude(pk=alice.pk)
    assert teammates.exists()
    for mate in teammates:
        assert (alice.user_id, mate.user_id) in follows


def test_people_follow_beyond_their_team_and_executives_are_popular(company):
    follows = Follow.objects.values_list("follower_id", "followee_id")
    following = Counter(follower for follower, _ in follows)
    followers = Counter(followee for _, followee in follows)
    ceo = User.objects.get(username="ceo")
    assert min(following[p.user_id] for p in Profile.objects.exclude(manager=None)) >= 5
    assert followers[ceo.pk] >= sorted(followers.values())[len(followers) * 3 // 4]
    assert not Follow.objects.filter(follower_id=F("followee_id")).exists()


def test_profiles_have_titles_skills_and_rendered_bios(company):
    profiles = list(Profile.objects.exclude(department=None).prefetch_related("skills"))
    assert all(p.title for p in profiles)
    assert all(2 <= len(p.skills.all()) <= 5 for p in profiles)
    with_bio = [p for p in profiles if p.bio]
    assert len(with_bio) >= len(profiles) // 3
    assert all(p.bio_html.startswith(("<p>", "<ul>")) for p in with_bio)
    assert all("**" not in p.bio_html for p in with_bio)
    assert {p.location for p in profiles} >= {"Remote"}


def test_running_twice_changes_nothing(company):
    before, chart = counts(), org()
    rows = community_rows(), Notification.objects.count()
    output = seed()
    assert counts() == before
    assert org() == chart
    assert (community_rows(), Notification.objects.count()) == rows
    assert "(0 new accounts)" in output
    assert "(0 new communities)" in output


# Communities (their posts: tests/feeds/test_seed_content.py).


def community_rows() -> set[tuple]:
    return set(Membership.objects.values_list("community__slug", "user__username", "role", "state"))


def members(slug: str, state: str = "active") -> dict[str, str]:
    """{username: role} of the community's memberships in `state`."""
    return dict(
        Membership.objects.filter(community__slug=slug, state=state).values_list(
            "user__username", "role"
        )
    )


def slugs_of(username: str) -> set[str]:
    return set(
        Membership.objects.filter(user__username=username, state="active").values_list(
            "community__slug", flat=True
        )
    )


def test_a_dozen_communities_of_every_kind_each_with_an_owner_and_its_count(company):
    communities = list(Community.objects.all())
    assert len(communities) >= 12
    kinds = {(c.visibility, c.join_policy) for c in communities}
    assert {("open", "open"), ("open", "request"), ("private", "invite")} <= kinds
    assert {("secret", "invite"), ("private", "request")} <= kinds
    for community in communities:
        active = members(community.slug)
        assert "owner" in active.values(), community.slug
        assert community.members_count == len(active) >= 1, community.slug
        assert community.description and community.created_by_id
    # Nobody below a member is anything but a member.
    assert not Membership.objects.exclude(state="active").exclude(role="member").exists()


def test_every_office_has_an_open_community_with_everyone_who_works_there(company):
    offices = set(Profile.objects.exclude(location="").values_list("location", flat=True))
    assert len(offices) >= 5
    for office in offices:
        name = "Remote crew" if office == "Remote" else f"{office} office"
        community = Community.objects.get(name=name)
        assert (community.visibility, community.join_policy) == ("open", "open")
        there = set(
            Profile.objects.filter(location=office).values_list("user__username", flat=True)
        )
        assert set(members(community.slug)) == there
        assert list(members(community.slug).values()).count("admin") == (len(there) > 1)


def test_project_teams_ask_to_join_and_alice_has_a_request_waiting(company):
    atlas = Community.objects.get(slug="atlas-launch")
    assert (atlas.visibility, atlas.join_policy) == ("open", "request")
    assert members("atlas-launch", "requested") == {"alice": "member"}
    admins = {u for u, role in members("atlas-launch").items() if role in ("owner", "admin")}
    told = Notification.objects.filter(
        kind="community_request", actor__username="alice", recipient__username__in=admins
    )
    assert told.count() == len(admins) >= 2
    response = as_user("alice").get("/api/v1/communities/atlas-launch/")
    assert response.status_code == 200
    assert (response.json()["my_state"], response.json()["my_role"]) == ("requested", None)
    orion = Community.objects.get(slug="orion-migration")
    assert (orion.visibility, orion.join_policy) == ("private", "request")
    assert members("orion-migration")["alice"] == "admin"


def test_the_leadership_offsite_is_private_with_the_heads_and_an_invitation(company):
    offsite = Community.objects.get(slug="leadership-offsite")
    assert (offsite.visibility, offsite.join_policy) == ("private", "invite")
    heads = {p.username for p in build_plan(seed=42, employees=COMPANY) if p.level >= HEAD}
    assert set(members("leadership-offsite")) == heads
    assert members("leadership-offsite")["ceo"] == "owner"
    assert members("leadership-offsite", "invited") == {"mod": "member"}
    assert Notification.objects.filter(kind="community_invite", recipient__username="mod").exists()


def test_project_falcon_is_secret_with_bob_in_it_and_hidden_from_alice(company):
    falcon = Community.objects.get(slug="project-falcon")
    assert (falcon.visibility, falcon.join_policy) == ("secret", "invite")
    team = members("project-falcon")
    assert len(team) >= 4 and team["ceo"] == "owner" and "bob" in team and "alice" not in team
    listed = {c["slug"] for c in as_user("alice").get("/api/v1/communities/").json()["results"]}
    assert "project-falcon" not in listed and "atlas-launch" in listed
    assert as_user("alice").get("/api/v1/communities/project-falcon/").status_code == 404
    assert as_user("bob").get("/api/v1/communities/project-falcon/").json()["my_role"] == "member"


def test_bob_is_in_communities_alice_is_not_and_alice_owns_the_book_club(company):
    only_bob = slugs_of("bob") - slugs_of("alice")
    assert {"cyclists", "project-falcon"} <= only_bob
    assert members("cyclists")["bob"] == "owner"
    assert members("book-club")["alice"] == "owner"
    assert {"book-club", "parents", "orion-migration"} <= slugs_of("alice")


def as_user(username: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(username=username))
    return client


def test_more_employees_adds_the_missing_people_and_keeps_everyone_else(company):
    chart = org()
    follows = set(Follow.objects.values_list("follower_id", "followee_id"))
    seed(employees=120)
    grown = org()
    assert Profile.objects.exclude(department=None).count() == 121  # and compliance
    assert User.objects.count() == 122
    assert {name: grown[name] for name in chart} == chart
    assert EmailAddress.objects.count() == 122
    # Growing adds the newcomers' follows; who the first 80 follow among themselves is unchanged.
    first = set(User.objects.filter(username__in=chart).values_list("pk", flat=True))
    grown_follows = set(Follow.objects.values_list("follower_id", "followee_id"))
    assert {(a, b) for a, b in grown_follows if a in first and b in first} == follows
    assert len(grown_follows) > len(follows)


def test_the_same_seed_builds_the_same_company_whatever_its_size():
    small = build_plan(seed=7, employees=50)
    assert build_plan(seed=7, employees=50) == small
    assert build_plan(seed=7, employees=200)[:50] == small
    other = build_plan(seed=8, employees=50)
    assert [p.username for p in other] != [p.username for p in small]


def test_a_large_company_keeps_believable_spans_and_depth():
    people = build_plan(seed=42, employees=5000)
    reports = Counter(p.manager for p in people if p.manager is not None)
    assert all(people[m].level > IC for m in reports)
    assert all(reports[p.index] <= 9 for p in people if p.level == MANAGER)
    assert max(reports.values()) <= 15
    depth = {}
    for p in people:
        depth[p.index] = 0 if p.manager is None else depth[p.manager] + 1
    assert max(depth.values()) <= 8
    assert len({p.username for p in people}) == len(people)


def test_too_few_employees_for_the_fixed_accounts_is_an_error(company):
    before, chart = counts(), org()
    with pytest.raises(CommandError, match="at least"):
        seed(employees=5)
    assert counts() == before and org() == chart


def test_no_statuses_means_no_content(company):
    assert not Status.objects.exists()
    # Only what the communities' members were told: alice's request, an invitation.
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"community_request", "community_invite"}


def test_statuses_come_after_the_people_and_do_not_change_them(company):
    before, chart = counts(), org()
    output = seed(statuses=60)
    assert "Content ready: 60 statuses" in output
    # and the cards of the blog posts and of the ideas
    assert Status.objects.filter(blog_post=None, idea=None).count() == 60
    assert counts() == before
    assert org() == chart
