from activity.services import visit_record


class DailyVisitMiddleware:
    """Records the first authenticated request of the day (API token clients are counted by
    `core.api.SessionTokenAuthentication`, which authenticates later)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            visit_record(user=user)
        return self.get_response(request)
