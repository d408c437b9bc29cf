"""The client's address: X-Forwarded-For counts only from a trusted proxy, read from the right."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from vzaemo.core.client_ip import client_ip, parse_address


def ip(remote: str, forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    return client_ip(RequestFactory(REMOTE_ADDR=remote).get("/", headers=headers))


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert ip("203.0.113.7") == "203.0.113.7"
    assert ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.1", "198.51.100.1"),
        # Whatever the client wrote itself is left of the address the proxy saw: never read.
        ("6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Proxies in the chain are skipped from the right; the first address that is not one is the client.
        ("6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"),
        ("198.51.100.1,10.1.2.3", "198.51.100.1"),
        # Garbage a trusted proxy passed on: the last address believed before it.
        ("garbage, 10.1.2.3", "10.1.2.3"),
        # Every hop a proxy: the left-most of them.
        ("10.9.9.9, 10.1.2.3", "10.9.9.9"),
        ("", "10.0.0.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("198.51.100.1:5555", "198.51.100.1"),
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(
    settings: Any, forwarded: str, client: str
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ip("10.0.0.1", forwarded) == client


def test_ipv4_mapped_ipv6_is_ipv4_and_nonsense_is_nothing() -> None:
    assert str(parse_address("::ffff:203.0.113.7")) == "203.0.113.7"
    assert parse_address("not an address") is None
    assert ip("") == ""
