"""Django's database cache with an atomic `incr`: the embedded default behind the rate limits (ADR 0013).

Django's `DatabaseCache.incr` is the base class's read, add, write: two processes that read 5 both write 6,
and a limit counted that way lets through as many requests as there are workers racing. Here the row is
read and rewritten in one transaction under its row lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
`BEGIN IMMEDIATE`, set in settings, takes the write lock first), so every increment counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction

from vzaemo.core import clock


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self.table_name = table

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self.table_name)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Compared as Django's own cache compares expiry: wall-clock time, never the sandbox's accelerated clock.
        now = dt.datetime.fromtimestamp(clock.wall_seconds(), tz=dt.UTC)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('value')} FROM {table} WHERE {quote('cache_key')} = %s AND {quote('expires')} > %s{lock}",  # noqa: S608 - names quoted by the backend, values bound
                [key, connection.ops.adapt_datetimefield_value(now)],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            # Django's own encoding of cache values (DatabaseCache._base_set): base64 of a pickle it wrote itself.
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608 - as above
                [encoded, key],
            )
        return value
