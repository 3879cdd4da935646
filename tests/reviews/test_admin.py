import pytest
from django.urls import reverse

from guidance.reviews.models import CommunityReview
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(f.make_staff(is_superuser=True))
    return client


def test_review_changelist_lists_filters_and_searches(admin_client, django_assert_max_num_queries):
    """The review list shows reviews with their titles and authors in a fixed query count."""
    title = f.make_title(name="Run")
    for i in range(30):
        f.make_community_review(title, headline=f"Headline number {i}")
    f.make_community_review(f.make_title(name="Coco"), headline="Singing skeletons")
    url = reverse("admin:reviews_communityreview_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Headline number 29" in html and "Singing skeletons" in html
    found = admin_client.get(url, {"q": "skeletons"}).content.decode()
    assert "Singing skeletons" in found and "Headline number 1<" not in found
    hidden = admin_client.get(url, {"status__exact": "hidden"}).content.decode()
    assert "Singing skeletons" not in hidden


def test_review_words_and_counts_are_read_only_in_admin(admin_client):
    """A POST to the review's change page cannot rewrite its words, stars or counters."""
    review = f.make_community_review(headline="The author's own words", stars=4)
    url = reverse("admin:reviews_communityreview_change", args=[review.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"headline": "Rewritten by staff", "stars": 1, "helpful_count": 99})
    review.refresh_from_db()
    assert (review.headline, review.stars, review.helpful_count) == (
        "The author's own words",
        4,
        0,
    )
    assert admin_client.get(reverse("admin:reviews_communityreview_add")).status_code == 403


def test_deleting_a_review_in_admin_recounts_its_title(admin_client, settings):
    """Deleting unreported reviews in admin (one or several) keeps the title's numbers exact."""
    # New accounts' reviews are queued for moderation with a report, and admin does not
    # delete reported reviews; these are old hands.
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0
    title = f.make_title()
    keep = f.make_community_review(title, stars=5)
    first = f.make_community_review(title, stars=1)
    second = f.make_community_review(title, stars=1)
    admin_client.post(
        reverse("admin:reviews_communityreview_delete", args=[first.pk]), {"post": "yes"}
    )
    title.refresh_from_db()
    assert title.community_review_count == 2
    admin_client.post(
        reverse("admin:reviews_communityreview_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    title.refresh_from_db()
    assert list(CommunityReview.objects.all()) == [keep]
    assert title.community_review_count == 1
    assert title.review_summary.stars_average == 5


def test_summary_admin_is_read_only(admin_client):
    """Title summaries are shown, never added or deleted by hand."""
    review = f.make_community_review()
    summary = review.title.review_summary
    assert admin_client.get(reverse("admin:reviews_reviewsummary_changelist")).status_code == 200
    change = reverse("admin:reviews_reviewsummary_change", args=[summary.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.get(reverse("admin:reviews_reviewsummary_add")).status_code == 403
    delete = reverse("admin:reviews_reviewsummary_delete", args=[summary.pk])
    assert admin_client.get(delete).status_code == 403
