"""System reports: blocked phrases, brand-new and suspended accounts, and the constraints."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidance.moderation.models import BlockedPhrase, ModerationAction, Reason, Report
from guidance.moderation.services import matching_phrases, suspend_author
from guidance.reviews.models import CommunityReview
from guidance.reviews.services import submit_review
from tests import factories as f

pytestmark = pytest.mark.django_db

BODY = "We watched it as a family and talked about it all the way home in the car afterwards."


def write(author, title, *, headline="A fine family evening", body=BODY):
    review, _ = submit_review(
        author=author, title=title, age_rating=10, stars=4, headline=headline, body=body
    )
    return review


def system_reports(review, reason):
    return Report.objects.filter(review=review, source="system", reason=reason)


def test_a_blocked_phrase_queues_the_review_and_it_stays_public(title, author):
    """A phrase on the queue list opens one system report; the review stays published."""
    BlockedPhrase.objects.create(phrase="Buy Now", action="queue")
    review = write(author, title, body=BODY + " Great deals here, buy   now at our shop!")
    report = system_reports(review, Reason.BLOCKED_PHRASE).get()
    assert report.reporter is None and report.status == "open"
    assert "“Buy Now”" in report.comment
    assert review.status == "published"
    title.refresh_from_db()
    assert title.community_review_count == 1


def test_editing_keeps_one_open_system_report(title, author):
    """Editing a flagged review updates its open system report instead of adding one."""
    BlockedPhrase.objects.create(phrase="buy now")
    BlockedPhrase.objects.create(phrase="cheap pills")
    review = write(author, title, body=BODY + " buy now")
    write(author, title, body=BODY + " buy now, cheap pills")
    report = system_reports(review, Reason.BLOCKED_PHRASE).get()
    assert "“buy now”, “cheap pills”" in report.comment


def test_a_hide_phrase_hides_the_review_at_once(client, title, author):
    """A phrase on the hide list hides a new review, logs it, and keeps it out of the numbers."""
    BlockedPhrase.objects.create(phrase="idiot", action="hide")
    review = write(author, title, headline="What an IDIOT plot")
    assert review.status == "hidden"
    review.refresh_from_db()
    assert review.status == "hidden"
    title.refresh_from_db()
    assert title.community_review_count == 0
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.reason, entry.moderator) == ("auto_hidden", "blocked_phrase", None)
    assert entry.headline == "What an IDIOT plot"
    assert "What an IDIOT plot" not in client.get(title.get_absolute_url()).content.decode()


def test_the_write_page_tells_the_author_a_hidden_review_waits(client, title, author):
    """The author is told their review is saved but hidden for now."""
    BlockedPhrase.objects.create(phrase="idiot", action="hide")
    client.force_login(author)
    response = client.post(
        f"/movies/{title.slug}/reviews/write/",
        {"age_rating": "10", "stars": "3", "headline": "Idiot plot", "body": BODY},
        follow=True,
    )
    assert "only you can see it" in response.content.decode()
    assert CommunityReview.objects.get().status == "hidden"


@pytest.mark.parametrize(
    "text, found",
    [
        ("A classic story", False),
        ("Skip class today", True),
        ("SKIP   CLASS", True),
        ("skip classes", False),
        ("(skip class)", True),
    ],
)
def test_phrases_match_whole_words_ignoring_case_and_spaces(text, found):
    """Phrases match whole words, any case, any spacing; not inside longer words."""
    BlockedPhrase.objects.create(phrase="skip class")
    BlockedPhrase.objects.create(phrase="class", is_active=False)
    assert bool(matching_phrases(text)) is found


def test_inactive_phrases_flag_nothing(title, author):
    """A phrase switched off in admin no longer flags reviews."""
    BlockedPhrase.objects.create(phrase="buy now", is_active=False)
    review = write(author, title, body=BODY + " buy now")
    assert not Report.objects.filter(review=review).exists()


def test_phrases_are_unique_ignoring_case():
    """The same phrase cannot be listed twice in different cases."""
    BlockedPhrase.objects.create(phrase="buy now")
    with pytest.raises(IntegrityError):
        BlockedPhrase.objects.create(phrase="BUY   NOW")


def test_reviews_from_brand_new_accounts_are_queued(settings, title):
    """A new account's first review is queued; an older account's is not; edits add nothing."""
    settings.MODERATION_NEW_ACCOUNT_HOURS = 24
    newcomer = f.make_parent()
    regular = f.make_parent(date_joined=timezone.now() - dt.timedelta(days=3))
    new_review = write(newcomer, title)
    write(newcomer, title, body=BODY + " Edited.")
    old_review = write(regular, title)
    report = system_reports(new_review, Reason.NEW_ACCOUNT).get()
    assert report.status == "open"
    assert not Report.objects.filter(review=old_review).exists()
    assert new_review.status == "published"


def test_suspending_an_author_queues_their_published_reviews(title, author, moderator):
    """Suspension files a system report on each published review of the author, once."""
    first = f.make_community_review(title, author)
    second = f.make_community_review(f.make_title(), author)
    hidden = f.make_community_review(f.make_title(), author, status="hidden")
    suspend_author(user=author, moderator=moderator, reason="spam")
    suspend_author(user=author, moderator=moderator, reason="spam")
    queued = Report.objects.filter(source="system", reason=Reason.SUSPENDED_AUTHOR)
    assert sorted(queued.values_list("review_id", flat=True)) == sorted([first.pk, second.pk])
    assert hidden.pk not in queued.values_list("review_id", flat=True)


def test_database_allows_one_report_per_person(review, readers):
    """The database refuses a second report by the same person on one review."""
    Report.objects.create(review=review, reporter=readers[0], reason="spam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(review=review, reporter=readers[0], reason="spoilers")


def test_database_allows_many_system_reports_but_one_open_per_reason(review):
    """System reports (no reporter) coexist, but only one open one per reason."""
    Report.objects.create(review=review, source="system", reason="new_account")
    Report.objects.create(review=review, source="system", reason="blocked_phrase")
    Report.objects.create(
        review=review,
        source="system",
        reason="blocked_phrase",
        status="dismissed",
        resolved_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(review=review, source="system", reason="blocked_phrase")


@pytest.mark.parametrize(
    "fields",
    [
        {"source": "system", "reason": "spam", "reporter": "reader"},
        {"source": "user", "reason": "other", "comment": "", "reporter": "reader"},
        {"source": "user", "reason": "spam", "status": "upheld", "reporter": "reader"},
        {"source": "robot", "reason": "spam"},
    ],
)
def test_database_checks_reports(review, readers, fields):
    """System reports have no reporter, "other" has a comment, decided ones a date."""
    if fields.pop("reporter", None):
        fields["reporter"] = readers[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(review=review, **fields)
