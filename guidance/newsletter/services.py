"""
The newsletter's workflows: subscribe (double opt-in), confirm, unsubscribe, weekly send.

Subscribing reveals nothing about who is subscribed: whatever the address, the visitor
sees the same "check your inbox" page. A new or unconfirmed address gets at most one
confirmation email per CONFIRMATION_RESEND_WINDOW; an active subscriber gets nothing.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from guidance.newsletter.models import Delivery, Subscriber
from guidance.newsletter.picks import WeekFacts, and_list, pick_reviews, with_families
from guidance.newsletter.tokens import (
    CONFIRM_MAX_AGE,
    email_digest,
    make_confirm_token,
    make_unsubscribe_token,
    read_confirm_token,
    read_unsubscribe_token,
)

logger = logging.getLogger(__name__)

CONFIRMATION_RESEND_WINDOW = timedelta(hours=1)


# Subscribing --------------------------------------------------------------------------


def subscribe(*, email: str, kids_ages: list[int], base_url: str) -> Subscriber:
    """
    Ask for the weekly newsletter; send a confirmation link unless that is pointless.

    Idempotent: an active subscriber is left as is (their ages too: nobody proved they
    own the address), and an unconfirmed one gets another link only once the previous
    one is CONFIRMATION_RESEND_WINDOW old.
    """
    email = email.strip()
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, kids_ages=kids_ages)
            except IntegrityError:  # the same address, subscribed at the same moment
                return Subscriber.objects.with_email(email).get()
        elif subscriber.is_active or (
            subscriber.confirmation_sent_at
            and now - subscriber.confirmation_sent_at < CONFIRMATION_RESEND_WINDOW
        ):
            return subscriber  # nothing new to send: same page for the visitor
        else:
            subscriber.kids_ages = kids_ages
        previous_sent_at = subscriber.confirmation_sent_at
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["kids_ages", "confirmation_sent_at"])
    if not send_confirmation(subscriber=subscriber, base_url=base_url):
        # Let the next attempt send it rather than wait for the window.
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=previous_sent_at)
    return subscriber


def send_confirmation(*, subscriber: Subscriber, base_url: str) -> bool:
    """Email the double opt-in link. Return False (and log) if the email failed."""
    context = {
        "subscriber": subscriber,
        "kids_ages": and_list(sorted(subscriber.kids_ages)),
        "site_name": settings.SITE_NAME,
        "confirm_url": absolute_url(
            base_url, reverse("newsletter:confirm", args=[make_confirm_token(subscriber)])
        ),
        "valid_days": CONFIRM_MAX_AGE // 86400,
        **_unsubscribe_context(subscriber, base_url),
    }
    message = EmailMultiAlternatives(
        subject=f"Please confirm your {settings.SITE_NAME} newsletter",
        body=render_to_string("newsletter/email/confirm.txt", context),
        to=[subscriber.email],
        headers=_list_headers(context["unsubscribe_url"]),
    )
    return _send(message)


def subscriber_from_confirm_token(token: str) -> tuple[Subscriber | None, datetime | None]:
    """Return the subscriber a confirmation link is for and when it was issued."""
    claim = read_confirm_token(token)
    if claim is None:
        return None, None
    subscriber = _subscriber_for(claim)
    return subscriber, claim.issued_at if subscriber else None


def subscriber_from_unsubscribe_token(token: str) -> Subscriber | None:
    claim = read_unsubscribe_token(token)
    return _subscriber_for(claim) if claim else None


def _subscriber_for(claim):
    subscriber = Subscriber.objects.filter(pk=claim.subscriber_id).first()
    if subscriber is None or email_digest(subscriber.email) != claim.email_digest:
        return None
    return subscriber


def confirm_subscription(*, subscriber: Subscriber, issued_at: datetime) -> bool:
    """
    Turn a pending (or unsubscribed) address into an active subscriber.

    A link issued before the person last unsubscribed no longer works: unsubscribing
    wins over an old email. Returns whether the subscriber is now active.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.is_active:
            return True
        if subscriber.unsubscribed_at and issued_at < subscriber.unsubscribed_at.replace(
            microsecond=0
        ):
            return False
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return True


def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Stop every email to this address (idempotent)."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.unsubscribed_at is None:
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber


# The weekly email ------------------------------------------------------------------------


@dataclass
class WeeklyReport:
    week: date
    reviews: int = 0
    sent: int = 0
    already_sent: int = 0
    nothing_to_send: int = 0
    failed: int = 0


def last_complete_week(today: date | None = None) -> date:
    """The Monday of the last full Monday-to-Sunday week before `today`."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def week_reviews(week: date):
    """The expert reviews published during the week starting on Monday `week`."""
    from guidance.ratings.models import ExpertReview

    start = timezone.make_aware(datetime.combine(week, time.min))
    return list(
        ExpertReview.objects.published()
        .filter(published_at__gte=start, published_at__lt=start + timedelta(days=7))
        .select_related("title")
        .order_by("-stars", "title__name")
    )


def send_weekly_newsletter(*, week: date, base_url: str, dry_run: bool = False) -> WeeklyReport:
    """
    Email the week's new reviews to every active subscriber, picked for their kids.

    Never twice to one person for one week: each email's Delivery row is committed before
    the email goes out (and removed again if sending fails), and the row is unique per
    subscriber and week. Not one transaction: an email cannot be rolled back, so each
    subscriber is handled on their own.
    """
    if week.weekday() != 0:
        raise ValueError(f"A newsletter week starts on a Monday; {week} is not one.")
    report = WeeklyReport(week=week)
    reviews = week_reviews(week)
    report.reviews = len(reviews)
    if not reviews:
        return report
    done = set(Delivery.objects.filter(week=week).values_list("subscriber_id", flat=True))
    facts = WeekFacts.load(reviews)  # for subscribers with a family profile
    subscribers = Subscriber.objects.active().order_by("pk").iterator()
    for subscriber, family in with_families(subscribers):
        if subscriber.pk in done:
            report.already_sent += 1
            continue
        picks = pick_reviews(subscriber=subscriber, reviews=reviews, family=family, facts=facts)
        if not picks:
            report.nothing_to_send += 1
            continue
        if dry_run:
            report.sent += 1
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    subscriber=subscriber, week=week, title_count=len(picks)
                )
        except IntegrityError:  # another run got there first
            report.already_sent += 1
            continue
        message = weekly_message(subscriber=subscriber, picks=picks, week=week, base_url=base_url)
        if _send(message):
            report.sent += 1
        else:
            delivery.delete()
            report.failed += 1
    return report


def weekly_message(*, subscriber, picks, week, base_url) -> EmailMultiAlternatives:
    """Compose one subscriber's weekly email, as plain text with an HTML alternative."""
    for pick in picks:
        pick.url = absolute_url(base_url, pick.title.get_absolute_url())
    context = {
        "subscriber": subscriber,
        "kids_ages": and_list(sorted(subscriber.kids_ages)),
        "picks": picks,
        "week": week,
        "site_name": settings.SITE_NAME,
        "browse_url": absolute_url(base_url, reverse("movies:browse")),
        **_unsubscribe_context(subscriber, base_url),
    }
    names = [pick.title.name for pick in picks]
    if len(names) > 2:
        subject = f"This week: {names[0]}, {names[1]} and {len(names) - 2} more"
    else:
        subject = "This week: " + " and ".join(names)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("newsletter/email/weekly.txt", context),
        to=[subscriber.email],
        headers=_list_headers(context["unsubscribe_url"]),
    )
    message.attach_alternative(
        render_to_string("newsletter/email/weekly.html", context), "text/html"
    )
    return message


# Helpers ----------------------------------------------------------------------------------


def absolute_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _unsubscribe_context(subscriber, base_url):
    return {
        "unsubscribe_url": absolute_url(
            base_url,
            reverse("newsletter:unsubscribe", args=[make_unsubscribe_token(subscriber)]),
        )
    }


def _list_headers(unsubscribe_url):
    # RFC 8058 one-click unsubscribe: mail apps show an "Unsubscribe" button that POSTs.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _send(message):
    """Send one email; on failure log it (without the address) and return False."""
    try:
        message.send()
    except Exception:
        logger.exception("Could not send a newsletter email (%s).", message.subject)
        return False
    return True
