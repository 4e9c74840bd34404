"""core.net: which URLs the server may send to."""

import pytest

from core.net import UnsafeURL, check_public_url, is_public_address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "2002:0a00:0001::1",
        "64:ff9b::10.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    ["http://8.8.8.8/", "https://localhost/", "https://printer.local/", "https://10.0.0.1/"],
)
def test_urls_refused(url, settings):
    settings.WEBHOOK_ALLOW_HOSTS = []
    with pytest.raises(UnsafeURL):
        check_public_url(url)


def test_a_test_host_can_be_allowed(settings):
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    assert check_public_url("http://127.0.0.1:9999/push")
