import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from guidance.ratelimits import Limit, rate_limited
from tests import factories as f

pytestmark = pytest.mark.django_db


@rate_limited("test-action")
def post_something(request):
    return HttpResponse("ok")


def test_limit_parsing():
    """Limits read as count per period."""
    assert Limit.parse("10/h") == Limit(10, 3600)
    assert Limit.parse("5/10m") == Limit(5, 600)


def test_posts_over_the_limit_get_429_with_retry_after(settings):
    """The third POST inside the window is refused with 429 and Retry-After."""
    settings.RATE_LIMITS = {"test-action": "2/h"}
    factory = RequestFactory()
    user = f.make_user()
    statuses = []
    for _ in range(3):
        request = factory.post("/", REMOTE_ADDR="10.0.0.1")
        request.user = user
        statuses.append(post_something(request))
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
    assert "try again" in statuses[-1].content.decode()


def test_limit_counts_per_ip_across_users(settings):
    """Switching accounts from one address does not escape the per-IP limit."""
    settings.RATE_LIMITS = {"test-action": "1/h"}
    factory = RequestFactory()
    first = factory.post("/", REMOTE_ADDR="10.0.0.2")
    first.user = f.make_user()
    second = factory.post("/", REMOTE_ADDR="10.0.0.2")
    second.user = f.make_user()
    assert post_something(first).status_code == 200
    assert post_something(second).status_code == 429


def test_gets_are_not_counted(settings):
    """Reading a form never uses up the posting limit."""
    from django.contrib.auth.models import AnonymousUser

    settings.RATE_LIMITS = {"test-action": "1/h"}
    factory = RequestFactory()
    for _ in range(3):
        request = factory.get("/", REMOTE_ADDR="10.0.0.3")
        request.user = AnonymousUser()
        assert post_something(request).status_code == 200
