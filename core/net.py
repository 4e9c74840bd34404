"""Requests the server makes on someone's behalf (webhooks) must not reach the company network.

`public_url_check` refuses a URL unless it is `https` and every address its host resolves to is
public: not private, loopback, link-local, multicast, reserved or unspecified, IPv4-mapped IPv6
included (`::ffff:127.0.0.1` is loopback). A host named in `allow_hosts` (the
`WEBHOOK_ALLOW_HOSTS` setting, for tests only) skips both checks. Check when a URL is saved and
again, on the addresses actually used, when the request is made: DNS may answer differently the
second time (rebinding), so `public_addresses` returns the addresses to connect to.
"""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

MAX_URL = 2000


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None and _refused(mapped):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _split(url: str) -> tuple[str, str, int]:
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise ValidationError(f"Give a URL of at most {MAX_URL} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("This is not a valid URL.") from None
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError("Give an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("A URL with a user name or password is not accepted.")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    return host in {h.strip().rstrip(".").lower() for h in allow_hosts if h.strip()}


def public_addresses(url: str, *, allow_hosts: Iterable[str]) -> list[str]:
    """The addresses to connect to for `url`, all of them public (or the host is allowed).
    Raises ValidationError, with a message fit for the person who typed the URL."""
    scheme, host, port = _split(url)
    is_allowed = allowed(host, allow_hosts)
    if scheme != "https" and not is_allowed:
        raise ValidationError("Give an https:// URL.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(f"The host “{host}” cannot be resolved.") from None
    addresses = []
    for info in infos:
        try:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        except ValueError:
            raise ValidationError(f"The host “{host}” resolves to an unusable address.") from None
        if not is_allowed and _refused(address):
            raise ValidationError(
                f"The host “{host}” resolves to a non-public address ({address}): "
                "requests into the company network are not allowed."
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise ValidationError(f"The host “{host}” cannot be resolved.")
    return addresses


def public_url_check(url: str, *, allow_hosts: Iterable[str]) -> None:
    """Raise ValidationError unless `url` is https and resolves to public addresses only."""
    public_addresses(url, allow_hosts=allow_hosts)
