"""The ASGI process serves only the Server-Sent Event streams (docs/design.md, "Stack": pages stay on WSGI).

This module is that process's entry point (``granian --interface asginl vzaemo.asgi:application``; Django does
not speak the ASGI lifespan protocol, and nothing here needs it: the live listener starts with the first stream).
It therefore also decides what the process serves, before Django builds its handler:

* ``ROOT_URLCONF`` is ``vzaemo.live.sse_urls``: the streams and nothing else, so no page is reachable on this
  port without the site's middleware;
* ``MIDDLEWARE`` is empty. A stream needs no session, user, CSRF or CSP; the view itself checks the host
  (``ALLOWED_HOSTS``) and sets ``nosniff``. Even Django's async-capable middleware runs each hook in a hop to a
  thread: Security and Common alone made a connect cost 2.2 ms of CPU instead of 0.8 ms (5,000 streams), which
  is what 10,000 clients reconnecting at once after a restart pay;
* the handler is :class:`~vzaemo.live.sse.StreamsHandler`: Django's, without the thread Django keeps for
  every open request (10,000 streams would be 10,000 threads).

Import it only as the ASGI application: it changes these two settings of the process that imports it.
"""

import gc
import os

import django
from django.conf import settings

SSE_URLCONF = "vzaemo.live.sse_urls"
SSE_MIDDLEWARE: list[str] = []

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vzaemo.settings")
django.setup(set_prefix=False)
settings.ROOT_URLCONF = SSE_URLCONF
settings.MIDDLEWARE = SSE_MIDDLEWARE

from vzaemo.core.checks import require_secret_key  # noqa: E402 - needs the apps loaded
from vzaemo.live.sse import StreamsHandler  # noqa: E402 - after the settings it reads

require_secret_key()

application = StreamsHandler()

# Garbage collection: 10,000 open streams are over a million long-lived objects, and a full collection walks
# them all while every stream waits (measured 0.3-2 s, every few seconds under load, with the defaults: each
# wake of a stream makes a future that lives for seconds, and those promotions trigger full collections).
# What is loaded by now lives as long as the process: out of every collection. Young collections run 14x less
# often, so most per-message objects die before they are promoted; a full collection is considered every
# ~10M allocations (about a minute at full load) instead of every ~70,000.
gc.freeze()
gc.set_threshold(10_000, 10, 100)
