"""
The page django-axes shows when sign-in is locked after too many wrong passwords.

Axes counts failed sign-ins per email address and IP (AXES_* settings); once the limit is
reached every further try, even with the right password, gets this page until the
cool-off time has passed. It answers 429 with a Retry-After header, like the posting
limits in guidance/ratelimits.py.
"""

from django.conf import settings
from django.shortcuts import render


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
