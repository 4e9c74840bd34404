"""Outgoing requests to URLs people give us (push endpoints, webhooks): public addresses only.

A person must not be able to make the server POST into the company network (SSRF). A URL is
accepted when it is `https`, has no credentials, and every address its host resolves to is a
public unicast address: not private, loopback, link-local, multicast, reserved or unspecified,
IPv4-mapped IPv6 (`::ffff:10.0.0.1`) and 6to4/NAT64 forms judged by the IPv4 address inside.
`WEBHOOK_ALLOW_HOSTS` (comma-separated host names) lets a host through, over https or plain
http, for tests only (a receiver on loopback).

Checking when a URL is saved is not enough: its name may resolve elsewhere later (DNS
rebinding). `PublicOnlyAdapter` checks the address each connection actually reached, after
the TCP handshake and before a byte of the request is sent (web push, through requests);
`public_addresses` returns the checked addresses for a caller that connects to one of them
itself (webhooks.transport pins the connection to it).
"""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager


class UnsafeURL(ValueError):
    """The URL may not be requested by the server; the message says why."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in getattr(settings, "WEBHOOK_ALLOW_HOSTS", []) if host}


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: Address | str) -> bool:
    address = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            return is_public_address(inner)
    return (
        not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or getattr(address, "is_site_local", False)
        )
        and address.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host {host!r} does not resolve.") from exc
    return sorted({info[4][0].split("%")[0] for info in infos})


def check_public_url(url: str, *, resolve_host: bool = True) -> str:
    """Return `url` if the server may send to it; raise UnsafeURL saying why not."""
    if not isinstance(url, str) or len(url) > 2000:
        raise UnsafeURL("Give an https URL of at most 2000 characters.")
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme in ("http", "https") and host and host in allowed_hosts():
        return url
    if parts.scheme != "https":
        raise UnsafeURL("The URL must use https.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not carry credentials.")
    if not host:
        raise UnsafeURL("The URL has no host.")
    try:
        port = parts.port or 443
    except ValueError as exc:
        raise UnsafeURL("The URL's port is not a number.") from exc
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeURL(f"The host {host!r} is not a public address.")
    if not resolve_host:
        return url
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        addresses = resolve(host, port)
    else:
        addresses = [str(literal)]
    for address in addresses:
        if not is_public_address(address):
            raise UnsafeURL(f"The host {host!r} resolves to a non-public address.")
    return url


def _check_peer(connection) -> None:
    if connection.host.lower() in allowed_hosts():
        return
    peer = connection.sock.getpeername()[0].split("%")[0]
    if not is_public_address(peer):
        connection.close()
        raise UnsafeURL(f"{connection.host!r} now resolves to a non-public address.")


class _PublicHTTPSConnection(HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self)


class _AllowedHTTPConnection(HTTPConnection):
    """Plain http only to a host of WEBHOOK_ALLOW_HOSTS (a test receiver)."""

    def connect(self):
        if self.host.lower() not in allowed_hosts():
            raise UnsafeURL("The URL must use https.")
        super().connect()


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _AllowedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _AllowedHTTPConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter that refuses a connection whose peer is not public, checked on the
    connected socket (so a DNS answer changed since the URL was accepted cannot reach the
    company network). Plain http reaches only the hosts of WEBHOOK_ALLOW_HOSTS."""

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self.poolmanager = PoolManager(
            num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs
        )
        self.poolmanager.pool_classes_by_scheme = {
            "https": _PublicHTTPSPool,
            "http": _AllowedHTTPPool,
        }


def public_session() -> requests.Session:
    """A requests session that only reaches public addresses (see PublicOnlyAdapter)."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the peer check must see the host
    adapter = PublicOnlyAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# --- The same rule for callers that connect themselves (webhooks) -------------------------

MAX_URL = 2000


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
        if not is_allowed and not is_public_address(address):
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
