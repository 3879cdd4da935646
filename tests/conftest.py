"""Fixtures for the whole suite."""

import pytest


def pytest_unconfigure(config):
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
