from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

MIN_AGE, MAX_AGE = 2, 18
MIN_LEVEL, MAX_LEVEL = 0, 5
MIN_STARS, MAX_STARS = 1, 5

AGE_VALIDATORS = [MinValueValidator(MIN_AGE), MaxValueValidator(MAX_AGE)]
LEVEL_VALIDATORS = [MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]
STARS_VALIDATORS = [MinValueValidator(MIN_STARS), MaxValueValidator(MAX_STARS)]


class ContentCategory(models.Model):
    """A row of the "A Lot or a Little?" grid, such as Violence & Scariness."""

    class Kind(models.TextChoices):
        # For a positive category more is better (Positive Messages 5 is good news);
        # for a concern more is more to think about (Language 5 is a lot of it).
        POSITIVE = "positive", "Positive content"
        CONCERN = "concern", "Content to consider"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "content categories"

    def __str__(self):
        return self.name

    @property
    def is_concern(self):
        return self.kind == self.Kind.CONCERN


class LevelMeaning(models.Model):
    """What a level (0-5) means in one category."""

    category = models.ForeignKey(ContentCategory, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    meaning = models.CharField(max_length=300)

    class Meta:
        ordering = ["category", "level"]
        constraints = [
            models.UniqueConstraint(fields=["category", "level"], name="ratings_level_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL) & Q(level__lte=MAX_LEVEL),
                name="ratings_levelmeaning_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.category} {self.level}: {self.meaning}"


class ExpertReviewQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ExpertReview.Status.PUBLISHED, title__status="published")


class ExpertReview(models.Model):
    """Our review of one title: the age, the stars, the words and the grid."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.OneToOneField(
        "movies.Title", on_delete=models.CASCADE, related_name="expert_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_reviews"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    age_rating = models.PositiveSmallIntegerField(
        validators=AGE_VALIDATORS, help_text="Appropriate for this age and up (2-18)."
    )
    stars = models.PositiveSmallIntegerField(validators=STARS_VALIDATORS, help_text="1 to 5.")
    summary = models.CharField("one-line summary", max_length=200)
    parents_need_to_know = models.TextField("Parents Need to Know")
    story = models.TextField("What's the Story?")
    is_it_any_good = models.TextField("Is It Any Good?")
    talk_to_your_kids = models.TextField(
        "Talk to Your Kids About...", help_text="One discussion question per line."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExpertReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_rating__gte=MIN_AGE) & Q(age_rating__lte=MAX_AGE),
                name="ratings_expertreview_age_range",
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=MIN_STARS) & Q(stars__lte=MAX_STARS),
                name="ratings_expertreview_stars_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="ratings_review_latest_idx"),
            models.Index(fields=["age_rating"], name="ratings_review_age_idx"),
            models.Index(fields=["stars"], name="ratings_review_stars_idx"),
        ]

    def __str__(self):
        return f"Expert review of {self.title}"

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.title.get_absolute_url()

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def discussion_questions(self):
        return [line.strip() for line in self.talk_to_your_kids.splitlines() if line.strip()]


class ContentGrade(models.Model):
    """One cell of the grid: how much of a category a title has (0-5), and why."""

    review = models.ForeignKey(ExpertReview, on_delete=models.CASCADE, related_name="grades")
    category = models.ForeignKey(ContentCategory, on_delete=models.PROTECT, related_name="grades")
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    note = models.TextField(blank=True, help_text="What, concretely, the viewer will see or hear.")

    class Meta:
        ordering = ["review", "category__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "category"], name="ratings_grade_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL) & Q(level__lte=MAX_LEVEL),
                name="ratings_grade_level_range",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "level"], name="ratings_grade_cat_level_idx"),
        ]

    def __str__(self):
        return f"{self.category}: {self.level}"
