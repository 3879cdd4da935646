"""
The moderation queue's read: which reviews are waiting, with their numbers, in one query.

Each open report weighs what its reporter's record says: (upheld + 1) / (decided + 2),
so a newcomer's report counts 0.5, a reporter moderators usually agree with nearly 1, and
one they usually disagree with little (Discourse weighs flaggers the same way). System
reports weigh a fixed amount by reason. A review's priority is the sum of the weights
of its open reports; the queue shows the highest priority first.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from guidance.moderation.models import Reason, Report, Suspension

SYSTEM_WEIGHTS = {
    Reason.BLOCKED_PHRASE: 1.0,
    Reason.SUSPENDED_AUTHOR: 1.0,
    Reason.NEW_ACCOUNT: 0.25,
}

# The queue's orders: the value in the address, its label, and the ordering.
ORDERS = {
    "urgent": (
        "Most urgent first",
        [F("priority").desc(), F("waiting_since").asc(nulls_last=True)],
    ),
    "reported": (
        "Most reported first",
        [F("people_reporting").desc(), F("waiting_since").asc(nulls_last=True)],
    ),
    "oldest": ("Oldest first", [F("waiting_since").asc(nulls_last=True), "pk"]),
}
DEFAULT_ORDER = "urgent"

OPEN = Q(reports__status=Report.Status.OPEN)
OPEN_USER = OPEN & Q(reports__source=Report.Source.USER)
OPEN_SYSTEM = OPEN & Q(reports__source=Report.Source.SYSTEM)


def reporter_weight(prefix="reports__reporter__report_stats__"):
    """The weight of one user report, from its reporter's record (0.5 with no record)."""
    upheld = Coalesce(F(prefix + "upheld"), 0)
    dismissed = Coalesce(F(prefix + "dismissed"), 0)
    return Cast(upheld + 1, FloatField()) / Cast(upheld + dismissed + 2, FloatField())


def report_weight():
    return Case(
        *[
            When(reports__source=Report.Source.SYSTEM, reports__reason=reason, then=Value(weight))
            for reason, weight in SYSTEM_WEIGHTS.items()
        ],
        When(reports__source=Report.Source.SYSTEM, then=Value(0.5)),
        default=reporter_weight(),
        output_field=FloatField(),
    )


def moderation_queue(reviews):
    """
    Annotate reviews that were ever reported or hidden with the queue's numbers.

    open_reports, people_reporting and system_flags count open reports; priority is
    their weighted sum; waiting_since is when the oldest open report came in;
    author_suspended says whether the author is suspended now; open_report_list holds
    the open reports themselves (one more query for the whole page).
    """
    return (
        reviews.filter(pk__in=_hidden_or_in(Report.objects.all()))
        .select_related("title", "author")
        .annotate(
            open_reports=Count("reports", filter=OPEN),
            people_reporting=Count("reports", filter=OPEN_USER),
            system_flags=Count("reports", filter=OPEN_SYSTEM),
            priority=Coalesce(Sum(report_weight(), filter=OPEN), Value(0.0)),
            waiting_since=Min("reports__created_at", filter=OPEN),
            author_suspended=Exists(Suspension.objects.active().filter(user=OuterRef("author"))),
        )
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(status=Report.Status.OPEN).order_by("created_at"),
                to_attr="open_report_list",
            )
        )
    )


def needs_decision(queue):
    """The part of the queue a moderator still has to decide: open reports, or hidden."""
    # The first filter narrows the rows before they are grouped; the second is the
    # exact test on the counted reports.
    open_reports = Report.objects.filter(status=Report.Status.OPEN)
    return queue.filter(pk__in=_hidden_or_in(open_reports)).filter(
        Q(status="hidden") | Q(open_reports__gt=0)
    )


def _hidden_or_in(reports):
    """
    The ids of hidden reviews and of reviews with one of `reports`, as one UNION that
    both databases read from their indexes. Written as "status = hidden OR id IN
    (...)" or with an EXISTS per review, PostgreSQL scans all million reviews (300 ms
    against 6 ms for a queue of 700).
    """
    from guidance.reviews.models import CommunityReview

    hidden = CommunityReview.objects.filter(status="hidden").order_by().values("pk")
    return reports.order_by().values("review_id").union(hidden)
