"""Reads for the SCIM endpoints: records with what their documents need, filters as queries."""

import uuid

from django.db.models import Q, QuerySet
from scim2_models.path.expressions import Comparison, LogicalExpr, Not, Present, ValuePath

from communities.models import Membership, State

from .models import GroupKind, ProvisionedGroup, ProvisionedUser
from .protocol import ENTERPRISE_SCHEMA, ScimError, bad, matches


def users() -> QuerySet[ProvisionedUser]:
    return (
        ProvisionedUser.objects.filter(deleted_at__isnull=True)
        .select_related(
            "user__profile__department",
            "user__profile__manager__user__scim_record",
        )
        .order_by("pk")
    )


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def user_get(scim_id: str) -> ProvisionedUser:
    pk = _uuid(scim_id)
    record = users().filter(scim_id=pk).first() if pk else None
    if record is None:
        raise ScimError(404, f"No user {scim_id}.")
    return record


def user_records_by_ids(values: list) -> dict[str, ProvisionedUser]:
    """Live records by SCIM id (as strings, lower-case); an unknown id is a 400."""
    wanted = {}
    for value in values:
        pk = _uuid(value)
        if pk is None:
            raise bad(f"{value!r} is not the id of a user here.")
        wanted[str(pk)] = pk
    found = {
        str(r.scim_id): r
        for r in ProvisionedUser.objects.filter(
            scim_id__in=list(wanted.values()), deleted_at__isnull=True
        ).select_related("user")
    }
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise bad(f"No user with id {missing[0]}.")
    return found


def manager_record(value: str) -> ProvisionedUser:
    """The manager a directory names: by our id (Entra ID sends it), else by the userName,
    externalId or employeeNumber the directory gave them (Okta's `managerId` is whatever the
    company keeps there, often the manager's login)."""
    pk = _uuid(value)
    live = ProvisionedUser.objects.filter(deleted_at__isnull=True)
    record = live.filter(scim_id=pk).first() if pk else None
    for lookup in ("user_name__iexact", "external_id", "employee_number"):
        if record is None and value:
            record = live.filter(**{lookup: value}).order_by("pk").first()
    if record is None:
        raise bad(f"No user {value!r} to be the manager.")
    return record


# --- User filters as queries -----------------------------------------------------------------

_NOTHING = Q(pk__in=[])


def _string(node) -> str:
    if not isinstance(node.value, str):
        raise bad(f"{node.attr_path} is compared with a string.", "invalidFilter")
    return node.value


def user_filter_q(node) -> Q:
    """The query for a filter on users. Supported: `userName`, `externalId`, `id`,
    `displayName`, `emails.value` (or `emails[type eq "work"].value`) with eq, ne, co, sw, ew;
    `active` with eq; `pr`; and, or, not. Anything else is 400 invalidFilter."""
    if isinstance(node, LogicalExpr):
        queries = [user_filter_q(term) for term in node.terms]
        result = queries[0]
        for query in queries[1:]:
            result = result & query if node.op == "and" else result | query
        return result
    if isinstance(node, Not):
        return ~user_filter_q(node.expr)
    if isinstance(node, ValuePath):
        # emails[type eq "work" and value eq "…"] or emails[type eq "work"].value eq "…" (the
        # parser folds the second into the first).
        if node.attr_path.attr.lower() != "emails":
            raise bad("Only emails take a value filter here.", "invalidFilter")
        return _email_filter_q(node.val_filter)
    attr = node.attr_path.attr.lower()
    sub = (node.attr_path.sub_attr or "").lower()
    uri = (node.attr_path.uri or "").lower()
    if uri and uri not in ("urn:ietf:params:scim:schemas:core:2.0:user", ENTERPRISE_SCHEMA.lower()):
        raise bad(f"Unknown schema {node.attr_path.uri}.", "invalidFilter")
    fields = {
        ("username", ""): "user_name",
        ("externalid", ""): "external_id",
        ("displayname", ""): "user__profile__display_name",
        ("emails", "value"): "user__email",
        ("emails", ""): "user__email",
        ("name", "givenname"): "given_name",
        ("name", "familyname"): "family_name",
        ("title", ""): "user__profile__title",
        ("employeenumber", ""): "employee_number",
        ("department", ""): "user__profile__department__name",
    }
    if isinstance(node, Present):
        if (attr, sub) in fields:
            field = fields[(attr, sub)]
            return ~Q(**{field: ""}) & Q(**{f"{field}__isnull": False})
        raise bad(f"{node.attr_path} cannot be filtered on.", "invalidFilter")
    if not isinstance(node, Comparison):
        raise bad("This filter is not supported.", "invalidFilter")
    if (attr, sub) == ("id", ""):
        if node.op not in ("eq", "ne"):
            raise bad("id is compared with eq or ne.", "invalidFilter")
        pk = _uuid(_string(node))
        query = Q(scim_id=pk) if pk else _NOTHING
        return query if node.op == "eq" else ~query
    if (attr, sub) == ("active", ""):
        if node.op != "eq" or not isinstance(node.value, bool):
            raise bad("active is compared with eq true or eq false.", "invalidFilter")
        return Q(user__is_active=node.value)
    if (attr, sub) not in fields:
        raise bad(f"{node.attr_path} cannot be filtered on.", "invalidFilter")
    return _text_q(fields[(attr, sub)], node)


def _text_q(field: str, node) -> Q:
    value = _string(node)
    lookups = {
        "eq": "iexact",
        "ne": "iexact",
        "co": "icontains",
        "sw": "istartswith",
        "ew": "iendswith",
    }
    if node.op not in lookups:
        raise bad(f"{node.op} is not supported on {node.attr_path}.", "invalidFilter")
    query = Q(**{f"{field}__{lookups[node.op]}": value})
    return ~query if node.op == "ne" else query


def _email_filter_q(node) -> Q:
    if isinstance(node, LogicalExpr):
        queries = [_email_filter_q(term) for term in node.terms]
        result = queries[0]
        for query in queries[1:]:
            result = result & query if node.op == "and" else result | query
        return result
    if isinstance(node, Comparison) and node.attr_path.attr.lower() == "type":
        # The one email kept is the work email.
        if node.op == "eq" and isinstance(node.value, str):
            return Q() if node.value.lower() == "work" else _NOTHING
        raise bad("An email's type is compared with eq.", "invalidFilter")
    if isinstance(node, Comparison) and node.attr_path.attr.lower() == "value":
        return _text_q("user__email", node)
    if isinstance(node, Comparison) and node.attr_path.attr.lower() == "primary":
        return Q() if node.value is True else _NOTHING
    raise bad("Emails are filtered by type and value.", "invalidFilter")


# --- Groups ----------------------------------------------------------------------------------


def groups() -> QuerySet[ProvisionedGroup]:
    return ProvisionedGroup.objects.select_related("community", "role").order_by("pk")


def group_get(scim_id: str) -> ProvisionedGroup:
    pk = _uuid(scim_id)
    group = groups().filter(scim_id=pk).first() if pk else None
    if group is None:
        raise ScimError(404, f"No group {scim_id}.")
    return group


def group_member_user_ids(group: ProvisionedGroup) -> set[int]:
    """Accounts of the directory's users in the group (people an admin put in a role or a
    community by hand are not the directory's to list)."""
    return group_members_many([group])[group.pk][1]


def group_members_many(
    groups_: list[ProvisionedGroup],
) -> dict[int, tuple[list[tuple[str, str]], set[int]]]:
    """For each group: its members as (SCIM id, display name) and their user ids. Three
    queries whatever the number of groups."""
    community_ids = {g.community_id: g.pk for g in groups_ if g.kind == GroupKind.COMMUNITY}
    role_ids = {g.role_id: g.pk for g in groups_ if g.kind == GroupKind.ROLE}
    by_group: dict[int, list[int]] = {g.pk: [] for g in groups_}
    for community_id, user_id in Membership.objects.filter(
        community_id__in=list(community_ids), state=State.ACTIVE
    ).values_list("community_id", "user_id"):
        by_group[community_ids[community_id]].append(user_id)
    if role_ids:
        through = ProvisionedUser.user.field.related_model.groups.through
        for group_id, user_id in through.objects.filter(group_id__in=list(role_ids)).values_list(
            "group_id", "user_id"
        ):
            by_group[role_ids[group_id]].append(user_id)
    all_ids = {pk for ids in by_group.values() for pk in ids}
    records = {
        user_id: (str(scim_id), display)
        for user_id, scim_id, display in ProvisionedUser.objects.filter(
            user_id__in=all_ids, deleted_at__isnull=True
        ).values_list("user_id", "scim_id", "user__profile__display_name")
    }
    result = {}
    for group_pk, ids in by_group.items():
        present = sorted((pk for pk in ids if pk in records), key=lambda pk: records[pk][0])
        result[group_pk] = ([records[pk] for pk in present], set(present))
    return result


def group_matches(node, document: dict) -> bool:
    return matches(node, document)
