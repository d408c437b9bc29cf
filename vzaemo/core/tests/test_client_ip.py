"""The client's address: X-Forwarded-For counts only from a trusted proxy, read from the right; so do the
scheme and host headers the proxy sets."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from vzaemo.core.client_ip import PROXY_HEADERS, ProxyHeadersMiddleware, client_ip, parse_address


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


@pytest.fixture
def https_behind_nginx(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600


@pytest.mark.django_db
@pytest.mark.usefixtures("https_behind_nginx")
def test_https_is_believed_from_the_trusted_proxy() -> None:
    response = Client(REMOTE_ADDR="127.0.0.1").get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=3600"
    # The proxy said plain HTTP: off to HTTPS.
    response = Client(REMOTE_ADDR="127.0.0.1").get("/", headers={"X-Forwarded-Proto": "http"})
    assert (response.status_code, response["Location"]) == (301, "https://testserver/")


@pytest.mark.django_db
@pytest.mark.usefixtures("https_behind_nginx")
def test_a_client_that_reaches_the_server_directly_cannot_claim_https() -> None:
    response = Client(REMOTE_ADDR="203.0.113.7").get("/", headers={"X-Forwarded-Proto": "https"})
    assert (response.status_code, response["Location"]) == (301, "https://testserver/")
    assert "Strict-Transport-Security" not in response


def test_the_proxy_headers_reach_the_site_only_from_a_trusted_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    seen: list[dict[str, Any]] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(dict(request.META))
        return HttpResponse()

    middleware = ProxyHeadersMiddleware(view)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "443"}
    for peer in ("203.0.113.7", "10.1.2.3", "not an address"):
        middleware(RequestFactory(REMOTE_ADDR=peer).get("/", headers=headers))
    untrusted, trusted, garbage = seen
    assert not set(PROXY_HEADERS) & set(untrusted)
    assert not set(PROXY_HEADERS) & set(garbage)
    assert {name: trusted[name] for name in PROXY_HEADERS} == {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
        "HTTP_X_FORWARDED_PORT": "443",
    }
