"""
Settings for `make bench`: the site's own settings plus one bare page to compare against.

Everything else is what production runs (DEBUG off, the hashed static files, the same
middleware), configured by the same environment variables (DATABASE_URL, REDIS_URL...).
bench/run.py sets them; nothing here is ever used by the site itself.
"""

from django.core.exceptions import ImproperlyConfigured

from guidance.settings import *  # noqa: F403
from guidance.settings import BASE_DIR, DEBUG, TEMPLATES

if DEBUG:
    raise ImproperlyConfigured("Measure with DJANGO_DEBUG=0: debug mode is much slower.")

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# The manifest storage (DEBUG off) needs collected files: bench/run.py collects them here.
STATIC_ROOT = BASE_DIR / "bench" / "data" / "static"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]
