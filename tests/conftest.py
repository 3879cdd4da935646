"""
Fixtures for the whole suite, and what lets it run on several cores (pytest-xdist).

Each xdist worker is a process of its own: pytest-django gives it its own test database
(test_<name>_gw0, test_<name>_gw1, ...), and the local-memory cache is per process anyway.
Redis is the one thing the workers would share, and every test empties the cache and
counts rate limits in it, so one worker would wipe or add to another's counts mid-test.
Each worker therefore keeps its keys under a prefix of its own (`guidance-gw0:...`) in the
one Redis database REDIS_URL names, and clearing the cache removes that worker's keys
only (Django's RedisCache.clear() is FLUSHDB, which ignores the prefix). A database number
per worker would isolate them too, but needs as many free databases as workers after the
one in REDIS_URL, and Redis has 16: REDIS_URL=.../15 with two workers would ask for a
database 16 that does not exist.
"""

import os
import re

import pytest

from guidance.cache import ResilientRedisCache


def pytest_configure(config):
    """Give this xdist worker its own cache key prefix, before any test touches the cache."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.REDIS_URL:
        return
    cache = settings.CACHES["default"]
    if cache["BACKEND"] != "guidance.cache.ResilientRedisCache":
        raise pytest.UsageError(
            f"tests/conftest.py keeps xdist workers apart in Redis for ResilientRedisCache, "
            f"not {cache['BACKEND']}: update WorkerRedisCache, or run with -n 0."
        )
    from django.test.utils import override_settings

    prefix = f"{cache.get('KEY_PREFIX', '')}-{worker}"
    worker_cache = {**cache, "BACKEND": "tests.conftest.WorkerRedisCache", "KEY_PREFIX": prefix}
    # override_settings resets Django's cache handler, so even a cache opened while Django
    # was set up is opened again with the worker's settings.
    config._worker_cache = override_settings(CACHES={**settings.CACHES, "default": worker_cache})
    config._worker_cache.enable()


def pytest_unconfigure(config):
    worker_cache = getattr(config, "_worker_cache", None)
    if worker_cache is not None:
        worker_cache.disable()
    note_skipped_browser_suite(config.pluginmanager.get_plugin("terminalreporter"))


def note_skipped_browser_suite(reporter):
    """
    End the run's output with a line saying the browser suite was skipped, if it was.

    Here rather than in tests/e2e/conftest.py, which marks the skips: with -n, the process
    that prints the results collects no tests, so it loads no conftest below this one.
    """
    if reporter is None:
        return
    reasons = [
        report.longrepr[2] if isinstance(report.longrepr, tuple | list) else str(report.longrepr)
        for report in reporter.stats.get("skipped", [])
    ]
    browser_skips = [reason for reason in reasons if "browser suite skipped: " in reason]
    if browser_skips:
        why = browser_skips[0].split("browser suite skipped: ", 1)[1]
        reporter.write_line(
            f"NOTE: the browser suite was SKIPPED ({len(browser_skips)} tests): {why}",
            yellow=True,
            bold=True,
        )


class WorkerRedisCache(ResilientRedisCache):
    """
    The site's Redis cache, except that clear() deletes this worker's keys only.

    Nothing in the site clears the cache; the tests do, before and after each test. A Redis
    error here is raised rather than degraded to "no cache": a suite that cannot reach its
    Redis should say so, not pass without it.
    """

    def clear(self):
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
        return True


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the factories create many accounts (a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Keep uploaded files of a test in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start every test with an empty cache (rate limits, cached pages)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
