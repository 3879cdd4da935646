"""
"Suggest an Update", end to end in a real browser.

A reader suggests adding "Female directors" to a title's inclusion information, an editor
accepts it in admin, and the title page shows the tag, a new "Last updated" date and the
change in its history. Both people sign in by typing into the sign-in forms.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from movies.models import Credit, Tag, Title
from tests import factories as f
from tests.e2e.conftest import DESKTOP, save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

READER_PASSWORD = "robin-reads-2026"
EDITOR_PASSWORD = "ellis-edits-2026"


@pytest.fixture
def little_women():
    """Little Women (2019), directed by Greta Gerwig, last updated in January 2024."""
    title = f.make_title(
        name="Little Women",
        year=2019,
        runtime_minutes=135,
        mpaa_rating="PG",
        theatrical_release=dt.date(2019, 12, 25),
    )
    f.make_credit(title, Credit.Role.DIRECTOR, person=f.make_person("Greta Gerwig"))
    f.make_credit(title, person=f.make_person("Saoirse Ronan"), character="Jo March")
    title.tags.add(f.make_tag(Tag.Kind.INCLUSION, "Female actors"))
    f.make_tag(Tag.Kind.INCLUSION, "Female directors")
    f.make_review(
        title,
        reviewer=f.make_staff(groups=["Reviewers"], display_name="Noor Haddad"),
        age_rating=8,
        stars=5,
        summary="Four sisters grow up, fall out and find their way, in a warm and lively "
        "retelling.",
        parents_need_to_know="A beloved parent is away at war and a sister falls gravely ill; "
        "one death is handled gently but may upset young children.",
        story="The March sisters chase their ambitions in 1860s Massachusetts while Jo "
        "writes the book that becomes their story.",
        is_it_any_good="Yes: the cast is superb and the jumps in time make an old story feel new.",
        talk_to_your_kids="Which sister are you most like, and why?\n"
        "Why does Jo care so much about who owns her book?",
    )
    old = timezone.make_aware(dt.datetime(2024, 1, 15, 9, 30))
    Title.objects.filter(pk=title.pk).update(updated_at=old)
    return Title.objects.get(pk=title.pk)


def sign_in_by_typing(page, email, password, button):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=button).click()


def test_reader_suggests_female_directors_and_an_editor_accepts(
    live_server, page, browser, little_women
):
    """The Done-when journey: suggest, accept in admin, see the tag, date and history."""
    f.make_user(email="robin@example.com", display_name="Robin", password=READER_PASSWORD)
    f.make_staff(
        groups=["Editors"],
        email="ellis@example.com",
        display_name="Ellis Editor",
        password=EDITOR_PASSWORD,
    )
    title_url = live_server.url + little_women.get_absolute_url()

    # The reader opens the title page and asks to suggest an update; they sign in first.
    page.goto(title_url)
    details = page.locator("#details")
    expect(details.get_by_role("link", name="January 15, 2024")).to_be_visible()
    details.get_by_role("link", name="Suggest an Update").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in_by_typing(page, "robin@example.com", READER_PASSWORD, "Sign in")

    # Back on the form: the current tags beside the proposal.
    expect(page.get_by_role("heading", name="Suggest an update to Little Women")).to_be_visible()
    now = page.get_by_role("region", name="Now on the page")
    expect(now).to_contain_text("Female actors")
    page.get_by_label("Female directors").check()
    page.get_by_label("Source or evidence").fill("The opening credits: directed by Greta Gerwig.")
    page.get_by_label("Message to the editors").fill("She wrote the screenplay too.")
    save_screenshot(page, "suggestions-1-reader-form")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_role("status").filter(has_text="Our editors will look")).to_be_visible()
    expect(page).to_have_url(title_url)

    # The editor signs in to admin and opens the queue.
    editor_context = browser.new_context(viewport=DESKTOP)
    editor_context.set_default_timeout(10_000)
    admin = editor_context.new_page()
    try:
        admin.goto(live_server.url + "/admin/")
        sign_in_by_typing(admin, "ellis@example.com", EDITOR_PASSWORD, "Log in")
        admin.locator("#content-main tr.model-suggestion").get_by_role(
            "link", name="Suggestions"
        ).click()
        admin.locator("#result_list").get_by_role(
            "link", name="Inclusion information: add Female directors"
        ).click()
        diff = admin.locator(".suggestion-diff")
        expect(diff).to_contain_text("+ added: Female directors")
        expect(admin.locator(".suggestion-facts")).to_contain_text("directed by Greta Gerwig")
        admin.get_by_label("Note to the suggester").fill("Thank you: confirmed in the credits.")
        save_screenshot(admin, "suggestions-2-editor-decides")
        admin.get_by_role("button", name="Accept and update the page").click()
        expect(admin.locator(".messagelist")).to_contain_text("Suggestion accepted")
        expect(admin.locator("#result_list")).to_contain_text("Accepted")
        save_screenshot(admin, "suggestions-3-editor-queue")
    finally:
        editor_context.close()

    # The reader reloads the title page: the tag, a new date, and the history.
    page.goto(title_url)
    details = page.locator("#details")
    expect(details.locator(".tag-inclusion", has_text="Female directors")).to_be_visible()
    today = timezone.now().strftime("%B %-d, %Y")
    expect(details.get_by_role("link", name=today)).to_be_visible()
    expect(page.locator(".byline")).to_contain_text(f"Last updated {today}")
    save_screenshot(page, "suggestions-4-title-page")
    page.locator(".byline").get_by_role("link", name="Last updated").click()
    expect(page.get_by_role("heading", name="Changes to Little Women")).to_be_visible()
    entry = page.locator(".history-changes li").first
    expect(entry).to_contain_text("Inclusion information: added Female directors.")
    expect(entry).to_contain_text("Suggested by a reader")
    expect(page.locator("main")).not_to_contain_text("ellis@example.com")
    save_screenshot(page, "suggestions-5-history")

    # The reader's profile says it was accepted, with the editor's note.
    page.get_by_role("link", name="My profile").click()
    mine = page.locator(".my-suggestion").first
    expect(mine).to_contain_text("Accepted")
    expect(mine).to_contain_text("Thank you: confirmed in the credits.")
    save_screenshot(page, "suggestions-6-profile")
