"""
A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's RedisCache raises on a connection error, which would turn a Redis outage into
500s on every page that reads the cache. This backend logs the error and answers as an
empty cache would instead (a miss on reads, nothing stored on writes), so the site keeps
serving from the database and rate limits fail open. Short socket timeouts keep a dead
Redis from stalling requests.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FAILURES = (RedisError, OSError)


def _degrade(fallback):
    def decorator(method):
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except FAILURES as error:
                logger.warning("Cache unavailable (%s); carrying on without it.", error)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        wrapped.__name__ = method.__name__
        wrapped.__doc__ = method.__doc__
        return wrapped

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _delta(key, delta=1, *args, **kwargs):
    return delta


class ReusingRedisCacheClient(RedisCacheClient):
    """
    Django's Redis client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis` for every cache call (about 56 microseconds of the
    200 a read costs); the object only wraps the pool, which already hands out one
    connection per thread at a time, so one per pool serves every call and thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(index)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis is down."""

    def __init__(self, server, params):
        params = {**params}
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        params["OPTIONS"] = {**options, **params.get("OPTIONS", {})}
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _degrade(_default)(RedisCache.get)
    add = _degrade(False)(RedisCache.add)
    set = _degrade(None)(RedisCache.set)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    get_many = _degrade({})(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    incr = _degrade(_delta)(RedisCache.incr)
    set_many = _degrade([])(RedisCache.set_many)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(False)(RedisCache.clear)
