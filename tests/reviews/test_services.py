import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from guidance.ratings.models import ContentCategory
from guidance.reviews.models import CommunityLevel, CommunityReview, HelpfulVote, ReviewSummary
from guidance.reviews.services import (
    ReviewNotAllowed,
    bayesian_rating,
    delete_review,
    hide_review,
    recompute_title_aggregates,
    remove_review,
    restore_review,
    set_review_status,
    submit_review,
    toggle_helpful,
    typical,
)
from movies.models import Title
from tests import factories as f

pytestmark = pytest.mark.django_db

BODY = "We watched this together and talked about it all the way home afterwards."


def write(title, author, **fields):
    fields.setdefault("age_rating", 10)
    fields.setdefault("stars", 4)
    fields.setdefault("headline", "Worth a family evening")
    fields.setdefault("body", BODY)
    return submit_review(author=author, title=title, **fields)


def numbers(title):
    """The title's stored numbers, fresh from the database."""
    title.refresh_from_db()
    summary = ReviewSummary.objects.get(title=title)
    return {
        "count": title.community_review_count,
        "rating": title.community_rating,
        "parents": summary.parent_count,
        "kids": summary.kid_count,
        "parent_age": summary.parent_age,
        "kid_age": summary.kid_age,
        "parent_stars": summary.parent_stars,
        "kid_stars": summary.kid_stars,
        "stars": summary.stars_average,
    }


def test_typical_is_the_median_rounded_up():
    """The typical value is the median of the histogram, a half rounded up."""
    assert typical({}) is None
    assert typical({12: 1}) == 12
    assert typical({10: 1, 12: 1, 16: 1}) == 12
    assert typical({12: 1, 13: 1}) == 13
    assert typical({12: 1, 15: 1}) == 14
    assert typical({8: 3, 14: 1}) == 8
    assert typical({8: 2, 14: 2}) == 11


def test_bayesian_rating_uses_a_prior_of_three_stars_worth_five_reviews():
    """One 5-star review scores (5*3+5)/6; no reviews score 0."""
    assert bayesian_rating(star_total=0, count=0) == 0
    assert bayesian_rating(star_total=5, count=1) == pytest.approx(20 / 6)
    assert bayesian_rating(star_total=40, count=10) == pytest.approx(55 / 15)


def test_one_five_star_review_does_not_top_many_four_star_reviews():
    """A title with ten 4-star reviews ranks above one with a single 5-star review."""
    lone, loved = f.make_title(), f.make_title()
    write(lone, f.make_parent(), stars=5)
    for _ in range(10):
        write(loved, f.make_parent(), stars=4)
    ranked = list(Title.objects.filter(pk__in=[lone.pk, loved.pk]).order_by("-community_rating"))
    assert ranked == [loved, lone]


def test_submit_creates_then_edits_the_one_review_per_person():
    """Writing again about the same title edits the review instead of adding one."""
    title, parent = f.make_title(), f.make_parent()
    first, created = write(title, parent, stars=2, headline="First thoughts here")
    second, created_again = write(title, parent, stars=5, headline="Second thoughts here")
    assert created and not created_again
    assert first.pk == second.pk
    assert CommunityReview.objects.filter(title=title).count() == 1
    second.refresh_from_db()
    assert (second.stars, second.headline) == (5, "Second thoughts here")
    assert numbers(title)["count"] == 1


def test_the_database_refuses_a_second_review_by_the_same_author():
    """The unique constraint holds even when the service is bypassed."""
    review = f.make_community_review()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityReview.objects.create(
            title=review.title,
            author=review.author,
            author_role="parent",
            age_rating=8,
            stars=3,
            headline="Again",
            body=BODY,
        )


@pytest.mark.parametrize(
    "field, value", [("stars", 0), ("stars", 6), ("age_rating", 1), ("age_rating", 19)]
)
def test_the_database_refuses_out_of_range_values(field, value):
    """Check constraints keep stars in 1-5 and ages in 2-18."""
    fields = {"age_rating": 10, "stars": 3, field: value}
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityReview.objects.create(
            title=f.make_title(),
            author=f.make_parent(),
            author_role="parent",
            headline="Out of range",
            body=BODY,
            **fields,
        )


def test_service_validates_ranges_and_lengths():
    """The service refuses out-of-range ages and too-short text."""
    title, parent = f.make_title(), f.make_parent()
    with pytest.raises(ValidationError):
        write(title, parent, age_rating=19)
    with pytest.raises(ValidationError):
        write(title, parent, body="Too short.")
    assert not CommunityReview.objects.exists()


def test_author_role_is_copied_from_the_account():
    """A kid's review is recorded as a kid's, a parent's as a parent's."""
    title = f.make_title()
    kid_review, _ = write(title, f.make_kid(age=14))
    parent_review, _ = write(title, f.make_parent())
    assert kid_review.author_role == "kid"
    assert parent_review.author_role == "parent"


def test_aggregates_per_role_are_exact():
    """Counts, typical ages, average stars and the rating come from published reviews."""
    title = f.make_title()
    write(title, f.make_parent(), age_rating=10, stars=5)
    write(title, f.make_parent(), age_rating=12, stars=4)
    write(title, f.make_parent(), age_rating=16, stars=2)
    write(title, f.make_kid(), age_rating=11, stars=5)
    write(title, f.make_kid(), age_rating=12, stars=4)
    assert numbers(title) == {
        "count": 5,
        "rating": pytest.approx((15 + 20) / 10),
        "parents": 3,
        "kids": 2,
        "parent_age": 12,
        "kid_age": 12,
        "parent_stars": pytest.approx(11 / 3),
        "kid_stars": pytest.approx(4.5),
        "stars": pytest.approx(4.0),
    }


def test_aggregates_follow_an_edit():
    """Editing a review's age and stars moves the title's numbers."""
    title, parent = f.make_title(), f.make_parent()
    write(title, parent, age_rating=8, stars=2)
    write(title, f.make_parent(), age_rating=12, stars=4)
    assert numbers(title)["parent_age"] == 10
    write(title, parent, age_rating=14, stars=4)
    result = numbers(title)
    assert (result["count"], result["parent_age"], result["parent_stars"]) == (2, 13, 4.0)


def test_aggregates_follow_a_delete_down_to_nothing():
    """Deleting reviews recounts; with none left the numbers are empty and the rating 0."""
    title = f.make_title()
    first, _ = write(title, f.make_parent(), age_rating=8, stars=3)
    second, _ = write(title, f.make_kid(), age_rating=13, stars=5)
    delete_review(review=first, user=first.author)
    result = numbers(title)
    assert (result["count"], result["parents"], result["kids"], result["kid_age"]) == (1, 0, 1, 13)
    assert result["parent_age"] is None
    delete_review(review=second, user=second.author)
    result = numbers(title)
    assert (result["count"], result["rating"], result["stars"]) == (0, 0, None)


def test_hidden_then_restored_review_is_uncounted_then_counted_again():
    """Hiding takes a review out of every number; restoring puts it back exactly."""
    title = f.make_title()
    write(title, f.make_parent(), age_rating=8, stars=4)
    review, _ = write(title, f.make_parent(), age_rating=16, stars=1)
    before = numbers(title)
    hide_review(review=review)
    hidden = numbers(title)
    assert (hidden["count"], hidden["parent_age"], hidden["parent_stars"]) == (1, 8, 4.0)
    restore_review(review=review)
    assert numbers(title) == before
    remove_review(review=review)
    assert numbers(title)["count"] == 1
    set_review_status(review=review, status=CommunityReview.Status.PUBLISHED)
    assert numbers(title) == before


def test_editing_a_hidden_review_keeps_it_hidden_and_uncounted():
    """An author editing a hidden review does not publish it again."""
    title, parent = f.make_title(), f.make_parent()
    review, _ = write(title, parent)
    hide_review(review=review)
    edited, _ = write(title, parent, stars=1)
    assert edited.status == CommunityReview.Status.HIDDEN
    assert numbers(title)["count"] == 0


def test_unknown_status_is_refused():
    """set_review_status accepts only the three statuses."""
    with pytest.raises(ValueError):
        set_review_status(review=f.make_community_review(), status="deleted")


def test_category_levels_are_stored_per_category_and_replaced_on_edit():
    """A review's levels are saved; editing replaces them; a None level is no answer."""
    title, parent = f.make_title(), f.make_parent()
    violence = ContentCategory.objects.get(slug="violence-scariness")
    language = ContentCategory.objects.get(slug="language")
    review, _ = write(title, parent, levels={violence: 4, language: 2})
    assert dict(review.levels.values_list("category__slug", "level")) == {
        "violence-scariness": 4,
        "language": 2,
    }
    write(title, parent, levels={violence: 3, language: None})
    assert dict(review.levels.values_list("category__slug", "level")) == {"violence-scariness": 3}


def test_typical_category_levels_count_published_reviews_only():
    """Per-category levels are the median of published reviews' answers, by role too."""
    title = f.make_title()
    violence = ContentCategory.objects.get(slug="violence-scariness")
    write(title, f.make_parent(), levels={violence: 2})
    write(title, f.make_parent(), levels={violence: 4})
    write(title, f.make_kid(), levels={violence: 1})
    hidden, _ = write(title, f.make_kid(), levels={violence: 5})
    hide_review(review=hidden)
    levels = ReviewSummary.objects.get(title=title).levels
    assert levels == {str(violence.pk): {"level": 2, "count": 3, "parent": 3, "kid": 1}}


def test_recompute_repairs_numbers_changed_behind_its_back():
    """recompute_title_aggregates rebuilds the numbers from the reviews alone."""
    title = f.make_title()
    write(title, f.make_parent(), stars=5)
    Title.objects.filter(pk=title.pk).update(community_review_count=99, community_rating=1)
    ReviewSummary.objects.filter(title=title).update(parent_count=0, kid_count=0, review_count=0)
    recompute_title_aggregates(title=title)
    result = numbers(title)
    assert (result["count"], result["parents"]) == (1, 1)
    assert result["rating"] == pytest.approx(20 / 6)


def test_deleting_an_account_recounts_its_titles_and_votes():
    """An account deleted in admin takes its reviews and votes out of the numbers."""
    title = f.make_title()
    leaving = f.make_parent()
    write(title, leaving, age_rating=16)
    staying, _ = write(title, f.make_parent(), age_rating=8)
    toggle_helpful(review=staying, user=leaving)
    leaving.delete()
    result = numbers(title)
    assert (result["count"], result["parent_age"]) == (1, 8)
    staying.refresh_from_db()
    assert staying.helpful_count == 0


def test_deleting_a_title_with_reviews_works():
    """A title with reviews, votes and a summary can be deleted."""
    review = f.make_community_review(levels={ContentCategory.objects.first(): 2})
    toggle_helpful(review=review, user=f.make_parent())
    review.title.delete()
    assert not CommunityReview.objects.exists()
    assert not ReviewSummary.objects.exists()
    assert not CommunityLevel.objects.exists()


def test_reviews_of_draft_titles_are_refused():
    """A draft title takes no reviews."""
    with pytest.raises(ReviewNotAllowed):
        write(f.make_title(status=Title.Status.DRAFT), f.make_parent())


@pytest.mark.parametrize(
    "make_author",
    [
        lambda: f.make_staff(),
        lambda: f.make_kid(age=12),
        lambda: f.make_user(role="kid", birth_year=None),
        lambda: f.make_parent(is_active=False),
    ],
    ids=["staff", "kid-under-13", "kid-without-birth-year", "inactive"],
)
def test_only_parents_and_kids_13_plus_may_review(make_author):
    """Staff, kids under 13 and inactive accounts cannot write reviews."""
    with pytest.raises(ReviewNotAllowed):
        write(f.make_title(), make_author())


def test_only_the_author_may_delete_a_review():
    """delete_review refuses anyone but the author."""
    review = f.make_community_review()
    with pytest.raises(ReviewNotAllowed):
        delete_review(review=review, user=f.make_parent())
    assert CommunityReview.objects.filter(pk=review.pk).exists()


def test_helpful_votes_toggle_and_count():
    """A vote counts once per person and can be taken back."""
    review = f.make_community_review()
    voter, other = f.make_parent(), f.make_kid()
    assert toggle_helpful(review=review, user=voter) is True
    assert toggle_helpful(review=review, user=other) is True
    assert review.helpful_count == 2
    assert toggle_helpful(review=review, user=voter) is False
    assert review.helpful_count == 1
    assert list(HelpfulVote.objects.values_list("user", flat=True)) == [other.pk]


def test_setting_a_helpful_vote_twice_counts_once():
    """Sending "helpful" twice (a double click) leaves one vote."""
    review = f.make_community_review()
    voter = f.make_parent()
    assert toggle_helpful(review=review, user=voter, helpful=True) is True
    assert toggle_helpful(review=review, user=voter, helpful=True) is True
    assert review.helpful_count == 1
    assert toggle_helpful(review=review, user=voter, helpful=False) is False
    assert toggle_helpful(review=review, user=voter, helpful=False) is False
    assert review.helpful_count == 0


def test_no_helpful_vote_on_your_own_or_a_hidden_review():
    """Authors cannot vote for themselves; hidden reviews take no votes."""
    review = f.make_community_review()
    with pytest.raises(ReviewNotAllowed):
        toggle_helpful(review=review, user=review.author)
    hide_review(review=review)
    with pytest.raises(ReviewNotAllowed):
        toggle_helpful(review=review, user=f.make_parent())
    review.refresh_from_db()
    assert review.helpful_count == 0


def test_the_database_refuses_a_second_vote():
    """One vote per person per review, enforced by a unique constraint."""
    review = f.make_community_review()
    voter = f.make_parent()
    HelpfulVote.objects.create(review=review, user=voter)
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpfulVote.objects.create(review=review, user=voter)
