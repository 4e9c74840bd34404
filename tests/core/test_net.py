"""core.net.public_url_check: https and public addresses only, unless the host is allowed."""

import socket

import pytest
from django.core.exceptions import ValidationError

from core.net import public_addresses, public_url_check

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch):
    """Names resolved from a table; anything else as usual (the cache's Redis, say)."""
    table: dict[str, list[str]] = {}

    def fake(host, port, *args, **kwargs):
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in table[host]
            ]
        if host.endswith(".test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return table


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
        "https://127.0.0.1/",
        "https://127.1.2.3:8443/x",
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://255.255.255.255/",
        "https://[::1]/",
        "https://[::]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://[2002:7f00:1::1]/",
        "https://user:pass@93.184.216.34/",
        "https:///nohost",
        "https://93.184.216.34:99999/",
        "not a url",
        "",
        "https://" + "a" * 3000 + ".com/",
    ],
)
def test_refused(url):
    with pytest.raises(ValidationError):
        public_url_check(url, allow_hosts=[])


def test_a_public_address_is_accepted():
    assert public_addresses("https://93.184.216.34/hook?x=1", allow_hosts=[]) == ["93.184.216.34"]
    public_url_check("https://[2606:2800:220:1:248:1893:25c8:1946]/", allow_hosts=[])


def test_a_name_resolving_to_a_private_address_is_refused(dns):
    dns["intranet.example.test"] = ["10.0.0.5"]
    with pytest.raises(ValidationError, match="non-public"):
        public_url_check("https://intranet.example.test/hook", allow_hosts=[])


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example.test"] = ["93.184.216.34", "::ffff:192.168.0.1"]
    with pytest.raises(ValidationError, match="non-public"):
        public_url_check("https://mixed.example.test/", allow_hosts=[])


def test_a_name_resolving_to_public_addresses_is_accepted(dns):
    dns["hooks.example.test"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    assert public_addresses("https://hooks.example.test/", allow_hosts=[]) == [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
    ]


def test_an_unknown_name_is_refused(dns):
    with pytest.raises(ValidationError, match="cannot be resolved"):
        public_url_check("https://nowhere.example.test/", allow_hosts=[])


def test_an_allowed_host_may_be_local_and_plain_http():
    public_url_check("http://127.0.0.1:8000/hook", allow_hosts=["127.0.0.1"])
    public_url_check("https://LOCALHOST./hook", allow_hosts=[" localhost "])
    with pytest.raises(ValidationError):
        public_url_check("http://127.0.0.2/hook", allow_hosts=["127.0.0.1"])
