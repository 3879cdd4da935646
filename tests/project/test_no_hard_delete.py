"""Moderation and suggestions never hard-delete what people wrote: every path keeps the text."""

import pytest

from guidance.moderation.models import Report
from guidance.moderation.services import (
    dismiss_reports,
    hide_review,
    lift_suspension,
    remove_review,
    report_review,
    restore_review,
    suspend_author,
)
from guidance.reviews.models import CommunityReview
from guidance.suggestions.models import Suggestion
from guidance.suggestions.services import accept_suggestion, reject_suggestion, suggest_update
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADLINE = "Our honest take on the chase"
BODY = "The chase scenes were tense but fine for our ten-year-old; the ending led to a talk."
COMMENT = "This review gives away the ending in the second line."


@pytest.fixture(autouse=True)
def quick(settings):
    """Established accounts, three reports hide a review."""
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0
    settings.REVIEW_AUTO_HIDE_REPORTS = 3


def words_kept(review_pk):
    """The review and every report on it are still in the database, word for word."""
    review = CommunityReview.objects.get(pk=review_pk)
    assert (review.headline, review.body) == (HEADLINE, BODY)
    comments = set(Report.objects.filter(review_id=review_pk).values_list("comment", flat=True))
    assert COMMENT in comments
    return review.status


def test_every_moderation_path_keeps_the_review_and_the_reports():
    """Report, auto-hide, keep, hide, remove, restore, suspend and lift: the words stay."""
    title = f.make_title(name="Run", year=2020)
    f.make_review(title)
    author = f.make_parent()
    review = f.make_community_review(title, author, headline=HEADLINE, body=BODY)
    moderator = f.make_moderator()
    Status = CommunityReview.Status
    seen = []

    report_review(review=review, reporter=f.make_parent(), reason="spoilers", comment=COMMENT)
    seen.append(words_kept(review.pk))
    for _ in range(2):  # the third distinct reporter hides it automatically
        report_review(review=review, reporter=f.make_parent(), reason="spam")
    seen.append(words_kept(review.pk))
    dismiss_reports(review=review, moderator=moderator)
    seen.append(words_kept(review.pk))
    hide_review(review=review, moderator=moderator, reason="spoilers")
    seen.append(words_kept(review.pk))
    remove_review(review=review, moderator=moderator, reason="spoilers")
    seen.append(words_kept(review.pk))
    restore_review(review=review, moderator=moderator)
    seen.append(words_kept(review.pk))
    suspension = suspend_author(user=author, moderator=moderator, reason="spam", review=review)
    seen.append(words_kept(review.pk))
    lift_suspension(suspension=suspension, moderator=moderator)
    seen.append(words_kept(review.pk))

    assert seen[:6] == [
        Status.PUBLISHED,
        Status.HIDDEN,
        Status.PUBLISHED,
        Status.HIDDEN,
        Status.REMOVED,
        Status.PUBLISHED,
    ]
    assert Report.objects.filter(review=review).count() >= 3


def test_accepting_and_rejecting_suggestions_keeps_them():
    """A decided suggestion keeps its message, source and proposal; nothing is deleted."""
    title = f.make_title(name="Run", year=2020)
    reader, editor = f.make_parent(), f.make_staff(groups=["Editors"])
    accepted = suggest_update(
        title=title,
        author=reader,
        field="runtime_minutes",
        proposed={"value": 101},
        message="The runtime on the box is 101 minutes.",
        source="DVD box",
    )
    rejected = suggest_update(
        title=title,
        author=reader,
        field="other",
        proposed={"text": "Add the sequel."},
        message="There is a sequel.",
    )
    accept_suggestion(suggestion=accepted, editor=editor, note="Checked.")
    reject_suggestion(suggestion=rejected, editor=editor, note="Not out yet.")
    kept = {s.pk: s for s in Suggestion.objects.all()}
    assert kept[accepted.pk].message == "The runtime on the box is 101 minutes."
    assert kept[accepted.pk].source == "DVD box"
    assert kept[accepted.pk].status == Suggestion.Status.ACCEPTED
    assert kept[rejected.pk].message == "There is a sequel."
    assert kept[rejected.pk].status == Suggestion.Status.REJECTED
