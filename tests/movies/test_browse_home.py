"""The home page: search, latest reviews, popular with parents, editors' lists, newsletter."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guidance.reviews.models import CommunityReview
from movies.models import Title
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed():
    """Four titles: two reviewed lately, one only long ago, one never."""
    lately, once, long_ago, never = (
        f.make_title(name=name, year=2015) for name in ("Lately", "Once", "Long Ago", "Never")
    )
    for _ in range(2):
        f.make_community_review(lately)
    f.make_community_review(once)
    f.make_community_review(once, status=CommunityReview.Status.HIDDEN)
    for _ in range(3):
        f.make_community_review(long_ago)
    CommunityReview.objects.filter(title=long_ago).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    return lately, once, long_ago, never


def test_popular_with_parents_counts_recent_published_reviews(reviewed, django_assert_num_queries):
    """Most published reviews this month first; older activity next; never-reviewed left out."""
    with django_assert_num_queries(1):
        names = [title.name for title in Title.objects.popular_with_parents(days=30)]
    assert names == ["Lately", "Once", "Long Ago"]


def test_popular_with_parents_on_the_home_page(client, reviewed):
    """The home page shows what parents have been reviewing."""
    response = client.get(reverse("home"))
    assert [t.name for t in response.context["popular_titles"]] == ["Lately", "Once", "Long Ago"]
    assert "Popular with parents" in response.content.decode()


def test_popular_section_hidden_without_reviews(client):
    """With no community reviews at all the section is left out rather than empty."""
    f.make_title(name="Quiet Film")
    assert "Popular with parents" not in client.get(reverse("home")).content.decode()


def test_home_page_cards_show_top_concerns(client):
    """Cards on the home page show the review's biggest content concerns."""
    f.make_review(
        f.make_title(name="Loud Film"),
        grades={"violence-scariness": 4, "language": 3, "products-purchases": 2},
    )
    f.make_review(f.make_title(name="Gentle Film"))
    html = client.get(reverse("home")).content.decode()
    loud = html[html.index("Loud Film") :]
    assert loud.index("Violence &amp; Scariness") < loud.index("Language")
    assert "Mild on every content concern" in html


def test_home_page_has_search_and_age_shortcut(client):
    """The home page offers the search box and a way to start from a kid's age."""
    html = client.get(reverse("home")).content.decode()
    assert 'id="hero-q" name="q"' in html
    assert 'id="hero-age" name="age"' in html
    assert f'action="{reverse("movies:browse")}"' in html


def test_home_page_query_count_is_fixed(client, django_assert_max_num_queries):
    """The home page runs the same few queries however many reviews and lists exist."""
    reviewer = f.make_staff(groups=["Reviewers"])
    titles = [f.make_title(name=f"Film {n}") for n in range(12)]
    for title in titles:
        f.make_review(title, reviewer=reviewer)
        f.make_community_review(title)
    for n in range(4):
        f.make_list(titles[n : n + 4], name=f"List {n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    assert len(response.context["latest_titles"]) == 8
