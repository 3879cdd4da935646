"""The reads the review pages need, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch

# The list page's sorts: the query-string value, its label, and its ordering.
SORTS = {
    "newest": ("Newest", ["-created_at", "-pk"]),
    "helpful": ("Most helpful", ["-helpful_count", "-created_at", "-pk"]),
    "youngest": ("Youngest age", ["age_rating", "-created_at", "-pk"]),
    "oldest": ("Oldest age", ["-age_rating", "-created_at", "-pk"]),
    "stars-high": ("Highest stars", ["-stars", "-created_at", "-pk"]),
    "stars-low": ("Lowest stars", ["stars", "-created_at", "-pk"]),
}
DEFAULT_SORT = "newest"


class CommunityReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def for_listing(self):
        """What a review card shows: the review, its author, and its levels."""
        from guidance.reviews.models import CommunityLevel

        return self.select_related("author").prefetch_related(
            Prefetch(
                "levels",
                queryset=CommunityLevel.objects.select_related("category").order_by(
                    "category__order"
                ),
            )
        )

    def with_vote_of(self, user):
        """Annotate `voted`: whether `user` marked each review helpful (False if anonymous)."""
        from guidance.reviews.models import HelpfulVote

        if not user.is_authenticated:
            return self.annotate(voted=models.Value(False))
        return self.annotate(
            voted=models.Exists(HelpfulVote.objects.filter(review=models.OuterRef("pk"), user=user))
        )

    def sorted_by(self, sort):
        """Order by one of SORTS (an unknown value falls back to newest)."""
        return self.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])[1])


@dataclass
class CommunityVerdict:
    """What one role says: a typical age, average stars and how many reviews."""

    role: str
    label: str
    count: int
    age: int | None
    stars: float | None
    expert_age: int | None = None

    @property
    def age_difference(self):
        if self.age is None or self.expert_age is None:
            return None
        return self.age - self.expert_age

    @property
    def comparison(self):
        """Say how this age compares with the expert's, in words."""
        difference = self.age_difference
        if difference is None:
            return ""
        if difference == 0:
            return "Agrees with our age"
        years = "year" if abs(difference) == 1 else "years"
        direction = "older" if difference > 0 else "younger"
        return f"{abs(difference)} {years} {direction} than ours"


def verdicts_for(summary, expert_review=None):
    """Return the "Parents say" and "Kids say" verdicts from a title's summary (or None)."""
    expert_age = expert_review.age_rating if expert_review else None
    return [
        CommunityVerdict(
            role=role,
            label=label,
            count=getattr(summary, f"{role}_count", 0) if summary else 0,
            age=getattr(summary, f"{role}_age", None) if summary else None,
            stars=getattr(summary, f"{role}_stars", None) if summary else None,
            expert_age=expert_age,
        )
        for role, label in [("parent", "Parents say"), ("kid", "Kids say")]
    ]


@dataclass
class CommunityLevelRow:
    category: object
    expert_level: int | None
    level: int
    count: int


@dataclass
class TitleCommunity:
    """The community section of one title page."""

    summary: object
    verdicts: list
    latest: list
    level_rows: list = field(default_factory=list)
    has_my_review: bool = False
    my_unpublished_review: object = None
    voted_ids: set = field(default_factory=set)


def title_community(*, title, user, expert_review=None, latest=5):
    """
    Read everything the title page shows about community reviews.

    One query whatever the number of reviews: the latest published reviews together
    with the signed-in user's own review (whatever its status), with their authors,
    whether this user voted for each, and the title's summary joined on. The categories
    are read only when there is no published expert grid to take them from.
    """
    from django.core.exceptions import ObjectDoesNotExist

    from guidance.ratings.models import ContentCategory
    from guidance.reviews.models import CommunityReview
    from guidance.reviews.services import level_min_reviews

    published = CommunityReview.Status.PUBLISHED
    rows = CommunityReview.objects.filter(title=title).select_related(
        "author", "title__review_summary"
    )
    if user.is_authenticated:
        # My own review first (any status), then the latest published ones: the latest
        # `latest` published reviews are among these rows, with or without mine.
        # The latest ids come from the (title, status, created) index in a subquery:
        # "published or mine" in one WHERE would sort every review of the title.
        latest_ids = (
            CommunityReview.objects.filter(title=title, status=published)
            .order_by("-created_at", "-pk")
            .values("pk")[: latest + 1]
        )
        rows = rows.filter(models.Q(pk__in=latest_ids) | models.Q(author=user)).annotate(
            is_mine=models.Case(
                models.When(author=user, then=models.Value(True)),
                default=models.Value(False),
            )
        )
        order = ["-is_mine", "-created_at", "-pk"]
    else:
        rows = rows.filter(status=published)
        order = ["-created_at", "-pk"]
    rows = list(rows.with_vote_of(user).order_by(*order)[: latest + 1])

    # Every row carries the summary; with no rows there is nothing published to sum up.
    summary = None
    if rows:
        try:
            summary = rows[0].title.review_summary
        except ObjectDoesNotExist:
            summary = None
    mine = None
    if rows and getattr(rows[0], "is_mine", False):
        mine = rows.pop(0)
        if mine.is_published:
            rows.append(mine)
    rows.sort(key=lambda review: (review.created_at, review.pk), reverse=True)
    reviews = rows[:latest]
    verdicts = verdicts_for(summary, expert_review)

    level_rows = []
    shown = {
        key: value
        for key, value in (summary.levels if summary else {}).items()
        if value["count"] >= level_min_reviews()
    }
    if shown:
        if expert_review is not None:
            grades = {grade.category_id: grade for grade in expert_review.grades.all()}
            categories = [grade.category for grade in grades.values()]
        else:
            grades, categories = {}, list(ContentCategory.objects.all())
        for category in sorted(categories, key=lambda c: (c.order, c.name)):
            entry = shown.get(str(category.pk))
            if entry:
                grade = grades.get(category.pk)
                level_rows.append(
                    CommunityLevelRow(
                        category=category,
                        expert_level=grade.level if grade else None,
                        level=entry["level"],
                        count=entry["count"],
                    )
                )

    return TitleCommunity(
        summary=summary,
        verdicts=verdicts,
        latest=reviews,
        level_rows=level_rows,
        has_my_review=mine is not None,
        my_unpublished_review=mine if mine is not None and not mine.is_published else None,
        voted_ids={review.pk for review in reviews if getattr(review, "voted", False)},
    )
