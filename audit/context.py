"""Where the current request came from, for entries recorded deep inside services that never
see the request (a moderation service called by a view, a SCIM write, a login signal)."""

from contextvars import ContextVar
from dataclasses import dataclass

from core.ratelimit import client_ip


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def origin_of(request) -> Origin:
    address = client_ip(request)
    return Origin(
        ip=None if address == "unknown" else address,
        user_agent=(request.headers.get("User-Agent") or "")[:300],
    )


def current_origin() -> Origin | None:
    return _origin.get()


class AuditOriginMiddleware:
    """Remembers the request's address and user agent for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
