"""
Community reviews from parents and kids, their helpful votes, and each title's summary.

Only published reviews are public and counted. Every change that can move a title's
numbers goes through guidance.reviews.services, which recomputes the title's
`ReviewSummary` and its `community_review_count` / `community_rating` in the same
transaction.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from guidance.ratings.models import (
    AGE_VALIDATORS,
    LEVEL_VALIDATORS,
    MAX_AGE,
    MAX_LEVEL,
    MAX_STARS,
    MIN_AGE,
    MIN_LEVEL,
    MIN_STARS,
    STARS_VALIDATORS,
)
from guidance.reviews.querysets import CommunityReviewQuerySet

HEADLINE_MIN, HEADLINE_MAX = 5, 120
BODY_MIN, BODY_MAX = 50, 5000


class CommunityReview(models.Model):
    """One person's review of one title: an age, stars, words and optional levels."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent"
        KID = "kid", "Kid"

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden (pending moderation)"
        REMOVED = "removed", "Removed"

    title = models.ForeignKey(
        "movies.Title", on_delete=models.CASCADE, related_name="community_reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_reviews"
    )
    author_role = models.CharField(
        max_length=10, choices=Role.choices, help_text="The author's role when they wrote it."
    )
    age_rating = models.PositiveSmallIntegerField(
        validators=AGE_VALIDATORS, help_text="Appropriate for this age and up (2-18)."
    )
    stars = models.PositiveSmallIntegerField(validators=STARS_VALIDATORS)
    headline = models.CharField(
        max_length=HEADLINE_MAX, validators=[MinLengthValidator(HEADLINE_MIN)]
    )
    body = models.TextField(
        "review", validators=[MinLengthValidator(BODY_MIN), MaxLengthValidator(BODY_MAX)]
    )
    contains_spoilers = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    report_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CommunityReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "author"], name="reviews_one_review_per_author_per_title"
            ),
            models.CheckConstraint(
                condition=Q(age_rating__gte=MIN_AGE) & Q(age_rating__lte=MAX_AGE),
                name="reviews_review_age_range",
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=MIN_STARS) & Q(stars__lte=MAX_STARS),
                name="reviews_review_stars_range",
            ),
            models.CheckConstraint(
                condition=Q(author_role__in=["parent", "kid"]), name="reviews_review_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["published", "hidden", "removed"]),
                name="reviews_review_status_valid",
            ),
        ]
        indexes = [
            # The title page's "latest reviews" and the list's default order.
            models.Index(
                fields=["title", "status", "-created_at"], name="reviews_title_latest_idx"
            ),
            # The list page's sorts, within one title's published reviews.
            models.Index(
                fields=["title", "status", "-helpful_count"], name="reviews_title_helpful_idx"
            ),
            models.Index(fields=["title", "status", "age_rating"], name="reviews_title_age_idx"),
            models.Index(fields=["title", "status", "stars"], name="reviews_title_stars_idx"),
            models.Index(
                fields=["title", "status", "author_role", "-created_at"],
                name="reviews_title_role_idx",
            ),
            # Moderation works by status; the profile page by author.
            models.Index(fields=["status", "-report_count"], name="reviews_status_reports_idx"),
            models.Index(fields=["author", "-created_at"], name="reviews_author_idx"),
        ]

    def __str__(self):
        return f"{self.headline} ({self.author} on {self.title})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reviews:list", kwargs={"slug": self.title.slug}) + f"#review-{self.pk}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def was_edited(self):
        return (self.updated_at - self.created_at).total_seconds() > 60


class CommunityLevel(models.Model):
    """A reviewer's own level (0-5) for one grid category, optional per category."""

    review = models.ForeignKey(CommunityReview, on_delete=models.CASCADE, related_name="levels")
    category = models.ForeignKey(
        "ratings.ContentCategory", on_delete=models.PROTECT, related_name="community_levels"
    )
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)

    class Meta:
        ordering = ["review", "category__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "category"], name="reviews_level_one_per_category"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL) & Q(level__lte=MAX_LEVEL),
                name="reviews_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.level}"


class HelpfulVote(models.Model):
    """One person found one review helpful (never their own; they may take it back)."""

    review = models.ForeignKey(
        CommunityReview, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviews_one_vote_per_user"),
        ]
        indexes = [models.Index(fields=["user", "review"], name="reviews_vote_user_idx")]

    def __str__(self):
        return f"{self.user} found review {self.review_id} helpful"


class ReviewSummary(models.Model):
    """
    A title's community numbers, recomputed from its published reviews on every change.

    Per-category levels are a JSON object rather than a child table: the title page reads
    them with the rest of the row in one query, they are always rewritten whole (never
    updated one cell at a time), and nothing filters on them. Its shape is
    {"<category id>": {"level": 3, "count": 7, "parent": 3, "kid": 2}}, where "level" is
    the typical (median) level of everyone who gave one and "parent"/"kid" the typical
    level per role (null when that role gave none).
    """

    title = models.OneToOneField(
        "movies.Title", on_delete=models.CASCADE, related_name="review_summary"
    )
    review_count = models.PositiveIntegerField(default=0)
    parent_count = models.PositiveIntegerField(default=0)
    kid_count = models.PositiveIntegerField(default=0)
    parent_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Typical (median) age parents gave."
    )
    kid_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Typical (median) age kids gave."
    )
    stars_average = models.FloatField(null=True, blank=True)
    parent_stars = models.FloatField(null=True, blank=True)
    kid_stars = models.FloatField(null=True, blank=True)
    levels = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "review summaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_count=models.F("parent_count") + models.F("kid_count")),
                name="reviews_summary_counts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(parent_age__isnull=True)
                | (Q(parent_age__gte=MIN_AGE) & Q(parent_age__lte=MAX_AGE)),
                name="reviews_summary_parent_age_range",
            ),
            models.CheckConstraint(
                condition=Q(kid_age__isnull=True)
                | (Q(kid_age__gte=MIN_AGE) & Q(kid_age__lte=MAX_AGE)),
                name="reviews_summary_kid_age_range",
            ),
        ]

    def __str__(self):
        return f"Community summary of {self.title}"

    def level_for(self, category_id):
        """Return the stored level entry for one category, or None."""
        return self.levels.get(str(category_id))
