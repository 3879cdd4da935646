"""
Reporting under load, on PostgreSQL with real threads (each with its own connection).

SQLite serialises every write to the whole database, so these races cannot happen there;
CI runs this file on PostgreSQL.
"""

import threading

import pytest
from django.db import connection, connections

from guidance.moderation.models import ModerationAction, Report, ReporterStats
from guidance.moderation.services import ModerationRefused, report_review, restore_review
from guidance.reviews.models import CommunityReview
from guidance.reviews.services import recompute_title_aggregates
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (CI runs it there)",
    ),
]


def at_once(calls):
    """Run each call in its own thread, all released together; return results and errors."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results, errors = [None] * len(calls), [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()  # connect first, so the calls really overlap
            barrier.wait()
            results[index] = call()
        except Exception as error:  # collected and checked by the test
            errors[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


@pytest.fixture
def review(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REVIEW_AUTO_HIDE_REPORTS = 3
    title = f.make_title()
    f.make_community_review(title, f.make_parent(), stars=5)
    return f.make_community_review(title, f.make_parent(), stars=1)


def test_many_people_reporting_at_once(review):
    """Eight people at the same moment: eight reports, an exact count, exactly one hide."""
    reporters = [f.make_parent() for _ in range(8)]
    results, errors = at_once(
        [
            lambda reporter=reporter: report_review(review=review, reporter=reporter, reason="spam")
            for reporter in reporters
        ]
    )
    assert errors == [None] * 8
    assert all(result.created for result in results)
    assert sum(result.hidden_now for result in results) == 1
    review.refresh_from_db()
    assert Report.objects.filter(review=review).count() == 8
    assert review.report_count == 8
    assert review.status == CommunityReview.Status.HIDDEN
    assert ModerationAction.objects.filter(review=review, action="auto_hidden").count() == 1
    title = review.title
    title.refresh_from_db()
    assert title.community_review_count == 1
    recompute_title_aggregates(title=title)
    assert title.community_review_count == 1


def test_exactly_the_threshold_at_once(review):
    """Three people at once with a threshold of three: hidden exactly once."""
    reporters = [f.make_parent() for _ in range(3)]
    results, errors = at_once(
        [
            lambda reporter=reporter: report_review(
                review=review, reporter=reporter, reason="harassment"
            )
            for reporter in reporters
        ]
    )
    assert errors == [None] * 3
    review.refresh_from_db()
    assert (review.status, review.report_count) == ("hidden", 3)
    assert ModerationAction.objects.filter(action="auto_hidden").count() == 1


def test_one_person_sending_the_form_many_times_at_once(review):
    """Six copies of one person's report at once make one report that counts once."""
    reporter = f.make_parent()
    results, errors = at_once(
        [
            lambda n=n: report_review(review=review, reporter=reporter, reason="spam")
            for n in range(6)
        ]
    )
    assert errors == [None] * 6
    assert sum(result.created for result in results) == 1
    review.refresh_from_db()
    assert Report.objects.filter(review=review).count() == 1
    assert review.report_count == 1
    assert ReporterStats.objects.get(user=reporter).reports == 1


def test_two_moderators_restoring_at_once(review):
    """Two moderators restore the same review at once: one succeeds, one is told why."""
    for _ in range(3):
        f.make_report(review)
    moderators = [f.make_moderator() for _ in range(2)]
    results, errors = at_once(
        [
            lambda moderator=moderator: restore_review(review=review, moderator=moderator)
            for moderator in moderators
        ]
    )
    assert sum(result is not None for result in results) == 1
    assert [type(error) for error in errors if error] == [ModerationRefused]
    review.refresh_from_db()
    assert review.status == "published"
    assert ModerationAction.objects.filter(action="restored").count() == 1
    review.title.refresh_from_db()
    assert review.title.community_review_count == 2
