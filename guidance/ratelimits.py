"""
Rate limits for everything people post, counted in the shared cache.

The counters live in Django's cache (local memory by default, Redis with REDIS_URL), so
limits hold across any number of app processes. Each action has a limit per signed-in
user and per client IP, in the RATE_LIMITS setting:

    RATE_LIMITS = {"review": "10/h", ...}

Views decorate their POST handlers with `@rate_limited("review")`; a blocked request
gets a 429 page that says when to try again (and a Retry-After header).
"""

import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text):
        """Parse "10/h" (ten an hour) or "5/10m" (five per ten minutes)."""
        count, _, period = text.partition("/")
        number = period[:-1] or "1"
        return cls(int(count), int(number) * PERIODS[period[-1]])


def client_ip(request):
    """The client's address; behind a proxy, the one it reports (TRUSTED_PROXY_COUNT)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def _hit(key, limit, now):
    """Count one hit in the current window; return seconds to wait if over the limit."""
    window = int(now // limit.seconds)
    cache_key = f"ratelimit:{key}:{window}"
    try:
        if cache.add(cache_key, 1, timeout=limit.seconds + 1):
            count = 1
        else:
            count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=limit.seconds + 1)
        count = 1
    except Exception:  # the cache is down: never block people because of it
        return 0
    if count > limit.count:
        return int((window + 1) * limit.seconds - now) + 1
    return 0


def check_rate_limit(request, action):
    """
    Count this request against `action`'s limits for its user and its IP.

    Returns 0 when allowed, else the number of seconds until the caller may try again.
    """
    spec = settings.RATE_LIMITS.get(action)
    if not spec:
        return 0
    limit = Limit.parse(spec)
    now = time.time()
    keys = [f"{action}:ip:{client_ip(request)}"]
    if request.user.is_authenticated:
        keys.append(f"{action}:user:{request.user.pk}")
    return max(_hit(key, limit, now) for key in keys)


def too_many_requests(request, retry_after):
    minutes = max(1, round(retry_after / 60))
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "retry_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(action, methods=("POST",)):
    """Decorate a view so that its POSTs count against the `action` limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                retry_after = check_rate_limit(request, action)
                if retry_after:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
