"""What exec_blog adds to a profile page (profiles' `profile_page_context`, connected in
apps.py): who writes for an executive, and whom a delegate writes for. Shown to everyone, as
the bylines are: delegation is done in the open. The executive also gets the form to name and
remove delegates there."""

from .delegates import delegates_of, executives_served_by
from .permissions import can_have_delegates


def profile_delegates_context(*, viewer, profile) -> dict:
    user = profile.user
    is_self = viewer.pk == user.pk
    manages = is_self and can_have_delegates(viewer)
    delegations = list(delegates_of(executive=user))
    served = list(executives_served_by(user=user))
    if not (manages or delegations or served):
        return {}
    return {
        "side_cards": [
            {
                "template": "exec_blog/_delegates_card.html",
                "person": user,
                "delegations": delegations,
                "served": served,
                "manages": manages,
            }
        ]
    }
