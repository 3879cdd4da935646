"""
generate_community writes a realistic community in bulk, and check_community proves (or
disproves) that every stored number matches what it counts.
"""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from guidance.accounts.models import EffectiveFacts
from guidance.moderation.models import ModerationAction, Report
from guidance.ratings.models import ContentGrade, ExpertReview
from guidance.reviews.models import CommunityReview, HelpfulVote, ReviewSummary
from guidance.reviews.services import recompute_title_aggregates
from guidance.reviews.synthetic import GENERATED_DOMAIN, generated_users
from movies.models import Tag, Title
from tests.factories import make_community_review, make_review, make_tag, make_title

pytestmark = pytest.mark.django_db

REVIEWS, USERS = 900, 120


@pytest.fixture
def catalog(settings):
    settings.DEBUG = True
    genres = [make_tag(Tag.Kind.GENRE, name) for name in ("Animation", "Horror", "Drama")]
    ratings = ["G", "PG", "PG-13", "R", ""]
    titles = []
    for n in range(40):
        title = make_title(mpaa_rating=ratings[n % 5], year=1960 + n)
        title.tags.add(genres[n % 3])
        titles.append(title)
    return titles


def generate(**options):
    out = io.StringIO()
    options.setdefault("reviews", REVIEWS)
    options.setdefault("users", USERS)
    call_command(
        "generate_community", no_progress=True, stdout=out, stderr=io.StringIO(), **options
    )
    return out.getvalue()


def check():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_community", no_progress=True, stdout=out, stderr=err)
    except CommandError as error:
        return False, str(error) + "\n" + err.getvalue()
    return True, out.getvalue()


def bayes(stars):
    return (5 * 3.0 + sum(stars)) / (5 + len(stars)) if stars else 0.0


def test_writes_the_sizes_asked_for_and_every_number_adds_up(catalog):
    output = generate(seed=7)

    assert CommunityReview.objects.count() == REVIEWS
    assert "community reviews 900" in output
    people = generated_users().exclude(role="staff")
    assert people.count() == USERS
    assert set(people.values_list("role", flat=True)) == {"parent", "kid"}
    assert not any(user.has_usable_password() for user in generated_users())
    # Every author is a generated account, and writes in the role they have.
    mismatched = CommunityReview.objects.exclude(author_role=F("author__role"))
    assert not mismatched.exists()
    assert not CommunityReview.objects.exclude(author__email__endswith=GENERATED_DOMAIN).exists()

    # Independently of the services: counts and the Bayesian rating from the rows.
    for title in Title.objects.all():
        stars = list(
            CommunityReview.objects.filter(title=title, status="published").values_list(
                "stars", flat=True
            )
        )
        assert title.community_review_count == len(stars)
        assert title.community_rating == pytest.approx(bayes(stars))
        if stars:
            assert title.review_summary.review_count == len(stars)
    # Helpful counts match votes; nobody votes for or reports their own review.
    counted = CommunityReview.objects.annotate(n=Count("helpful_votes"))
    assert not counted.exclude(helpful_count=F("n")).exists()
    assert HelpfulVote.objects.count() > 0
    assert not HelpfulVote.objects.filter(user=F("review__author")).exists()
    assert not Report.objects.filter(reporter=F("review__author")).exists()
    # The expert side: a share of the titles, each with a full grid.
    experts = ExpertReview.objects.filter(reviewer__email__endswith=GENERATED_DOMAIN)
    assert experts.count() == 10  # 25% of 40
    assert ContentGrade.objects.filter(review__in=experts).count() == 10 * 9

    assert check() == (True, "All consistent: 40 titles and 900 reviews checked.\n")


def test_popularity_is_skewed_and_the_tail_is_quiet(catalog):
    generate()
    counts = sorted(Title.objects.values_list("community_review_count", flat=True), reverse=True)
    assert counts[0] >= 5 * counts[len(counts) // 2]
    assert counts[-1] <= 5


def test_reports_moderators_have_not_reached_wait_in_the_queue(catalog):
    generate(reviews=2000, users=300, moderator_lag=5000)  # most not decided yet
    hidden = CommunityReview.objects.filter(status="hidden")
    assert hidden.exists()
    open_user = Q(reports__status="open", reports__source="user")
    # Hidden: reported by at least the auto-hide limit of people, still open, logged.
    assert not hidden.annotate(n=Count("reports", filter=open_user)).filter(n__lt=3).exists()
    # A review still waiting has no decision in the log, and a decided one no open report.
    decisions = ModerationAction.objects.exclude(action="auto_hidden")
    waiting_ids = set(Report.objects.filter(status="open").values_list("review_id", flat=True))
    assert waiting_ids
    assert not decisions.filter(review_id__in=waiting_ids).exists()
    assert set(hidden.values_list("pk", flat=True)) <= waiting_ids
    # Published ones wait with reports below the limit.
    waiting = CommunityReview.objects.filter(status="published", report_count__gt=0)
    assert waiting.exists()
    assert not waiting.filter(report_count__gte=3).exists()


def test_decided_reports_leave_what_the_moderation_services_would(catalog):
    generate(reviews=2000, users=300, moderator_lag=0.05)  # decided within 72 minutes
    # Only what was reported in the last 72 minutes still waits.
    recent = timezone.now() - timedelta(days=0.05)
    assert not Report.objects.filter(status="open", created_at__lt=recent).exists()
    assert not CommunityReview.objects.filter(
        status="hidden", reports__created_at__lt=recent
    ).exists()
    removed = CommunityReview.objects.filter(status="removed")
    assert removed.exists()
    # Removed: a moderator upheld every report, and the log keeps the words judged.
    assert not Report.objects.filter(review__in=removed).exclude(status="upheld").exists()
    for action in ModerationAction.objects.filter(action="removed").select_related("review"):
        assert action.moderator is not None and action.review.status == "removed"
        assert (action.headline, action.body) == (action.review.headline, action.review.body)
    # Restored after being hidden automatically: both steps are in the log, in order.
    restored = ModerationAction.objects.filter(action="restored")
    assert restored.exists()
    for action in restored.select_related("review"):
        assert action.review.status == "published"
        hidden = ModerationAction.objects.get(review=action.review, action="auto_hidden")
        assert hidden.created_at < action.created_at
        assert (action.status_before, action.status_after) == ("hidden", "published")
    kept = ModerationAction.objects.filter(action="kept")
    assert kept.exists()
    assert (
        not Report.objects.filter(review__moderation_actions__in=kept)
        .exclude(status="dismissed")
        .exists()
    )


def test_the_bulk_numbers_equal_what_the_per_title_service_computes(catalog):
    generate()
    for title in Title.objects.filter(community_review_count__gt=0)[:10]:
        before = ReviewSummary.objects.filter(title=title).values().get()
        facts_before = EffectiveFacts.objects.filter(title=title).values().get()
        rating_before = title.community_rating
        recompute_title_aggregates(title=title)
        after = ReviewSummary.objects.filter(title=title).values().get()
        assert {k: v for k, v in after.items() if k not in ("id", "updated_at")} == {
            k: v for k, v in before.items() if k not in ("id", "updated_at")
        }
        assert EffectiveFacts.objects.filter(title=title).values().get() | {"id": 0} == (
            facts_before | {"id": 0}
        )
        title.refresh_from_db()
        assert title.community_rating == rating_before


def test_generated_titles_show_their_community_on_the_site(catalog, client):
    generate()
    title = Title.objects.order_by("-community_review_count").first()
    response = client.get(title.get_absolute_url())
    assert response.status_code == 200
    assert f"based on {title.review_summary.parent_count} review" in response.text
    response = client.get(f"/movies/{title.slug}/reviews/")
    assert response.status_code == 200


def test_it_adds_to_a_catalog_with_its_own_reviews_and_keeps_them(catalog):
    own_expert = make_review(catalog[0])
    own = make_community_review(catalog[1], stars=1, age_rating=16)
    generate()
    own_expert.refresh_from_db()
    assert own_expert.reviewer.email.endswith("@example.com")
    assert CommunityReview.objects.filter(pk=own.pk, stars=1).exists()
    assert check()[0]


def test_a_second_run_is_refused_and_writes_nothing(catalog):
    generate()
    before = Counter(reviews=CommunityReview.objects.count(), users=generated_users().count())
    with pytest.raises(CommandError, match="already has a generated community"):
        generate()
    after = Counter(reviews=CommunityReview.objects.count(), users=generated_users().count())
    assert after == before


def test_refuses_a_live_site_an_empty_catalog_and_bad_sizes(settings, catalog):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        generate()
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--users 2 or more"):
        generate(users=1)
    with pytest.raises(CommandError, match="argument --kid-share"):
        call_command("generate_community", "--kid-share", "1.5", "--no-progress")
    Title.objects.update(status=Title.Status.DRAFT)
    with pytest.raises(CommandError, match="no published titles"):
        generate()
    assert not generated_users().exists()


def test_more_reviews_than_people_can_write_is_refused(catalog):
    with pytest.raises(CommandError, match="Not enough accounts"):
        generate(reviews=40 * 10 + 1, users=10)


@pytest.mark.parametrize(
    "tamper, expected",
    [
        (
            lambda: Title.objects.filter(community_review_count__gt=0).update(community_rating=1.0),
            "community_rating",
        ),
        (lambda: ReviewSummary.objects.update(levels={}), "summary levels"),
        (
            lambda: CommunityReview.objects.filter(helpful_count__gt=0).update(helpful_count=0),
            "helpful_count",
        ),
        (
            lambda: CommunityReview.objects.filter(
                pk=CommunityReview.objects.earliest("pk").pk
            ).update(report_count=9),
            "report_count",
        ),
        (lambda: EffectiveFacts.objects.exclude(age=None).update(age=2), "family facts"),
    ],
    ids=["rating", "levels", "votes", "reports", "family facts"],
)
def test_check_community_finds_a_number_that_is_off(catalog, tamper, expected):
    generate()
    assert check()[0]
    tamper()
    ok, message = check()
    assert not ok
    assert expected in message
    assert "do not match what they count" in message
