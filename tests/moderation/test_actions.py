"""Moderators' decisions: each one's effect, its audit row, the numbers, and the author."""

import datetime as dt
import re
from html import unescape
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guidance.moderation.models import ModerationAction, Report, ReporterStats, Suspension
from guidance.moderation.services import (
    ModerationRefused,
    can_post,
    dismiss_reports,
    hide_review,
    lift_suspension,
    remove_review,
    restore_review,
    suspend_author,
)
from guidance.reviews.models import CommunityReview, ReviewSummary
from guidance.reviews.services import recompute_title_aggregates, submit_review
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def others(title):
    """Two more published reviews of the title, so the numbers have something to keep."""
    return [
        f.make_community_review(title, f.make_parent(), age_rating=8, stars=5),
        f.make_community_review(title, f.make_kid(), age_rating=14, stars=2),
    ]


@pytest.fixture
def reported(review, readers, others):
    """The review, hidden by three readers' reports."""
    for reader in readers[:3]:
        f.make_report(review, reader, reason="spoilers")
    review.refresh_from_db()
    assert review.status == "hidden"
    return review


def numbers(title):
    """The title's stored numbers, to compare with a recount from scratch."""
    title.refresh_from_db()
    summary = ReviewSummary.objects.get(title=title)
    return (
        title.community_review_count,
        title.community_rating,
        summary.review_count,
        summary.parent_count,
        summary.kid_count,
        summary.parent_age,
        summary.kid_age,
        summary.stars_average,
        summary.levels,
    )


def assert_numbers_exact(title, expected_count):
    stored = numbers(title)
    recompute_title_aggregates(title=title)
    assert numbers(title) == stored
    assert stored[0] == expected_count


def page_text(response):
    """The page's words without tags, spaces collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html)).replace(" .", ".")


def last_entry():
    return ModerationAction.objects.order_by("-pk").first()


def stats(user):
    return ReporterStats.objects.get(user=user)


def test_keep_publishes_a_hidden_review_and_dismisses_its_reports(reported, moderator, readers):
    """Keep: reports dismissed, review public and counted again, one audit row."""
    entry = dismiss_reports(review=reported, moderator=moderator, note="Fair criticism")
    reported.refresh_from_db()
    assert reported.status == "published" and reported.report_count == 0
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert set(Report.objects.values_list("resolved_by", flat=True)) == {moderator.pk}
    assert (entry.action, entry.moderator, entry.note) == ("kept", moderator, "Fair criticism")
    assert (entry.status_before, entry.status_after, entry.reports_resolved) == (
        "hidden",
        "published",
        3,
    )
    assert entry.headline == reported.headline and entry.body == reported.body
    assert [stats(r).dismissed for r in readers[:3]] == [1, 1, 1]
    assert_numbers_exact(reported.title, 3)


def test_keep_on_a_public_review_dismisses_without_changing_it(review, readers, moderator, others):
    """Keeping a reported but public review only dismisses the reports."""
    f.make_report(review, readers[0])
    dismiss_reports(review=review, moderator=moderator)
    review.refresh_from_db()
    assert (review.status, review.report_count) == ("published", 0)
    assert last_entry().status_before == last_entry().status_after == "published"
    assert_numbers_exact(review.title, 3)


def test_keep_is_refused_when_there_is_nothing_to_keep(review, moderator):
    """A public review with no open reports, or a removed one, cannot be "kept"."""
    with pytest.raises(ModerationRefused):
        dismiss_reports(review=review, moderator=moderator)
    remove_review(review=review, moderator=moderator, reason="spam")
    with pytest.raises(ModerationRefused, match="restore it"):
        dismiss_reports(review=review, moderator=moderator)


def test_hide_takes_a_review_down_and_leaves_its_reports_open(review, readers, moderator, others):
    """Hide: off the page, out of the numbers, reports still open, audit row with reason."""
    f.make_report(review, readers[0])
    entry = hide_review(review=review, moderator=moderator, reason="personal_info")
    review.refresh_from_db()
    assert review.status == "hidden" and review.report_count == 1
    assert Report.objects.get().status == "open"
    assert (entry.action, entry.reason, entry.status_after) == ("hidden", "personal_info", "hidden")
    assert_numbers_exact(review.title, 2)


def test_hide_needs_a_reason_and_a_public_review(review, moderator):
    """Hiding without a reason, or hiding twice, is refused."""
    with pytest.raises(ValidationError, match="Choose the reason"):
        hide_review(review=review, moderator=moderator, reason="")
    with pytest.raises(ValidationError):
        hide_review(review=review, moderator=moderator, reason="other")
    hide_review(review=review, moderator=moderator, reason="spam")
    with pytest.raises(ModerationRefused, match="already hidden"):
        hide_review(review=review, moderator=moderator, reason="spam")
    assert ModerationAction.objects.count() == 1


def test_remove_upholds_the_reports_and_keeps_the_words(reported, moderator, readers):
    """Remove: reports upheld, reporters credited, words kept in the review and the log."""
    words = (reported.headline, reported.body)
    entry = remove_review(review=reported, moderator=moderator, reason="spoilers", note="Ending")
    reported.refresh_from_db()
    assert reported.status == "removed"
    assert (reported.headline, reported.body) == words
    assert (entry.headline, entry.body) == words
    assert set(Report.objects.values_list("status", flat=True)) == {"upheld"}
    assert [stats(r).upheld for r in readers[:3]] == [1, 1, 1]
    assert (entry.action, entry.reason, entry.reports_resolved) == ("removed", "spoilers", 3)
    assert CommunityReview.objects.filter(pk=reported.pk).exists()
    assert_numbers_exact(reported.title, 2)


def test_remove_is_refused_twice(reported, moderator):
    """A removed review cannot be removed again (no second audit row)."""
    remove_review(review=reported, moderator=moderator, reason="spam")
    with pytest.raises(ModerationRefused):
        remove_review(review=reported, moderator=moderator, reason="spam")
    assert ModerationAction.objects.filter(action="removed").count() == 1


def test_restore_brings_back_a_hidden_review(reported, moderator):
    """Restore: public and counted again, reports dismissed."""
    entry = restore_review(review=reported, moderator=moderator)
    reported.refresh_from_db()
    assert reported.status == "published"
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert (entry.action, entry.status_before, entry.status_after) == (
        "restored",
        "hidden",
        "published",
    )
    assert_numbers_exact(reported.title, 3)


def test_restore_brings_back_a_removed_review(reported, moderator):
    """A removed review can be restored; the numbers follow each step exactly."""
    remove_review(review=reported, moderator=moderator, reason="spam")
    assert_numbers_exact(reported.title, 2)
    restore_review(review=reported, moderator=moderator, note="Appeal accepted")
    reported.refresh_from_db()
    assert reported.status == "published"
    assert_numbers_exact(reported.title, 3)
    with pytest.raises(ModerationRefused, match="already published"):
        restore_review(review=reported, moderator=moderator)


def test_the_log_keeps_the_words_that_were_judged(review, author, moderator):
    """An edit after a decision does not change the copy in the log."""
    hide_review(review=review, moderator=moderator, reason="spam")
    submit_review(
        author=author,
        title=review.title,
        age_rating=12,
        stars=4,
        headline="Rewritten headline",
        body="Rewritten body that is long enough to pass the minimum length rule.",
    )
    entry = ModerationAction.objects.get()
    assert entry.headline == "Tense but worth it"
    review.refresh_from_db()
    assert review.headline == "Rewritten headline" and review.status == "hidden"


def test_the_log_outlives_a_review_its_author_deletes(reported, moderator, author, client):
    """An author deleting their removed review leaves the log entry and its copy."""
    remove_review(review=reported, moderator=moderator, reason="spam")
    client.force_login(author)
    client.post(reverse("reviews:delete", kwargs={"pk": reported.pk}))
    entry = ModerationAction.objects.get(action="removed")
    assert entry.review is None and entry.headline == "Tense but worth it"


@pytest.mark.parametrize("make_user", [f.make_parent, f.make_kid, lambda: None])
def test_only_moderators_can_decide(reported, make_user, editor):
    """Readers, editors and nobody at all are refused by every decision service."""
    for user in [make_user(), editor]:
        for service, extra in [
            (dismiss_reports, {}),
            (hide_review, {"reason": "spam"}),
            (remove_review, {"reason": "spam"}),
            (restore_review, {}),
        ]:
            with pytest.raises(PermissionDenied):
                service(review=reported, moderator=user, **extra)
        if user is not None:
            with pytest.raises(PermissionDenied):
                suspend_author(user=reported.author, moderator=user, reason="spam")
    assert not ModerationAction.objects.exclude(action="auto_hidden").exists()


# Suspensions ----------------------------------------


def test_suspend_author_stops_posting_until_the_end_date(review, author, moderator):
    """A suspension with an end date is in force until then, and is logged."""
    ends = timezone.now() + dt.timedelta(days=7)
    suspension = suspend_author(
        user=author, moderator=moderator, reason="harassment", ends_at=ends, review=review
    )
    assert suspension.is_active and not can_post(author)
    entry = last_entry()
    assert (entry.action, entry.author, entry.review, entry.reason) == (
        "suspended",
        author,
        review,
        "harassment",
    )
    assert entry.headline == review.headline
    with mock.patch("django.utils.timezone.now", return_value=ends + dt.timedelta(seconds=1)):
        assert can_post(author)


def test_a_new_suspension_replaces_the_one_in_force(author, moderator):
    """Suspending again lifts the earlier suspension; one is in force."""
    first = suspend_author(user=author, moderator=moderator, reason="spam")
    second = suspend_author(user=author, moderator=moderator, reason="harassment")
    first.refresh_from_db()
    assert first.lifted_at is not None
    assert list(Suspension.objects.active().filter(user=author)) == [second]


def test_lifting_a_suspension_lets_the_author_post(author, moderator):
    """Lifting ends the suspension now and logs it; lifting twice is refused."""
    suspension = suspend_author(user=author, moderator=moderator, reason="spam")
    lift_suspension(suspension=suspension, moderator=moderator, note="Apologised")
    assert can_post(author)
    assert last_entry().action == "lifted"
    with pytest.raises(ModerationRefused):
        lift_suspension(suspension=suspension, moderator=moderator)


@pytest.mark.parametrize("case", ["staff", "self", "past", "no reason"])
def test_suspensions_that_make_no_sense_are_refused(author, moderator, editor, case):
    """No suspending staff or yourself, no end date in the past, no missing reason."""
    kwargs = {"user": author, "moderator": moderator, "reason": "spam"}
    if case == "staff":
        kwargs["user"] = editor
    elif case == "self":
        kwargs["user"] = moderator
    elif case == "past":
        kwargs["ends_at"] = timezone.now() - dt.timedelta(hours=1)
    else:
        kwargs["reason"] = ""
    with pytest.raises(ValidationError):
        suspend_author(**kwargs)
    assert not Suspension.objects.exists()


# Telling the author ----------------------------------------


def test_the_author_is_emailed_why(
    reported, moderator, author, mailoutbox, django_capture_on_commit_callbacks
):
    """Removing emails the author the reason in words, after the decision commits."""
    with django_capture_on_commit_callbacks(execute=True):
        remove_review(review=reported, moderator=moderator, reason="spoilers", note="secret note")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [author.email]
    assert mail.subject == "Your review of Run was removed"
    assert "Why: It gives away the plot without being marked as containing spoilers." in mail.body
    assert "secret note" not in mail.body
    assert "Reader" not in mail.body


def test_the_automatic_hide_is_emailed_too(
    review, readers, author, mailoutbox, django_capture_on_commit_callbacks
):
    """When readers' reports hide a review, its author is told, without names."""
    with django_capture_on_commit_callbacks(execute=True):
        for reader in readers[:3]:
            f.make_report(review, reader, reason="spoilers")
    assert [mail.subject for mail in mailoutbox] == ["Your review of Run is hidden for now"]
    assert "Reader" not in mailoutbox[0].body


def test_a_failing_email_does_not_undo_the_decision(
    reported, moderator, django_capture_on_commit_callbacks, caplog
):
    """A mail server error is logged; the removal stands."""
    with (
        mock.patch("guidance.moderation.services.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        remove_review(review=reported, moderator=moderator, reason="spam")
    reported.refresh_from_db()
    assert reported.status == "removed"
    assert "Could not email the author" in caplog.text


def test_the_profile_says_why_a_review_is_hidden_or_removed(
    client, reported, moderator, author, title
):
    """The author's profile says which review moderation took down and why."""
    other = f.make_community_review(f.make_title(name="Coco", year=2017), author)
    remove_review(review=other, moderator=moderator, reason="personal_info")
    client.force_login(author)
    html = page_text(client.get(reverse("accounts:profile")))
    assert "Messages from our moderators" in html
    assert "Your review of Run is hidden while our moderators look at it" in html
    assert "Why: It gives away the plot without being marked as containing spoilers." in html
    assert "Your review of Coco was removed" in html
    assert "Why: It contains personal information that could identify someone." in html


def test_the_profile_says_when_an_account_is_suspended(client, author, moderator):
    """A suspended author sees it on their profile, with the reason and the end date."""
    suspend_author(
        user=author,
        moderator=moderator,
        reason="harassment",
        ends_at=timezone.make_aware(dt.datetime(2099, 3, 4, 12, 0)),
    )
    client.force_login(author)
    html = page_text(client.get(reverse("accounts:profile")))
    assert "Your account can't post for now." in html
    assert "until March 4, 2099" in html
    assert "Why: It attacks a person or a group of people." in html


def test_a_restored_review_leaves_no_message(client, reported, moderator, author):
    """Once restored, the profile no longer shows a moderation message."""
    restore_review(review=reported, moderator=moderator)
    client.force_login(author)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Messages from our moderators" not in html


def test_the_profile_reads_its_messages_in_fixed_queries(
    client, author, moderator, django_assert_max_num_queries
):
    """More moderated reviews do not add queries to the profile page."""
    for _ in range(2):
        remove_review(
            review=f.make_community_review(f.make_title(), author),
            moderator=moderator,
            reason="spam",
        )
    client.force_login(author)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("accounts:profile"))
    for _ in range(4):
        remove_review(
            review=f.make_community_review(f.make_title(), author),
            moderator=moderator,
            reason="spam",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("accounts:profile"))
