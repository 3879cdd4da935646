import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from tests import factories as f

pytestmark = pytest.mark.django_db

EXPECTED_CATEGORIES = [
    "Educational Value",
    "Positive Messages",
    "Positive Role Models",
    "Diverse Representations",
    "Violence & Scariness",
    "Sex, Romance & Nudity",
    "Language",
    "Products & Purchases",
    "Drinking, Drugs & Smoking",
]


def test_categories_are_seeded_with_six_levels_each():
    """The data migration seeds the nine categories, each with a meaning per level 0-5."""
    categories = ContentCategory.objects.prefetch_related("levels")
    assert [c.name for c in categories] == EXPECTED_CATEGORIES
    for category in categories:
        assert [level.level for level in category.levels.all()] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "field, value",
    [("age_rating", 1), ("age_rating", 19), ("stars", 0), ("stars", 6)],
)
def test_review_ranges_are_enforced_by_the_database(field, value):
    """Ages outside 2-18 and stars outside 1-5 are refused by the database itself."""
    review = f.make_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertReview.objects.filter(pk=review.pk).update(**{field: value})


def test_grade_level_range_is_enforced_by_the_database():
    """A grid level above 5 is refused by the database."""
    review = f.make_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentGrade.objects.filter(review=review).update(level=6)


def test_one_grade_per_category_per_review():
    """A review cannot grade the same category twice."""
    review = f.make_review()
    category = ContentCategory.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentGrade.objects.create(review=review, category=category, level=2)


def test_one_expert_review_per_title():
    """A title has at most one expert review."""
    review = f.make_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_review(review.title)


def test_publishing_sets_the_publication_date():
    """A review gets its published_at when it is first published."""
    review = f.make_review(status=ExpertReview.Status.DRAFT)
    assert review.published_at is None
    review.status = ExpertReview.Status.PUBLISHED
    review.save()
    assert review.published_at is not None


def test_how_we_rate_page_lists_categories_and_levels(client):
    """/ratings/ explains every category and every level, from the database."""
    category = ContentCategory.objects.get(slug="language")
    category.levels.filter(level=4).update(meaning="Lots of strong words, tested.")
    response = client.get(reverse("ratings:how-we-rate"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in EXPECTED_CATEGORIES:
        assert name.replace("&", "&amp;") in html
    assert "Lots of strong words, tested." in html
