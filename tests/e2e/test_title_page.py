import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_parent_reads_run_title_page(request, live_server, demo, fixture_name):
    """A parent opens Run from the home page and reads its verdict and grid."""
    page = request.getfixturevalue(fixture_name)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Run", exact=True).first.click()
    page.wait_for_url("**/movies/run-2020/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Run")
    assert page.locator(".verdict-expert .age-number").inner_text() == "13+"
    grid = page.locator("#a-lot-or-a-little")
    assert grid.get_by_text("Violence & Scariness").is_visible()
    violence = " ".join(grid.locator("#grid-violence-scariness").inner_text().split())
    assert "4 out of 5" in violence and "A lot" in violence
    assert page.get_by_role("heading", name="Where to Watch").is_visible()
    save_screenshot(page, f"title-page-{fixture_name}")
