"""Sessions are read from the shared cache and written through to the database (ADR 0016): a signed-in request
costs the session table nothing, a lost cache loses no session, and a sign-out on one machine is one everywhere."""

from __future__ import annotations

import os
import secrets

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vzaemo.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SESSION_TABLE = Session._meta.db_table
REDIS_URL = os.environ.get("REDIS_URL", "")


def signed_in() -> tuple[Client, str]:
    client = Client()
    client.force_login(UserFactory())
    return client, client.session.session_key or ""


def is_signed_in(client: Client) -> bool:
    # The cabinet asks for a signed-in person; anyone else is sent to sign in.
    return client.get(reverse("web:petition_cabinet")).status_code == 200


def test_a_session_lives_in_the_shared_cache_and_in_the_database() -> None:
    _client, key = signed_in()
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key)
    assert Session.objects.filter(session_key=key).exists()


def test_a_signed_in_request_reads_the_session_from_the_cache_not_its_table() -> None:
    client, _key = signed_in()
    with CaptureQueriesContext(connection) as queries:
        assert is_signed_in(client)
    assert not [query["sql"] for query in queries if SESSION_TABLE in query["sql"]]


def test_a_lost_cache_loses_no_session() -> None:
    client, key = signed_in()
    caches[settings.SESSION_CACHE_ALIAS].clear()
    assert is_signed_in(client)
    # Read back from the database, and cached again for the next request.
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key)


def test_signing_out_on_one_machine_signs_out_on_every_machine() -> None:
    here, key = signed_in()
    # The same browser's cookie on another machine: the same shared cache and database.
    there = Client()
    there.cookies[settings.SESSION_COOKIE_NAME] = key
    assert is_signed_in(there)
    assert here.post(reverse("account_logout")).status_code == 302
    assert not is_signed_in(there)
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a Redis server; .ci/run starts one)")
def test_on_redis_a_session_is_shared_and_signed_out_everywhere() -> None:
    # A key prefix of this test's own: the Redis database may be shared with other runs.
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    redis["KEY_PREFIX"] = f"test-sessions-{secrets.token_hex(4)}"
    caches_ = {**settings.CACHES, "redis": redis}
    with override_settings(CACHES=caches_, SESSION_CACHE_ALIAS="redis"):
        here, key = signed_in()
        assert caches["redis"].get(KEY_PREFIX + key)
        there = Client()
        there.cookies[settings.SESSION_COOKIE_NAME] = key
        assert is_signed_in(there)
        here.post(reverse("account_logout"))
        assert not is_signed_in(there)
        assert caches["redis"].get(KEY_PREFIX + key) is None
