"""A parent of two sets up the family, then reads Run's verdicts and filters browse by them."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "purple-otter-lantern-42"


def open_menu(page, phone):
    """On a phone the main menu is folded behind its button."""
    if phone:
        page.get_by_role("button", name="Show the menu").click()


def add_child(page, nickname, age):
    """Fill in the "Add a child" part of the family page and save."""
    new_child = page.get_by_role("group", name="Add a child")
    new_child.get_by_label("Nickname").fill(nickname)
    new_child.get_by_label("Year born").select_option(str(timezone.localdate().year - age))
    page.get_by_role("button", name="Save my family").click()


def card_names(page):
    return sorted(page.locator(".browse-results .card-title a").all_inner_texts())


@pytest.mark.parametrize("fixture_name", ["page", "phone_page"])
def test_two_children_two_verdicts_and_a_filter(request, live_server, demo, fixture_name):
    """Maya (10) and Sam (15): Run is not for Maya, fits Sam; the filter keeps what fits."""
    page = request.getfixturevalue(fixture_name)
    phone = fixture_name == "phone_page"
    page.goto(live_server.url + "/")

    open_menu(page, phone)
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Display name").fill("Maya and Sam's dad")
    page.get_by_label("Email address").fill(f"dad-{fixture_name}@example.com")
    page.get_by_label("A parent or another grown-up").check()
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()

    open_menu(page, phone)
    page.get_by_role("link", name="My family").click()
    add_child(page, "Maya", 10)
    expect(
        page.get_by_text("Your family is set: Maya (10). Saved to your account.")
    ).to_be_visible()
    add_child(page, "Sam", 15)
    expect(page.get_by_role("heading", name="Sam (15)")).to_be_visible()
    save_screenshot(page, f"family-page-{fixture_name}")

    open_menu(page, phone)
    page.get_by_label("Search movies").fill("Run")
    page.get_by_label("Search movies").press("Enter")
    page.locator(".browse-results").get_by_role("link", name="Run", exact=True).click()
    page.wait_for_url("**/movies/run-2020/")
    verdicts = page.locator(".family-verdicts")
    maya = verdicts.locator(".family-verdict", has_text="Maya")
    expect(maya).to_contain_text(
        "Not for Maya (10): age 13+; Violence & Scariness 4 > your limit 3; "
        "Drinking, Drugs & Smoking 3 > your limit 2"
    )
    expect(verdicts.locator(".family-verdict", has_text="Sam")).to_contain_text("Fits Sam (15)")
    maya.get_by_text("How we checked for Maya").click()
    expect(maya.get_by_text("age 13+, older than 10")).to_be_visible()
    verdicts.scroll_into_view_if_needed()
    save_screenshot(page, f"family-run-{fixture_name}")

    open_menu(page, phone)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Movies").click()
    if phone:
        page.get_by_role("button", name=re.compile("Show filters")).click()
    page.get_by_label("Fits my family").select_option(label="Fits all my children")
    page.get_by_role("button", name="Show results").click()
    expect(page.locator("#result-count")).to_have_text("2 titles")
    assert card_names(page) == ["Coco", "Winnie the Pooh"]
    for card in page.locator(".browse-results .title-card").all():
        expect(card.locator(".fit-badge")).to_have_text(["✓ Fits Maya", "✓ Fits Sam"])
    save_screenshot(page, f"family-browse-everyone-{fixture_name}")

    if phone:
        page.get_by_role("button", name=re.compile("Show filters")).click()
    page.get_by_label("Fits my family").select_option(label="Fits Sam (15)")
    page.get_by_role("button", name="Show results").click()
    expect(page.locator("#result-count")).to_have_text("5 titles")
    assert card_names(page) == ["Coco", "Mean Girls", "Run", "Top Gun: Maverick", "Winnie the Pooh"]
    run_card = page.locator(".title-card", has_text="Run")
    expect(run_card.locator(".fit-badge")).to_have_text(["✕ Not for Maya", "✓ Fits Sam"])
    save_screenshot(page, f"family-browse-sam-{fixture_name}")
