"""
Community reviews, end to end in a real browser.

A new parent signs up, finds Run through the site's search, writes a review and sees it
counted in "Parents say". A kid signs up on a phone (after a kind refusal for a birth
year that makes them 12), reviews Run with a spoiler warning, and shows up under "Kids
say". A third person signs in, opens the spoiler, and marks the kid's review helpful.
Everyone types into the real forms, each in their own browser.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guidance.reviews.models import CommunityReview, HelpfulVote
from tests import factories as f
from tests.e2e.conftest import DESKTOP, save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sunny-kettle-meadow-58"
THIS_YEAR = timezone.localdate().year
PARENT_BODY = (
    "We watched this with our fourteen-year-old. It is tense from start to finish and the "
    "mother's behaviour is genuinely disturbing, but there is no gore and very little "
    "swearing. A great one for talking about trust afterwards."
)
KID_BODY = (
    "Chloe is so smart, she figures out everything with science. The scene with the pills "
    "made me gasp and the ending surprised me a lot. Not too scary if you're eleven."
)


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    return context.new_page()


def main_nav(page):
    """The main navigation, opening the phone menu first if it is collapsed."""
    toggler = page.get_by_role("button", name="Show the menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    return page.get_by_role("navigation", name="Main")


def sign_up(page, *, name, email, kid_birth_year=None):
    main_nav(page).get_by_role("link", name="Sign up").click()
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Email address").fill(email)
    if kid_birth_year is None:
        page.get_by_label("A parent or another grown-up").check()
    else:
        page.get_by_label("A kid aged 13 or older").check()
        page.get_by_label("Year you were born (kids only)").fill(str(kid_birth_year))
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^\s*Password again")).fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()


def find_run(page):
    nav = main_nav(page)
    nav.get_by_label("Search movies").fill("Run")
    nav.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Run", exact=True).first.click()
    page.wait_for_url("**/movies/run-2020/")


def write_review(page, *, age, stars, headline, body, spoilers=False, levels=(), screenshot=""):
    page.locator("#community").get_by_role("link", name="Write a review").click()
    page.wait_for_url("**/movies/run-2020/reviews/write/")
    page.get_by_label("What age is it appropriate for?").select_option(
        label=f"Appropriate for age {age}+"
    )
    page.get_by_label(stars).check()
    page.get_by_label("Headline").fill(headline)
    page.get_by_label("Your review").fill(body)
    if spoilers:
        page.get_by_label("My review gives away part of the plot").check()
    for category, level in levels:
        page.get_by_label(category, exact=True).select_option(value=str(level))
    if screenshot:
        save_screenshot(page, screenshot)
    page.get_by_role("button", name="Save my review").click()
    page.wait_for_url("**/movies/run-2020/#review-*")


def verdict(page, role):
    return page.locator(f".verdict-{role}")


def test_parent_and_kid_review_run_and_a_third_person_finds_one_helpful(
    live_server, browser, page, phone_page, demo
):
    """The Done-when journey: parent and kid reviews counted apart; a helpful vote."""
    # A new parent signs up, finds Run through search and writes a review.
    parent = page
    parent.goto(live_server.url + "/")
    sign_up(parent, name="Priya, mum of two", email="priya@example.com")
    expect(parent.get_by_text("Welcome, Priya, mum of two! You are signed in.")).to_be_visible()
    find_run(parent)
    expect(verdict(parent, "parent")).to_contain_text("No reviews yet.")
    write_review(
        parent,
        age=14,
        stars="4 stars: good",
        headline="Gripping, and a lot to talk about",
        body=PARENT_BODY,
        levels=[("Violence & Scariness", 3), ("Language", 1)],
    )
    expect(parent.get_by_text("Thank you! Your review is published.")).to_be_visible()
    expect(verdict(parent, "parent").locator(".age-number")).to_have_text("14+")
    expect(verdict(parent, "parent")).to_contain_text("based on 1 review")
    expect(verdict(parent, "parent")).to_contain_text("1 year older than ours")
    expect(verdict(parent, "kid")).to_contain_text("No reviews yet.")
    expect(parent.locator("#community")).to_contain_text("Gripping, and a lot to talk about")
    expect(parent.locator("#community")).to_contain_text("Priya, mum of two")
    save_screenshot(parent, "reviews-1-parent-counted-desktop")

    # A kid signs up on a phone: a birth year that makes them 12 gets a kind no first.
    kid = phone_page
    kid.goto(live_server.url + "/")
    sign_up(kid, name="Robin", email="robin@example.com", kid_birth_year=THIS_YEAR - 12)
    refusal = kid.locator(".signup-refusal")
    expect(refusal).to_contain_text("Thank you for wanting to join in!")
    expect(refusal).to_contain_text("Kid accounts are for ages 13 and up")
    save_screenshot(kid, "reviews-2-kid-under-13-refused-phone")
    kid.get_by_label("Year you were born (kids only)").fill(str(THIS_YEAR - 14))
    kid.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    kid.get_by_label(re.compile(r"^\s*Password again")).fill(PASSWORD)
    kid.get_by_role("button", name="Create my account").click()
    expect(kid.get_by_text("Welcome, Robin! You are signed in.")).to_be_visible()
    find_run(kid)
    write_review(
        kid,
        age=11,
        stars="5 stars: loved it",
        headline="So smart and so tense",
        body=KID_BODY,
        spoilers=True,
        screenshot="reviews-3a-kid-writes-phone",
    )
    expect(verdict(kid, "kid").locator(".age-number")).to_have_text("11+")
    expect(verdict(kid, "kid")).to_contain_text("based on 1 review")
    expect(verdict(kid, "parent")).to_contain_text("based on 1 review")
    kid_review_id = CommunityReview.objects.get(author__email="robin@example.com").pk
    kid.locator(f"#review-{kid_review_id}").scroll_into_view_if_needed()
    save_screenshot(kid, "reviews-3-kid-counted-phone")
    assert CommunityReview.objects.filter(author_role="kid", title__slug="run-2020").count() == 1

    # A third person signs in by typing, reads the spoiler and marks the kid's review helpful.
    f.make_parent(display_name="Sam", email="sam@example.com", password=PASSWORD)
    third = new_page(browser)
    third.goto(live_server.url + "/movies/run-2020/")
    main_nav(third).get_by_role("link", name="Sign in").click()
    third.get_by_label("Email address").fill("sam@example.com")
    third.get_by_label("Password").fill(PASSWORD)
    third.get_by_role("button", name="Sign in").click()
    third.wait_for_url("**/movies/run-2020/")
    kid_review = third.locator("article.review-card", has_text="So smart and so tense")
    expect(kid_review.get_by_text("Chloe is so smart")).to_be_hidden()
    kid_review.get_by_text("This review contains spoilers.").click()
    expect(kid_review.get_by_text("Chloe is so smart")).to_be_visible()
    kid_review.get_by_role("button", name="Helpful (0)").click()
    kid_review = third.locator("article.review-card", has_text="So smart and so tense")
    expect(kid_review.get_by_role("button", name="You found this helpful (1)")).to_be_visible()
    expect(third.get_by_text("Thanks: you found “So smart and so tense” helpful.")).to_be_visible()
    vote = HelpfulVote.objects.get()
    assert (vote.user.email, vote.review.headline) == ("sam@example.com", "So smart and so tense")
    assert vote.review.helpful_count == 1
    save_screenshot(third, "reviews-4-helpful-desktop")

    # All the reviews, the kids' tab, sorted by most helpful.
    third.get_by_role("link", name="See all 2 reviews").click()
    third.get_by_role("link", name="Kids 1").click()
    third.get_by_label("Sort by").select_option(label="Most helpful")
    third.get_by_role("button", name="Sort").click()
    expect(third.locator("article.review-card")).to_have_count(1)
    expect(third.locator("article.review-card")).to_contain_text("So smart and so tense")
    save_screenshot(third, "reviews-5-kids-tab-desktop")
    third.context.close()
