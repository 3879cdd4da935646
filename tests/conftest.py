import pytest


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
