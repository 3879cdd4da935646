"""
Every change to community reviews, and the title aggregates each change moves.

Each service runs in one transaction, locks the title's row first (so that concurrent
writes to one title queue up instead of racing) and ends by calling
`recompute_title_aggregates`, which rebuilds the title's numbers from its published
reviews. Recomputing from the reviews, rather than nudging running totals, keeps the
numbers exact through any mix of publishing, editing, deleting, hiding and restoring;
it reads a bounded histogram (at most 17 ages x 2 roles, 9 categories x 6 levels x 2
roles), so its cost does not grow with the number of reviews.

Ranking: `Title.community_rating` is a Bayesian average of the stars,

    (PRIOR_WEIGHT * PRIOR_STARS + sum of stars) / (PRIOR_WEIGHT + number of reviews)

with a fixed prior of 3.0 stars worth 5 reviews, so one 5-star review gives 3.33, not 5,
and a title needs many good reviews to top the charts. A fixed prior (rather than the
site-wide mean) keeps each title's rating a function of its own reviews only, so one
title's change never moves another's. A title with no published review has 0.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from guidance.ratings.models import ContentCategory
from guidance.reviews.models import CommunityLevel, CommunityReview, HelpfulVote, ReviewSummary
from movies.models import Title
from movies.pagecache import invalidate_title_pages

PRIOR_STARS = 3.0
PRIOR_WEIGHT = 5


class ReviewNotAllowed(PermissionDenied):
    """The user may not do this to this review (the message says why)."""


def level_min_reviews() -> int:
    """How many people must give a category a level before the page shows theirs."""
    return getattr(settings, "COMMUNITY_LEVEL_MIN_REVIEWS", 3)


def typical(histogram: Mapping[int, int]) -> int | None:
    """
    Return the median of the values counted in `histogram`, rounded up.

    Rounding a half up is the cautious choice for ages and levels: between "12+" and
    "13+" parents are told 13+.
    """
    total = sum(histogram.values())
    if total == 0:
        return None
    lower_pos, upper_pos = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > lower_pos:
            lower = value
        if seen > upper_pos:
            upper = value
            break
    return math.ceil((lower + upper) / 2)


def bayesian_rating(*, star_total: int, count: int) -> float:
    """Return the ranking score for `count` reviews whose stars add up to `star_total`."""
    if count == 0:
        return 0.0
    return round((PRIOR_WEIGHT * PRIOR_STARS + star_total) / (PRIOR_WEIGHT + count), 6)


def _lock_title(title: Title) -> None:
    """Lock the title's row until the transaction ends (a no-op on SQLite)."""
    list(Title.objects.select_for_update().filter(pk=title.pk).values_list("pk", flat=True))


def compute_aggregates(title_ids: Iterable[int]) -> dict[int, dict]:
    """
    Compute the community numbers of some titles from their published reviews.

    Returns {title id: fields}, where fields hold every `ReviewSummary` field plus the
    title's `community_review_count` and `community_rating`; a title without published
    reviews gets zeros. Two grouped queries, whatever the number of titles or reviews:
    the same code serves one title after each change and the whole catalog after a bulk
    load, so both give the same numbers.
    """
    title_ids = list(title_ids)
    published = CommunityReview.objects.filter(
        title_id__in=title_ids, status=CommunityReview.Status.PUBLISHED
    ).order_by()
    roles = CommunityReview.Role.values
    counts = {pk: Counter() for pk in title_ids}
    star_totals = {pk: Counter() for pk in title_ids}
    ages = {pk: {role: Counter() for role in roles} for pk in title_ids}
    for title_id, role, age, n, stars in published.values_list(
        "title_id", "author_role", "age_rating"
    ).annotate(n=Count("id"), stars=Sum("stars")):
        counts[title_id][role] += n
        star_totals[title_id][role] += stars or 0
        ages[title_id][role][age] += n

    per_category = {pk: {} for pk in title_ids}
    level_rows = (
        CommunityLevel.objects.filter(
            review__title_id__in=title_ids, review__status=CommunityReview.Status.PUBLISHED
        )
        .order_by()
        .values_list("review__title_id", "category_id", "review__author_role", "level")
        .annotate(n=Count("id"))
    )
    for title_id, category_id, role, level, n in level_rows:
        histograms = per_category[title_id].setdefault(
            category_id, {role: Counter() for role in roles}
        )
        histograms[role][level] += n

    def average(stars, n):
        return round(stars / n, 6) if n else None

    parent, kid = CommunityReview.Role.PARENT, CommunityReview.Role.KID
    result = {}
    for pk in title_ids:
        levels = {}
        for category_id, histograms in sorted(per_category[pk].items()):
            both = histograms[parent] + histograms[kid]
            levels[str(category_id)] = {
                "level": typical(both),
                "count": sum(both.values()),
                "parent": typical(histograms[parent]),
                "kid": typical(histograms[kid]),
            }
        count, stars = counts[pk], star_totals[pk]
        total, star_total = count[parent] + count[kid], stars[parent] + stars[kid]
        result[pk] = {
            "review_count": total,
            "parent_count": count[parent],
            "kid_count": count[kid],
            "parent_age": typical(ages[pk][parent]),
            "kid_age": typical(ages[pk][kid]),
            "stars_average": average(star_total, total),
            "parent_stars": average(stars[parent], count[parent]),
            "kid_stars": average(stars[kid], count[kid]),
            "levels": levels,
            "community_review_count": total,
            "community_rating": bayesian_rating(star_total=star_total, count=total),
        }
    return result


TITLE_FIELDS = ("community_review_count", "community_rating")


def _summary_defaults(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if name not in TITLE_FIELDS}


@transaction.atomic
def recompute_title_aggregates(*, title: Title) -> ReviewSummary:
    """Rebuild a title's community numbers from its published reviews, exactly."""
    _lock_title(title)
    fields = compute_aggregates([title.pk])[title.pk]
    summary, _ = ReviewSummary.objects.update_or_create(
        title_id=title.pk, defaults={**_summary_defaults(fields), "updated_at": timezone.now()}
    )
    total, rating = fields["community_review_count"], fields["community_rating"]
    Title.objects.filter(pk=title.pk).update(community_review_count=total, community_rating=rating)
    title.community_review_count, title.community_rating = total, rating
    from guidance.accounts.services import refresh_effective_levels

    # Family verdicts fall back on the community's age and levels: keep them in step.
    refresh_effective_levels(title_ids=[title.pk])
    return summary


def recompute_all_aggregates(*, title_ids: Iterable[int] | None = None, batch_size=500) -> int:
    """
    Rebuild the community numbers of many titles (every title when `title_ids` is None)
    after a bulk load that went around the services; returns how many were rebuilt.

    Each batch is one transaction. A summary row is written for every title that has
    reviews of any status or had a summary already, as the per-title path would.
    """
    from guidance.accounts.services import refresh_effective_levels

    if title_ids is None:
        title_ids = Title.objects.order_by("pk").values_list("pk", flat=True)
    ids, done = sorted(set(title_ids)), 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            computed = compute_aggregates(batch)
            keep = set(
                CommunityReview.objects.filter(title_id__in=batch)
                .order_by()
                .values_list("title_id", flat=True)
                .distinct()
            ) | set(
                ReviewSummary.objects.filter(title_id__in=batch).values_list("title_id", flat=True)
            )
            now = timezone.now()
            ReviewSummary.objects.filter(title_id__in=batch).delete()
            ReviewSummary.objects.bulk_create(
                ReviewSummary(title_id=pk, updated_at=now, **_summary_defaults(computed[pk]))
                for pk in sorted(keep)
            )
            titles = [
                Title(pk=pk, **{name: computed[pk][name] for name in TITLE_FIELDS}) for pk in batch
            ]
            Title.objects.bulk_update(titles, TITLE_FIELDS)
            # Bulk writes send no model signals: renew these titles' cached pages.
            invalidate_title_pages(title_ids=batch)
        refresh_effective_levels(title_ids=batch)
        done += len(batch)
    return done


def _check_can_write(*, author, title: Title) -> None:
    if not title.is_published:
        raise ReviewNotAllowed("This title is not open for reviews.")
    if not author.is_authenticated or not author.can_write_reviews:
        raise ReviewNotAllowed("Only parents and kids aged 13 or older can write reviews.")
    from guidance.moderation.services import posting_refusal  # moderation imports this module

    refusal = posting_refusal(author)
    if refusal:
        raise ReviewNotAllowed(refusal)


@transaction.atomic
def submit_review(
    *,
    author,
    title: Title,
    age_rating: int,
    stars: int,
    headline: str,
    body: str,
    contains_spoilers: bool = False,
    levels: Mapping[ContentCategory | int, int | None] | None = None,
) -> tuple[CommunityReview, bool]:
    """
    Write `author`'s review of `title`, or update it if they already wrote one.

    `levels` maps a category (or its id) to the author's level 0-5; a category that is
    missing or None has no level from this author. A review that moderation hid or
    removed keeps that status when its author edits it. Returns (review, created).
    """
    _check_can_write(author=author, title=title)
    _lock_title(title)
    fields = {
        "author_role": author.role,
        "age_rating": age_rating,
        "stars": stars,
        "headline": headline.strip(),
        "body": body.strip(),
        "contains_spoilers": contains_spoilers,
    }
    review = CommunityReview.objects.filter(title=title, author=author).first()
    created = review is None
    if created:
        review = CommunityReview(title=title, author=author, **fields)
    else:
        for name, value in fields.items():
            setattr(review, name, value)
        review.updated_at = timezone.now()
    review.full_clean(exclude=["title", "author"], validate_unique=False)
    review.save()

    wanted = {
        getattr(category, "pk", category): level
        for category, level in (levels or {}).items()
        if level is not None
    }
    CommunityLevel.objects.filter(review=review).delete()
    CommunityLevel.objects.bulk_create(
        CommunityLevel(review=review, category_id=category_id, level=level)
        for category_id, level in sorted(wanted.items())
    )
    recompute_title_aggregates(title=title)
    from guidance.moderation.services import screen_review

    # Blocked phrases and new accounts: queue (or hide) the review in this transaction.
    screen_review(review=review, created=created)
    return review, created


@transaction.atomic
def delete_review(*, review: CommunityReview, user) -> None:
    """Delete a review at its author's request (nobody else may)."""
    if not user.is_authenticated or review.author_id != user.pk:
        raise ReviewNotAllowed("You can only delete your own review.")
    title = review.title
    _lock_title(title)
    review._aggregates_handled = True
    review.delete()
    recompute_title_aggregates(title=title)


@transaction.atomic
def set_review_status(*, review: CommunityReview, status: str) -> CommunityReview:
    """
    Publish, hide (pending moderation) or remove a review, and recount its title.

    Moderation calls this (directly or through hide_review / restore_review /
    remove_review) and keeps its own audit log; the review's words are never changed.
    """
    if status not in CommunityReview.Status.values:
        raise ValueError(f"Unknown review status {status!r}.")
    _lock_title(review.title)
    CommunityReview.objects.filter(pk=review.pk).update(status=status)
    review.status = status
    recompute_title_aggregates(title=review.title)
    return review


def hide_review(*, review: CommunityReview) -> CommunityReview:
    """Hide a review until a moderator decides (it stops being public and counted)."""
    return set_review_status(review=review, status=CommunityReview.Status.HIDDEN)


def restore_review(*, review: CommunityReview) -> CommunityReview:
    """Publish a hidden or removed review again (it is public and counted again)."""
    return set_review_status(review=review, status=CommunityReview.Status.PUBLISHED)


def remove_review(*, review: CommunityReview) -> CommunityReview:
    """Take a review down for good; its author still sees it, marked as removed."""
    return set_review_status(review=review, status=CommunityReview.Status.REMOVED)


@transaction.atomic
def toggle_helpful(*, review: CommunityReview, user, helpful: bool | None = None) -> bool:
    """
    Mark `review` helpful for `user`, or take the mark back; return whether it is marked.

    With `helpful` None the mark flips; True or False sets it (so a form sent twice
    does not undo itself). Only published reviews can be marked, and never your own.
    """
    if not user.is_authenticated:
        raise ReviewNotAllowed("Sign in to mark reviews as helpful.")
    if review.author_id == user.pk:
        raise ReviewNotAllowed("You can't mark your own review as helpful.")
    if not review.is_published or not review.title.is_published:
        raise ReviewNotAllowed("This review is not open for votes.")
    exists = HelpfulVote.objects.filter(review=review, user=user).exists()
    if helpful is None:
        helpful = not exists
    if helpful and not exists:
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(review=review, user=user)
        except IntegrityError:  # the same person's other request got there first
            return True
        CommunityReview.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    elif not helpful and exists:
        deleted, _ = HelpfulVote.objects.filter(review=review, user=user).delete()
        if deleted:
            CommunityReview.objects.filter(pk=review.pk, helpful_count__gt=0).update(
                helpful_count=F("helpful_count") - 1
            )
    review.refresh_from_db(fields=["helpful_count"])
    return helpful
