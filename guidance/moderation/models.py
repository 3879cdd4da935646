"""
"Report this review": reports, the moderators' decisions, blocked phrases and suspensions.

People and the system file reports into one table (`Report`); enough distinct people
reporting a review hides it until a moderator decides. Every decision writes a
`ModerationAction`, the audit log, which keeps a copy of the words that were judged.
Nothing here deletes what a user wrote: moderation changes a review's status only.

All changes go through guidance.moderation.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from guidance.reviews.models import CommunityReview

COMMENT_MAX = 1000
NOTE_MAX = 2000


class Reason(models.TextChoices):
    """Why a review was reported, or why a moderator acted (one list for both)."""

    INAPPROPRIATE = "inappropriate", "Inappropriate language or content"
    SPOILERS = "spoilers", "Spoilers without a warning"
    PERSONAL_INFO = "personal_info", "Personal information"
    SPAM = "spam", "Spam or advertising"
    HARASSMENT = "harassment", "Harassment or hate"
    OFF_TOPIC = "off_topic", "Off-topic: not about this title"
    OTHER = "other", "Something else"
    # Reasons only the system gives.
    BLOCKED_PHRASE = "blocked_phrase", "Contains a blocked word or phrase"
    NEW_ACCOUNT = "new_account", "Written by a brand-new account"
    SUSPENDED_AUTHOR = "suspended_author", "Written by a suspended account"
    REPORTED = "reported", "Reported by several readers"


# What a person may pick on the report form, in the order the form shows them.
USER_REASONS = [
    Reason.INAPPROPRIATE,
    Reason.SPOILERS,
    Reason.PERSONAL_INFO,
    Reason.SPAM,
    Reason.HARASSMENT,
    Reason.OFF_TOPIC,
    Reason.OTHER,
]
SYSTEM_REASONS = [Reason.BLOCKED_PHRASE, Reason.NEW_ACCOUNT, Reason.SUSPENDED_AUTHOR]
# What a moderator may give as the reason for hiding, removing or suspending: each has
# an explanation for the author (REASON_EXPLANATIONS), so "other" is not among them.
DECISION_REASONS = [reason for reason in USER_REASONS if reason != Reason.OTHER]

# One line each, shown beside the choices on the report form.
REASON_HELP = {
    Reason.INAPPROPRIATE: "Swearing, crude or sexual content, or anything unkind to children.",
    Reason.SPOILERS: "It gives away the plot and is not marked as containing spoilers.",
    Reason.PERSONAL_INFO: "A real name, address, school, phone number or similar.",
    Reason.SPAM: "It sells something, links elsewhere, or repeats itself.",
    Reason.HARASSMENT: "It attacks a person or a group of people.",
    Reason.OFF_TOPIC: "It is not about this title, or it is about another review.",
    Reason.OTHER: "Tell us what is wrong in the comment box (required for this choice).",
}

# What the author is told about a decision (on their profile and by email).
REASON_EXPLANATIONS = {
    Reason.INAPPROPRIATE: "it contains language or content that is not suitable for a family site",
    Reason.SPOILERS: "it gives away the plot without being marked as containing spoilers",
    Reason.PERSONAL_INFO: "it contains personal information that could identify someone",
    Reason.SPAM: "it reads as advertising or spam",
    Reason.HARASSMENT: "it attacks a person or a group of people",
    Reason.OFF_TOPIC: "it is not about this title",
    Reason.OTHER: "readers told us about a problem with it",
    Reason.BLOCKED_PHRASE: "it contains words or phrases we do not allow",
    Reason.NEW_ACCOUNT: "we look at reviews from new accounts before counting them",
    Reason.SUSPENDED_AUTHOR: "the account that wrote it is suspended from posting",
    Reason.REPORTED: "several readers reported it",
}


class Report(models.Model):
    """One person's (or the system's) report that a review needs a moderator's look."""

    class Source(models.TextChoices):
        USER = "user", "A reader"
        SYSTEM = "system", "The system"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    review = models.ForeignKey(CommunityReview, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_reports",
        help_text="Empty for the system's reports (and for accounts deleted since).",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.USER)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    comment = models.TextField(blank=True, max_length=COMMENT_MAX)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One report per person per review: reporting again edits it. System reports
            # have no reporter and are not limited by this one.
            models.UniqueConstraint(
                fields=["review", "reporter"],
                condition=Q(reporter__isnull=False),
                name="moderation_one_report_per_person",
            ),
            # The system files one open report per review and reason, however often the
            # review is edited.
            models.UniqueConstraint(
                fields=["review", "reason"],
                condition=Q(source="system", status="open"),
                name="moderation_one_open_system_report_per_reason",
            ),
            models.CheckConstraint(
                condition=Q(source="user") | Q(reporter__isnull=True),
                name="moderation_system_report_has_no_reporter",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(comment=""),
                name="moderation_other_needs_comment",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["user", "system"]), name="moderation_report_source_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolved_at__isnull=True))
                | (Q(status__in=["upheld", "dismissed"]) & Q(resolved_at__isnull=False)),
                name="moderation_report_resolved_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "status"], name="moderation_report_review_idx"),
            models.Index(fields=["status", "created_at"], name="moderation_report_queue_idx"),
            models.Index(fields=["reporter", "status"], name="moderation_report_reporter_idx"),
        ]

    def __str__(self):
        who = self.reporter or ("the system" if self.source == self.Source.SYSTEM else "someone")
        return f"{self.get_reason_display()} (by {who} on review {self.review_id})"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class ReporterStats(models.Model):
    """How often a person reported reviews, and how often moderators agreed with them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="report_stats",
    )
    reports = models.PositiveIntegerField(default=0, help_text="Reports made, all time.")
    upheld = models.PositiveIntegerField(default=0, help_text="Reports moderators agreed with.")
    dismissed = models.PositiveIntegerField(default=0, help_text="Reports moderators dismissed.")

    class Meta:
        verbose_name_plural = "reporter stats"

    def __str__(self):
        return f"{self.user}: {self.upheld} of {self.decided} upheld"

    @property
    def decided(self):
        return self.upheld + self.dismissed

    @property
    def accuracy(self):
        """Return the share of decided reports that were upheld (None before any decision)."""
        return self.upheld / self.decided if self.decided else None


class ModerationAction(models.Model):
    """The audit log: who did what to which review, why, when, and the words judged."""

    class Action(models.TextChoices):
        AUTO_HIDDEN = "auto_hidden", "Hidden automatically"
        KEPT = "kept", "Kept (reports dismissed)"
        HIDDEN = "hidden", "Hidden"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"
        SUSPENDED = "suspended", "Author suspended from posting"
        LIFTED = "lifted", "Suspension lifted"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        help_text="Empty when the system acted.",
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    review = models.ForeignKey(
        CommunityReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
        help_text="Whose review was judged, or who was suspended.",
    )
    title = models.ForeignKey(
        "movies.Title", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    note = models.TextField(
        blank=True, max_length=NOTE_MAX, help_text="The moderator's note (moderators only)."
    )
    status_before = models.CharField(max_length=10, blank=True)
    status_after = models.CharField(max_length=10, blank=True)
    reports_resolved = models.PositiveIntegerField(default=0)
    headline = models.CharField("headline judged", max_length=200, blank=True)
    body = models.TextField("review judged", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"
        indexes = [
            models.Index(fields=["review", "-created_at"], name="moderation_action_review_idx"),
            models.Index(fields=["author", "-created_at"], name="moderation_action_author_idx"),
            models.Index(fields=["action", "-created_at"], name="moderation_action_kind_idx"),
        ]

    def __str__(self):
        who = self.moderator or "System"
        return f"{self.get_action_display()} by {who} on {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def explanation(self):
        """Say why, in words for the author."""
        return REASON_EXPLANATIONS.get(self.reason, "")


class SuspensionQuerySet(models.QuerySet):
    def active(self, at=None):
        """Suspensions in force at `at` (now by default): started, not ended, not lifted."""
        at = at or timezone.now()
        return self.filter(lifted_at__isnull=True, starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )


class Suspension(models.Model):
    """An account may not post (reviews, reports, suggestions) while this is in force."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posting_suspensions"
    )
    reason = models.CharField(
        max_length=20, choices=Reason.choices, help_text="Shown to the account's owner."
    )
    note = models.TextField(
        blank=True, max_length=NOTE_MAX, help_text="For moderators only; never shown."
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to suspend until a moderator lifts it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="moderation_suspension_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "lifted_at", "ends_at"], name="moderation_suspended_idx"),
        ]

    def __str__(self):
        until = f"until {self.ends_at:%Y-%m-%d}" if self.ends_at else "until lifted"
        return f"{self.user} suspended {until}"

    @property
    def is_active(self):
        now = timezone.now()
        return (
            self.lifted_at is None
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )

    @property
    def explanation(self):
        return REASON_EXPLANATIONS.get(self.reason, "")


class BlockedPhrase(models.Model):
    """A word or phrase that flags a review when it is written or edited."""

    class Action(models.TextChoices):
        QUEUE = "queue", "Queue it for a moderator (it stays public)"
        HIDE = "hide", "Hide it at once and queue it"

    phrase = models.CharField(
        max_length=100,
        help_text="Matched as whole words, ignoring case and extra spaces.",
    )
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.QUEUE)
    is_active = models.BooleanField("active", default=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why it is on the list.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("phrase")]
        constraints = [
            models.UniqueConstraint(Lower("phrase"), name="moderation_blocked_phrase_unique"),
            models.CheckConstraint(
                condition=Q(action__in=["queue", "hide"]), name="moderation_phrase_action_valid"
            ),
        ]

    def __str__(self):
        return self.phrase

    def save(self, *args, **kwargs):
        self.phrase = " ".join(self.phrase.split())
        super().save(*args, **kwargs)


class ReportedReview(CommunityReview):
    """A community review as the moderation queue sees it (a proxy: same table)."""

    class Meta:
        proxy = True
        verbose_name = "reported review"
        verbose_name_plural = "moderation queue"
        permissions = [
            ("moderate_review", "Can keep, hide, remove and restore reported reviews"),
            ("suspend_user", "Can suspend accounts from posting"),
        ]
