"""A parent searches and filters the catalog in a real browser, on a desktop and a phone."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def winnie_on_disney(demo):
    """The demo lists no service for Winnie the Pooh (2011); Disney+ carries it."""
    from movies.models import Offer, StreamingService, Title

    Offer.objects.create(
        title=Title.objects.get(slug="winnie-the-pooh-2011"),
        service=StreamingService.objects.get(slug="disney"),
        kind=Offer.Kind.SUBSCRIPTION,
    )


def result_names(page):
    return [name.strip() for name in page.locator(".browse-results h3 a").all_inner_texts()]


@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_parent_finds_run_by_typing_an_actors_name(request, live_server, demo, fixture_name):
    """From the home page, typing "kiera allen" in the search box finds Run first."""
    page = request.getfixturevalue(fixture_name)
    page.goto(live_server.url + "/")
    search = page.get_by_role("searchbox", name="Search for a movie")
    search.click()
    search.type("kiera allen")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/movies/\?q=kiera\+allen"))
    assert page.get_by_role("heading", level=1).inner_text() == "Results for “kiera allen”"
    assert result_names(page)[0] == "Run"
    assert page.locator("#result-count").inner_text() == "1 title"
    save_screenshot(page, f"browse-search-{fixture_name}")
    page.locator(".browse-results").get_by_role("link", name="Run", exact=True).click()
    page.wait_for_url("**/movies/run-2020/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Run")


@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_parent_narrows_the_list_for_a_ten_year_old(
    request, live_server, winnie_on_disney, fixture_name
):
    """Age 10 and under, Violence & Scariness at most 2, on Disney+: a shareable answer."""
    page = request.getfixturevalue(fixture_name)
    page.goto(live_server.url + "/movies/")
    assert len(result_names(page)) == 6
    if fixture_name == "phone_page":
        page.get_by_role("button", name="Show filters").click()
    page.get_by_label("For my kid's age").select_option("10")
    page.get_by_label("Violence & Scariness").select_option("2")
    page.get_by_role("checkbox", name=re.compile(r"^Disney\+")).check()
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url(re.compile(r"age=10"))

    query = parse_qs(urlsplit(page.url).query)
    assert query == {"age": ["10"], "max_violence-scariness": ["2"], "service": ["disney"]}
    assert result_names(page) == ["Winnie the Pooh"]
    chips = page.get_by_role("list", name="Filters in use")
    for label in ["Age 10 and under", "Violence & Scariness at most 2 (some)", "On Disney+"]:
        assert chips.get_by_text(label).is_visible()
    card = page.locator(".browse-results .title-card").first
    assert "3+" in card.inner_text()
    save_screenshot(page, f"browse-filtered-{fixture_name}")

    # The address is the result: opened again, it gives the same answer.
    shared = page.context.new_page()
    shared.goto(page.url)
    assert result_names(shared) == ["Winnie the Pooh"]
    shared.close()

    # Taking off a filter widens the list again.
    page.get_by_role("link", name=re.compile(r"^Violence & Scariness at most 2")).click()
    page.wait_for_url(lambda url: "violence" not in url)
    assert set(result_names(page)) == {"Coco", "Winnie the Pooh"}


def test_sorting_and_junk_in_the_address(live_server, demo, page):
    """Choosing a sort re-sorts at once; a mistyped address still shows a page, with a note."""
    page.goto(live_server.url + "/movies/?age=lots&colour=blue")
    notes = page.locator(".browse-notes")
    assert "We ignored “age=lots”" in notes.inner_text()
    assert "We ignored “colour”" in notes.inner_text()
    assert len(result_names(page)) == 6
    page.get_by_label("Sort by").select_option("age")
    page.wait_for_url(re.compile(r"sort=age"))
    assert result_names(page)[:2] == ["Winnie the Pooh", "Coco"]
    assert "colour" not in page.url
    save_screenshot(page, "browse-sorted-by-age-page")


def test_nothing_found_says_what_to_loosen(live_server, demo, page):
    """A search with no results offers to drop each filter, with what that would bring."""
    page.goto(live_server.url + "/movies/?age=5&max_language=0&genre=comedy")
    assert page.get_by_text("Nothing matches all of that.").is_visible()
    page.get_by_role("link", name="Remove “Genre: Comedy”").click()
    page.wait_for_url(lambda url: "genre" not in url)
    assert result_names(page) == ["Winnie the Pooh"]
