"""The weekly email: the week's reviews, matched to kids' ages, never twice in a week."""

import csv
import io
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from guidance.newsletter.models import Delivery, Subscriber
from guidance.newsletter.services import last_complete_week, send_weekly_newsletter
from tests import factories as f

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 9)  # a Monday
BASE = "https://family.example.org"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Staff made by the factories need no strong hashing here (it costs a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def published_on(day, name, *, age, stars=4, reviewer=None):
    title = f.make_title(name=name, year=2020)
    review = f.make_review(title, age_rating=age, stars=stars, reviewer=reviewer)
    review.published_at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    review.published_at += timedelta(hours=10)
    review.save()
    return review


@pytest.fixture
def week_of_reviews():
    """Three reviews in WEEK (ages 5, 10 and 16), one the week before, one the week after."""
    reviewer = f.make_staff(groups=["Reviewers"])
    return [
        published_on(WEEK, "Little Fox", age=5, stars=4, reviewer=reviewer),
        published_on(WEEK + timedelta(days=3), "River Race", age=10, stars=5, reviewer=reviewer),
        published_on(WEEK + timedelta(days=6), "Night Shift", age=16, reviewer=reviewer),
        published_on(WEEK - timedelta(days=1), "Last Week", age=5, reviewer=reviewer),
        published_on(WEEK + timedelta(days=7), "Next Week", age=5, reviewer=reviewer),
    ]


def subscriber(email, *, ages=(), confirmed=True, unsubscribed=False):
    now = timezone.now()
    return Subscriber.objects.create(
        email=email,
        kids_ages=list(ages),
        confirmed_at=now if confirmed else None,
        unsubscribed_at=now if unsubscribed else None,
    )


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_active_subscribers_get_the_weeks_reviews(week_of_reviews):
    """Without kids' ages a subscriber gets every review of the week, best stars first."""
    subscriber("all@example.com")
    report = send_weekly_newsletter(week=WEEK, base_url=BASE)
    assert (report.reviews, report.sent) == (3, 1)
    (message,) = mail.outbox
    assert message.subject == "This week: River Race, Little Fox and 1 more"
    body = message.body
    assert body.index("River Race") < body.index("Little Fox") < body.index("Night Shift")
    assert "Last Week" not in body and "Next Week" not in body
    assert f"{BASE}/movies/" in body
    html = message.alternatives[0][0]
    assert "River Race" in html and "Unsubscribe with one click" in html


def test_picks_match_the_kids_ages(week_of_reviews):
    """With kids' ages, only reviews that suit at least one kid are sent, fullest fit first."""
    subscriber("young@example.com", ages=[6])
    subscriber("two@example.com", ages=[11, 6])
    subscriber("toddler@example.com", ages=[2])
    report = send_weekly_newsletter(week=WEEK, base_url=BASE)
    assert report.sent == 2
    assert report.nothing_to_send == 1
    (young,) = sent_to("young@example.com")
    assert "Little Fox" in young.body and "River Race" not in young.body
    (two,) = sent_to("two@example.com")
    assert "Night Shift" not in two.body
    assert two.body.index("Little Fox") < two.body.index("River Race")
    assert "Fits your 6- and 11-year-olds" in two.body
    assert sent_to("toddler@example.com") == []


def test_pending_and_unsubscribed_get_nothing(week_of_reviews):
    """Only confirmed subscribers who did not unsubscribe get the email."""
    subscriber("pending@example.com", confirmed=False)
    subscriber("gone@example.com", unsubscribed=True)
    assert send_weekly_newsletter(week=WEEK, base_url=BASE).sent == 0
    assert mail.outbox == []


def test_never_twice_in_one_week(week_of_reviews):
    """Running the send again for the same week sends nobody a second email."""
    subscriber("once@example.com")
    send_weekly_newsletter(week=WEEK, base_url=BASE)
    again = send_weekly_newsletter(week=WEEK, base_url=BASE)
    assert (again.sent, again.already_sent) == (0, 1)
    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get()
    assert (delivery.week, delivery.title_count) == (WEEK, 3)
    next_week = send_weekly_newsletter(week=WEEK + timedelta(days=7), base_url=BASE)
    assert next_week.sent == 1


def test_every_weekly_email_can_unsubscribe(client, week_of_reviews):
    """The weekly email's unsubscribe link and header work."""
    subscriber("leaving@example.com")
    send_weekly_newsletter(week=WEEK, base_url=BASE)
    (message,) = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    client.post(link.removeprefix(BASE))
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_a_failed_email_is_retried_next_run(week_of_reviews):
    """A send that fails leaves no delivery behind, so the next run sends it."""
    subscriber("flaky@example.com")
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down")
    ):
        report = send_weekly_newsletter(week=WEEK, base_url=BASE)
    assert report.failed == 1
    assert not Delivery.objects.exists()
    assert send_weekly_newsletter(week=WEEK, base_url=BASE).sent == 1
    assert len(mail.outbox) == 1


def test_dry_run_sends_nothing(week_of_reviews):
    """A dry run counts who would get the email and sends nothing."""
    subscriber("maybe@example.com")
    report = send_weekly_newsletter(week=WEEK, base_url=BASE, dry_run=True)
    assert report.sent == 1
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_a_week_starts_on_monday(week_of_reviews):
    """Only a Monday names a newsletter week."""
    with pytest.raises(ValueError):
        send_weekly_newsletter(week=WEEK + timedelta(days=1), base_url=BASE)


def test_last_complete_week():
    """By default the command sends the last full Monday-to-Sunday week."""
    assert last_complete_week(date(2026, 11, 16)) == date(2026, 11, 9)  # a Monday
    assert last_complete_week(date(2026, 11, 22)) == date(2026, 11, 9)  # the Sunday after
    assert last_complete_week(date(2026, 11, 23)) == date(2026, 11, 16)


def test_send_newsletter_command(week_of_reviews):
    """The command sends the week it is given and reports what it did; again, nothing."""
    subscriber("cmd@example.com")
    out = io.StringIO()
    call_command("send_newsletter", week="2026-11-09", base_url=BASE, stdout=out)
    assert "sent 1, already sent 0" in out.getvalue()
    out = io.StringIO()
    call_command("send_newsletter", week="2026-11-09", base_url=BASE, stdout=out)
    assert "sent 0, already sent 1" in out.getvalue()
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="must be a Monday"):
        call_command("send_newsletter", week="2026-11-10")
    with pytest.raises(CommandError, match="date like"):
        call_command("send_newsletter", week="soon")


# Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(f.make_user(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_filters_subscribers(admin_client):
    """Staff see subscribers with their status, and can filter by it."""
    subscriber("active@example.com")
    subscriber("waiting@example.com", confirmed=False)
    url = reverse("admin:newsletter_subscriber_changelist")
    html = admin_client.get(url, {"status": "pending"}).content.decode()
    assert "waiting@example.com" in html and "active@example.com" not in html
    assert "Waiting for confirmation" in html


def test_admin_exports_csv(admin_client):
    """The export action downloads the selected subscribers as CSV, formulas defused."""
    first = subscriber("one@example.com", ages=[4, 9])
    second = subscriber("=cmd@example.com", confirmed=False)
    response = admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["email", "status", "kids_ages"]
    assert rows[1][:3] == ["one@example.com", "active", "4 9"]
    assert rows[2][:2] == ["'=cmd@example.com", "pending"]


def test_admin_unsubscribe_action(admin_client):
    """Staff can unsubscribe people who ask by other means."""
    person = subscriber("asked@example.com")
    admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "unsubscribe_selected", "_selected_action": [person.pk]},
    )
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_deliveries_are_read_only_in_admin(admin_client, week_of_reviews):
    """The send log can be read in admin but not edited."""
    subscriber("log@example.com")
    send_weekly_newsletter(week=WEEK, base_url=BASE)
    assert admin_client.get(reverse("admin:newsletter_delivery_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:newsletter_delivery_add")).status_code == 403


def test_picks_say_which_kids_they_fit(week_of_reviews):
    """Each pick names the kids it suits, the way a parent would say it."""
    from guidance.newsletter.picks import pick_reviews

    reviews = week_of_reviews[:3]
    one = Subscriber(email="a@example.com", kids_ages=[9])
    three = Subscriber(email="b@example.com", kids_ages=[12, 6, 17])
    assert [p.fits_label for p in pick_reviews(subscriber=one, reviews=reviews)] == [
        "your 9-year-old"
    ]
    labels = [p.fits_label for p in pick_reviews(subscriber=three, reviews=reviews)]
    assert labels == [
        "your 6-, 12- and 17-year-olds",
        "your 12- and 17-year-olds",
        "your 17-year-old",
    ]
