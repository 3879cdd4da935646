"""
The page django-axes shows when sign-in is locked after too many wrong passwords.

Axes counts failed sign-ins per email address and IP (AXES_* settings); once the limit is
reached every further try, even with the right password, gets this page until the
cool-off time has passed. It answers 429 with a Retry-After header, like the posting
limits in guidance/ratelimits.py.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render

from guidance.ratelimits import client_ip


def client_ip_address(request):
    """
    The client's IP address for axes (as the rate limits see it), or None.

    Axes stores it in an IP address column, which PostgreSQL checks: anything that is not
    an address (no REMOTE_ADDR, a mangled X-Forwarded-For) is stored as unknown instead
    of failing the sign-in.
    """
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def account_locked(request, original_response=None, credentials=None):
    """Render the "too many sign-in attempts" page, saying when to try again."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "account_locked.html",
        {"retry_minutes": max(1, round(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
