"""A parent signs up for the newsletter on the home page and confirms it from the email."""

import re

import pytest
from django.core import mail

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def outbox(settings):
    """Emails the live server sends (it runs in this process) land in mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def link_in(message, name):
    match = re.search(rf"http://\S+/newsletter/{name}/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_parent_subscribes_and_confirms(request, live_server, demo, outbox, fixture_name):
    """Sign up with an email and kids' ages, open the emailed link, confirm: subscribed."""
    from guidance.newsletter.models import Subscriber

    page = request.getfixturevalue(fixture_name)
    page.goto(live_server.url + "/")
    signup = page.locator(".newsletter-signup")
    signup.get_by_role(
        "heading", name="Want more recommendations for your family?"
    ).scroll_into_view_if_needed()
    signup.get_by_label("Your email").fill("parent@example.com")
    signup.get_by_label("Your kids' ages (optional)").fill("6, 9")
    save_screenshot(page, f"newsletter-signup-{fixture_name}")
    signup.get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/newsletter/check-your-inbox/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert len(outbox) == 1
    (message,) = outbox
    assert message.to == ["parent@example.com"]
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    page.goto(link_in(message, "confirm"))
    assert "with picks for kids aged 6 and 9" in page.locator("main").inner_text()
    page.get_by_role("button", name="Yes, send me the newsletter").click()
    page.wait_for_url("**/newsletter/confirmed/")
    assert page.get_by_role("heading", level=1).inner_text() == "You're subscribed"
    save_screenshot(page, f"newsletter-confirmed-{fixture_name}")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert subscriber.kids_ages == [6, 9]


def test_a_mistyped_address_is_explained(live_server, demo, outbox, page):
    """A wrong email address shows the form again with a clear message, and sends nothing."""
    page.goto(live_server.url + "/")
    signup = page.locator(".newsletter-signup")
    signup.get_by_label("Your email").fill("parent-at-example.com")
    signup.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/newsletter/")
    assert "Enter a valid email address." in page.locator("main").inner_text()
    assert outbox == []
    save_screenshot(page, "newsletter-error-page")


def test_unsubscribing_from_the_email_link(live_server, demo, outbox, page):
    """The unsubscribe link in the email opens a page whose button stops the emails."""
    from guidance.newsletter.models import Subscriber

    page.goto(live_server.url + "/newsletter/")
    page.get_by_label("Your email").fill("leaving@example.com")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/newsletter/check-your-inbox/")
    page.goto(link_in(outbox[0], "unsubscribe"))
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You're unsubscribed"
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
