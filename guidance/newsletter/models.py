"""
The weekly newsletter: subscribers (double opt-in) and the log of what was sent.

A subscriber is active once they confirmed through the signed link we emailed them and
until they unsubscribe. `Delivery` records one weekly email per subscriber per week; its
unique constraint is what makes `send_newsletter` safe to run twice.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

MIN_KID_AGE, MAX_KID_AGE = 0, 17
MAX_KIDS = 8


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not unsubscribed: the people the weekly email goes to."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def with_email(self, email):
        return self.filter(email__iexact=email.strip())


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254)
    kids_ages = models.JSONField(
        "kids' ages",
        default=list,
        blank=True,
        help_text="Ages of the subscriber's kids (0-17), to pick reviews that fit them.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["confirmed_at", "unsubscribed_at"], name="newsletter_state_idx"),
        ]

    def __str__(self):
        return self.email

    @property
    def status(self):
        if self.unsubscribed_at is not None:
            return self.Status.UNSUBSCRIBED
        if self.confirmed_at is not None:
            return self.Status.ACTIVE
        return self.Status.PENDING

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def get_status_display(self):
        return self.Status(self.status).label


class Delivery(models.Model):
    """One weekly email sent to one subscriber; at most one per subscriber per week."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    week = models.DateField(help_text="The Monday of the week whose reviews the email lists.")
    sent_at = models.DateTimeField(default=timezone.now)
    title_count = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["-week", "-sent_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "week"], name="newsletter_one_delivery_per_week"
            ),
        ]
        indexes = [models.Index(fields=["week"], name="newsletter_delivery_week_idx")]

    def __str__(self):
        return f"Week of {self.week:%d %b %Y} to {self.subscriber}"
