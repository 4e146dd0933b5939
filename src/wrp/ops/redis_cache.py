"""The cache on Redis (WRP_CACHE=redis): Django's RedisCache, with an increment that cannot outlive its expiry.

Django's `RedisCache.incr` asks EXISTS, then sends INCRBY: a key that expires between the two is re-created by
INCRBY with no expiry at all, a counter of the rate limits (wrp.core.ratelimit) that would never lapse. Here the
two steps are one Lua script, run atomically by Redis: INCRBY only on a key that exists, which keeps its TTL (INCR
never touches the TTL), else "not found" as the cache API says. Integers are stored as plain numbers by Django's
Redis serializer, so INCRBY works on them.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class RedisCache(DjangoRedisCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        value = client.eval(INCR_EXISTING, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)
