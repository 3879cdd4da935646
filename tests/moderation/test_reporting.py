"""Reporting a review: the page, the rules, the threshold that hides, and the limits."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guidance.moderation.models import ModerationAction, Reason, Report, Suspension
from guidance.moderation.services import ReportNotAllowed, report_review, restore_review
from guidance.reviews.models import CommunityReview, ReviewSummary
from guidance.reviews.services import submit_review
from tests import factories as f

pytestmark = pytest.mark.django_db


def report_url(review, next_url=None):
    url = reverse("moderation:report", kwargs={"pk": review.pk})
    return f"{url}?next={next_url}" if next_url else url


def text(response):
    return unescape(response.content.decode())


def public_count(title):
    title.refresh_from_db()
    return title.community_review_count


# The page ----------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, review):
    """An anonymous visitor is sent to sign in, then back to the report page."""
    response = client.get(report_url(review))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('accounts:login')}?next=/reviews/{review.pk}/report/"
    )


def test_anonymous_post_files_nothing(client, review):
    """A signed-out POST is sent to sign in and files no report."""
    response = client.post(report_url(review), {"reason": "spam"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Report.objects.exists()


def test_report_page_offers_every_reason(client, review, readers):
    """The page shows the review and every reason, "Something else" last."""
    client.force_login(readers[0])
    response = client.get(report_url(review))
    html = text(response)
    assert response.status_code == 200
    assert "Tense but worth it" in html
    labels = [
        "Inappropriate language or content",
        "Spoilers without a warning",
        "Personal information",
        "Spam or advertising",
        "Harassment or hate",
        "Off-topic: not about this title",
        "Something else",
    ]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)


def test_reporting_confirms_without_naming_anyone(client, review, readers):
    """A report is filed once, confirmed in words, and the reporter goes back to the page."""
    client.force_login(readers[0])
    back = review.title.get_absolute_url()
    response = client.post(
        report_url(review), {"reason": "spoilers", "comment": "Gives the ending away"}
    )
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.comment) == (
        readers[0],
        "spoilers",
        "Gives the ending away",
    )
    assert report.source == Report.Source.USER and report.status == Report.Status.OPEN
    assert response.status_code == 302
    assert response["Location"] == f"{back}#review-{review.pk}"
    page = text(client.get(response["Location"]))
    assert "Thank you for your report" in page
    assert "we don't tell its author who reported it" in page


def test_report_returns_to_the_page_it_came_from(client, review, readers):
    """The `next` address brings the reporter back; an outside one is ignored."""
    client.force_login(readers[0])
    reviews_page = reverse("reviews:list", kwargs={"slug": review.title.slug})
    response = client.post(report_url(review, reviews_page), {"reason": "spam"})
    assert response["Location"] == reviews_page
    client.force_login(readers[1])
    response = client.post(report_url(review, "https://evil.example.com/"), {"reason": "spam"})
    assert response["Location"].startswith(review.title.get_absolute_url())


def test_other_needs_a_comment(client, review, readers):
    """ "Something else" without a comment is refused with a clear message."""
    client.force_login(readers[0])
    response = client.post(report_url(review), {"reason": "other", "comment": "   "})
    assert response.status_code == 400
    assert "Tell us what is wrong with this review." in text(response)
    assert not Report.objects.exists()
    response = client.post(
        report_url(review), {"reason": "other", "comment": "Copied from a magazine"}
    )
    assert response.status_code == 302
    assert Report.objects.get().comment == "Copied from a magazine"


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose what is wrong with this review."),
        ({"reason": "blocked_phrase"}, "Choose one of the reasons on the list."),
        ({"reason": "nonsense"}, "Choose one of the reasons on the list."),
        ({"reason": "spam", "comment": "x" * 1001}, "under 1000 characters"),
    ],
)
def test_bad_input_gets_a_message_not_a_500(client, review, readers, data, message):
    """A missing, unknown, system-only or oversized value is refused with a message."""
    client.force_login(readers[0])
    response = client.post(report_url(review), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Report.objects.exists()


def test_service_refuses_bad_reasons(review, readers):
    """The service checks reasons itself, whoever calls it."""
    with pytest.raises(ValidationError):
        report_review(review=review, reporter=readers[0], reason="new_account")
    with pytest.raises(ValidationError):
        report_review(review=review, reporter=readers[0], reason="other", comment="")


def test_reporting_again_updates_the_same_report(client, review, readers):
    """One report per person: reporting again edits it and still counts once."""
    client.force_login(readers[0])
    client.post(report_url(review), {"reason": "spam"})
    page = text(client.get(report_url(review)))
    assert "You reported this review on" in page
    response = client.post(report_url(review), {"reason": "harassment", "comment": "Rude"})
    report = Report.objects.get()
    assert (report.reason, report.comment) == ("harassment", "Rude")
    review.refresh_from_db()
    assert review.report_count == 1
    assert "Your report is updated" in text(client.get(response["Location"]))
    assert readers[0].report_stats.reports == 1


def test_you_cannot_report_your_own_review(client, review, author):
    """The author is told they can't report their own review; nothing is filed."""
    client.force_login(author)
    for response in [
        client.get(report_url(review)),
        client.post(report_url(review), {"reason": "spam"}),
    ]:
        assert response.status_code == 403
        assert "You can't report your own review" in text(response)
    assert not Report.objects.exists()
    with pytest.raises(ReportNotAllowed):
        report_review(review=review, reporter=author, reason="spam")


def test_removed_and_hidden_reviews_have_no_report_page(client, review, readers, moderator):
    """A hidden review's page is not shown; a removed one cannot be reported at all."""
    client.force_login(readers[0])
    f.make_report(review, readers[1])
    review.status = CommunityReview.Status.HIDDEN
    CommunityReview.objects.filter(pk=review.pk).update(status="hidden")
    assert client.get(report_url(review)).status_code == 404
    CommunityReview.objects.filter(pk=review.pk).update(status="removed")
    assert client.post(report_url(review), {"reason": "spam"}).status_code == 404
    with pytest.raises(ReportNotAllowed):
        report_review(review=review, reporter=readers[0], reason="spam")


def test_a_report_sent_as_the_review_is_hidden_still_counts(client, review, readers):
    """A form sent after the review was hidden still files its report."""
    client.force_login(readers[0])
    CommunityReview.objects.filter(pk=review.pk).update(status="hidden")
    response = client.post(report_url(review), {"reason": "spam"})
    assert response.status_code == 302
    assert Report.objects.filter(reporter=readers[0]).exists()


# The threshold ----------------------------------------


def test_below_the_threshold_the_review_stays_public(client, review, readers):
    """N-1 people reporting leave the review public, counted and in the queue."""
    title = review.title
    for reader in readers[:2]:
        f.make_report(review, reader)
    review.refresh_from_db()
    assert review.status == CommunityReview.Status.PUBLISHED
    assert review.report_count == 2
    assert public_count(title) == 1
    assert "Tense but worth it" in text(client.get(title.get_absolute_url()))
    assert not ModerationAction.objects.exists()


def test_the_nth_person_hides_the_review_at_once(client, review, readers):
    """The Nth distinct person hides the review: off the page and out of the numbers."""
    title = review.title
    for reader in readers[:3]:
        client.force_login(reader)
        client.post(report_url(review), {"reason": "harassment"})
    review.refresh_from_db()
    assert review.status == CommunityReview.Status.HIDDEN
    assert review.report_count == 3
    assert public_count(title) == 0
    assert ReviewSummary.objects.get(title=title).review_count == 0
    client.logout()
    assert "Tense but worth it" not in text(client.get(title.get_absolute_url()))
    entry = ModerationAction.objects.get()
    assert entry.action == ModerationAction.Action.AUTO_HIDDEN
    assert entry.moderator is None
    assert (entry.reason, entry.headline) == ("harassment", "Tense but worth it")
    assert entry.status_before == "published" and entry.status_after == "hidden"


def test_the_author_is_told_the_reason_most_reporters_gave(review, readers):
    """Mixed reasons with no majority are explained as "reported by several readers"."""
    for reader, reason in zip(readers, ["spam", "spoilers", "harassment"], strict=False):
        f.make_report(review, reader, reason=reason)
    assert ModerationAction.objects.get().reason == Reason.REPORTED


def test_the_same_person_reporting_twice_does_not_reach_the_threshold(review, readers):
    """Distinct people count, not reports: one person three times is one."""
    for reason in ["spam", "spoilers", "harassment"]:
        report_review(review=review, reporter=readers[0], reason=reason)
    f.make_report(review, readers[1])
    review.refresh_from_db()
    assert review.status == CommunityReview.Status.PUBLISHED
    assert review.report_count == 2


def test_the_threshold_is_a_setting(settings, review, readers):
    """REVIEW_AUTO_HIDE_REPORTS moves the threshold."""
    settings.REVIEW_AUTO_HIDE_REPORTS = 2
    f.make_report(review, readers[0])
    review.refresh_from_db()
    assert review.status == "published"
    result = report_review(review=review, reporter=readers[1], reason="spam")
    assert result.hidden_now
    review.refresh_from_db()
    assert review.status == "hidden"


def test_more_reports_after_hiding_hide_nothing_again(review, readers):
    """Reports after the hide are counted but log no second hide."""
    for reader in readers:
        f.make_report(review, reader)
    review.refresh_from_db()
    assert review.report_count == 5
    assert ModerationAction.objects.filter(action="auto_hidden").count() == 1


def test_system_reports_do_not_count_towards_hiding(review, readers):
    """Only people count towards the threshold; system flags only queue."""
    Report.objects.create(review=review, source="system", reason=Reason.NEW_ACCOUNT)
    Report.objects.create(review=review, source="system", reason=Reason.BLOCKED_PHRASE)
    for reader in readers[:2]:
        f.make_report(review, reader)
    review.refresh_from_db()
    assert (review.status, review.report_count) == ("published", 2)


def test_a_decided_report_reopens_only_after_an_edit(review, author, readers, moderator):
    """After a moderator kept the review, its reporters can report again only if it changed."""
    for reader in readers[:3]:
        f.make_report(review, reader)
    restore_review(review=review, moderator=moderator)
    with pytest.raises(ReportNotAllowed, match="already looked at your report"):
        report_review(review=review, reporter=readers[0], reason="spam")
    submit_review(
        author=author,
        title=review.title,
        age_rating=12,
        stars=2,
        headline="Tense but worth it",
        body="Edited: " + review.body,
    )
    result = report_review(review=review, reporter=readers[0], reason="spam")
    assert not result.created and result.report.is_open
    review.refresh_from_db()
    assert review.report_count == 1
    assert readers[0].report_stats.reports == 2


# Suspended accounts and limits ----------------------------------------


def suspend(user, moderator):
    return Suspension.objects.create(user=user, reason="spam", created_by=moderator)


def test_suspended_accounts_cannot_report(client, review, readers, moderator):
    """A suspended reader sees why and files nothing."""
    suspend(readers[0], moderator)
    client.force_login(readers[0])
    for response in [
        client.get(report_url(review)),
        client.post(report_url(review), {"reason": "spam"}),
    ]:
        assert response.status_code == 403
        assert "Your account is suspended from posting" in text(response)
    assert not Report.objects.exists()
    with pytest.raises(ReportNotAllowed):
        report_review(review=review, reporter=readers[0], reason="spam")


def test_suspended_accounts_cannot_write_or_edit_reviews(client, title, review, author, moderator):
    """A suspended author's review form is refused with the reason; the review is unchanged."""
    suspend(author, moderator)
    client.force_login(author)
    response = client.post(
        reverse("reviews:write", kwargs={"slug": title.slug}),
        {"age_rating": "8", "stars": "1", "headline": "Changed my mind", "body": "x" * 80},
    )
    assert response.status_code == 403
    assert "Your account is suspended from posting" in text(response)
    review.refresh_from_db()
    assert review.headline == "Tense but worth it"


def test_an_ended_or_lifted_suspension_lets_people_post(review, readers, moderator):
    """Only a suspension in force stops someone: not one that ended or was lifted."""
    from django.utils import timezone

    now = timezone.now()
    Suspension.objects.create(
        user=readers[0],
        reason="spam",
        starts_at=now - timezone.timedelta(days=10),
        ends_at=now - timezone.timedelta(days=1),
    )
    Suspension.objects.create(user=readers[0], reason="spam", lifted_at=now)
    assert report_review(review=review, reporter=readers[0], reason="spam").created


def test_reporting_is_rate_limited_per_user(client, settings, title, readers):
    """Past the "report" limit a person gets a 429 that says when to try again."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/h"}
    reviews = [f.make_community_review(title) for _ in range(3)]
    client.force_login(readers[0])
    statuses = [client.post(report_url(r), {"reason": "spam"}).status_code for r in reviews]
    assert statuses == [302, 302, 429]
    assert Report.objects.count() == 2


def test_reporting_is_rate_limited_per_ip(client, settings, title, readers):
    """Several accounts from one address share the address's limit."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/h"}
    review = f.make_community_review(title)
    statuses = []
    for reader in readers[:3]:
        client.force_login(reader)
        statuses.append(client.post(report_url(review), {"reason": "spam"}).status_code)
    assert statuses == [302, 302, 429]
    response = client.post(report_url(review), {"reason": "spam"})
    assert response.status_code == 429 and "Retry-After" in response
