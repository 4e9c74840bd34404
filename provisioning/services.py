"""The only code that writes what the directory provisions: tokens, users, groups, the log.

Every change runs in one transaction with its `ProvisioningEvent` (the token's name, what and
whom). Accounts, profiles, departments, roles and communities are written through their own
apps' services (profiles, communities), so their rules hold here too: a manager that would make
a cycle is refused, `members_count` is recounted, people hear `community.membership`.
"""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import actions as audit_actions
from audit.services import audit_record
from communities.services import (
    memberships_recount_for_user,
    provisioned_community_create,
    provisioned_community_release,
    provisioned_community_rename,
    provisioned_members_sync,
)
from profiles.models import Profile, User
from profiles.permissions import ROLES
from profiles.services import (
    account_set_active,
    department_get_or_create,
    profile_assign,
    profile_card_changed,
    role_grant,
    role_revoke,
    user_create,
)

from . import selectors
from .models import GroupKind, ProvisionedGroup, ProvisionedUser, ProvisioningEvent, ScimToken
from .protocol import ENTERPRISE_SCHEMA, GROUP, USER, ScimError, apply_patch, bad, truthy
from .resources import group_resource, user_resource

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "scim_"  # noqa: S105 - a prefix that tells a token apart, not a secret
LAST_USED_EVERY = 60  # seconds: a busy sync does not write the token's row on every request


# --- Tokens ----------------------------------------------------------------------------------


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, name: str, actor: User | None = None) -> tuple[ScimToken, str]:
    """A new token; returns it with its secret, which is stored nowhere (only its hash)."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > 80:
        raise ValidationError({"name": "Name the token (at most 80 characters)."})
    if ScimToken.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A token named “{name}” exists: choose another name."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(
                name=name, token_hash=token_hash(secret), prefix=secret[:12], created_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError({"name": f"A token named “{name}” exists."}) from exc
    logger.info("SCIM token %r created by %s", name, getattr(actor, "pk", None))
    return token, secret


def token_revoke(*, token: ScimToken) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("SCIM token %r revoked", token.name)
    return token


def token_authenticate(secret: str) -> ScimToken | None:
    """The live token with this secret, or None. Records when it was last used."""
    if not secret or len(secret) > 200:
        return None
    token = ScimToken.objects.filter(token_hash=token_hash(secret), revoked_at__isnull=True).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_EVERY:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# (SCIM action, resource type) → the audit log's name for it.
AUDIT_ACTIONS = {
    ("create", "User"): audit_actions.SCIM_USER_CREATED,
    ("replace", "User"): audit_actions.SCIM_USER_REPLACED,
    ("patch", "User"): audit_actions.SCIM_USER_PATCHED,
    ("deactivate", "User"): audit_actions.SCIM_USER_DEACTIVATED,
    ("delete", "User"): audit_actions.SCIM_USER_DELETED,
    ("create", "Group"): audit_actions.SCIM_GROUP_CREATED,
    ("replace", "Group"): audit_actions.SCIM_GROUP_REPLACED,
    ("patch", "Group"): audit_actions.SCIM_GROUP_PATCHED,
    ("delete", "Group"): audit_actions.SCIM_GROUP_DELETED,
}


def audit_actor(token: ScimToken) -> str:
    """How the audit log names a token that acted (it is no account)."""
    return f"scim:{token.name}"


def _record(
    token: ScimToken, action: str, kind: str, resource_id, summary: str, *, target, audited=""
) -> None:
    """The provisioning log's event and the audit log's entry for one SCIM write. `audited`:
    the audit name when it says more than the SCIM method (a PATCH that deactivates)."""
    ProvisioningEvent.objects.create(
        token_name=token.name,
        action=action,
        resource_type=kind,
        resource_id=str(resource_id),
        summary=summary[:2000],
    )
    audit_record(
        action=AUDIT_ACTIONS[(audited or action, kind)],
        actor_label=audit_actor(token),
        target=target,
        detail={"token": token.name, "scim_id": str(resource_id), "summary": summary[:500]},
    )


# --- Users -----------------------------------------------------------------------------------


@dataclass
class UserInput:
    user_name: str
    external_id: str
    given_name: str
    family_name: str
    display_name: str
    title: str
    active: bool | None  # None: not given (a PUT without it keeps the account as it is)
    email: str
    department: str
    employee_number: str
    manager_id: str


def _text(value: Any, field: str, limit: int, *, truncate: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise bad(f"{field} must be a string.")
    value = " ".join(str(value).split())
    if len(value) > limit:
        if not truncate:
            raise bad(f"{field} is at most {limit} characters.")
        value = value[:limit]
    return value


def _email_of(document: dict, user_name: str) -> str:
    emails = document.get("emails")
    if emails is None or emails == []:
        candidates = []
    elif isinstance(emails, list) and all(isinstance(e, dict) for e in emails):
        candidates = emails
    else:
        raise bad("emails is a list of objects.")
    chosen = None
    for rule in (
        lambda e: e.get("primary") in (True, "true", "True"),
        lambda e: str(e.get("type", "")).lower() == "work",
        lambda e: True,
    ):
        chosen = next((e for e in candidates if rule(e) and e.get("value")), None)
        if chosen is not None:
            break
    value = chosen.get("value") if chosen else (user_name if "@" in user_name else "")
    value = _text(value, "emails.value", 254).lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise bad(f"{value!r} is not an email address.") from None
    return value


def user_input(document: Any, *, creating: bool) -> UserInput:
    """What a User document says, checked. `document` may come straight from a request."""
    document = USER.canonical(document)
    user_name = document.get("userName")
    if not isinstance(user_name, str) or not user_name.strip():
        raise bad("userName is required.", "invalidValue")
    user_name = _text(user_name, "userName", 255)
    name = document.get("name") or {}
    if not isinstance(name, dict):
        raise bad("name is an object.")
    enterprise = document.get(ENTERPRISE_SCHEMA) or {}
    manager = enterprise.get("manager")
    if isinstance(manager, dict):
        manager = manager.get("value")
    elif manager is not None and not isinstance(manager, str):
        raise bad("manager is an object with a value.")
    active = document.get("active", True if creating else None)
    given = _text(name.get("givenName"), "name.givenName", 150, truncate=True)
    family = _text(name.get("familyName"), "name.familyName", 150, truncate=True)
    display = _text(document.get("displayName"), "displayName", 100, truncate=True)
    if not display:
        display = _text(name.get("formatted"), "name.formatted", 100, truncate=True)
    return UserInput(
        user_name=user_name,
        external_id=_text(document.get("externalId"), "externalId", 255),
        given_name=given,
        family_name=family,
        display_name=display or " ".join(p for p in (given, family) if p) or user_name[:100],
        title=_text(document.get("title"), "title", 120, truncate=True),
        active=truthy(active, "active") if active is not None else True,
        email=_email_of(document, user_name),
        department=_text(enterprise.get("department"), "department", 100, truncate=True),
        employee_number=_text(enterprise.get("employeeNumber"), "employeeNumber", 64),
        manager_id=_text(manager, "manager.value", 64),
    )


def _username_for(user_name: str) -> str:
    """A username for the account: the part before @ of an email address, in the letters
    mentions and addresses here take; made unique with -2, -3 …"""
    base = user_name.split("@", 1)[0] if "@" in user_name else user_name
    base = re.sub(r"[^a-z0-9_.+-]+", "-", base.lower()).strip(".-")[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_user_name_free(user_name: str, *, record: ProvisionedUser | None) -> None:
    taken = ProvisionedUser.objects.filter(
        user_name__iexact=user_name, deleted_at__isnull=True
    ).exclude(pk=getattr(record, "pk", None))
    if taken.exists():
        raise ScimError(409, f"userName {user_name!r} is taken.", "uniqueness")


def _check_email_free(email: str, *, user: User | None) -> None:
    if not email:
        return
    others = User.objects.filter(email__iexact=email)
    addresses = EmailAddress.objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
        addresses = addresses.exclude(user_id=user.pk)
    if others.exists() or addresses.exists():
        raise ScimError(409, f"The email address {email} belongs to another account.", "uniqueness")


def _manager_profile(data: UserInput, *, record: ProvisionedUser | None) -> Profile | None:
    if not data.manager_id:
        return None
    manager_record = selectors.manager_record(data.manager_id)
    if record is not None and manager_record.pk == record.pk:
        raise bad("Nobody is their own manager.")
    return Profile.objects.get(user_id=manager_record.user_id)


def _email_set(user: User, email: str) -> None:
    if (user.email or "").lower() == email:
        return
    _check_email_free(email, user=user)
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    if email:
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )


def _apply_user(record: ProvisionedUser, data: UserInput, *, manager: Profile | None) -> list[str]:
    """Write the document's values onto the account, profile and record. Returns what
    changed, for the log."""
    user = record.user
    profile = user.profile
    changed = []
    for field in ("user_name", "external_id", "given_name", "family_name", "employee_number"):
        if getattr(record, field) != getattr(data, field):
            setattr(record, field, getattr(data, field))
            changed.append(field)
    if (user.first_name, user.last_name) != (data.given_name, data.family_name):
        user.first_name, user.last_name = data.given_name, data.family_name
        user.save(update_fields=["first_name", "last_name"])
    if (user.email or "") != data.email:
        _email_set(user, data.email)
        changed.append("email")
    fields = []
    if profile.display_name != data.display_name:
        profile.display_name = data.display_name
        fields.append("display_name")
    if profile.title != data.title:
        profile.title = data.title
        fields.append("title")
    if fields:
        profile.save(update_fields=[*fields, "updated_at"])
        profile_card_changed(user_ids=[user.pk])
        changed += fields
    department = department_get_or_create(name=data.department) if data.department else None
    if profile.department_id != getattr(department, "pk", None) or profile.manager_id != getattr(
        manager, "pk", None
    ):
        try:
            profile_assign(profile=profile, department=department, manager=manager, actor=None)
        except ValidationError as exc:
            raise bad("; ".join(exc.messages)) from exc
        changed.append("department/manager")
    if data.active is not None and user.is_active != data.active:
        account_set_active(user=user, active=data.active)
        memberships_recount_for_user(user_id=user.pk)
        changed.append("active" if data.active else "deactivated")
    record.updated_at = timezone.now()
    record.save()
    return changed


def scim_user_create(*, token: ScimToken, document: Any) -> ProvisionedUser:
    """A new account from the directory, or an existing one taken over: an account with the
    same email address and no directory record (made by hand or by single sign-on before
    provisioning was set up), or one the directory deleted before (same userName)."""
    data = user_input(document, creating=True)
    _check_user_name_free(data.user_name, record=None)
    with transaction.atomic():
        manager = _manager_profile(data, record=None)
        record = (
            ProvisionedUser.objects.filter(
                user_name__iexact=data.user_name, deleted_at__isnull=False
            )
            .select_related("user__profile")
            .first()
        )
        adopted = None
        if record is None and data.email:
            adopted = (
                User.objects.filter(email__iexact=data.email)
                .select_related("profile", "scim_record")
                .first()
            )
            if adopted is not None:
                existing = getattr(adopted, "scim_record", None)
                if existing is not None and existing.deleted_at is None:
                    raise ScimError(
                        409,
                        f"The email address {data.email} belongs to user {existing.scim_id}.",
                        "uniqueness",
                    )
                record = existing
        if record is not None:
            record.deleted_at = None
            how = "revived"
        elif adopted is not None:
            record = ProvisionedUser(user=adopted, user_name=data.user_name)
            how = "linked to an existing account"
        else:
            _check_email_free(data.email, user=None)
            try:
                with transaction.atomic():
                    user = user_create(
                        username=_username_for(data.user_name),
                        email=data.email,
                        display_name=data.display_name,
                        title=data.title,
                    )
            except ValidationError as exc:
                raise bad("; ".join(exc.messages)) from exc
            record = ProvisionedUser(user=user, user_name=data.user_name)
            how = "created"
        try:
            with transaction.atomic():
                record.save()
                _apply_user(record, data, manager=manager)
        except IntegrityError as exc:
            raise ScimError(409, "userName or email is taken.", "uniqueness") from exc
        _record(
            token, "create", "User", record.scim_id, f"{data.user_name}: {how}", target=record.user
        )
    return record


def scim_user_replace(
    *, token: ScimToken, record: ProvisionedUser, document: Any
) -> ProvisionedUser:
    data = user_input(document, creating=False)
    return _user_update(token=token, record=record, data=data, action="replace")


def scim_user_patch(
    *, token: ScimToken, record: ProvisionedUser, operations: list[dict]
) -> ProvisionedUser:
    current = user_resource(record)
    current.pop("meta", None)
    patched = apply_patch(USER, current, operations)
    data = user_input(patched, creating=False)
    return _user_update(token=token, record=record, data=data, action="patch")


def _user_update(*, token: ScimToken, record: ProvisionedUser, data: UserInput, action: str):
    _check_user_name_free(data.user_name, record=record)
    with transaction.atomic():
        manager = _manager_profile(data, record=record)
        try:
            with transaction.atomic():
                changed = _apply_user(record, data, manager=manager)
        except IntegrityError as exc:
            raise ScimError(409, "userName or email is taken.", "uniqueness") from exc
        _record(
            token,
            action,
            "User",
            record.scim_id,
            f"{record.user_name}: {', '.join(changed) or 'no change'}",
            target=record.user,
            audited="deactivate" if "deactivated" in changed else "",
        )
    return record


def scim_user_delete(*, token: ScimToken, record: ProvisionedUser) -> None:
    """The directory deleted the user: the account is deactivated (sessions end, sockets
    close), the profile stays as a former employee, the record answers 404 from now on."""
    with transaction.atomic():
        record.deleted_at = timezone.now()
        record.updated_at = record.deleted_at
        record.save(update_fields=["deleted_at", "updated_at"])
        account_set_active(user=record.user, active=False)
        memberships_recount_for_user(user_id=record.user_id)
        _record(
            token,
            "delete",
            "User",
            record.scim_id,
            f"{record.user_name}: deactivated",
            target=record.user,
        )


# --- Groups ----------------------------------------------------------------------------------


@dataclass
class GroupInput:
    display_name: str
    external_id: str
    member_ids: list[int] | None  # None: not given (PATCH of other attributes)


def group_input(document: Any) -> GroupInput:
    document = GROUP.canonical(document)
    name = document.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise bad("displayName is required.")
    name = _text(name, "displayName", 80)
    members = document.get("members")
    ids = None
    if members is not None:
        if not isinstance(members, list) or not all(
            isinstance(m, dict) and m.get("value") is not None for m in members
        ):
            raise bad("members is a list of objects with a value.")
        records = selectors.user_records_by_ids([m["value"] for m in members])
        ids = sorted({r.user_id for r in records.values()})
    return GroupInput(
        display_name=name,
        external_id=_text(document.get("externalId"), "externalId", 255),
        member_ids=ids,
    )


def _role_for(display_name: str) -> str | None:
    for directory_name, role in settings.SCIM_ROLE_GROUPS.items():
        if directory_name.lower() == display_name.lower():
            return role
    return None


def _check_group_name_free(name: str, *, group: ProvisionedGroup | None) -> None:
    taken = ProvisionedGroup.objects.filter(display_name__iexact=name).exclude(
        pk=getattr(group, "pk", None)
    )
    if taken.exists():
        raise ScimError(409, f"A group named {name!r} exists.", "uniqueness")


def _members_set(
    group: ProvisionedGroup, *, add: set[int], remove: set[int], token: ScimToken
) -> None:
    if group.kind == GroupKind.COMMUNITY:
        provisioned_members_sync(community=group.community, add=add, remove=remove)
        return
    role = group.role.name
    for user in User.objects.filter(pk__in=add):
        role_grant(actor=None, user=user, role=role, actor_label=audit_actor(token))
    for user in User.objects.filter(pk__in=remove):
        role_revoke(actor=None, user=user, role=role, actor_label=audit_actor(token))


def scim_group_create(*, token: ScimToken, document: Any) -> ProvisionedGroup:
    data = group_input(document)
    _check_group_name_free(data.display_name, group=None)
    role = _role_for(data.display_name)
    with transaction.atomic():
        if role is not None:
            if role not in ROLES:
                raise bad(f"SCIM_ROLE_GROUPS names {role!r}, which is not a role here.")
            group = ProvisionedGroup(kind=GroupKind.ROLE, role=_role_group(role))
        else:
            try:
                community = provisioned_community_create(name=data.display_name)
            except ValidationError as exc:
                raise bad("; ".join(exc.messages)) from exc
            group = ProvisionedGroup(kind=GroupKind.COMMUNITY, community=community)
        group.display_name = data.display_name
        group.external_id = data.external_id
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError as exc:
            raise ScimError(
                409, f"A group named {data.display_name!r} exists.", "uniqueness"
            ) from exc
        if data.member_ids:
            _members_set(group, add=set(data.member_ids), remove=set(), token=token)
        kind = f"role {role}" if role else f"community {group.community.slug}"
        _record(
            token,
            "create",
            "Group",
            group.scim_id,
            f"{data.display_name} ({kind}), {len(data.member_ids or [])} members",
            target=group,
        )
    return group


def _role_group(role: str):
    group_model = User.groups.field.related_model
    group = group_model.objects.filter(name=role).first()
    if group is None:
        raise bad(f"The role {role!r} does not exist here.")
    return group


def scim_group_replace(
    *, token: ScimToken, group: ProvisionedGroup, document: Any
) -> ProvisionedGroup:
    data = group_input(document)
    if data.member_ids is None:
        data.member_ids = []  # PUT replaces: no members listed is no members
    return _group_update(token=token, group=group, data=data, action="replace")


def scim_group_patch(
    *, token: ScimToken, group: ProvisionedGroup, operations: list[dict]
) -> ProvisionedGroup:
    members, _ = selectors.group_members_many([group])[group.pk]
    current = group_resource(group, members)
    current.pop("meta", None)
    patched = apply_patch(GROUP, current, operations)
    data = group_input(patched)
    if data.member_ids is None:
        data.member_ids = []
    return _group_update(token=token, group=group, data=data, action="patch")


def _group_update(*, token: ScimToken, group: ProvisionedGroup, data: GroupInput, action: str):
    _check_group_name_free(data.display_name, group=group)
    with transaction.atomic():
        changed = []
        if group.display_name != data.display_name:
            if group.kind == GroupKind.COMMUNITY:
                try:
                    provisioned_community_rename(community=group.community, name=data.display_name)
                except ValidationError as exc:
                    raise bad("; ".join(exc.messages)) from exc
            group.display_name = data.display_name
            changed.append("displayName")
        if group.external_id != data.external_id:
            group.external_id = data.external_id
            changed.append("externalId")
        before = selectors.group_member_user_ids(group)
        after = set(data.member_ids or [])
        added, removed = after - before, before - after
        if added or removed:
            _members_set(group, add=added, remove=removed, token=token)
            changed.append(f"+{len(added)} -{len(removed)} members")
        group.updated_at = timezone.now()
        try:
            with transaction.atomic():
                group.save()
        except IntegrityError as exc:
            raise ScimError(
                409, f"A group named {data.display_name!r} exists.", "uniqueness"
            ) from exc
        _record(
            token,
            action,
            "Group",
            group.scim_id,
            f"{group.display_name}: {', '.join(changed) or 'no change'}",
            target=group,
        )
    return group


def scim_group_delete(*, token: ScimToken, group: ProvisionedGroup) -> None:
    """A role group: the directory's members lose the role. A community: it stays, with its
    posts and members, no longer managed by the directory."""
    with transaction.atomic():
        members = selectors.group_member_user_ids(group)
        if group.kind == GroupKind.ROLE:
            _members_set(group, add=set(), remove=members, token=token)
            what = f"role {group.role.name} revoked from {len(members)}"
        else:
            provisioned_community_release(community=group.community)
            what = f"community {group.community.slug} released"
        _record(
            token,
            "delete",
            "Group",
            group.scim_id,
            f"{group.display_name}: {what}",
            target=group,
        )
        group.delete()
