"""User text with scripts and HTML is shown as text everywhere: pages, admin, JSON-LD, emails."""

import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from guidance.moderation.models import ModerationAction
from guidance.moderation.services import hide_review, notify_author
from guidance.newsletter.models import Subscriber
from guidance.newsletter.services import send_weekly_newsletter
from guidance.suggestions.services import suggest_update
from tests import factories as f

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(1)>"</script>'
RAW = ("<script>alert(1)", "<img src=x", '</script>"')


@pytest.fixture(autouse=True)
def quick(settings):
    """Quick hashing, established accounts, emails kept in memory."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def hostile():
    """A title, a review, a report and a suggestion whose every free-text field is HOSTILE."""
    title = f.make_title(name=f"Film {HOSTILE}", year=2020)
    f.make_review(title, summary=HOSTILE)
    author = f.make_parent(display_name=f"Dana {HOSTILE}"[:50])
    body = f"We watched it twice. {HOSTILE} " * 3
    review = f.make_community_review(title, author, headline=f"Head {HOSTILE}"[:100], body=body)
    report = f.make_report(review, comment=f"Note {HOSTILE}", reason="other")
    suggestion = suggest_update(
        title=title, author=f.make_parent(), field="other", proposed={"text": HOSTILE},
        message=HOSTILE,
    )  # fmt: skip
    return {"title": title, "review": review, "report": report, "suggestion": suggestion}


def assert_escaped(html, where):
    """None of the hostile markup appears as markup; its escaped form does."""
    for raw in RAW:
        assert raw not in html, f"unescaped {raw!r} on {where}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"text missing on {where}"


def test_public_pages_show_hostile_text_as_text(client, hostile):
    """Title page, reviews page, browse and the author's profile escape it."""
    title = hostile["title"]
    pages = [
        title.get_absolute_url(),
        reverse("reviews:list", args=[title.slug]),
        reverse("movies:browse") + "?q=Film",
        reverse("suggestions:history", args=[title.slug]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(_without_json_ld(response.content.decode()), url)
    client.force_login(hostile["review"].author)
    assert_escaped(client.get(reverse("accounts:profile")).content.decode(), "profile")


def _without_json_ld(html):
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def test_json_ld_cannot_be_closed_early(client, hostile):
    """The title's JSON-LD block holds the name as data and never a raw </script>."""
    html = client.get(hostile["title"].get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert blocks
    for block in blocks:
        assert "<script" not in block.lower() and "<img" not in block.lower()
        data = json.loads(block)
        assert data["name"] == f"Film {HOSTILE}"


def test_admin_shows_hostile_text_as_text(client, hostile):
    """Changelists and change pages in the admin escape titles, reviews, reports, notes."""
    client.force_login(
        __import__("django.contrib.auth", fromlist=["get_user_model"])
        .get_user_model()
        .objects.create_superuser(email="root@example.com", password="a-long-test-password")
    )
    review, title = hostile["review"], hostile["title"]
    pages = [
        reverse("admin:movies_title_changelist"),
        reverse("admin:reviews_communityreview_changelist"),
        reverse("admin:reviews_communityreview_change", args=[review.pk]),
        reverse("admin:moderation_reportedreview_changelist"),
        reverse("admin:moderation_reportedreview_change", args=[review.pk]),
        reverse("admin:moderation_report_changelist"),
        reverse("admin:suggestions_suggestion_changelist"),
        reverse("admin:suggestions_suggestion_change", args=[hostile["suggestion"].pk]),
        reverse("admin:accounts_user_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    # The title's change page shows the name inside an input's value: escaped there too.
    html = client.get(reverse("admin:movies_title_change", args=[title.pk])).content.decode()
    for raw in RAW:
        assert raw not in html


def test_emails_carry_hostile_text_as_text(hostile):
    """Plain-text emails quote it as it was typed; the newsletter's HTML part escapes it."""
    review = hostile["review"]
    moderator = f.make_moderator()
    hide_review(review=review, moderator=moderator, reason="spam", note=HOSTILE)
    entry = ModerationAction.objects.filter(review=review).order_by("-pk").first()
    mail.outbox.clear()
    notify_author(action_id=entry.pk)
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None)  # text only: nothing to run

    week = date(2026, 11, 9)
    expert = hostile["title"].expert_review
    expert.published_at = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    expert.published_at += timedelta(hours=10)
    expert.save()
    Subscriber.objects.create(email="reader@example.com", kids_ages=[], confirmed_at=timezone.now())
    mail.outbox.clear()
    assert send_weekly_newsletter(week=week, base_url="https://example.org").sent == 1
    (message,) = mail.outbox
    assert HOSTILE.split("<")[0] in message.body
    (html, _), *_ = message.alternatives
    assert_escaped(html, "weekly newsletter")
