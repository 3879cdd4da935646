"""
A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's RedisCache raises on a connection error, which would turn a Redis outage into
500s on every page that reads the cache. This backend logs the error and answers as an
empty cache would instead (a miss on reads, nothing stored on writes), so the site keeps
serving from the database and rate limits fail open. Short socket timeouts keep a dead
Redis from stalling requests.
"""

import logging

from django.core.cache.backends.redis import RedisCache
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


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are skipped while Redis is down."""

    def __init__(self, server, params):
        params = {**params}
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        params["OPTIONS"] = {**options, **params.get("OPTIONS", {})}
        super().__init__(server, params)

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
