"""Reads of retention policies and legal holds."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from audit import actions
from audit.services import audit_entries
from communities.models import Community
from communities.permissions import visible_q
from feeds.models import Status
from profiles.models import User

from .models import COMMUNITY_KINDS, ContentKind, LegalHold, RetentionPolicy
from .permissions import can_set_retention


@dataclass
class PolicyInForce:
    """What is kept for how long: `company` maps every kind to days (None: kept), and
    `communities` each community with its own policy to {kind: days} for the kinds it sets."""

    company: dict[str, int | None]
    communities: list[tuple[Community, dict[str, int]]] = field(default_factory=list)
    updated_at: object = None
    updated_by: str | None = None


def policy_in_force(*, user: User | None = None) -> PolicyInForce:
    """The whole policy; for `user` (not Compliance or an admin) without the communities they
    may not know of (a secret community's own policy would reveal that it exists)."""
    rows = list(
        RetentionPolicy.objects.select_related("community", "updated_by").order_by(
            "community__slug", "kind"
        )
    )
    company: dict[str, int | None] = {kind.value: None for kind in ContentKind}
    by_community: dict[int, tuple[Community, dict[str, int]]] = {}
    for row in rows:
        if row.community_id is None:
            company[row.kind] = row.days
        else:
            by_community.setdefault(row.community_id, (row.community, {}))[1][row.kind] = row.days
    if user is not None and not can_set_retention(user) and by_community:
        seen = set(
            Community.objects.filter(visible_q(user.pk), pk__in=by_community).values_list(
                "pk", flat=True
            )
        )
        by_community = {pk: v for pk, v in by_community.items() if pk in seen}
    latest = max(rows, key=lambda r: r.updated_at, default=None)
    return PolicyInForce(
        company=company,
        communities=list(by_community.values()),
        updated_at=latest.updated_at if latest else None,
        updated_by=latest.updated_by.username if latest and latest.updated_by else None,
    )


def policy_payload(policy: PolicyInForce) -> dict:
    """The API's shape of a policy, the same that `PUT` takes."""
    return {
        "company": dict(policy.company),
        "communities": {
            community.slug: {kind.value: days.get(kind.value) for kind in COMMUNITY_KINDS}
            for community, days in policy.communities
        },
        "updated_at": policy.updated_at,
        "updated_by": policy.updated_by,
    }


def last_run() -> dict | None:
    """When retention last ran and what it removed (its audit entry)."""
    entry = audit_entries().filter(action=actions.RETENTION_RUN).order_by("-at", "-id").first()
    if entry is None:
        return None
    return {"at": entry.at, "counts": entry.detail.get("counts", {})}


# --- Legal holds ---------------------------------------------------------------------------


def holds_list() -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.select_related("placed_by", "released_by")
        .prefetch_related("custodians", "communities")
        .order_by("-id")
    )


def hold_get(*, hold_id: int) -> LegalHold:
    hold = holds_list().filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such hold.")
    return hold


def held_user_ids() -> set[int]:
    return set(
        LegalHold.custodians.through.objects.filter(legalhold__released_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def held_community_ids() -> set[int]:
    return set(
        LegalHold.communities.through.objects.filter(legalhold__released_at__isnull=True)
        .values_list("community_id", flat=True)
        .distinct()
    )


def held_q(*, author_field: str, community_field: str | None) -> Q:
    """Content under an active hold: by a custodian, or in a held community."""
    held = Q(**{f"{author_field}__in": held_user_ids()})
    if community_field is not None:
        held |= Q(**{f"{community_field}__in": held_community_ids()})
    return held


def status_is_held(*, status: Status) -> bool:
    holds = LegalHold.objects.active()
    condition = Q(custodians=status.author_id)
    if status.community_id is not None:
        condition |= Q(communities=status.community_id)
    return holds.filter(condition).exists()
