"""One POST to a subscriber, to an address checked just before connecting.

The host is resolved and every address checked (core.net) right before the request, and the
connection goes to the checked address (TLS still verifies the certificate for the host's
name): a name that resolved to a public address when it was subscribed and to an internal one
now (DNS rebinding) is refused. Redirects are not followed.
"""

import http.client
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from core.net import public_addresses

USER_AGENT = "EnterpriseSocial-Webhooks/1"
READ_AT_MOST = 1024


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str], allow_hosts, timeout: float) -> Outcome:
    """POST `body`; a 2xx answer is a success, anything else (or no answer) a failure."""
    try:
        addresses = public_addresses(url, allow_hosts=allow_hosts)
    except ValidationError as exc:
        return Outcome(ok=False, error="Refused: " + " ".join(exc.messages))
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, port, address=addresses[0], timeout=timeout)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        response = connection.getresponse()
        response.read(READ_AT_MOST)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(ok=False, error=f"{exc.__class__.__name__}: {exc}"[:500])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Outcome(ok=True, status_code=response.status)
    return Outcome(ok=False, status_code=response.status, error=f"HTTP {response.status}")
