"""
Reporting reviews and every moderation decision, each in one transaction.

Views, admin actions and the review-writing service call these functions; nothing else
writes reports, decisions or suspensions. Status changes go through
guidance.reviews.services.set_review_status, which recounts the title's numbers exactly.

Locking: every function that changes a review locks the title's row and then the
review's, in that order (the order the review services use), so concurrent reports and
decisions on one review queue up. That is what makes the report count exact and the
automatic hide happen exactly once when many people report at the same moment.
"""

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from guidance.moderation.models import (
    COMMENT_MAX,
    DECISION_REASONS,
    NOTE_MAX,
    USER_REASONS,
    BlockedPhrase,
    ModerationAction,
    Reason,
    Report,
    ReporterStats,
    Suspension,
)
from guidance.reviews import services as review_services
from guidance.reviews.models import CommunityReview
from movies.models import Title

logger = logging.getLogger(__name__)

MODERATE_PERMISSION = "moderation.moderate_review"
SUSPEND_PERMISSION = "moderation.suspend_user"

Status = CommunityReview.Status
Action = ModerationAction.Action


class ReportNotAllowed(PermissionDenied):
    """This person may not report this review (the message says why)."""


class ModerationRefused(ValidationError):
    """A decision that does not apply to the review as it is now (the message says why)."""


def auto_hide_threshold() -> int:
    """How many distinct people must report a review before it is hidden at once."""
    return max(1, int(getattr(settings, "REVIEW_AUTO_HIDE_REPORTS", 3)))


def new_account_hours() -> int:
    """Reviews from accounts younger than this many hours are queued (0: never)."""
    return int(getattr(settings, "MODERATION_NEW_ACCOUNT_HOURS", 24))


# Suspensions ----------------------------------------


def active_suspension(user) -> Suspension | None:
    """Return the suspension `user` is under now, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Suspension.objects.active().filter(user=user).order_by("-starts_at").first()


def posting_refusal(user) -> str:
    """
    Say why `user` may not post (reviews, reports, suggestions), or return "".

    The one check every posting workflow calls.
    """
    suspension = active_suspension(user)
    if suspension is None:
        return ""
    until = (
        f"until {date_format(timezone.localtime(suspension.ends_at), 'F j, Y')}"
        if suspension.ends_at
        else "until a moderator lifts it"
    )
    return (
        f"Your account is suspended from posting {until}, because "
        f"{suspension.explanation or 'of a moderator decision'}. "
        "You can still read everything on the site."
    )


def can_post(user) -> bool:
    """Return whether `user` may post now (False while a suspension is in force)."""
    return not posting_refusal(user)


# Reporting ----------------------------------------


@dataclass
class ReportResult:
    report: Report
    created: bool
    hidden_now: bool = False


def _lock_review(review: CommunityReview) -> CommunityReview:
    """Lock the review's title, then the review; return the review as it is now."""
    list(Title.objects.select_for_update().filter(pk=review.title_id).values_list("pk"))
    return (
        CommunityReview.objects.select_for_update()
        .select_related("title", "author")
        .get(pk=review.pk)
    )


def _recount_reports(review: CommunityReview) -> int:
    """Store and return the number of people whose report on `review` is open."""
    count = Report.objects.filter(
        review_id=review.pk, source=Report.Source.USER, status=Report.Status.OPEN
    ).count()
    CommunityReview.objects.filter(pk=review.pk).update(report_count=count)
    review.report_count = count
    return count


def _count_new_report(user_id: int) -> None:
    ReporterStats.objects.get_or_create(user_id=user_id)
    ReporterStats.objects.filter(user_id=user_id).update(reports=F("reports") + 1)


def _clean_report(*, reason: str, comment: str) -> str:
    comment = (comment or "").strip()
    if reason not in USER_REASONS:
        raise ValidationError("Choose one of the reasons on the list.", code="reason")
    if reason == Reason.OTHER and not comment:
        raise ValidationError("Tell us what is wrong with this review.", code="comment")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            f"Please keep your comment under {COMMENT_MAX} characters.", code="comment"
        )
    return comment


@transaction.atomic
def report_review(
    *, review: CommunityReview, reporter, reason: str, comment: str = ""
) -> ReportResult:
    """
    Report `review` for `reason`; reporting it again updates the same report.

    Nobody may report their own review, and suspended accounts may not report. When the
    number of people with an open report reaches REVIEW_AUTO_HIDE_REPORTS, the review is
    hidden until a moderator decides (once: a hidden review stays hidden). A report a
    moderator already decided is reopened only if the review was edited since.
    """
    comment = _clean_report(reason=reason, comment=comment)
    if not reporter.is_authenticated or not reporter.is_active:
        raise ReportNotAllowed("Sign in to report a review.")
    refusal = posting_refusal(reporter)
    if refusal:
        raise ReportNotAllowed(refusal)
    review = _lock_review(review)
    if review.author_id == reporter.pk:
        raise ReportNotAllowed("You can't report your own review. You can edit or delete it.")
    if review.status == Status.REMOVED:
        raise ReportNotAllowed("Our moderators have already removed this review.")

    now = timezone.now()
    report = Report.objects.filter(review_id=review.pk, reporter=reporter).first()
    created = report is None
    if created:
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    review=review,
                    reporter=reporter,
                    reason=reason,
                    comment=comment,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # the same person's other request got there first
            report = Report.objects.get(review_id=review.pk, reporter=reporter)
            created = False
    if created:
        _count_new_report(reporter.pk)
    else:
        if not report.is_open:
            if report.resolved_at and review.updated_at <= report.resolved_at:
                raise ReportNotAllowed(
                    "Our moderators have already looked at your report on this review "
                    "and made a decision. Thank you for telling us."
                )
            report.status, report.resolved_by, report.resolved_at = Report.Status.OPEN, None, None
            _count_new_report(reporter.pk)
        report.reason, report.comment, report.updated_at = reason, comment, now
        report.save(
            update_fields=[
                "reason",
                "comment",
                "status",
                "resolved_by",
                "resolved_at",
                "updated_at",
            ]
        )

    count = _recount_reports(review)
    hidden_now = False
    if count >= auto_hide_threshold() and review.status == Status.PUBLISHED:
        reasons = Counter(
            Report.objects.filter(
                review_id=review.pk, source=Report.Source.USER, status=Report.Status.OPEN
            ).values_list("reason", flat=True)
        )
        # The author is told the reason most reporters gave, if most gave the same one.
        top_reason, top_count = reasons.most_common(1)[0]
        if top_reason == Reason.OTHER or top_count * 2 <= count:
            top_reason = Reason.REPORTED
        _change_status(
            review=review,
            moderator=None,
            action=Action.AUTO_HIDDEN,
            status=Status.HIDDEN,
            reason=top_reason,
            note=f"Reported by {count} people (the limit is {auto_hide_threshold()}).",
        )
        hidden_now = True
    return ReportResult(report=report, created=created, hidden_now=hidden_now)


# Screening on write ----------------------------------------


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(word) for word in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def matching_phrases(text: str) -> list[BlockedPhrase]:
    """Return the active blocked phrases that occur in `text` as whole words."""
    lowered = text.lower()
    return [
        phrase
        for phrase in BlockedPhrase.objects.filter(is_active=True).order_by("pk")
        if phrase.phrase.strip() and _phrase_pattern(phrase.phrase).search(lowered)
    ]


def _open_system_report(*, review: CommunityReview, reason: str, comment: str) -> Report:
    """Open the system's report on `review` for `reason`, or update the open one."""
    report = Report.objects.filter(
        review_id=review.pk,
        source=Report.Source.SYSTEM,
        reason=reason,
        status=Report.Status.OPEN,
    ).first()
    if report is None:
        try:
            with transaction.atomic():
                return Report.objects.create(
                    review=review, source=Report.Source.SYSTEM, reason=reason, comment=comment
                )
        except IntegrityError:  # opened by a concurrent edit a moment ago
            report = Report.objects.get(
                review_id=review.pk,
                source=Report.Source.SYSTEM,
                reason=reason,
                status=Report.Status.OPEN,
            )
    if report.comment != comment:
        report.comment, report.updated_at = comment, timezone.now()
        report.save(update_fields=["comment", "updated_at"])
    return report


@transaction.atomic
def screen_review(*, review: CommunityReview, created: bool) -> list[Report]:
    """
    Flag a review that was just written or edited, through the reports table.

    A blocked phrase opens a system report (and, for a phrase on the hide list, hides a
    published review at once); a new review from an account younger than
    MODERATION_NEW_ACCOUNT_HOURS is queued. Returns the system reports opened or updated;
    `review.status` is brought up to date.
    """
    written, review = review, _lock_review(review)
    reports = []
    matches = matching_phrases(f"{review.headline}\n{review.body}")
    if matches:
        listed = ", ".join(f"“{phrase.phrase}”" for phrase in matches)
        reports.append(
            _open_system_report(
                review=review, reason=Reason.BLOCKED_PHRASE, comment=f"Matched {listed}."
            )
        )
    hours = new_account_hours()
    if created and hours and review.author.date_joined > timezone.now() - timedelta(hours=hours):
        reports.append(
            _open_system_report(
                review=review,
                reason=Reason.NEW_ACCOUNT,
                comment=f"The account is less than {hours} hours old.",
            )
        )
    hiding = [phrase for phrase in matches if phrase.action == BlockedPhrase.Action.HIDE]
    if hiding and review.status == Status.PUBLISHED:
        _change_status(
            review=review,
            moderator=None,
            action=Action.AUTO_HIDDEN,
            status=Status.HIDDEN,
            reason=Reason.BLOCKED_PHRASE,
            note="Matched " + ", ".join(f"“{phrase.phrase}”" for phrase in hiding) + ".",
        )
    written.status = review.status
    return reports


# Moderators' decisions -----------------------------------------------------------------


def _check_permission(user, permission: str) -> None:
    if not (user and user.is_authenticated and user.is_active and user.has_perm(permission)):
        raise PermissionDenied("Only moderators can do that.")


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Please keep the note under {NOTE_MAX} characters.")
    return note


def _clean_decision_reason(reason: str, *, required: bool) -> str:
    if not reason:
        if required:
            raise ValidationError("Choose the reason the author will be told.", code="reason")
        return ""
    if reason not in DECISION_REASONS:
        raise ValidationError("Choose one of the reasons on the list.", code="reason")
    return reason


def _resolve_open_reports(*, review: CommunityReview, moderator, upheld: bool) -> int:
    """Close the review's open reports as upheld or dismissed; count it for each reporter."""
    reports = Report.objects.filter(review_id=review.pk, status=Report.Status.OPEN)
    reporter_ids = list(
        reports.filter(reporter__isnull=False).values_list("reporter_id", flat=True)
    )
    resolved = reports.update(
        status=Report.Status.UPHELD if upheld else Report.Status.DISMISSED,
        resolved_by=moderator,
        resolved_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if reporter_ids:
        ReporterStats.objects.bulk_create(
            [ReporterStats(user_id=user_id) for user_id in reporter_ids], ignore_conflicts=True
        )
        field = "upheld" if upheld else "dismissed"
        ReporterStats.objects.filter(user_id__in=reporter_ids).update(**{field: F(field) + 1})
    _recount_reports(review)
    return resolved


def _log(*, review: CommunityReview, moderator, action: str, reason: str, note: str, **extra):
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        review=review,
        author_id=review.author_id,
        title_id=review.title_id,
        reason=reason,
        note=note,
        headline=review.headline,
        body=review.body,
        **extra,
    )


def _change_status(
    *,
    review: CommunityReview,
    moderator,
    action: str,
    status: str,
    reason: str,
    note: str,
    resolve: bool | None = None,
) -> ModerationAction:
    """
    Set a locked review's status, close its reports if asked, and log it.

    `resolve` True upholds the open reports, False dismisses them, None leaves them open.
    The author is emailed after the transaction commits.
    """
    before = review.status
    if status != before:
        review_services.set_review_status(review=review, status=status)
    resolved = 0
    if resolve is not None:
        resolved = _resolve_open_reports(review=review, moderator=moderator, upheld=resolve)
    entry = _log(
        review=review,
        moderator=moderator,
        action=action,
        reason=reason,
        note=note,
        status_before=before,
        status_after=status,
        reports_resolved=resolved,
    )
    if status != before:
        transaction.on_commit(partial(notify_author, action_id=entry.pk), robust=True)
    return entry


def _open_report_count(review: CommunityReview) -> int:
    return Report.objects.filter(review_id=review.pk, status=Report.Status.OPEN).count()


@transaction.atomic
def dismiss_reports(
    *, review: CommunityReview, moderator, reason: str = "", note: str = ""
) -> ModerationAction:
    """
    Keep a review: dismiss its open reports, and publish it again if it was hidden.

    A removed review is brought back with restore_review instead.
    """
    _check_permission(moderator, MODERATE_PERMISSION)
    reason, note = _clean_decision_reason(reason, required=False), _clean_note(note)
    review = _lock_review(review)
    if review.status == Status.REMOVED:
        raise ModerationRefused("This review is removed; restore it to publish it again.")
    if review.status == Status.PUBLISHED and not _open_report_count(review):
        raise ModerationRefused("This review has no open reports to dismiss.")
    return _change_status(
        review=review,
        moderator=moderator,
        action=Action.KEPT,
        status=Status.PUBLISHED,
        reason=reason,
        note=note,
        resolve=False,
    )


@transaction.atomic
def hide_review(
    *, review: CommunityReview, moderator, reason: str, note: str = ""
) -> ModerationAction:
    """Hide a published review while moderators look further (its reports stay open)."""
    _check_permission(moderator, MODERATE_PERMISSION)
    reason, note = _clean_decision_reason(reason, required=True), _clean_note(note)
    review = _lock_review(review)
    if review.status != Status.PUBLISHED:
        raise ModerationRefused(f"This review is already {review.get_status_display().lower()}.")
    return _change_status(
        review=review,
        moderator=moderator,
        action=Action.HIDDEN,
        status=Status.HIDDEN,
        reason=reason,
        note=note,
    )


@transaction.atomic
def remove_review(
    *, review: CommunityReview, moderator, reason: str, note: str = ""
) -> ModerationAction:
    """Remove a review (its open reports are upheld); its words are kept for the record."""
    _check_permission(moderator, MODERATE_PERMISSION)
    reason, note = _clean_decision_reason(reason, required=True), _clean_note(note)
    review = _lock_review(review)
    if review.status == Status.REMOVED:
        raise ModerationRefused("This review is already removed.")
    return _change_status(
        review=review,
        moderator=moderator,
        action=Action.REMOVED,
        status=Status.REMOVED,
        reason=reason,
        note=note,
        resolve=True,
    )


@transaction.atomic
def restore_review(
    *, review: CommunityReview, moderator, reason: str = "", note: str = ""
) -> ModerationAction:
    """Publish a hidden or removed review again; its open reports are dismissed."""
    _check_permission(moderator, MODERATE_PERMISSION)
    reason, note = _clean_decision_reason(reason, required=False), _clean_note(note)
    review = _lock_review(review)
    if review.status == Status.PUBLISHED:
        raise ModerationRefused("This review is already published.")
    return _change_status(
        review=review,
        moderator=moderator,
        action=Action.RESTORED,
        status=Status.PUBLISHED,
        reason=reason,
        note=note,
        resolve=False,
    )


def validate_suspension(*, user, ends_at=None) -> None:
    """Refuse a suspension of a staff account, or one that would end in the past."""
    if user.is_staff or user.is_superuser:
        raise ModerationRefused("Staff accounts are managed by administrators, not suspended.")
    if ends_at is not None and ends_at <= timezone.now():
        raise ModerationRefused("Choose an end date in the future, or leave it empty.")


@transaction.atomic
def suspend_author(
    *,
    user,
    moderator,
    reason: str,
    ends_at=None,
    note: str = "",
    review: CommunityReview | None = None,
) -> Suspension:
    """
    Suspend `user` from posting until `ends_at` (or until lifted), and log it.

    A suspension in force is replaced by the new one. The account's published reviews
    are queued for a moderator's look (a system report each); `review` is the one that
    led to the suspension, if any, and is copied into the log.
    """
    _check_permission(moderator, SUSPEND_PERMISSION)
    reason, note = _clean_decision_reason(reason, required=True), _clean_note(note)
    if user.pk == moderator.pk:
        raise ModerationRefused("You can't suspend your own account.")
    validate_suspension(user=user, ends_at=ends_at)
    now = timezone.now()

    Suspension.objects.active(now).filter(user=user).update(lifted_at=now, lifted_by=moderator)
    suspension = Suspension.objects.create(
        user=user,
        reason=reason,
        note=note,
        starts_at=now,
        ends_at=ends_at,
        created_by=moderator,
    )
    already = set(
        Report.objects.filter(
            review__author=user,
            source=Report.Source.SYSTEM,
            reason=Reason.SUSPENDED_AUTHOR,
            status=Report.Status.OPEN,
        ).values_list("review_id", flat=True)
    )
    Report.objects.bulk_create(
        [
            Report(
                review_id=review_id,
                source=Report.Source.SYSTEM,
                reason=Reason.SUSPENDED_AUTHOR,
                comment="The author was suspended from posting.",
            )
            for review_id in CommunityReview.objects.filter(
                author=user, status=Status.PUBLISHED
            ).values_list("pk", flat=True)
            if review_id not in already
        ]
    )
    until = f"until {ends_at:%Y-%m-%d %H:%M} UTC" if ends_at else "until lifted"
    entry = ModerationAction.objects.create(
        moderator=moderator,
        action=Action.SUSPENDED,
        review=review,
        author=user,
        title_id=review.title_id if review else None,
        reason=reason,
        note=f"Suspended {until}." + (f" {note}" if note else ""),
        headline=review.headline if review else "",
        body=review.body if review else "",
    )
    transaction.on_commit(partial(notify_author, action_id=entry.pk), robust=True)
    return suspension


@transaction.atomic
def lift_suspension(*, suspension: Suspension, moderator, note: str = "") -> Suspension:
    """End a suspension now, and log it."""
    _check_permission(moderator, SUSPEND_PERMISSION)
    note = _clean_note(note)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if not suspension.is_active:
        raise ModerationRefused("This suspension is not in force.")
    suspension.lifted_at, suspension.lifted_by = timezone.now(), moderator
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    ModerationAction.objects.create(
        moderator=moderator,
        action=Action.LIFTED,
        author_id=suspension.user_id,
        reason=suspension.reason,
        note=note,
    )
    return suspension


# Telling the author ----------------------------------------


EMAILED_ACTIONS = {
    Action.AUTO_HIDDEN,
    Action.HIDDEN,
    Action.REMOVED,
    Action.RESTORED,
    Action.KEPT,
    Action.SUSPENDED,
}


def notify_author(*, action_id: int) -> bool:
    """
    Email the author about a decision on their review or account; return whether sent.

    Runs after the decision commits; a failing mail server is logged and never undoes
    the decision.
    """
    entry = (
        ModerationAction.objects.select_related("author", "title", "review")
        .filter(pk=action_id)
        .first()
    )
    if entry is None or entry.action not in EMAILED_ACTIONS:
        return False
    author = entry.author
    if author is None or not author.email or not author.is_active:
        return False
    context = {
        "entry": entry,
        "author": author,
        "site_name": getattr(settings, "SITE_NAME", "Family Screen Guide"),
        "profile_url": getattr(settings, "SITE_URL", "").rstrip("/") + reverse("accounts:profile"),
        "suspension": Suspension.objects.filter(user=author).order_by("-starts_at").first()
        if entry.action == Action.SUSPENDED
        else None,
    }
    try:
        subject = " ".join(
            render_to_string("moderation/email/decision_subject.txt", context).split()
        )
        body = render_to_string("moderation/email/decision_body.txt", context)
        send_mail(subject, body, None, [author.email])
    except Exception:
        logger.exception("Could not email the author about moderation action %s", action_id)
        return False
    return True
