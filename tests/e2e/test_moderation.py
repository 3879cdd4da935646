"""
"Report this review", end to end in a real browser.

Three parents sign in and report the same review of Run; it disappears from the title
page and its numbers. A moderator signs in to admin, finds it at the top of the queue,
restores it, and it is back with the counts right; the moderation log shows both events.
Everyone signs in by typing into the sign-in forms, each in their own browser.
"""

import re

import pytest
from playwright.sync_api import expect

from movies.models import Title
from tests import factories as f
from tests.e2e.conftest import DESKTOP, save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "family-screens-2026"
HEADLINE = "Our kids loved it, the villain is a real prize"
BODY = (
    "Honestly the mum in this film is brilliant and the daughter is smart. Our twelve-year-old "
    "watched it twice. Rated by our whole family, we think it deserves five stars."
)


def sign_in_by_typing(page, email, button):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def new_page(browser):
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    return context.new_page()


def community_intro(page):
    return page.locator("#community .community-intro")


def test_three_reports_hide_a_review_and_a_moderator_restores_it(live_server, page, browser, demo):
    """The Done-when journey: three reports hide it; a moderator restores it; the log shows both."""
    run = Title.objects.get(slug="run-2020")
    f.make_community_review(
        run,
        f.make_parent(display_name="Alex P."),
        age_rating=12,
        stars=5,
        headline=HEADLINE,
        body=BODY,
    )
    f.make_community_review(
        run,
        f.make_kid(display_name="Jo, 15"),
        age_rating=13,
        stars=4,
        headline="So tense, I loved every minute",
        body="Chloe never gives up and the twists kept me guessing the whole time. Recommend!",
    )
    readers = [
        f.make_parent(email=f"reader{n}@example.com", display_name=f"Reader {n}", password=PASSWORD)
        for n in range(1, 4)
    ]
    f.make_moderator(email="morgan@example.com", display_name="Morgan Moderator", password=PASSWORD)
    title_url = live_server.url + run.get_absolute_url()

    page.goto(title_url)
    expect(community_intro(page)).to_contain_text("2 reviews: 1 from parent, 1 from kid")

    # Three parents, each in their own browser, report the review.
    reasons = ["Off-topic: not about this title", "Spam or advertising", "Something else"]
    for n, (reader, reason) in enumerate(zip(readers, reasons, strict=True), start=1):
        reader_page = page if n == 1 else new_page(browser)
        reader_page.goto(title_url)
        card = reader_page.locator(".review-card", has_text=HEADLINE)
        card.get_by_role("link", name="Report this review").click()
        expect(reader_page.get_by_role("heading", name="Sign in")).to_be_visible()
        sign_in_by_typing(reader_page, reader.email, "Sign in")
        expect(reader_page.get_by_role("heading", name="Report this review")).to_be_visible()
        expect(reader_page.locator(".reported-review")).to_contain_text(HEADLINE)
        reader_page.get_by_label(reason).check()
        if reason == "Something else":
            reader_page.get_by_role("button", name="Send my report").click()
            expect(reader_page.locator(".invalid-feedback, .text-danger").first).to_contain_text(
                "Tell us what is wrong with this review."
            )
            reader_page.get_by_label(reason).check()
            reader_page.get_by_label("Anything our moderators should know?").fill(
                "It praises the film in odd, repeated phrases, like an advert."
            )
            save_screenshot(reader_page, "moderation-1-report-form")
        reader_page.get_by_role("button", name="Send my report").click()
        confirmation = reader_page.get_by_role("status").filter(
            has_text="Thank you for your report"
        )
        expect(confirmation).to_be_visible()
        expect(confirmation).not_to_contain_text("Reader")
        expect(reader_page).to_have_url(re.compile(re.escape(title_url)))
        if n < 3:
            expect(reader_page.locator(".review-card", has_text=HEADLINE)).to_be_visible()
        if reader_page is not page:
            reader_page.context.close()

    # The third report hid it: gone from the page and from the numbers.
    page.goto(title_url)
    expect(page.locator("#community")).not_to_contain_text(HEADLINE)
    expect(community_intro(page)).to_contain_text("1 review: 0 from parents, 1 from kid")
    save_screenshot(page, "moderation-2-title-page-hidden")

    # The moderator signs in to admin; the review is at the top of the queue.
    admin = new_page(browser)
    try:
        admin.goto(live_server.url + "/admin/")
        sign_in_by_typing(admin, "morgan@example.com", "Log in")
        admin.locator("#content-main tr.model-reportedreview").get_by_role(
            "link", name="Moderation queue"
        ).click()
        first_row = admin.locator("#result_list tbody tr").first
        expect(first_row).to_contain_text(HEADLINE)
        expect(first_row).to_contain_text("3 people")
        expect(first_row).to_contain_text("Hidden (pending moderation)")
        save_screenshot(admin, "moderation-3-queue")
        first_row.get_by_role("link").first.click()

        expect(admin.locator(".inline-group").first).to_contain_text(
            "It praises the film in odd, repeated phrases"
        )
        save_screenshot(admin, "moderation-4-review-page")
        admin.locator(".moderation-decide").get_by_role("link", name="Restore").click()
        expect(admin.get_by_role("heading", name="Restore this review?")).to_be_visible()
        admin.get_by_label("Note for other moderators").fill(
            "Enthusiastic, not spam: it is about this film."
        )
        admin.get_by_role("button", name="Restore this review").click()
        expect(admin.locator(".messagelist")).to_contain_text(f"“{HEADLINE}” is restored.")
        expect(admin.locator("#result_list")).not_to_contain_text(HEADLINE)

        # The log shows both events: the automatic hide and the restore.
        admin.goto(live_server.url + "/admin/")
        admin.locator("#content-main tr.model-moderationaction").get_by_role(
            "link", name="Moderation log"
        ).click()
        rows = admin.locator("#result_list tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Restored")
        expect(rows.nth(0)).to_contain_text("Morgan Moderator")
        expect(rows.nth(1)).to_contain_text("Hidden automatically")
        expect(rows.nth(1)).to_contain_text("System")
        save_screenshot(admin, "moderation-5-log")
    finally:
        admin.context.close()

    # Back on the title page, with the numbers right.
    page.goto(title_url)
    expect(page.locator(".review-card", has_text=HEADLINE)).to_be_visible()
    expect(community_intro(page)).to_contain_text("2 reviews: 1 from parent, 1 from kid")
    save_screenshot(page, "moderation-6-title-page-restored")
