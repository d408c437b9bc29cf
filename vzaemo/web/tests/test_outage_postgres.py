"""A real PostgreSQL going away, as the platform meets it: the server ends the connection (what a restart does to
every open one), or refuses new ones (a server that is down). Pages and the broker API answer 503 meanwhile, and
the first request after the server is back is served, with no one restarting anything."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HOST = "vzaemo.example"
# The broker API, as a client sees it (pages may not import the API's code).
BASE = "/api/broker/v1"


def browser() -> Client:
    # An outage is an uncaught exception inside Django; the test client would raise it again instead of answering.
    return Client(HTTP_HOST=HOST, raise_request_exception=False)


def get(path: str) -> Any:
    response = browser().get(path, secure=True)
    # What the WSGI server does after every request (the test client leaves it out): a connection that failed is
    # closed, so the next request opens a new one.
    close_old_connections()
    return response


def assert_unavailable(page: Any, api: Any) -> None:
    assert (page.status_code, page["Retry-After"]) == (503, "10")
    assert "<h1>" in page.content.decode()
    assert (api.status_code, api["Retry-After"]) == (503, "10")
    assert api.json()["errors"][0]["name"] == "service_unavailable"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.ALLOWED_HOSTS = [HOST]
    settings.VZAEMO_BROKER_API_READS_PER_SECOND = 0


def end_this_connection() -> None:
    """What a restart does to every open connection: the server ends it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.parametrize("path", ["/", f"{BASE}/auctions"])
def test_a_connection_the_server_ends_is_503_and_the_next_request_is_served(path: str) -> None:
    assert get(path).status_code == 200  # the connection is open
    end_this_connection()
    answer = get(path)
    assert (answer.status_code, answer["Retry-After"]) == (503, "10")
    assert get(path).status_code == 200


@contextmanager
def server_down() -> Iterator[None]:
    """New connections go to a port nothing listens on: refused, as by a stopped server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = connection.settings_dict
    real = settings["HOST"], settings["PORT"]
    connection.close()
    settings["HOST"], settings["PORT"] = "127.0.0.1", str(closed_port)
    try:
        yield
    finally:
        settings["HOST"], settings["PORT"] = real
        connection.close()


def test_a_server_that_refuses_connections_is_503_and_the_first_request_after_it_is_served() -> None:
    with server_down():
        page = get("/")
        api = get(f"{BASE}/auctions")
    assert_unavailable(page, api)
    assert get("/").status_code == 200
    assert get(f"{BASE}/auctions").status_code == 200
