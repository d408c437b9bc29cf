"""Production settings plus one bench-only URL (the naive feed), for `bench/feed` only.

`runplatform` passes DJANGO_SETTINGS_MODULE through to granian, so the benchmark serves the real
project (same apps, middleware, database settings) with `bench.feed.urls` as the root URLconf: every
production URL plus `/bench/feed/naive/auctions`. Nothing in `vzaemo/` refers to this module.
"""

from vzaemo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.feed.urls"
# The benchmark measures read throughput: the broker API's per-key read limit would cap it.
VZAEMO_BROKER_API_READS_PER_SECOND = 0
