import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidance.ratings.models import ExpertReview
from movies.models import Credit, Tag, Title
from tests import factories as f

pytestmark = pytest.mark.django_db


def title_with_everything(n=1):
    """A published title with a published review and n credits, photos, offers, videos."""
    title = f.make_title(
        name="Run",
        year=2020,
        mpaa_rating="PG-13",
        mpaa_explanation="disturbing thematic content",
        runtime_minutes=90,
        studio=f.make_studio("Hulu"),
        tagline="You can't escape.",
    )
    title.tags.add(
        f.make_tag(Tag.Kind.GENRE, "Thriller"),
        f.make_tag(Tag.Kind.TOPIC, "Secrets"),
        f.make_tag(Tag.Kind.STRENGTH, "Courage"),
        f.make_tag(Tag.Kind.INCLUSION, "Female actors"),
    )
    f.make_review(title, age_rating=13, stars=4, summary="A tight thriller.")
    f.make_credit(title, Credit.Role.DIRECTOR, person=f.make_person("Aneesh Chaganty"))
    for i in range(n):
        f.make_credit(title, character=f"Character {i}")
        f.make_photo(title, caption=f"Still {i}")
        f.make_offer(title, url=f"https://watch.example.com/{i}")
        f.make_video(title, name=f"Clip {i}")
    return title


def test_title_page_shows_every_section(client):
    """The title page shows the header, the review sections, the grid and the details."""
    title = title_with_everything()
    response = client.get(title.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Run",
        "PG-13",
        "90 minutes",
        "A tight thriller.",
        "Parents Need to Know",
        "A Lot or a Little?",
        "Violence &amp; Scariness",
        "What's the Story?",
        "Is It Any Good?",
        "Talk to Your Kids About...",
        "First question?",
        "Aneesh Chaganty",
        "Hulu",
        "disturbing thematic content",
        "Female actors",
        "Courage",
        "Secrets",
        "Where to Watch",
        "Videos and Photos",
        "Character 0",
        "Last updated",
    ]:
        assert text in html, text
    assert "13+" in html
    assert 'aria-label="4 out of 5 stars"' in html


def test_title_url_uses_name_and_year_slug():
    """A new title gets a slug like run-2020, made unique when taken."""
    first = f.make_title(name="Run", year=2020)
    second = f.make_title(name="Run", year=2020)
    assert first.slug == "run-2020"
    assert second.slug == "run-2020-2"
    assert first.get_absolute_url() == "/movies/run-2020/"


def test_grid_reads_without_colour(client):
    """Each grid level is written as text (3 out of 5), not only drawn as dots."""
    title = f.make_title()
    f.make_review(title, grades={"violence-scariness": 3})
    html = client.get(title.get_absolute_url()).content.decode()
    assert 'data-level="3"' in html
    assert '3<span class="visually-hidden"> out of 5</span>' in html


@pytest.mark.parametrize("n", [1, 50])
def test_title_page_query_count_does_not_grow(client, django_assert_max_num_queries, n):
    """The title page runs the same small number of queries with 1 or 50 of everything."""
    title = title_with_everything(n)
    related = f.make_title()
    related.tags.add(Tag.objects.get(name="Thriller"))
    f.make_review(related)
    with django_assert_max_num_queries(10):
        response = client.get(title.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("Character ") >= n


def test_unknown_slug_is_a_404_in_site_style(client):
    """An unknown title gives the site's own 404 page."""
    response = client.get("/movies/no-such-film-1999/")
    assert response.status_code == 404
    assert "We couldn" in response.content.decode()


def test_draft_title_is_hidden_from_the_public(client):
    """A draft title is a 404 for visitors and visible to staff."""
    title = f.make_title(status=Title.Status.DRAFT)
    assert client.get(title.get_absolute_url()).status_code == 404
    client.force_login(f.make_staff(groups=["Editors"]))
    response = client.get(title.get_absolute_url())
    assert response.status_code == 200
    assert "This title is a draft" in response.content.decode()


def test_draft_review_is_visible_to_staff_only(client):
    """A draft expert review is not shown to visitors; staff see it marked as a draft."""
    title = f.make_title()
    f.make_review(title, status=ExpertReview.Status.DRAFT, summary="Secret draft summary.")
    public = client.get(title.get_absolute_url()).content.decode()
    assert "Secret draft summary." not in public
    assert "not reviewed this title yet" in public
    client.force_login(f.make_staff(groups=["Reviewers"]))
    staff = client.get(title.get_absolute_url()).content.decode()
    assert "Secret draft summary." in staff
    assert "The expert review is a draft" in staff


def test_editors_recommend_lists_related_titles(client):
    """Related titles come from shared editors' lists first, then shared genres."""
    title = f.make_title(name="Main")
    genre = f.make_tag(Tag.Kind.GENRE, "Drama")
    title.tags.add(genre)
    by_genre = f.make_title(name="Same Genre")
    by_genre.tags.add(genre)
    on_list = f.make_title(name="On The List")
    unrelated = f.make_title(name="Unrelated")
    draft = f.make_title(name="Draft Drama", status=Title.Status.DRAFT)
    draft.tags.add(genre)
    f.make_list([title, on_list])
    related = list(Title.objects.related_to(Title.objects.for_detail_page().get(pk=title.pk)))
    assert related == [on_list, by_genre]
    html = client.get(title.get_absolute_url()).content.decode()
    assert "Our Editors Recommend" in html
    assert unrelated.name not in html


def test_editors_recommend_ranks_shared_genres_then_stars_unreviewed_last():
    """More shared genres first; then the best reviewed, titles without a review last
    (on PostgreSQL too, where a plain descending sort puts NULL first)."""
    drama, comedy = f.make_tag(Tag.Kind.GENRE, "Drama"), f.make_tag(Tag.Kind.GENRE, "Comedy")
    title = f.make_title(name="Main")
    title.tags.add(drama, comedy)
    both = f.make_title(name="Zed Both")
    both.tags.add(drama, comedy)
    unreviewed = f.make_title(name="Aardvark Unreviewed")
    unreviewed.tags.add(drama)
    good, fair = f.make_title(name="Good"), f.make_title(name="Fair")
    for other, stars in ((good, 5), (fair, 3)):
        other.tags.add(comedy)
        f.make_review(other, stars=stars)
    related = list(Title.objects.related_to(Title.objects.for_detail_page().get(pk=title.pk)))
    assert related == [both, good, fair, unreviewed]


def test_user_text_is_escaped(client):
    """Text from the database is shown as text, never as HTML."""
    title = f.make_title(name="<script>alert(1)</script>")
    f.make_review(title, summary="<b>bold</b>")
    html = client.get(title.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_home_page_lists_latest_reviews_and_lists(client):
    """The home page shows the latest published reviews and the editors' lists."""
    shown = f.make_title(name="Published Pick")
    f.make_review(shown)
    hidden = f.make_title(name="Draft Pick")
    f.make_review(hidden, status=ExpertReview.Status.DRAFT)
    f.make_list([shown], name="Family movie night")
    html = client.get(reverse("home")).content.decode()
    assert "Published Pick" in html
    assert "Draft Pick" not in html
    assert "Family movie night" in html


def test_editorial_list_page(client):
    """An editors' list shows its published titles in order; unknown lists are 404s."""
    a, b = f.make_title(name="Alpha"), f.make_title(name="Beta")
    draft = f.make_title(name="Gamma", status=Title.Status.DRAFT)
    editorial_list = f.make_list([b, a, draft], name="Picks")
    html = client.get(editorial_list.get_absolute_url()).content.decode()
    assert html.index("Beta") < html.index("Alpha")
    assert "Gamma" not in html
    assert client.get("/lists/nope/").status_code == 404


def test_browse_lists_published_titles(client):
    """The browse page lists published titles only."""
    f.make_title(name="Visible Film")
    f.make_title(name="Hidden Film", status=Title.Status.DRAFT)
    html = client.get(reverse("movies:browse")).content.decode()
    assert "Visible Film" in html
    assert "Hidden Film" not in html


def test_editors_recommend_is_cached_until_the_catalog_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The ranking is computed once and kept; a change to what it reads (genres, an
    editors' list, an expert review's stars, a title unpublished) shows at once."""
    drama, comedy = f.make_tag(Tag.Kind.GENRE, "Drama"), f.make_tag(Tag.Kind.GENRE, "Comedy")
    title = f.make_title(name="Main")
    title.tags.add(drama)
    first, second = f.make_title(name="First"), f.make_title(name="Second")
    first.tags.add(drama)
    f.make_review(first, stars=4)
    second.tags.add(comedy)

    def shown():
        html = client.get(title.get_absolute_url()).content.decode()
        return [name for name in ("First", "Second") if f">{name} (" in html]

    assert shown() == ["First"]
    with CaptureQueriesContext(connection) as first_view:
        client.get(title.get_absolute_url())
    with CaptureQueriesContext(connection) as second_view:
        client.get(title.get_absolute_url())
    assert len(second_view) == len(first_view)  # a hit loads the titles in one query
    assert not any("COUNT(" in q["sql"] and "tag_id" in q["sql"] for q in second_view)

    with django_capture_on_commit_callbacks(execute=True):
        second.tags.add(drama)  # genres
    assert shown() == ["First", "Second"]
    with django_capture_on_commit_callbacks(execute=True):
        f.make_review(second, stars=5)  # stars: Second now ranks first
    html = client.get(title.get_absolute_url()).content.decode()
    assert html.index(">Second (") < html.index(">First (")
    with django_capture_on_commit_callbacks(execute=True):
        first.status = Title.Status.DRAFT
        first.save()
    assert shown() == ["Second"]
