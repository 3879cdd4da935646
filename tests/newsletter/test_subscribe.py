"""Sign-up, double opt-in, unsubscribe: idempotent, revealing nothing, rate-limited."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guidance.newsletter.models import Subscriber
from guidance.newsletter.tokens import CONFIRM_MAX_AGE, make_confirm_token

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")


def sign_up(client, email="parent@example.com", ages=""):
    return client.post(SUBSCRIBE, {"email": email, "kids_ages": ages})


def link_in(message, name):
    """The first link to the named newsletter page in an email's text."""
    match = re.search(rf"http://testserver(/newsletter/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_page_shows_the_form(client):
    """The newsletter page asks for an email and, optionally, kids' ages."""
    html = client.get(SUBSCRIBE).content.decode()
    assert 'name="email"' in html
    assert "ages (optional)" in html


def test_home_page_signs_up_for_the_newsletter(client):
    """The home page invites parents to sign up and posts to the newsletter."""
    html = client.get(reverse("home")).content.decode()
    assert "Want more recommendations for your family?" in html
    assert f'action="{SUBSCRIBE}"' in html


def test_signing_up_sends_one_confirmation_link(client):
    """Signing up stores a pending subscriber and emails them a link to confirm."""
    response = sign_up(client, "Parent@Example.COM", ages="9, 6 and 12")
    assert response.status_code == 302
    assert response.url == reverse("newsletter:check-inbox")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Parent@example.com"
    assert subscriber.kids_ages == [6, 9, 12]
    assert subscriber.status == Subscriber.Status.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Parent@example.com"]
    assert "confirm" in message.subject.lower()
    assert link_in(message, "confirm")
    assert link_in(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_signing_up_twice_sends_one_confirmation(client):
    """A second sign-up for the same address, in any case, sends nothing more."""
    first = sign_up(client, "parent@example.com")
    second = sign_up(client, "PARENT@example.com")
    assert first.url == second.url
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_new_link_after_the_resend_window(client):
    """Someone who lost the email can ask again once the last link is an hour old."""
    sign_up(client)
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=2))
    sign_up(client, ages="4")
    assert len(mail.outbox) == 2
    assert Subscriber.objects.get().kids_ages == [4]


def test_signing_up_an_active_subscriber_reveals_nothing(client):
    """An address already subscribed gets the same page, no email, and keeps its ages."""
    sign_up(client, ages="7")
    Subscriber.objects.update(confirmed_at=timezone.now())
    mail.outbox.clear()
    response = sign_up(client, ages="15")
    assert response.status_code == 302
    assert response.url == reverse("newsletter:check-inbox")
    assert mail.outbox == []
    assert Subscriber.objects.get().kids_ages == [7]
    page = client.get(response.url).content.decode()
    assert "If that address is not subscribed yet" in page


@pytest.mark.parametrize(
    ("email", "ages", "error"),
    [
        ("not-an-email", "", "Enter a valid email address."),
        ("", "", "This field is required."),
        ("parent@example.com", "six", "is not an age we can use"),
        ("parent@example.com", "4, 40", "is not an age we can use"),
        ("parent@example.com", "²", "is not an age we can use"),
        ("parent@example.com", "٣", "is not an age we can use"),
        ("parent@example.com", "1 2 3 4 5 6 7 8 9", "Up to 8 different ages"),
    ],
)
def test_bad_input_is_explained(client, email, ages, error):
    """A wrong email or age shows the form again with a clear message and sends nothing."""
    response = sign_up(client, email, ages)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_sign_up_is_rate_limited(client, settings):
    """Too many sign-ups from one address get a 429 page."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "newsletter": "2/h"}
    assert sign_up(client, "a@example.com").status_code == 302
    assert sign_up(client, "b@example.com").status_code == 302
    response = sign_up(client, "c@example.com")
    assert response.status_code == 429
    assert not Subscriber.objects.filter(email="c@example.com").exists()


def test_a_failed_email_does_not_block_the_next_attempt(client):
    """If the confirmation cannot be sent, the visitor sees no error and may retry at once."""
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down")
    ):
        assert sign_up(client).status_code == 302
    assert Subscriber.objects.get().confirmation_sent_at is None
    sign_up(client)
    assert len(mail.outbox) == 1


# Confirming ---------------------------------------------------------------------------------


def test_the_link_opens_a_page_and_the_button_confirms(client):
    """Opening the link does not subscribe (mail scanners open links); the button does."""
    sign_up(client, ages="8")
    link = link_in(mail.outbox[0], "confirm")
    page = client.get(link)
    assert page.status_code == 200
    assert "Yes, send me the newsletter" in page.content.decode()
    assert "with picks for kids aged 8" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    response = client.post(link)
    assert response.url == reverse("newsletter:confirmed")
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE
    assert "You're subscribed" in client.get(response.url).content.decode()


def test_confirming_twice_is_harmless(client):
    """A second click on the confirmation keeps the subscription as it was."""
    sign_up(client)
    link = link_in(mail.outbox[0], "confirm")
    client.post(link)
    confirmed_at = Subscriber.objects.get().confirmed_at
    assert client.post(link).url == reverse("newsletter:confirmed")
    assert client.get(link).url == reverse("newsletter:confirmed")
    assert Subscriber.objects.get().confirmed_at == confirmed_at


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_links_do_not_work(client, method):
    """A link that was changed or cut short shows a page that says so."""
    sign_up(client)
    link = link_in(mail.outbox[0], "confirm")
    broken = link[:-8] + "xxxxxxx/"
    response = getattr(client, method)(broken)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert client.get("/newsletter/confirm/nonsense/").status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_confirmation_links_expire(client):
    """A confirmation link older than three days no longer works."""
    sign_up(client)
    subscriber = Subscriber.objects.get()
    long_ago = timezone.now().timestamp() - CONFIRM_MAX_AGE - 60
    with mock.patch("time.time", return_value=long_ago):
        token = make_confirm_token(subscriber)
    response = client.post(reverse("newsletter:confirm", args=[token]))
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_link_is_bound_to_the_address(client):
    """If the subscriber's address changes, links made for the old one stop working."""
    sign_up(client)
    link = link_in(mail.outbox[0], "confirm")
    Subscriber.objects.update(email="someone-else@example.com")
    assert client.post(link).status_code == 400


# Unsubscribing ------------------------------------------------------------------------------


def test_unsubscribe_link_asks_then_unsubscribes(client):
    """The unsubscribe link opens a page; its button stops the emails, and again is harmless."""
    sign_up(client)
    client.post(link_in(mail.outbox[0], "confirm"))
    link = link_in(mail.outbox[0], "unsubscribe")
    assert "Stop the newsletter?" in client.get(link).content.decode()
    assert Subscriber.objects.get().is_active
    response = client.post(link)
    assert response.status_code == 200
    assert "You're unsubscribed" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    assert client.post(link).status_code == 200
    assert "You're unsubscribed" in client.get(link).content.decode()


def test_one_click_unsubscribe_needs_no_form(client):
    """Mail apps' one-click unsubscribe (a bare POST, no CSRF token) works."""
    sign_up(client)
    link = link_in(mail.outbox[0], "unsubscribe")
    bare = Client(enforce_csrf_checks=True)
    response = bare.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_bad_unsubscribe_link(client):
    """A broken unsubscribe link changes nothing and says so."""
    response = client.post("/newsletter/unsubscribe/garbage:abc/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_an_old_confirmation_link_cannot_undo_an_unsubscribe(client):
    """After unsubscribing, the confirmation link from before no longer subscribes."""
    sign_up(client)
    confirm = link_in(mail.outbox[0], "confirm")
    client.post(link_in(mail.outbox[0], "unsubscribe"))
    Subscriber.objects.update(unsubscribed_at=timezone.now() + timedelta(seconds=5))
    assert client.post(confirm).status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_signing_up_again_after_unsubscribing(client):
    """Someone who unsubscribed can sign up again, through a new confirmation."""
    sign_up(client)
    client.post(link_in(mail.outbox[0], "confirm"))
    client.post(link_in(mail.outbox[0], "unsubscribe"))
    Subscriber.objects.update(
        confirmation_sent_at=timezone.now() - timedelta(hours=2),
        unsubscribed_at=timezone.now() - timedelta(hours=1),
    )
    sign_up(client)
    assert len(mail.outbox) == 2
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    client.post(link_in(mail.outbox[1], "confirm"))
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE
