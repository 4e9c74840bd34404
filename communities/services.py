"""The only code that writes communities and memberships.

Every membership change runs with the community's row locked, so two admins acting at once
cannot leave it without an owner, and `members_count` is recounted in the same transaction.
"""

from collections.abc import Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from audit import actions as audit_actions
from audit.services import audit_record
from core.images import reencode_upload
from core.jobs import job_enqueue_on_commit
from core.versions import versions_bump
from notifications.services import notification_create, notifications_create_many
from profiles.models import Department, Profile, User

from . import events, hooks
from .models import (
    MAX_DESCRIPTION,
    MAX_NAME,
    Community,
    JoinPolicy,
    Membership,
    Role,
    State,
    Visibility,
)
from .permissions import can_create, can_manage, can_see

RESERVED_SLUGS = {"new", "mine", "search", "api", "admin", "settings", "members"}
PICTURE_BYTES = 5 * 1024 * 1024
PICTURE_SIZE = 512
# Adding a department this size or smaller happens in the request; larger ones in the job runner.
DEPARTMENT_INLINE = 200


# --- Communities ---------------------------------------------------------------------------


# A community role's rank: a change up is a promotion, down a demotion.
ROLE_RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}


def _audit(action: str, *, actor: User, community: Community, member: User | None = None, **detail):
    """One audit entry for an admin action in a community; the member acted on, if any, is in
    the label and the detail."""
    if member is not None:
        detail["member"] = member.get_username()
    audit_record(
        action=action,
        actor=actor,
        target=community,
        target_label=f"{community.name}: {member.get_username()}" if member else community.name,
        detail=detail,
    )


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": "Give the community a name."})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"At most {MAX_NAME} characters."})
    return name


def _clean_description(description) -> str:
    description = str(description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError({"description": f"At most {MAX_DESCRIPTION:,} characters."})
    return description


def _clean_choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.values)}."})
    return value


def _clean_slug(slug, name: str) -> str:
    slug = str(slug or "").strip().lower() or slugify(name)[:50]
    if not slug or slug != slugify(slug) or len(slug) > 50:
        raise ValidationError(
            {"slug": "Use lower-case letters, digits and hyphens (at most 50 characters)."}
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved: choose another."})
    return slug


def community_create(
    *,
    actor: User,
    name: str,
    slug: str = "",
    description: str = "",
    visibility: str = Visibility.OPEN,
    join_policy: str = JoinPolicy.OPEN,
) -> Community:
    """A new community; its creator is its owner."""
    if not can_create(actor):
        raise PermissionDenied("Creating communities is limited to a group in this company.")
    name = _clean_name(name)
    slug = _clean_slug(slug, name)
    description = _clean_description(description)
    visibility = _clean_choice(visibility, Visibility, "visibility")
    join_policy = _clean_choice(join_policy, JoinPolicy, "join_policy")
    if Community.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"The address “{slug}” is taken: choose another."})
    try:
        with transaction.atomic():
            community = Community.objects.create(
                name=name,
                slug=slug,
                description=description,
                visibility=visibility,
                join_policy=join_policy,
                created_by=actor,
                members_count=1,
            )
            membership = Membership.objects.create(
                community=community, user=actor, role=Role.OWNER, state=State.ACTIVE
            )
            events.membership_changed(membership)
            hooks.community_created.send(community=community)
    except IntegrityError as exc:  # the same slug, taken a moment ago
        raise ValidationError({"slug": f"The address “{slug}” is taken: choose another."}) from exc
    return community


def community_update(*, actor: User, community: Community, **changes) -> Community:
    """Change the name, description, visibility or join policy (owners and admins). Visibility
    applies at once everywhere: nothing is copied onto the posts."""
    membership = Membership.objects.filter(community=community, user_id=actor.pk).first()
    if not can_manage(membership):
        raise PermissionDenied("Only the community's owners and admins change its settings.")
    if "slug" in changes and changes.pop("slug") != community.slug:
        raise ValidationError({"slug": "A community's address does not change."})
    cleaners = {
        "name": _clean_name,
        "description": _clean_description,
        "visibility": lambda v: _clean_choice(v, Visibility, "visibility"),
        "join_policy": lambda v: _clean_choice(v, JoinPolicy, "join_policy"),
    }
    unknown = sorted(set(changes) - set(cleaners))
    if unknown:
        raise ValidationError({field: "This cannot be changed." for field in unknown})
    if community.provisioned and "visibility" in changes:
        raise ValidationError({"visibility": "This community is managed by the company directory."})
    fields = []
    for field, value in changes.items():
        value = cleaners[field](value)
        if getattr(community, field) != value:
            setattr(community, field, value)
            fields.append(field)
    if fields:
        with transaction.atomic():
            community.save(update_fields=fields)
            _audit(
                audit_actions.COMMUNITY_SETTINGS_UPDATED,
                actor=actor,
                community=community,
                changed={field: getattr(community, field) for field in fields},
            )
            community_card_changed(community_id=community.pk)
    return community


def community_version(community_id: int) -> str:
    """The cache version (core.versions) of what a post's card shows of its community (name,
    slug; visibility too, though no card shows it: feeds.status_cache keys cards by it)."""
    return f"community:{community_id}"


def community_card_changed(*, community_id: int) -> None:
    """Call whenever a community's name, slug or visibility changes, by whatever path."""
    versions_bump([community_version(community_id)])


def community_picture_set(*, actor: User, community: Community, upload: UploadedFile) -> None:
    membership = Membership.objects.filter(community=community, user_id=actor.pk).first()
    if not can_manage(membership):
        raise PermissionDenied("Only the community's owners and admins change its picture.")
    data, _, _ = reencode_upload(
        upload, max_bytes=PICTURE_BYTES, max_size=PICTURE_SIZE, square=True, field="picture"
    )
    old = community.picture.name if community.picture else ""
    with transaction.atomic():
        community.picture.save("picture.webp", ContentFile(data), save=True)
        _audit(audit_actions.COMMUNITY_PICTURE_CHANGED, actor=actor, community=community)
    if old:
        community.picture.storage.delete(old)


# --- Memberships ---------------------------------------------------------------------------


def _locked(community: Community) -> Community:
    return Community.objects.select_for_update().get(pk=community.pk)


def _recount(community: Community) -> None:
    count = Membership.objects.filter(
        community=community, state=State.ACTIVE, user__is_active=True
    ).count()
    Community.objects.filter(pk=community.pk).update(members_count=count)
    community.members_count = count


def _owner_count(community: Community) -> int:
    return Membership.objects.filter(
        community=community, state=State.ACTIVE, role=Role.OWNER
    ).count()


def _admin_ids(community: Community) -> list[int]:
    return list(
        Membership.objects.filter(
            community=community,
            state=State.ACTIVE,
            role__in=(Role.OWNER, Role.ADMIN),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


def _check_not_provisioned(community: Community) -> None:
    if community.provisioned:
        raise ValidationError(
            "The company directory manages this community's members: change them there."
        )


def membership_join(*, actor: User, community: Community) -> Membership:
    """Join an open community, ask to join one that asks, or accept an invitation."""
    _check_not_provisioned(community)
    with transaction.atomic():
        _locked(community)
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, user_id=actor.pk)
            .first()
        )
        # A request made while the community asked is answered by joining once it is open to
        # all: nobody is left waiting for an admin who no longer has to approve anyone.
        waiting = membership is not None and membership.state == State.REQUESTED
        if membership is not None and (
            membership.state == State.ACTIVE
            or (waiting and community.join_policy != JoinPolicy.OPEN)
        ):
            return membership  # idempotent
        if membership is not None:  # invited, or asked and the community is now open
            membership.state = State.ACTIVE
            membership.updated_at = timezone.now()
            membership.save(update_fields=["state", "updated_at"])
            _recount(community)
            events.membership_changed(membership)
            if membership.invited_by_id:
                inviter = User.objects.filter(pk=membership.invited_by_id).first()
                if inviter is not None:
                    notification_create(
                        recipient=inviter, kind="community_joined", actor=actor, target=community
                    )
            return membership
        if not can_see(community, membership):
            raise Http404("No such community.")
        if community.join_policy == JoinPolicy.INVITE:
            raise PermissionDenied("This community is by invitation only: ask one of its admins.")
        state = State.ACTIVE if community.join_policy == JoinPolicy.OPEN else State.REQUESTED
        membership = Membership.objects.create(
            community=community, user=actor, role=Role.MEMBER, state=state
        )
        if state == State.ACTIVE:
            _recount(community)
        else:
            notifications_create_many(
                recipient_ids=[pk for pk in _admin_ids(community) if pk != actor.pk],
                kind="community_request",
                actor=actor,
                target=community,
            )
        events.membership_changed(membership)
    return membership


def membership_leave(*, actor: User, community: Community) -> None:
    """Leave, withdraw a request or decline an invitation. The last owner hands over first."""
    _check_not_provisioned(community)
    with transaction.atomic():
        _locked(community)
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, user_id=actor.pk)
            .first()
        )
        if membership is None:
            return  # idempotent
        if membership.is_owner and _owner_count(community) == 1:
            raise ValidationError(
                "You are this community's only owner: make someone else an owner before you leave."
            )
        membership.delete()
        _recount(community)
        events.membership_removed(community=community, user_id=actor.pk)


def _target_user(username) -> User:
    user = User.objects.filter(username=str(username)[:150], is_active=True).first()
    if user is None:
        raise Http404("No such person.")
    return user


def member_put(
    *, actor: User, community: Community, username: str, role: str = "", state: str = ""
) -> Membership:
    """Owners and admins: invite someone (`state: invited`), approve a request (`state:
    active`), or change an active member's role. Only owners make or unmake owners."""
    _check_not_provisioned(community)
    if role and role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    if state and state not in (State.ACTIVE, State.INVITED):
        raise ValidationError({"state": "Choose active (approve) or invited (invite)."})
    target = _target_user(username)
    with transaction.atomic():
        _locked(community)
        mine = Membership.objects.filter(community=community, user_id=actor.pk).first()
        if not can_manage(mine):
            raise PermissionDenied("Only the community's owners and admins manage its members.")
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, user_id=target.pk)
            .first()
        )
        now = timezone.now()
        if membership is None:
            if state == State.ACTIVE:
                raise ValidationError(
                    {"state": f"{target.username} has not asked to join: invite them instead."}
                )
            if role and role != Role.MEMBER:
                raise ValidationError({"role": "Invite people as members; promote them later."})
            membership = Membership.objects.create(
                community=community,
                user=target,
                role=Role.MEMBER,
                state=State.INVITED,
                invited_by=actor,
            )
            notification_create(
                recipient=target, kind="community_invite", actor=actor, target=community
            )
            _audit(
                audit_actions.COMMUNITY_MEMBER_INVITED,
                actor=actor,
                community=community,
                member=target,
            )
            events.membership_changed(membership)
            return membership
        if membership.state == State.REQUESTED:
            if state != State.ACTIVE:
                raise ValidationError(
                    {"state": f"{target.username} asked to join: approve with state active."}
                )
            membership.state = State.ACTIVE
            membership.updated_at = now
            membership.save(update_fields=["state", "updated_at"])
            _recount(community)
            notification_create(
                recipient=target, kind="community_approved", actor=actor, target=community
            )
            _audit(
                audit_actions.COMMUNITY_REQUEST_APPROVED,
                actor=actor,
                community=community,
                member=target,
            )
            events.membership_changed(membership)
            return membership
        if membership.state == State.INVITED:
            if state == State.ACTIVE:
                raise ValidationError(
                    {"state": f"{target.username} is invited; they accept it themselves."}
                )
            return membership  # invited again: nothing changes
        # An active member: a role change.
        if state == State.INVITED:
            raise ValidationError({"state": f"{target.username} is already a member."})
        if not role or role == membership.role:
            return membership
        if Role.OWNER in (role, membership.role) and not mine.is_owner:
            raise PermissionDenied("Only an owner makes or unmakes owners.")
        if membership.role == Role.OWNER and _owner_count(community) == 1:
            raise ValidationError(
                {"role": "A community keeps at least one owner: make someone else owner first."}
            )
        before = membership.role
        membership.role = role
        membership.updated_at = now
        membership.save(update_fields=["role", "updated_at"])
        _audit(
            audit_actions.COMMUNITY_MEMBER_PROMOTED
            if ROLE_RANK[role] > ROLE_RANK[before]
            else audit_actions.COMMUNITY_MEMBER_DEMOTED,
            actor=actor,
            community=community,
            member=target,
            role_before=before,
            role=role,
        )
        if role in (Role.OWNER, Role.ADMIN):
            notification_create(
                recipient=target, kind="community_role", actor=actor, target=community
            )
        events.membership_changed(membership)
    return membership


def member_remove(*, actor: User, community: Community, username: str) -> None:
    """Owners and admins: remove a member, decline a request or withdraw an invitation. An admin
    cannot remove an owner; the last owner stays."""
    _check_not_provisioned(community)
    target = User.objects.filter(username=str(username)[:150]).first()
    if target is None:
        raise Http404("No such person.")
    with transaction.atomic():
        _locked(community)
        mine = Membership.objects.filter(community=community, user_id=actor.pk).first()
        if not can_manage(mine):
            raise PermissionDenied("Only the community's owners and admins manage its members.")
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, user_id=target.pk)
            .first()
        )
        if membership is None:
            raise Http404("This person is not in the community.")
        if membership.role == Role.OWNER:
            if not mine.is_owner:
                raise PermissionDenied("Only an owner removes an owner.")
            if _owner_count(community) == 1:
                raise ValidationError(
                    "A community keeps at least one owner: make someone else owner first."
                )
        removed = {
            State.REQUESTED: audit_actions.COMMUNITY_REQUEST_DECLINED,
            State.INVITED: audit_actions.COMMUNITY_INVITATION_WITHDRAWN,
        }.get(membership.state, audit_actions.COMMUNITY_MEMBER_REMOVED)
        role = membership.role
        membership.delete()
        _recount(community)
        _audit(removed, actor=actor, community=community, member=target, role=role)
        events.membership_removed(community=community, user_id=target.pk)


def department_add(*, actor: User, community: Community, department: Department) -> int:
    """Add everyone in a department as active members (owners and admins). Small departments
    are added at once; larger ones by the job runner. Returns how many were added now."""
    _check_not_provisioned(community)
    mine = Membership.objects.filter(community=community, user_id=actor.pk).first()
    if not can_manage(mine):
        raise PermissionDenied("Only the community's owners and admins add members.")
    size = Profile.objects.filter(department=department, user__is_active=True).count()
    with transaction.atomic():
        _audit(
            audit_actions.COMMUNITY_DEPARTMENT_ADDED,
            actor=actor,
            community=community,
            department=department.slug,
            people=size,
        )
        if size > DEPARTMENT_INLINE:
            job_enqueue_on_commit(
                "communities.jobs.department_members_add",
                community_id=community.pk,
                department_id=department.pk,
                actor_id=actor.pk,
            )
            return 0
        return department_members_add(community=community, department=department, actor=actor)


def department_members_add(*, community: Community, department: Department, actor: User) -> int:
    """Idempotent: people already in the community (in any state) become active members, except
    that nobody's role changes."""
    added = 0
    user_ids = list(
        Profile.objects.filter(department=department, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start : start + 500]
        with transaction.atomic():
            _locked(community)
            existing = dict(
                Membership.objects.filter(community=community, user_id__in=chunk).values_list(
                    "user_id", "state"
                )
            )
            now = timezone.now()
            new = [
                Membership(
                    community=community,
                    user_id=pk,
                    role=Role.MEMBER,
                    state=State.ACTIVE,
                    invited_by=actor,
                    created_at=now,
                    updated_at=now,
                )
                for pk in chunk
                if pk not in existing
            ]
            Membership.objects.bulk_create(new, ignore_conflicts=True)
            pending = [pk for pk, s in existing.items() if s != State.ACTIVE]
            Membership.objects.filter(community=community, user_id__in=pending).update(
                state=State.ACTIVE, updated_at=now
            )
            changed = [m.user_id for m in new] + pending
            _recount(community)
            notifications_create_many(
                recipient_ids=[pk for pk in changed if pk != actor.pk],
                kind="community_added",
                actor=actor,
                target=community,
            )
            events.memberships_added(community=community, user_ids=changed)
            added += len(changed)
    return added


def memberships_recount_all() -> None:
    """Repair `members_count` everywhere (a deactivated account leaves every count)."""
    rows = Community.objects.annotate(
        n=Count(
            "memberships",
            filter=Q(memberships__state=State.ACTIVE, memberships__user__is_active=True),
        )
    ).values_list("pk", "n", "members_count")
    for pk, n, stored in rows:
        if n != stored:
            Community.objects.filter(pk=pk).update(members_count=n)


# --- Communities managed by the company directory (provisioning, SCIM groups) ---------------


def provisioned_community_create(*, name: str, description: str = "") -> Community:
    """A community whose members come from the company directory: private (everyone finds
    it, members read it), by invitation, with no owner (admins manage it in the admin)."""
    name = _clean_name(name)
    base = slugify(name)[:44] or "group"
    if base in RESERVED_SLUGS:
        base = f"{base}-group"
    slug, n = base, 1
    while Community.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    with transaction.atomic():
        return Community.objects.create(
            name=name,
            slug=slug,
            description=_clean_description(description),
            visibility=Visibility.PRIVATE,
            join_policy=JoinPolicy.INVITE,
            provisioned=True,
        )


def provisioned_community_rename(*, community: Community, name: str) -> Community:
    name = _clean_name(name)
    if community.name != name:
        community.name = name
        community.save(update_fields=["name"])
        community_card_changed(community_id=community.pk)
    return community


def provisioned_community_release(*, community: Community) -> None:
    """The directory dropped the group: the community stays, with its posts and members, and
    is no longer managed by the directory (an admin gives it an owner in the admin)."""
    Community.objects.filter(pk=community.pk).update(provisioned=False)
    community.provisioned = False


def provisioned_members_sync(
    *,
    community: Community,
    add: Collection[int] = (),
    remove: Collection[int] = (),
    exact: Collection[int] | None = None,
) -> tuple[list[int], list[int]]:
    """The directory's membership change of a provisioned community: add and remove user ids,
    or set the exact set of members (`exact`). Members are active members; the count is
    recounted and each person concerned hears `community.membership`. Idempotent. Returns
    (added, removed) user ids."""
    if not community.provisioned:
        raise ValidationError("This community is not managed by the company directory.")
    with transaction.atomic():
        _locked(community)
        current = dict(
            Membership.objects.filter(community=community).values_list("user_id", "state")
        )
        if exact is not None:
            wanted = set(exact)
            add = wanted
            remove = set(current) - wanted
        remove = set(remove) - set(add)
        to_create = [pk for pk in dict.fromkeys(add) if pk not in current]
        to_activate = [pk for pk in dict.fromkeys(add) if current.get(pk, State.ACTIVE) != "active"]
        to_delete = [pk for pk in remove if pk in current]
        now = timezone.now()
        Membership.objects.bulk_create(
            [
                Membership(
                    community=community,
                    user_id=pk,
                    role=Role.MEMBER,
                    state=State.ACTIVE,
                    created_at=now,
                    updated_at=now,
                )
                for pk in to_create
            ],
            ignore_conflicts=True,
        )
        if to_activate:
            Membership.objects.filter(community=community, user_id__in=to_activate).update(
                state=State.ACTIVE, updated_at=now
            )
        if to_delete:
            Membership.objects.filter(community=community, user_id__in=to_delete).delete()
        added = to_create + to_activate
        if added or to_delete:
            _recount(community)
        if added:
            events.memberships_added(community=community, user_ids=added)
        for pk in to_delete:
            events.membership_removed(community=community, user_id=pk)
    return added, to_delete


def memberships_recount_for_user(*, user_id: int) -> None:
    """Recount the communities someone is an active member of (after their account was
    deactivated or reactivated: only active accounts count)."""
    ids = Membership.objects.filter(user_id=user_id, state=State.ACTIVE).values_list(
        "community_id", flat=True
    )
    for community in Community.objects.filter(pk__in=list(ids)):
        with transaction.atomic():
            _locked(community)
            _recount(community)
