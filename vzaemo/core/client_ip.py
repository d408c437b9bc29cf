"""The client's address: the one answer every rate limit and every log line uses.

`X-Forwarded-For` is anyone's to write, so it counts only when the direct peer (`REMOTE_ADDR`) is one of the
`TRUSTED_PROXIES` (CIDRs; empty by default: no proxy, the peer is the client). Each proxy appends the address
it received the request from, so the header is read from the right: trusted proxies are skipped and the first
address that is not one is the client. Whatever a client wrote further left is never read.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: str) -> Address | None:
    """An address from a header or `REMOTE_ADDR`: a port and IPv6 brackets dropped, IPv4-mapped IPv6 as IPv4."""
    text = text.strip()
    if text.startswith("["):  # "[2001:db8::1]:443"
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # "203.0.113.7:443"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def trusted_proxies() -> tuple[Network, ...]:
    configured: Iterable[str] = getattr(settings, "TRUSTED_PROXIES", ())
    return _networks(tuple(configured))


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> Address | None:
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies()
    if peer is None or not _is_trusted(peer, proxies):
        return peer
    client = peer
    for item in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = parse_address(item)
        if hop is None:
            # A trusted proxy passed on what it could not parse: nothing left of it can be believed.
            break
        client = hop
        if not _is_trusted(hop, proxies):
            break
    return client


def client_ip(request: HttpRequest) -> str:
    """The client's address as text ("" when even `REMOTE_ADDR` is not an address)."""
    address = client_address(request)
    return "" if address is None else str(address)


# Set by the proxy (nginx: proxy_set_header), believed only from it.
PROXY_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


class ProxyHeadersMiddleware:
    """Drops the proxy headers of a request whose direct peer is not one of `TRUSTED_PROXIES`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = parse_address(request.META.get("REMOTE_ADDR", ""))
        if peer is None or not _is_trusted(peer, trusted_proxies()):
            for name in PROXY_HEADERS:
                request.META.pop(name, None)
        return self.get_response(request)
