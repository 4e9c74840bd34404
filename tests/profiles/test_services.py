import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from profiles import permissions, services
from profiles.models import Follow, Profile, RoleChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_account_gets_a_profile_even_from_createsuperuser(django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "x" * 12)
    assert Profile.objects.get(user=user).display_name == "root"


def test_roles_exist_from_the_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(permissions.ROLES)


def test_role_helpers(ceo, hr_user, moderator, alice, admin_user):
    assert permissions.is_executive(ceo) and not permissions.is_executive(alice)
    assert permissions.is_hr(hr_user) and not permissions.is_hr(ceo)
    assert permissions.is_moderator(moderator) and not permissions.is_moderator(alice)
    assert permissions.is_admin(admin_user) and not permissions.is_admin(alice)
    ceo.is_active = False
    assert not permissions.is_executive(ceo)


def test_new_employee_follows_manager_and_teammates_on_first_manager(alice, bob, carol):
    boss = UserFactory(username="boss")
    for person in (alice, bob):
        services.profile_assign(
            profile=person.profile, department=None, manager=boss.profile, actor=None
        )
    services.profile_assign(
        profile=carol.profile, department=None, manager=boss.profile, actor=None
    )
    assert set(
        Follow.objects.filter(follower=carol).values_list("followee__username", flat=True)
    ) == {
        "boss",
        "alice",
        "bob",
    }


def test_only_admins_assign_departments_and_managers(alice, bob, admin_user):
    with pytest.raises(PermissionDenied):
        services.profile_assign(
            profile=bob.profile, department=None, manager=alice.profile, actor=alice
        )
    services.profile_assign(
        profile=bob.profile, department=None, manager=alice.profile, actor=admin_user
    )
    assert Profile.objects.get(user=bob).manager_id == alice.profile.pk


def test_a_manager_cycle_is_refused(alice, bob):
    services.profile_assign(profile=bob.profile, department=None, manager=alice.profile, actor=None)
    with pytest.raises(ValidationError):
        services.profile_assign(
            profile=alice.profile, department=None, manager=bob.profile, actor=None
        )
    with pytest.raises(ValidationError):
        services.profile_assign(
            profile=alice.profile, department=None, manager=alice.profile, actor=None
        )


def test_no_one_edits_another_persons_profile(alice, bob):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=alice, profile=bob.profile, title="Hacked")
    assert Profile.objects.get(user=bob).title == "Account Executive"


def test_role_grant_and_revoke_are_recorded(alice, admin_user):
    services.role_grant(actor=admin_user, user=alice, role=permissions.MODERATORS)
    services.role_revoke(actor=admin_user, user=alice, role=permissions.MODERATORS)
    rows = list(RoleChange.objects.order_by("id").values_list("role", "action", "actor__username"))
    assert rows == [("Moderators", "granted", "admin"), ("Moderators", "revoked", "admin")]


def test_role_changes_in_the_admin_are_recorded_with_who_and_whom(client, admin_user, alice):
    from allauth.account.models import EmailAddress  # noqa: F401  (admin form needs apps loaded)

    client.force_login(admin_user)
    hr = Group.objects.get(name=permissions.HR)
    response = client.get(f"/admin/profiles/user/{alice.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": "alice",
            "email": "alice@example.com",
            "is_active": "on",
            "groups": [hr.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-id": alice.profile.pk,
            "profile-0-user": alice.pk,
            "profile-0-display_name": "Alice Archer",
            "profile-0-title": "Software Engineer",
            "profile-0-department": alice.profile.department_id,
        }
    )
    data.pop("last_login", None)
    data.pop("user_permissions", None)
    response = client.post(f"/admin/profiles/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = RoleChange.objects.get()
    assert (change.actor, change.user, change.role, change.action) == (
        admin_user,
        alice,
        "HR",
        "granted",
    )
    assert client.get("/admin/profiles/rolechange/").status_code == 200


def test_role_change_audit_is_read_only_even_for_admins(client, admin_user, alice):
    services.role_grant(actor=admin_user, user=alice, role=permissions.HR)
    client.force_login(admin_user)
    change = RoleChange.objects.get()
    assert client.get("/admin/profiles/rolechange/add/").status_code == 403
    assert client.post(f"/admin/profiles/rolechange/{change.pk}/delete/").status_code == 403


def test_employees_cannot_open_the_admin(alice_client):
    response = alice_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert alice_client.get("/admin/profiles/rolechange/").status_code == 302


def test_admin_setting_a_first_manager_starts_the_onboarding_follows(
    client, admin_user, alice, carol
):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/profiles/profile/{carol.profile.pk}/change/",
        {
            "display_name": "Carol Chen",
            "title": "",
            "department": carol.profile.department_id,
            "manager": alice.profile.pk,
            "location": "",
            "pronouns": "",
        },
    )
    assert response.status_code == 302
    assert Follow.objects.filter(follower=carol, followee=alice).exists()


def test_admin_cannot_make_a_manager_cycle(client, admin_user, alice, carol):
    services.profile_assign(
        profile=carol.profile, department=None, manager=alice.profile, actor=None
    )
    client.force_login(admin_user)
    response = client.post(
        f"/admin/profiles/profile/{alice.profile.pk}/change/",
        {"display_name": "Alice Archer", "manager": carol.profile.pk},
    )
    assert response.status_code == 200
    assert Profile.objects.get(user=alice).manager_id is None
