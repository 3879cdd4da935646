"""
Check that every stored community number matches the rows it is counted from.

The services keep these numbers in step on every change, and bulk loads rebuild them;
`manage.py check_community` runs these checks after either, and says what is off:
- each title's `ReviewSummary`, `community_review_count` and `community_rating` against
  its published reviews (the same `compute_aggregates` the services use);
- each review's `helpful_count` against its helpful votes, and its `report_count`
  against the open reports people made;
- each title's family facts (`EffectiveFacts`) against what its expert review and
  community summary give now (a title with no facts row fits no family, as one with no
  age does).
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, F, Q

from guidance.accounts.models import EffectiveFacts
from guidance.accounts.services import compute_effective_facts
from guidance.moderation.models import Report
from guidance.reviews.models import CommunityReview, ReviewSummary
from guidance.reviews.services import TITLE_FIELDS, compute_aggregates
from movies.models import Title

SUMMARY_FIELDS = (
    "review_count",
    "parent_count",
    "kid_count",
    "parent_age",
    "kid_age",
    "stars_average",
    "parent_stars",
    "kid_stars",
    "levels",
)
EMPTY_SUMMARY = {
    "review_count": 0,
    "parent_count": 0,
    "kid_count": 0,
    "parent_age": None,
    "kid_age": None,
    "stars_average": None,
    "parent_stars": None,
    "kid_stars": None,
    "levels": {},
}


@dataclass(frozen=True)
class Problem:
    what: str  # e.g. "title 12 community_rating"
    stored: object
    expected: object

    def __str__(self):
        return f"{self.what}: stored {self.stored!r}, expected {self.expected!r}"


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)
    return a == b


def check_titles(title_ids: list[int]) -> Iterator[Problem]:
    """Summaries, title numbers and family facts of some titles."""
    expected = compute_aggregates(title_ids)
    stored_titles = {
        pk: dict(zip(TITLE_FIELDS, values, strict=True))
        for pk, *values in Title.objects.filter(pk__in=title_ids).values_list("pk", *TITLE_FIELDS)
    }
    summaries = {
        row["title_id"]: row
        for row in ReviewSummary.objects.filter(title_id__in=title_ids).values(
            "title_id", *SUMMARY_FIELDS
        )
    }
    for pk in title_ids:
        want = expected[pk]
        for name in TITLE_FIELDS:
            if not _same(stored_titles[pk][name], want[name]):
                yield Problem(f"title {pk} {name}", stored_titles[pk][name], want[name])
        have = summaries.get(pk, EMPTY_SUMMARY)
        for name in SUMMARY_FIELDS:
            if not _same(have[name], want[name]):
                yield Problem(f"title {pk} summary {name}", have[name], want[name])

    facts = {
        row.title_id: (row.age, row.age_source, row.levels, row.sources)
        for row in EffectiveFacts.objects.filter(title_id__in=title_ids)
    }
    # No row and a row with no age say the same (the title fits no family): imported
    # titles nobody has reviewed have none.
    nobody_said = (None, "", "", "")
    for row in compute_effective_facts(title_ids):
        want = (row.age, row.age_source, row.levels, row.sources)
        if facts.get(row.title_id, nobody_said) != want:
            yield Problem(f"title {row.title_id} family facts", facts.get(row.title_id), want)


def check_reviews(review_ids: list[int]) -> Iterator[Problem]:
    """Helpful and report counts of some reviews."""
    open_reports = Q(reports__source=Report.Source.USER, reports__status=Report.Status.OPEN)
    reviews = CommunityReview.objects.filter(pk__in=review_ids).order_by()
    votes = reviews.annotate(n=Count("helpful_votes")).exclude(helpful_count=F("n"))
    for pk, stored, n in votes.values_list("pk", "helpful_count", "n"):
        yield Problem(f"review {pk} helpful_count", stored, n)
    reports = reviews.annotate(n=Count("reports", filter=open_reports)).exclude(report_count=F("n"))
    for pk, stored, n in reports.values_list("pk", "report_count", "n"):
        yield Problem(f"review {pk} report_count", stored, n)


def _batches(queryset, size) -> Iterator[list[int]]:
    batch = []
    for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=size):
        batch.append(pk)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_all(*, batch_size: int = 1000, progress=None) -> Iterator[Problem]:
    """Every title and every review, a batch at a time."""
    progress = progress or (lambda step, n: None)
    for batch in _batches(Title.objects.all(), batch_size):
        yield from check_titles(batch)
        progress("titles", len(batch))
    for batch in _batches(CommunityReview.objects.all(), batch_size * 20):
        yield from check_reviews(batch)
        progress("reviews", len(batch))
