from profiles.permissions import is_hr


def can_read_reports(user) -> bool:
    """Engagement reports are for the HR group only (not administrators as such)."""
    return is_hr(user)
