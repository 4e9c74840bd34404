"""Work the job runner does for communities."""

from datetime import time

from core.jobs import periodic
from profiles.models import Department, User

from . import services
from .models import Community


def department_members_add(*, community_id: int, department_id: int, actor_id: int) -> int:
    """Add a large department (enqueued by services.department_add). Idempotent; re-reads."""
    community = Community.objects.filter(pk=community_id).first()
    department = Department.objects.filter(pk=department_id).first()
    actor = User.objects.filter(pk=actor_id).first()
    if community is None or department is None or actor is None:
        return 0
    return services.department_members_add(community=community, department=department, actor=actor)


@periodic(daily_at=time(3, 41))
def members_recount() -> None:
    """Daily: a deactivated account leaves every community's `members_count` (the count is kept
    exact on every membership change; deactivation happens elsewhere, by an admin or SCIM)."""
    services.memberships_recount_all()
