"""Browse: every filter alone and combined, per-category limits, sorts, pages and junk."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidance.ratings.models import ExpertReview
from movies.models import Offer, StreamingService, Tag, Title
from tests import factories as f

pytestmark = pytest.mark.django_db


BROWSE = reverse("movies:browse")


@pytest.fixture
def catalog():
    """
    Six published titles, as a parent would meet them:

    name             year  age stars violence language pos.msg  genre      service
    Run              2020  13  4     4        2        3        Thriller   Hulu
    Coco             2017   7  5     3        1        5        Animation  Disney+
    Winnie the Pooh  2011   3  4     1        0        4        Animation  Disney+, Hulu
    Mean Girls       2004  13  4     2        3        3        Comedy     Paramount+ (x2)
    Ocean's 8        2018  12  3     2        2        2        Comedy     -
    The Running Man  1987  not reviewed (R)                     Thriller   -
    """
    genre = {name: f.make_tag(Tag.Kind.GENRE, name) for name in ("Thriller", "Animation", "Comedy")}
    topic = {name: f.make_tag(Tag.Kind.TOPIC, name) for name in ("Friendship", "Music")}
    courage = f.make_tag(Tag.Kind.STRENGTH, "Courage")
    hulu, disney, paramount = (
        StreamingService.objects.create(name=name, slug=slug)
        for name, slug in (("Hulu", "hulu"), ("Disney+", "disney"), ("Paramount+", "paramount"))
    )

    def title(name, year, mpaa, *, review=None, tags=(), services=()):
        made = f.make_title(name=name, year=year, mpaa_rating=mpaa)
        made.tags.add(*tags)
        for service, kind in services:
            f.make_offer(made, service=service, kind=kind)
        if review:
            age, stars, violence, language, messages = review
            f.make_review(
                made,
                reviewer=reviewer,
                age_rating=age,
                stars=stars,
                grades={
                    "violence-scariness": violence,
                    "language": language,
                    "positive-messages": messages,
                },
            )
        return made

    sub, rent = Offer.Kind.SUBSCRIPTION, Offer.Kind.RENT
    reviewer = f.make_staff(groups=["Reviewers"])
    return {
        "run": title(
            "Run",
            2020,
            "PG-13",
            review=(13, 4, 4, 2, 3),
            tags=[genre["Thriller"], courage],
            services=[(hulu, sub)],
        ),
        "coco": title(
            "Coco",
            2017,
            "PG",
            review=(7, 5, 3, 1, 5),
            tags=[genre["Animation"], topic["Music"], topic["Friendship"], courage],
            services=[(disney, sub)],
        ),
        "pooh": title(
            "Winnie the Pooh",
            2011,
            "G",
            review=(3, 4, 1, 0, 4),
            tags=[genre["Animation"], topic["Friendship"]],
            services=[(disney, sub), (hulu, rent)],
        ),
        "mean": title(
            "Mean Girls",
            2004,
            "PG-13",
            review=(13, 4, 2, 3, 3),
            tags=[genre["Comedy"], topic["Friendship"]],
            services=[(paramount, sub), (paramount, rent)],
        ),
        "oceans": title(
            "Ocean's 8", 2018, "PG-13", review=(12, 3, 2, 2, 2), tags=[genre["Comedy"]]
        ),
        "running": title("The Running Man", 1987, "R", tags=[genre["Thriller"]]),
    }


def browse(client, **params):
    response = client.get(BROWSE, params)
    assert response.status_code == 200
    return response


def names(response):
    return [title.name for title in response.context["titles"]]


def found(client, **params):
    return set(names(browse(client, **params)))


# Each filter alone ----------------------------------------------------------------------


def test_without_filters_every_published_title_newest_first(client, catalog):
    """With no filters the page lists every published title, newest first."""
    f.make_title(name="Secret Draft", status=Title.Status.DRAFT)
    assert names(browse(client)) == [
        "Run",
        "Ocean's 8",
        "Coco",
        "Winnie the Pooh",
        "Mean Girls",
        "The Running Man",
    ]


def test_age_filter_keeps_titles_rated_at_or_below_the_age(client, catalog):
    """ "For my kid's age 12" keeps titles our review rates 12+ or younger, reviewed only."""
    assert found(client, age=12) == {"Ocean's 8", "Coco", "Winnie the Pooh"}
    assert found(client, age=7) == {"Coco", "Winnie the Pooh"}


def test_age_filter_ignores_draft_reviews(client, catalog):
    """A title whose review is still a draft does not count as rated for any age."""
    ExpertReview.objects.filter(title=catalog["coco"]).update(status=ExpertReview.Status.DRAFT)
    assert found(client, age=10) == {"Winnie the Pooh"}


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("genre", "animation", {"Coco", "Winnie the Pooh"}),
        ("genre", "thriller", {"Run", "The Running Man"}),
        ("topic", "friendship", {"Coco", "Winnie the Pooh", "Mean Girls"}),
        ("strength", "courage", {"Run", "Coco"}),
        (
            "kind",
            "movie",
            {"Run", "Coco", "Winnie the Pooh", "Mean Girls", "Ocean's 8", "The Running Man"},
        ),
        ("stars", "5", {"Coco"}),
        ("stars", "4", {"Run", "Coco", "Winnie the Pooh", "Mean Girls"}),
    ],
)
def test_single_value_filters(client, catalog, param, value, expected):
    """Genre, topic, strength, kind and minimum stars each narrow the list on their own."""
    assert found(client, **{param: value}) == expected


def test_kind_filter(client, catalog):
    """The kind filter separates movies from TV shows."""
    f.make_title(name="Bluey", year=2018, kind=Title.Kind.TV)
    assert found(client, kind="tv") == {"Bluey"}


def test_service_filter_accepts_several_services(client, catalog):
    """Ticking services keeps titles on any of them, each title once."""
    assert found(client, service="disney") == {"Coco", "Winnie the Pooh"}
    response = browse(client, service=["hulu", "paramount"])
    assert sorted(names(response)) == ["Mean Girls", "Run", "Winnie the Pooh"]


def test_mpaa_filter_accepts_several_ratings(client, catalog):
    """Ticking MPAA ratings keeps titles with any of them."""
    assert found(client, mpaa=["G", "PG"]) == {"Coco", "Winnie the Pooh"}


def test_year_range(client, catalog):
    """The year range includes both ends, and either end can be left open."""
    assert found(client, year_from=2011, year_to=2018) == {"Ocean's 8", "Coco", "Winnie the Pooh"}
    assert found(client, year_from=2018) == {"Run", "Ocean's 8"}
    assert found(client, year_to=2004) == {"Mean Girls", "The Running Man"}


# Per-category limits -------------------------------------------------------------------


def test_category_maximum(client, catalog):
    """ "Violence & Scariness at most 2" keeps reviewed titles graded 0, 1 or 2."""
    assert found(client, **{"max_violence-scariness": 2}) == {
        "Winnie the Pooh",
        "Mean Girls",
        "Ocean's 8",
    }


def test_several_category_maximums_combine(client, catalog):
    """ "Violence at most 2 and Language at most 1" needs both."""
    params = {"max_violence-scariness": 2, "max_language": 1}
    assert found(client, **params) == {"Winnie the Pooh"}


def test_category_limit_excludes_unreviewed_titles(client, catalog):
    """A title we have not reviewed (or whose grid lacks the category) never passes a limit."""
    assert "The Running Man" not in found(client, **{"max_violence-scariness": 4})
    partial = f.make_title(name="Half Graded", year=2000)
    review = f.make_review(partial, reviewer=catalog["run"].expert_review.reviewer)
    review.grades.filter(category__slug="language").delete()
    assert "Half Graded" not in found(client, max_language=4)
    assert "Half Graded" in found(client, **{"max_violence-scariness": 4})


def test_positive_category_minimum(client, catalog):
    """Positive categories take a minimum: "Positive Messages at least 4"."""
    assert found(client, **{"min_positive-messages": 4}) == {"Coco", "Winnie the Pooh"}


def test_the_parents_question(client, catalog):
    """Age 10 and under, Violence at most 2, on Disney+: one film answers it."""
    params = {"age": 10, "max_violence-scariness": 2, "service": "disney"}
    assert names(browse(client, **params)) == ["Winnie the Pooh"]


def test_every_filter_at_once(client, catalog):
    """All filters combine (AND between filters), each counted once per title."""
    params = {
        "q": "winnie",
        "age": 5,
        "genre": "animation",
        "topic": "friendship",
        "service": ["disney", "hulu"],
        "mpaa": ["G"],
        "kind": "movie",
        "year_from": 2010,
        "year_to": 2012,
        "stars": 4,
        "max_violence-scariness": 1,
        "max_language": 0,
        "min_positive-messages": 4,
        "sort": "newest",
    }
    response = browse(client, **params)
    assert names(response) == ["Winnie the Pooh"]
    assert response.context["paginator"].count == 1
    assert response.context["notes"] == []


def test_two_tag_filters_do_not_duplicate_rows(client, catalog):
    """Genre and topic together keep each title once and count it once."""
    response = browse(client, genre="animation", topic="friendship")
    assert sorted(names(response)) == ["Coco", "Winnie the Pooh"]
    assert response.context["paginator"].count == 2


# Counts and chips ----------------------------------------------------------------------


def test_options_show_how_many_titles_they_leave(client, catalog):
    """Each option says how many results choosing it would give with the other filters."""
    html = browse(client, age=10).content.decode()
    assert "Animation (2)" in html
    assert "Thriller (0)" in html
    assert "Disney+ (2)" in html
    assert "At most 1: A little (1)" in html  # Winnie the Pooh's violence is 1


def test_counts_of_a_filter_in_use_leave_that_filter_out(client, catalog):
    """With Hulu ticked, Disney+ still says how many titles it would add on its own."""
    response = browse(client, service="hulu")
    html = response.content.decode()
    assert "Disney+ (2)" in html
    assert "Hulu (2)" in html
    assert sorted(names(response)) == ["Run", "Winnie the Pooh"]


def test_chips_remove_one_filter_and_keep_the_rest(client, catalog):
    """Each filter in use is a chip whose link drops it and keeps the others."""
    response = browse(client, age=10, genre="animation", service=["disney", "hulu"])
    chips = {chip.label: chip.query_string for chip in response.context["active_filters"]}
    assert chips["Age 10 and under"] == "genre=animation&service=disney&service=hulu"
    assert chips["On Hulu"] == "age=10&genre=animation&service=disney"
    assert set(chips) == {"Age 10 and under", "Genre: Animation", "On Disney+", "On Hulu"}


def test_chosen_filters_stay_selected(client, catalog):
    """A shared result page shows the choices it was made with."""
    html = browse(client, age=10, **{"max_violence-scariness": 2}).content.decode()
    assert '<option value="10" selected>10 (1)</option>' in html
    assert '<option value="2" selected>At most 2: Some (1)</option>' in html


def test_empty_result_says_what_to_loosen(client, catalog):
    """With nothing left, each filter is offered for removal with what that would bring."""
    response = browse(client, age=5, genre="comedy")
    assert names(response) == []
    loosen = {chip.label: chip.count_without for chip in response.context["loosen"]}
    assert loosen == {"Age 5 and under": 2, "Genre: Comedy": 1}
    html = response.content.decode()
    assert "Nothing matches all of that" in html
    assert "Remove “Age 5 and under”" in html


def test_category_filters_say_they_need_a_review(client, catalog):
    """The page tells parents that age and content filters only show reviewed titles."""
    html = browse(client).content.decode()
    assert "Age and content filters show only titles we have reviewed" in html


# Sorting --------------------------------------------------------------------------------


def set_community(title, *, rating, count):
    Title.objects.filter(pk=title.pk).update(community_rating=rating, community_review_count=count)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "newest",
            ["Run", "Ocean's 8", "Coco", "Winnie the Pooh", "Mean Girls", "The Running Man"],
        ),
        (
            "oldest",
            ["The Running Man", "Mean Girls", "Winnie the Pooh", "Coco", "Ocean's 8", "Run"],
        ),
        # Youngest first; equal ages newest first; not reviewed last.
        ("age", ["Winnie the Pooh", "Coco", "Ocean's 8", "Run", "Mean Girls", "The Running Man"]),
        # Most stars first; equal stars by the community's rating; not reviewed last.
        ("stars", ["Coco", "Mean Girls", "Run", "Winnie the Pooh", "Ocean's 8", "The Running Man"]),
        (
            "community",
            ["Mean Girls", "Run", "Coco", "Winnie the Pooh", "Ocean's 8", "The Running Man"],
        ),
        (
            "reviews",
            ["Coco", "Run", "Mean Girls", "Winnie the Pooh", "Ocean's 8", "The Running Man"],
        ),
    ],
)
def test_sorts(client, catalog, sort, expected):
    """Every sort orders the titles as its name says, with a stable tie-break."""
    set_community(catalog["mean"], rating=4.6, count=3)
    set_community(catalog["run"], rating=4.2, count=9)
    set_community(catalog["coco"], rating=4.0, count=12)
    set_community(catalog["pooh"], rating=3.5, count=1)
    assert names(browse(client, sort=sort)) == expected


def test_relevance_is_the_default_with_a_search(client, catalog):
    """A search sorts by best match unless another sort is chosen."""
    assert names(browse(client, q="run"))[0] == "Run"
    assert names(browse(client, q="run", sort="oldest")) == ["The Running Man", "Run"]


# Pages -----------------------------------------------------------------------------------


@pytest.fixture
def thirty_titles():
    for n in range(30):
        f.make_title(name=f"Film {n:02d}", year=1990 + n)


def test_pages_split_the_results(client, thirty_titles):
    """24 titles a page; the second page has the rest and keeps the filters."""
    first = browse(client, year_from=1990)
    assert len(first.context["titles"]) == 24
    second = browse(client, year_from=1990, page=2)
    assert len(second.context["titles"]) == 6
    assert 'href="?year_from=1990&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize(
    ("page", "shown", "note"),
    [
        ("99", 2, "There is no page 99: here is the last one, page 2."),
        ("0", 1, "There is no page 0, so here is the first page."),
        ("-3", 1, "There is no page -3, so here is the first page."),
        ("abc", 1, "We ignored page “abc”: it is not a page number."),
    ],
)
def test_page_numbers_out_of_bounds(client, thirty_titles, page, shown, note):
    """A page that does not exist shows the nearest one with a note, never an error."""
    response = browse(client, page=page)
    assert response.context["page_obj"].number == shown
    assert note in response.context["notes"]


# Junk ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"foo": "bar"}, "We ignored “foo”: it is not a filter this page knows."),
        ({"age": "abc"}, "We ignored “age=abc”: it is not one of the choices."),
        ({"age": "99"}, "We ignored “age=99”: it is not one of the choices."),
        ({"genre": "nope"}, "We ignored “genre=nope”: it is not one of the choices."),
        ({"max_violence-scariness": "9"}, "We ignored “max_violence-scariness=9”"),
        ({"max_nonsense": "1"}, "We ignored “max_nonsense”: it is not a filter this page knows."),
        ({"year_from": "soon"}, "We ignored “year_from=soon”: enter a whole number."),
        ({"year_to": "3000"}, "We ignored “year_to=3000”"),
        ({"stars": "7"}, "We ignored “stars=7”"),
        ({"sort": "random"}, "We ignored “sort=random”: it is not one of the choices."),
        ({"sort": "relevance"}, '"Best match" needs a search, so we sorted newest first.'),
        ({"q": "%%%"}, "it has no letters or numbers to search for."),
        ({"q": "x" * 201}, "We ignored “q=xxxx"),
        ({"q": "run\x00"}, "We ignored “q=run"),
    ],
)
def test_junk_parameters_are_ignored_with_a_note(client, catalog, params, note):
    """Unknown or malformed parameters never cause an error: they are dropped, with a note."""
    response = browse(client, **params)
    assert any(note in shown for shown in response.context["notes"]), response.context["notes"]
    assert len(names(response)) == 6
    assert "We could not use all of this address" in response.content.decode()


def test_valid_values_survive_next_to_junk(client, catalog):
    """One bad service among good ones drops only the bad one."""
    response = browse(client, service=["disney", "bogus"], age="10", genre="nope")
    assert sorted(names(response)) == ["Coco", "Winnie the Pooh"]
    assert len(response.context["notes"]) == 2


def test_reversed_years_are_swapped(client, catalog):
    """A year range given backwards is read the right way round, with a note."""
    response = browse(client, year_from=2018, year_to=2011)
    assert set(names(response)) == {"Ocean's 8", "Coco", "Winnie the Pooh"}
    assert (
        "The years were the wrong way round, so we searched 2011 to 2018."
        in (response.context["notes"])
    )


# Performance ----------------------------------------------------------------------------------


def query_count(client, params):
    """Count the queries of one page view, without cached facet counts (the worst case)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BROWSE, params).status_code == 200
    return len(queries)


def grow_catalog(n):
    """Add n reviewed, tagged, streamable titles."""
    genre = f.make_tag(Tag.Kind.GENRE, "Animation")
    service, _ = StreamingService.objects.get_or_create(slug="disney", defaults={"name": "Disney+"})
    reviewer = f.make_staff(groups=["Reviewers"])
    for i in range(n):
        title = f.make_title(name=f"Extra {i}", year=2010, mpaa_rating="PG")
        title.tags.add(genre)
        f.make_offer(title, service=service)
        f.make_review(title, reviewer=reviewer, age_rating=6, grades={"violence-scariness": 2})


@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "q": "extra",
            "age": 10,
            "genre": "animation",
            "service": "disney",
            "mpaa": "PG",
            "max_violence-scariness": 2,
            "min_positive-messages": 1,
            "stars": 3,
            "year_from": 2000,
            "sort": "stars",
        },
    ],
)
def test_query_count_does_not_grow_with_results(client, params):
    """Browse and search run a fixed, small number of queries for 2 titles or 30."""
    grow_catalog(2)
    few = query_count(client, params)
    grow_catalog(28)
    many = query_count(client, params)
    assert few == many
    assert many <= 22


def test_query_count_without_filters_is_small(client, django_assert_max_num_queries):
    """A plain page of 24 cards with their concerns costs at most ten queries."""
    grow_catalog(30)
    with django_assert_max_num_queries(10):
        assert client.get(BROWSE).status_code == 200


def test_facet_counts_are_cached_until_the_catalog_changes(client, catalog):
    """Counting the options happens once per set of filters, until a title or review changes."""
    first = query_count(client, {"age": 10})
    with CaptureQueriesContext(connection) as queries:
        client.get(BROWSE, {"age": 10})
    assert len(queries) <= first - 4
    assert "Animation (2)" in client.get(BROWSE, {"age": 10}).content.decode()
    f.make_review(
        f.make_title(name="New Cartoon", year=2021),
        reviewer=catalog["run"].expert_review.reviewer,
        age_rating=5,
    ).title.tags.add(Tag.objects.get(slug="animation"))
    assert "Animation (3)" in client.get(BROWSE, {"age": 10}).content.decode()
