"""Where the current request came from, for entries recorded deep inside services that never
see the request (a moderation service called by a view, a SCIM write, a login signal)."""

from contextvars import ContextVar
from dataclasses import dataclass, replace

from core.ratelimit import client_ip


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str
    # The credential the request came with when it is not a person's session: "app token
    # esapp_abc123 (name)". Recorded in the entry's detail.
    credential: str = ""


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def origin_of(request) -> Origin:
    address = client_ip(request)
    return Origin(
        ip=None if address == "unknown" else address,
        user_agent=(request.headers.get("User-Agent") or "")[:300],
    )


def current_origin() -> Origin | None:
    return _origin.get()


def credential_note(label: str) -> None:
    """Say which credential the current request authenticated with (an app token): entries
    recorded for the rest of the request name it. Outside a request this does nothing."""
    origin = _origin.get()
    if origin is not None:
        _origin.set(replace(origin, credential=label[:200]))


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
