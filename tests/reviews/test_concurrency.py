"""
Many people writing and voting at once, on PostgreSQL with real threads.

SQLite serialises every write to the whole database, so these races cannot happen there;
CI runs this file on PostgreSQL.
"""

import threading

import pytest
from django.db import connection, connections

from guidance.reviews.models import HelpfulVote, ReviewSummary
from guidance.reviews.services import submit_review, toggle_helpful
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (CI runs it there)",
    ),
]

BODY = "We watched it on a rainy Sunday and everybody had something to say afterwards."


def at_once(calls):
    """Run each call in its own thread, all released together; return their errors."""
    barrier = threading.Barrier(len(calls), timeout=30)
    errors = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()
            barrier.wait()
            call()
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
    return errors


def test_reviews_written_at_the_same_moment_are_all_counted(settings):
    """Eight people reviewing one title at once leave exact counts and an exact median."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    title = f.make_title()
    authors = [f.make_parent() for _ in range(4)] + [f.make_kid() for _ in range(4)]
    ages = [6, 8, 10, 12, 9, 11, 13, 15]
    errors = at_once(
        [
            lambda author=author, age=age: submit_review(
                author=author,
                title=title,
                age_rating=age,
                stars=4,
                headline="Written at the same moment",
                body=BODY,
            )
            for author, age in zip(authors, ages, strict=True)
        ]
    )
    assert errors == [None] * 8
    title.refresh_from_db()
    summary = ReviewSummary.objects.get(title=title)
    assert title.community_review_count == 8
    assert (summary.parent_count, summary.kid_count) == (4, 4)
    assert (summary.parent_age, summary.kid_age) == (9, 12)
    assert title.community_rating == pytest.approx((15 + 32) / 13)


def test_helpful_votes_at_the_same_moment_count_once_each(settings):
    """Ten votes at once, including one person clicking twice, give an exact count."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    review = f.make_community_review()
    voters = [f.make_parent() for _ in range(9)]
    calls = [
        lambda voter=voter: toggle_helpful(review=review, user=voter, helpful=True)
        for voter in [*voters, voters[0]]
    ]
    assert at_once(calls) == [None] * 10
    review.refresh_from_db()
    assert review.helpful_count == 9 == HelpfulVote.objects.filter(review=review).count()
