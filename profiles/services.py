"""The only code that writes people, profiles, follows and roles."""

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify

from audit import actions as audit_actions
from audit.services import audit_record
from core.images import reencode_upload
from core.text import render_markdown
from core.versions import versions_bump

from . import hooks
from .models import Department, Follow, Profile, RoleChange, Skill, User
from .permissions import ROLES, can_edit_profile

logger = logging.getLogger(__name__)

MAX_SKILLS = 20


# --- Accounts and profiles -----------------------------------------------------------------


# --- What is shown of a person beside what they wrote --------------------------------------


def person_version(user_id: int) -> str:
    """The cache version (core.versions) of what every card of this person's shows: name,
    title, picture, department, the app badge (feeds.status_cache keys cards by it)."""
    return f"person:{user_id}"


def profile_card_changed(*, user_ids) -> None:
    """Call whenever a person's name, title, picture, department or username changes, by
    whatever path (services, single sign-on, the directory, the admin)."""
    versions_bump(person_version(pk) for pk in user_ids)


def department_card_changed(*, department: Department) -> None:
    """A department's name or slug changed: it is on the card of everyone in it."""
    profile_card_changed(
        user_ids=Profile.objects.filter(department=department).values_list("user_id", flat=True)
    )


def profile_ensure(*, user: User) -> Profile:
    """Every account has a profile; create it from the account's names when missing."""
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    display_name = user.get_full_name().strip() or user.username
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"display_name": display_name})
    return profile


def user_create(
    *,
    username: str,
    email: str,
    password: str | None = None,
    display_name: str = "",
    title: str = "",
    department: Department | None = None,
    manager: Profile | None = None,
    email_verified: bool = True,
    is_app: bool = False,
) -> User:
    """Create an account with its profile and verified email (for admins, SSO and seeding).
    `is_app`: an app account (app_accounts), shown with an "App" badge."""
    with transaction.atomic():
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        profile = profile_ensure(user=user)
        profile.display_name = display_name or username
        profile.title = title
        profile.is_app = is_app
        profile.save(update_fields=["display_name", "title", "is_app"])
        if email:
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=email_verified
            )
        if department is not None or manager is not None:
            profile_assign(profile=profile, department=department, manager=manager, actor=None)
    return user


def profile_update(
    *,
    actor: User,
    profile: Profile,
    display_name: str | None = None,
    title: str | None = None,
    location: str | None = None,
    pronouns: str | None = None,
    bio: str | None = None,
    skills: list[str] | None = None,
) -> Profile:
    """Change the fields a person may set on their own profile (not department or manager)."""
    if not can_edit_profile(actor, profile):
        raise PermissionDenied("You can only edit your own profile.")
    changed: list[str] = []
    for field, value in (
        ("display_name", display_name),
        ("title", title),
        ("location", location),
        ("pronouns", pronouns),
    ):
        if value is not None:
            setattr(profile, field, value.strip())
            changed.append(field)
    if display_name is not None and not profile.display_name:
        raise ValidationError({"display_name": "Your name cannot be empty."})
    if bio is not None:
        profile.bio = bio.strip()
        profile.bio_html = render_markdown(profile.bio)
        changed += ["bio", "bio_html"]
    with transaction.atomic():
        profile.full_clean(exclude=["user", "department", "manager", "avatar"])
        if changed:
            profile.save(update_fields=[*changed, "updated_at"])
            profile_card_changed(user_ids=[profile.user_id])
        if skills is not None:
            profile.skills.set(skills_get_or_create(names=skills))
    return profile


def skills_get_or_create(*, names: list[str]) -> list[Skill]:
    cleaned: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())[:50]
        slug = slugify(name)[:60]
        if slug and slug not in cleaned:
            cleaned[slug] = name
    if len(cleaned) > MAX_SKILLS:
        raise ValidationError({"skills": f"At most {MAX_SKILLS} skills."})
    existing = {s.slug: s for s in Skill.objects.filter(slug__in=cleaned)}
    missing = [
        Skill(slug=slug, name=name) for slug, name in cleaned.items() if slug not in existing
    ]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.slug: s for s in Skill.objects.filter(slug__in=cleaned)}
    return [existing[slug] for slug in cleaned if slug in existing]


def avatar_set(*, actor: User, profile: Profile, upload: UploadedFile) -> Profile:
    """Validate an uploaded image by its content, re-encode it square and small, and store it.

    Re-encoding drops metadata (location in a phone photo) and anything hidden in the file.
    """
    if not can_edit_profile(actor, profile):
        raise PermissionDenied("You can only change your own picture.")
    data, _, _ = reencode_upload(
        upload,
        max_bytes=settings.AVATAR_MAX_BYTES,
        max_size=settings.AVATAR_SIZE,
        square=True,
        field="avatar",
    )
    old = profile.avatar.name if profile.avatar else ""
    profile.avatar.save("avatar.webp", ContentFile(data), save=False)
    profile.save(update_fields=["avatar", "updated_at"])
    profile_card_changed(user_ids=[profile.user_id])
    if old:
        transaction.on_commit(lambda: profile.avatar.storage.delete(old))
    return profile


def avatar_remove(*, actor: User, profile: Profile) -> Profile:
    if not can_edit_profile(actor, profile):
        raise PermissionDenied("You can only change your own picture.")
    if profile.avatar:
        old = profile.avatar.name
        profile.avatar = ""
        profile.save(update_fields=["avatar", "updated_at"])
        profile_card_changed(user_ids=[profile.user_id])
        transaction.on_commit(lambda: profile.avatar.storage.delete(old))
    return profile


def user_sessions_end(*, user: User) -> int:
    """Delete every live session of an account (browser sessions and the app clients'
    `X-Session-Token`s, which are sessions too). Returns how many.

    Sessions do not name their user in a column, so each live one is decoded: deactivations
    are rare, and the stream hub's sweep closes the account's sockets once their session row
    is gone (core.streaming, within 3 s). Deleted through the session store, so the cached_db
    engine forgets its cached copy too."""
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    user_id = str(user.pk)
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
    for session in live:
        if session.get_decoded().get("_auth_user_id") == user_id:
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


def account_set_active(*, user: User, active: bool) -> bool:
    """Deactivate (or reactivate) an account; the profile stays, shown as a former employee.
    Deactivating ends its sessions at once (the auth backends would refuse them on the next
    request anyway; this also closes its sockets and frees the rows). Returns whether it
    changed."""
    if user.is_active == active:
        if not active:
            user_sessions_end(user=user)
        return False
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:
        user_sessions_end(user=user)
    logger.info("account %s %s", user.pk, "reactivated" if active else "deactivated")
    return True


# --- Organisation (admins) -----------------------------------------------------------------


def department_get_or_create(*, name: str) -> Department:
    """The department of that name (any case), created when it is new (provisioning: the
    directory names departments the product has not seen yet)."""
    name = " ".join(str(name).split())[:100]
    if not name:
        raise ValidationError({"department": "A department has a name."})
    department = Department.objects.filter(name__iexact=name).first()
    if department is not None:
        return department
    base = slugify(name)[:90] or "department"
    slug, n = base, 1
    while Department.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    try:
        with transaction.atomic():
            return Department.objects.create(name=name, slug=slug)
    except IntegrityError:  # made a moment ago by a concurrent request
        return Department.objects.get(name__iexact=name)


def manager_chain_would_cycle(*, profile: Profile, manager: Profile | None) -> bool:
    seen = {profile.pk}
    current = manager
    while current is not None:
        if current.pk in seen:
            return True
        seen.add(current.pk)
        current = current.manager
    return False


def profile_assign(
    *,
    profile: Profile,
    department: Department | None,
    manager: Profile | None,
    actor: User | None,
) -> Profile:
    """Set department and manager (admins only, or seeding with actor=None).

    A person who gets a manager for the first time is new here: they start out following their
    manager and their direct teammates, so their first day's feed is not empty.
    """
    if actor is not None and not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied("Only admins set departments and managers.")
    if manager is not None and manager_chain_would_cycle(profile=profile, manager=manager):
        raise ValidationError({"manager": "This would make someone their own manager."})
    first_manager = profile.manager_id is None and manager is not None
    with transaction.atomic():
        profile.department = department
        profile.manager = manager
        profile.save(update_fields=["department", "manager", "updated_at"])
        profile_card_changed(user_ids=[profile.user_id])
        if first_manager:
            follow_onboarding(profile=profile)
    return profile


def follow_onboarding(*, profile: Profile) -> int:
    """Follow the manager and the people who share that manager. Returns follows created."""
    if profile.manager_id is None:
        return 0
    ids = set(
        Profile.objects.filter(manager_id=profile.manager_id)
        .exclude(pk=profile.pk)
        .values_list("user_id", flat=True)
    )
    ids.add(Profile.objects.filter(pk=profile.manager_id).values_list("user_id", flat=True)[0])
    ids.discard(profile.user_id)
    follows = [Follow(follower_id=profile.user_id, followee_id=uid) for uid in ids]
    created = Follow.objects.bulk_create(follows, ignore_conflicts=True)
    return len(created)


# --- Follows -------------------------------------------------------------------------------


def follow_create(*, follower: User, followee: User) -> tuple[Follow, bool]:
    """Follow someone; following them again changes nothing. Returns (follow, created).

    A new follow calls the receivers of `hooks.follow_created` inside the transaction: the
    apps above answer it (the notification, the follower's sockets, the activity record)."""
    if follower.pk == followee.pk:
        raise ValidationError("You cannot follow yourself.")
    try:
        with transaction.atomic():
            follow, created = Follow.objects.get_or_create(follower=follower, followee=followee)
            if created:
                hooks.follow_created.send(follower=follower, followee=followee)
            return follow, created
    except IntegrityError:
        # A concurrent request created it between our read and write.
        return Follow.objects.get(follower=follower, followee=followee), False


def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow; `hooks.follow_deleted` lets feeds stop the follower's sockets hearing them."""
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            hooks.follow_deleted.send(follower=follower, followee=followee)
    return bool(deleted)


# --- Roles ---------------------------------------------------------------------------------


def role_changes_record(
    *, actor: User | None, user: User, before: set[str], after: set[str], actor_label: str = ""
) -> list[RoleChange]:
    """Record the difference between two sets of role names (groups and staff flags): a
    `RoleChange` row and an audit entry per role granted or revoked. `actor_label`: who acted
    when it is no account (`scim:<token>`)."""
    changes = [
        RoleChange(actor=actor, user=user, role=role, action=RoleChange.Action.GRANTED)
        for role in sorted(after - before)
    ] + [
        RoleChange(actor=actor, user=user, role=role, action=RoleChange.Action.REVOKED)
        for role in sorted(before - after)
    ]
    if changes:
        RoleChange.objects.bulk_create(changes)
        for change in changes:
            logger.info("role %s %s for user %s by %s", change.role, change.action, user.pk, actor)
            audit_record(
                action=audit_actions.ROLE_GRANTED
                if change.action == RoleChange.Action.GRANTED
                else audit_actions.ROLE_REVOKED,
                actor=actor,
                actor_label=actor_label,
                target=user,
                detail={"role": change.role},
            )
    return changes


def role_names_of(user: User) -> set[str]:
    """Every role-like fact about an account that an audit should see change."""
    names = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    if user.is_staff:
        names.add("staff")
    if user.is_superuser:
        names.add("superuser")
    return names


def role_grant(*, actor: User | None, user: User, role: str, actor_label: str = "") -> None:
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}.")
    with transaction.atomic():
        before = role_names_of(user)
        user.groups.add(Group.objects.get(name=role))
        role_changes_record(
            actor=actor, user=user, before=before, after=before | {role}, actor_label=actor_label
        )
    user.__dict__.pop("_role_names", None)


def role_revoke(*, actor: User | None, user: User, role: str, actor_label: str = "") -> None:
    with transaction.atomic():
        before = role_names_of(user)
        user.groups.remove(*Group.objects.filter(name=role))
        role_changes_record(
            actor=actor, user=user, before=before, after=before - {role}, actor_label=actor_label
        )
    user.__dict__.pop("_role_names", None)


def profile_ensure_on_save(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of User (profiles' one receiver): every account has a profile, also those
    made outside our services (createsuperuser, third-party code)."""
    if created and not raw:
        profile_ensure(user=instance)
