"""The platform's default cache: Django's database cache, shared by every worker process (settings.CACHES).

Django's `DatabaseCache.incr` is a read and a write: it loses counts when two processes count at once, and it
writes the key back with the default timeout, so a counter that should lapse a minute after it started lives on
for five. Rate limits count with `incr`, so here it reads the row under a lock (FOR UPDATE where the database has
it; SQLite's writers queue on BEGIN IMMEDIATE) and writes the new value with the expiry it had.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} "
                f"WHERE {quote_name('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value, expires = row
            for converter in converters:
                expires = converter(expires, expression, connection)
            if expires < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode())) + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {quote_name('cache_key')} = %s",
                [encoded, key],
            )
        return new_value
