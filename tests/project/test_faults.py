"""Faults: the database, the cache or the mail server going away never loses or half-saves."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError
from django.urls import reverse

from guidance.moderation.models import ModerationAction
from guidance.moderation.services import hide_review
from guidance.newsletter.models import Subscriber
from guidance.reviews.models import CommunityReview, ReviewSummary
from guidance.suggestions.models import Suggestion
from guidance.suggestions.services import accept_suggestion, suggest_update
from tests import factories as f

pytestmark = pytest.mark.django_db

BODY = "We watched it on a rainy Sunday; the chase scenes were tense but fine for our ten-year-old."


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture(autouse=True)
def quick(settings):
    """Quick hashing and established accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0


@pytest.fixture
def title():
    title = f.make_title(name="Run", year=2020)
    f.make_review(title)
    return title


def review_post(**overrides):
    return {"age_rating": 10, "stars": 4, "headline": "Tense but fine", "body": BODY, **overrides}


def test_database_error_mid_request_shows_the_error_page_and_saves_nothing(client, settings, title):
    """The review row written before the failure is rolled back; the 500 page is ours."""
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(f.make_parent())
    with mock.patch(
        "guidance.reviews.services.recompute_title_aggregates",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(reverse("reviews:write", args=[title.slug]), review_post())
    assert response.status_code == 500
    html = response.content.decode()
    assert "Traceback" not in html and "OperationalError" not in html
    assert "<h1>" in html and "Family Screen Guide" in html
    assert not CommunityReview.objects.exists()
    assert not ReviewSummary.objects.filter(title=title, review_count__gt=0).exists()


def test_pages_keep_serving_when_the_cache_server_is_down(client, settings, title):
    """With Redis unreachable, pages answer 200 and posting is not blocked by rate limits."""
    settings.CACHES = {
        "default": {
            "BACKEND": "guidance.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "review": "1/h"}
    for url in ["/", "/movies/", title.get_absolute_url(), "/movies/?q=run", "/ratings/"]:
        assert client.get(url).status_code == 200, url
    client.force_login(f.make_parent())
    url = reverse("reviews:write", args=[title.slug])
    assert client.post(url, review_post()).status_code == 302
    assert client.post(url, review_post(stars=5)).status_code == 302  # the limit fails open
    assert CommunityReview.objects.get().stars == 5


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "tests.project.test_faults.BrokenEmailBackend"


def test_newsletter_sign_up_survives_a_mail_failure(client, broken_mail):
    """The subscription is kept and the visitor sees the usual "check your inbox" page."""
    response = client.post(reverse("newsletter:subscribe"), {"email": "a@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check-inbox")
    assert Subscriber.objects.filter(email="a@example.com").exists()


def test_password_reset_survives_a_mail_failure(client, broken_mail):
    """The visitor gets the usual "email sent" page whether or not the server took it."""
    user = f.make_parent()
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")


def test_moderation_and_suggestion_decisions_survive_a_mail_failure(
    client, title, broken_mail, django_capture_on_commit_callbacks
):
    """A hide and an accepted suggestion stay recorded though telling the author failed."""
    review = f.make_community_review(title, f.make_parent(), body=BODY)
    suggestion = suggest_update(
        title=title, author=f.make_parent(), field="runtime_minutes", proposed={"value": 99}
    )
    with django_capture_on_commit_callbacks(execute=True):
        hide_review(review=review, moderator=f.make_moderator(), reason="spam")
        accept_suggestion(suggestion=suggestion, editor=f.make_staff(groups=["Editors"]))
    review.refresh_from_db()
    assert review.status == CommunityReview.Status.HIDDEN and review.body == BODY
    assert ModerationAction.objects.filter(review=review, action="hidden").exists()
    assert Suggestion.objects.get().status == Suggestion.Status.ACCEPTED
    assert not mail.outbox
