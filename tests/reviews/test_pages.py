import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.ratings.models import ContentCategory
from guidance.reviews.models import CommunityLevel, CommunityReview, ReviewSummary
from guidance.reviews.services import hide_review, recompute_title_aggregates, toggle_helpful
from movies.models import Title
from tests import factories as f

pytestmark = pytest.mark.django_db

BODY = "My two kids loved the chase scenes, but the ending upset my youngest a little bit."


def form_data(**overrides):
    data = {
        "age_rating": "12",
        "stars": "4",
        "headline": "Tense but worth it",
        "body": BODY,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def write_url(title):
    return reverse("reviews:write", kwargs={"slug": title.slug})


def list_url(title, query=""):
    return reverse("reviews:list", kwargs={"slug": title.slug}) + query


def text(response):
    return response.content.decode()


def test_write_page_asks_anonymous_visitors_to_sign_in(client):
    """The write page sends a visitor to sign in, then back."""
    title = f.make_title()
    response = client.get(write_url(title))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={write_url(title)}"


def test_writing_a_review_publishes_it_and_counts_it(client):
    """A parent's review is saved, shown on the title page and counted in Parents say."""
    title = f.make_title(name="Run", year=2020)
    f.make_review(title, age_rating=13)
    parent = f.make_parent(display_name="Dana")
    client.force_login(parent)
    violence = ContentCategory.objects.get(slug="violence-scariness")
    response = client.post(write_url(title), form_data(**{f"level_{violence.slug}": "3"}))
    review = CommunityReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{title.get_absolute_url()}#review-{review.pk}"
    assert (review.author, review.author_role, review.age_rating, review.stars) == (
        parent,
        "parent",
        12,
        4,
    )
    assert review.levels.get().level == 3
    html = text(client.get(title.get_absolute_url()))
    parents = html[html.index('id="verdict-parent-label"') :][:900]
    assert "12+" in parents
    assert "based on 1 review" in parents
    assert "1 year younger than ours" in parents
    assert "Tense but worth it" in html
    assert "Dana" in html
    assert "Edit your review" in html


def test_kids_reviews_show_under_kids_say(client):
    """A kid's review counts under Kids say, not Parents say."""
    title = f.make_title()
    client.force_login(f.make_kid(age=14))
    client.post(write_url(title), form_data(age_rating="10", stars="5"))
    html = text(client.get(title.get_absolute_url()))
    kids = html[html.index('id="verdict-kid-label"') :][:900]
    parents = html[html.index('id="verdict-parent-label"') :][:300]
    assert "10+" in kids and "based on 1 review" in kids
    assert "No reviews yet." in parents


def test_writing_again_edits_the_same_review(client):
    """The write page shows my review and saving it again updates it."""
    title = f.make_title()
    parent = f.make_parent()
    review = f.make_community_review(title, parent, headline="My first headline")
    client.force_login(parent)
    page = text(client.get(write_url(title)))
    assert "My first headline" in page
    assert "Saving replaces that review" in page
    client.post(write_url(title), form_data(headline="My better headline", stars="2"))
    assert CommunityReview.objects.count() == 1
    review.refresh_from_db()
    assert (review.headline, review.stars) == ("My better headline", 2)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"age_rating": "1"}, "age_rating", "Choose an age from 2 to 18."),
        ({"age_rating": "19"}, "age_rating", "Choose an age from 2 to 18."),
        ({"age_rating": "abc"}, "age_rating", "Choose an age from 2 to 18."),
        ({"age_rating": None}, "age_rating", "Choose the youngest age you think it suits."),
        ({"stars": "0"}, "stars", "Give it between 1 and 5 stars."),
        ({"stars": "6"}, "stars", "Give it between 1 and 5 stars."),
        ({"headline": "Ok"}, "headline", "at least 5 characters"),
        ({"headline": "x" * 121}, "headline", "at most 120 characters"),
        ({"body": "Too short to help."}, "body", "at least 50 characters (you wrote 18)"),
        ({"body": "y" * 5001}, "body", "under 5000 characters"),
        ({"level_language": "7"}, "level_language", "Choose a level from 0 to 5"),
    ],
)
def test_bad_review_input_gets_a_clear_message(client, overrides, field, message):
    """Every field is validated, with a message that says what to fix, and nothing saved."""
    client.force_login(f.make_parent())
    response = client.post(write_url(f.make_title()), form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in text(response)
    assert not CommunityReview.objects.exists()


def test_reviews_of_draft_or_unknown_titles_are_404(client):
    """Writing about a draft or an unknown title is a 404."""
    client.force_login(f.make_parent())
    draft = f.make_title(status=Title.Status.DRAFT)
    assert client.get(write_url(draft)).status_code == 404
    assert client.post(write_url(draft), form_data()).status_code == 404
    assert client.get("/movies/no-such-film/reviews/write/").status_code == 404
    assert client.get("/movies/no-such-film/reviews/").status_code == 404
    assert not CommunityReview.objects.exists()


def test_staff_and_young_kids_get_a_kind_refusal(client):
    """Accounts that cannot review see a 403 page that explains why."""
    title = f.make_title()
    for user in [f.make_staff(), f.make_kid(age=12)]:
        client.force_login(user)
        response = client.post(write_url(title), form_data())
        assert response.status_code == 403
        assert "can't write community reviews" in text(response)
    assert not CommunityReview.objects.exists()


def test_nobody_can_edit_or_delete_someone_elses_review(client):
    """Another user's write page edits only their own review; delete of another's is 404."""
    title = f.make_title()
    review = f.make_community_review(title, headline="The original words")
    intruder = f.make_parent()
    client.force_login(intruder)
    page = text(client.get(write_url(title)))
    assert "The original words" not in page
    delete_url = reverse("reviews:delete", kwargs={"pk": review.pk})
    assert client.get(delete_url).status_code == 404
    assert client.post(delete_url).status_code == 404
    client.post(write_url(title), form_data(headline="The intruder's words"))
    review.refresh_from_db()
    assert review.headline == "The original words"
    assert CommunityReview.objects.get(author=intruder).headline == "The intruder's words"


def test_deleting_my_review_asks_then_deletes_and_recounts(client):
    """Delete shows a confirmation on GET and deletes on POST."""
    review = f.make_community_review()
    client.force_login(review.author)
    url = reverse("reviews:delete", kwargs={"pk": review.pk})
    assert "Yes, delete my review" in text(client.get(url))
    assert CommunityReview.objects.exists()
    response = client.post(url)
    assert response["Location"] == review.title.get_absolute_url() + "#community"
    assert not CommunityReview.objects.exists()
    review.title.refresh_from_db()
    assert review.title.community_review_count == 0


def test_every_post_needs_a_csrf_token():
    """Writing, deleting and voting without a CSRF token are refused."""
    client = Client(enforce_csrf_checks=True)
    title = f.make_title()
    review = f.make_community_review(title)
    client.force_login(f.make_parent())
    assert client.post(write_url(title), form_data()).status_code == 403
    assert client.post(reverse("reviews:helpful", kwargs={"pk": review.pk})).status_code == 403
    client.force_login(review.author)
    assert client.post(reverse("reviews:delete", kwargs={"pk": review.pk})).status_code == 403
    assert CommunityReview.objects.count() == 1


def test_html_in_a_review_is_shown_as_text(client):
    """User text is escaped on the title page and the list page."""
    title = f.make_title()
    f.make_community_review(
        title,
        headline="<b>Bold</b> claim",
        body='<script>alert("x")</script> and more words so that it is long enough to pass.',
    )
    for url in [title.get_absolute_url(), list_url(title)]:
        html = text(client.get(url))
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "&lt;b&gt;Bold&lt;/b&gt; claim" in html


def test_spoilers_are_behind_a_guard(client):
    """A review marked as containing spoilers shows its text only when opened."""
    title = f.make_title()
    f.make_community_review(
        title, contains_spoilers=True, body="The twist is that the mother " + "x" * 40
    )
    f.make_community_review(title, body="No twist talk here, just a calm review " + "y" * 30)
    for url in [title.get_absolute_url(), list_url(title)]:
        html = text(client.get(url))
        guarded = re.search(r'<details class="spoiler-guard">(.*?)</details>', html, re.S)
        assert guarded and "The twist is that the mother" in guarded.group(1)
        assert "This review contains spoilers" in guarded.group(1)
        assert html.count('class="spoiler-guard"') == 1


def test_hidden_reviews_are_not_public_but_their_author_sees_them(client):
    """A hidden review disappears for others and shows its status to its author."""
    title = f.make_title()
    review = f.make_community_review(title, headline="Hidden words here")
    hide_review(review=review)
    for url in [title.get_absolute_url(), list_url(title)]:
        assert "Hidden words here" not in text(client.get(url))
    client.force_login(review.author)
    for url in [title.get_absolute_url(), list_url(title), reverse("accounts:profile")]:
        html = text(client.get(url))
        assert "Hidden words here" in html
        assert "hidden (pending moderation)" in html.lower()


def test_report_link_leads_to_reporting_or_sign_in(client):
    """Each review has a "Report this review" link."""
    title = f.make_title()
    review = f.make_community_review(title)
    html = text(client.get(title.get_absolute_url()))
    link = re.search(r'<a class="report-link" href="([^"]+)">Report this review', html)
    assert link
    href = link.group(1)
    try:
        expected = reverse("moderation:report", kwargs={"pk": review.pk})
    except Exception:
        expected = reverse("accounts:login") + "?next="
    assert href.startswith(expected)


def test_helpful_vote_through_the_page(client):
    """Signed-in people mark a review helpful with a POST and can take it back."""
    title = f.make_title()
    review = f.make_community_review(title)
    url = reverse("reviews:helpful", kwargs={"pk": review.pk})
    client.force_login(f.make_kid())
    response = client.post(url, {"helpful": "1", "next": list_url(title)})
    assert response["Location"] == list_url(title)
    review.refresh_from_db()
    assert review.helpful_count == 1
    html = text(client.get(list_url(title)))
    assert "You found this helpful (1)" in html
    client.post(url, {"helpful": "0"})
    review.refresh_from_db()
    assert review.helpful_count == 0


def test_helpful_vote_needs_post_a_sign_in_and_someone_elses_review(client):
    """GET is refused, visitors are sent to sign in, and authors cannot vote for themselves."""
    title = f.make_title()
    review = f.make_community_review(title)
    url = reverse("reviews:helpful", kwargs={"pk": review.pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    client.force_login(review.author)
    response = client.post(url, follow=True)
    assert "mark your own review as helpful." in text(response)
    review.refresh_from_db()
    assert review.helpful_count == 0


def test_helpful_vote_refuses_a_foreign_next(client):
    """The `next` after voting must point at this site."""
    review = f.make_community_review()
    client.force_login(f.make_parent())
    response = client.post(
        reverse("reviews:helpful", kwargs={"pk": review.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"{review.title.get_absolute_url()}#review-{review.pk}"


def test_hidden_review_takes_no_votes(client):
    """Voting on a hidden review is a 404."""
    review = f.make_community_review()
    hide_review(review=review)
    client.force_login(f.make_parent())
    assert client.post(reverse("reviews:helpful", kwargs={"pk": review.pk})).status_code == 404


def test_posting_reviews_is_rate_limited_per_user(client, settings):
    """Past the limit, writing gets a 429 page that says when to try again."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "review": "2/h"}
    client.force_login(f.make_parent())
    title = f.make_title()
    assert client.post(write_url(title), form_data()).status_code == 302
    assert client.post(write_url(title), form_data()).status_code == 302
    response = client.post(write_url(title), form_data(headline="One too many"))
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not CommunityReview.objects.filter(headline="One too many").exists()
    assert client.get(write_url(title)).status_code == 200


def test_posting_reviews_is_rate_limited_per_ip(settings):
    """Different accounts from one address share the per-IP limit."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "review": "1/h"}
    title = f.make_title()
    first, second = Client(REMOTE_ADDR="10.0.0.9"), Client(REMOTE_ADDR="10.0.0.9")
    first.force_login(f.make_parent())
    second.force_login(f.make_parent())
    assert first.post(write_url(title), form_data()).status_code == 302
    assert second.post(write_url(title), form_data()).status_code == 429


def test_helpful_votes_are_rate_limited(client, settings):
    """Voting past the helpful limit gets a 429."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "helpful": "1/h"}
    review = f.make_community_review()
    client.force_login(f.make_parent())
    url = reverse("reviews:helpful", kwargs={"pk": review.pk})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 429
    review.refresh_from_db()
    assert review.helpful_count == 1


def make_list_reviews(title):
    """Four reviews with different ages, stars, roles and votes, oldest first."""
    specs = [
        ("parent", 8, 2, 0),
        ("kid", 14, 5, 2),
        ("parent", 12, 4, 1),
        ("kid", 10, 1, 0),
    ]
    reviews = []
    for role, age, stars, votes in specs:
        author = f.make_parent() if role == "parent" else f.make_kid()
        review = f.make_community_review(
            title, author, age_rating=age, stars=stars, headline=f"{role} age {age}"
        )
        for _ in range(votes):
            toggle_helpful(review=review, user=f.make_parent())
        reviews.append(review)
    return reviews


def headlines(response):
    return [review.headline for review in response.context["reviews"]]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["kid age 10", "parent age 12", "kid age 14", "parent age 8"]),
        ("newest", ["kid age 10", "parent age 12", "kid age 14", "parent age 8"]),
        ("helpful", ["kid age 14", "parent age 12", "kid age 10", "parent age 8"]),
        ("youngest", ["parent age 8", "kid age 10", "parent age 12", "kid age 14"]),
        ("oldest", ["kid age 14", "parent age 12", "kid age 10", "parent age 8"]),
        ("stars-high", ["kid age 14", "parent age 12", "parent age 8", "kid age 10"]),
        ("stars-low", ["kid age 10", "parent age 8", "parent age 12", "kid age 14"]),
    ],
)
def test_reviews_page_sorts(client, sort, expected):
    """Each sort orders the reviews as its name says."""
    title = f.make_title()
    make_list_reviews(title)
    assert headlines(client.get(list_url(title, f"?sort={sort}"))) == expected


def test_reviews_page_tabs_filter_by_role(client):
    """The parents and kids tabs show only that role's reviews, with counts."""
    title = f.make_title()
    make_list_reviews(title)
    response = client.get(list_url(title, "?role=kid&sort=youngest"))
    assert headlines(response) == ["kid age 10", "kid age 14"]
    html = text(response)
    assert re.search(r"Parents <span[^>]*>2</span>", html)
    assert re.search(r"Kids <span[^>]*>2</span>", html)
    assert headlines(client.get(list_url(title, "?role=parent"))) == [
        "parent age 12",
        "parent age 8",
    ]


def test_unknown_sort_and_role_are_ignored_with_a_note(client):
    """Bad query values fall back to all reviews, newest first, and say so."""
    title = f.make_title()
    make_list_reviews(title)
    response = client.get(list_url(title, "?sort=loudest&role=grandma"))
    assert response.status_code == 200
    assert len(headlines(response)) == 4
    assert "We didn't recognise the role and sort" in text(response)


def test_reviews_page_paginates_and_survives_bad_page_numbers(client):
    """Ten reviews a page; a bad page number shows the first page, a too-high one the last."""
    title = f.make_title()
    for i in range(23):
        f.make_community_review(title, headline=f"Review {i:02}")
    first = client.get(list_url(title))
    assert len(first.context["reviews"]) == 10
    assert "Page 1 of 3" in text(first)
    third = client.get(list_url(title, "?page=3"))
    assert headlines(third) == ["Review 02", "Review 01", "Review 00"]
    assert headlines(client.get(list_url(title, "?page=abc"))) == headlines(first)
    assert headlines(client.get(list_url(title, "?page=999"))) == headlines(third)
    sorted_page = text(client.get(list_url(title, "?sort=oldest&role=parent")))
    assert 'href="?role=parent&amp;sort=oldest&amp;page=2"' in sorted_page


def title_page_with_reviews(n):
    """A reviewed title with n published reviews (a third with spoilers), all with levels."""
    title = f.make_title()
    f.make_review(title)
    categories = list(ContentCategory.objects.all()[:3])
    authors = [f.make_parent() if i % 2 else f.make_kid() for i in range(n)]
    reviews = CommunityReview.objects.bulk_create(
        CommunityReview(
            title=title,
            author=author,
            author_role=author.role,
            age_rating=8 + i % 8,
            stars=1 + i % 5,
            headline=f"Bulk review {i}",
            body=BODY,
            contains_spoilers=i % 3 == 0,
        )
        for i, author in enumerate(authors)
    )
    CommunityLevel.objects.bulk_create(
        CommunityLevel(review=review, category=category, level=i % 6)
        for i, review in enumerate(reviews)
        for category in categories
    )
    recompute_title_aggregates(title=title)
    return title


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "signed-in"])
def test_title_page_query_count_is_flat_with_1_or_200_reviews(client, settings, signed_in):
    """The title page runs the same number of queries (at most 12) with 1 or 200 reviews."""
    settings.COMMUNITY_LEVEL_MIN_REVIEWS = 1
    counts = []
    for n in [1, 200]:
        title = title_page_with_reviews(n)
        if signed_in:
            voter = f.make_parent()
            client.force_login(voter)
            for review in title.community_reviews.all()[:2]:
                toggle_helpful(review=review, user=voter)
            hide_review(review=f.make_community_review(title, voter, headline="My hidden one"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(title.get_absolute_url())
        assert response.status_code == 200
        assert "What families noticed" in text(response)
        if signed_in:
            assert "My hidden one" in text(response)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "signed-in"])
def test_reviews_page_query_count_is_flat_with_1_or_200_reviews(client, signed_in):
    """The reviews page runs the same number of queries with 1 or 200 reviews."""
    counts = []
    for n in [1, 200]:
        title = title_page_with_reviews(n)
        if signed_in:
            client.force_login(f.make_parent())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(list_url(title, "?sort=helpful"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_summary_shows_typical_levels_once_enough_people_answer(client, settings):
    """A category's community level shows only when enough reviewers gave one."""
    settings.COMMUNITY_LEVEL_MIN_REVIEWS = 2
    title = f.make_title()
    f.make_review(title, grades={"language": 1})
    language = ContentCategory.objects.get(slug="language")
    f.make_community_review(title, levels={language: 3})
    assert "What families noticed" not in text(client.get(title.get_absolute_url()))
    f.make_community_review(title, levels={language: 4})
    html = text(client.get(title.get_absolute_url()))
    table = html[html.index("What families noticed") :]
    assert "Language" in table
    assert 'data-level="4"' in table
    assert "(2 answers)" in table
    assert ReviewSummary.objects.get(title=title).levels[str(language.pk)]["level"] == 4


def test_title_page_shows_the_five_latest_with_my_own_in_its_place(client):
    """The latest five are the newest published reviews, mine included only if it is one."""
    title = f.make_title()
    me = f.make_parent()
    f.make_community_review(title, me, headline="My old review")
    for i in range(6):
        f.make_community_review(title, headline=f"Newer review {i}")
    client.force_login(me)
    latest = [
        review.headline
        for review in client.get(title.get_absolute_url()).context["community"].latest
    ]
    assert latest == [f"Newer review {i}" for i in range(5, 0, -1)]
    f.make_community_review(title, me, headline="My rewritten review")
    CommunityReview.objects.filter(author=me).update(created_at=timezone.now())
    community = client.get(title.get_absolute_url()).context["community"]
    assert [review.headline for review in community.latest][:2] == [
        "My rewritten review",
        "Newer review 5",
    ]
    assert community.has_my_review and community.my_unpublished_review is None
