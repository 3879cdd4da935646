"""
The browser suite: Python Playwright driving Debian's Chromium against a live server.

Without Chromium the suite skips and says so; with E2E_REQUIRED=1 (CI) a missing
browser is a failure instead. On failure a screenshot and the page's HTML are saved to
test-artifacts/ (ignored by git).
"""

import os
import re
import shutil
from importlib import import_module
from pathlib import Path

import pytest

# Debian's Chromium; CHROMIUM_PATH points elsewhere (a path that does not exist shows
# what a machine without Chromium does).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# for set-up are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_executable():
    """Return the Chromium to drive, or None when there is none."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if "CHROMIUM_PATH" in os.environ:
        return None
    return shutil.which("chromium")


def chromium_available():
    return chromium_executable() is not None


def pytest_collection_modifyitems(config, items):
    e2e_items = [item for item in items if "tests/e2e/" in str(item.fspath)]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    if e2e_items and not chromium_available() and os.environ.get("E2E_REQUIRED") != "1":
        reason = (
            f"browser suite skipped: Chromium not found at {CHROMIUM} "
            "(apt-get install -y chromium to run it)"
        )
        for item in e2e_items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        # Only with E2E_REQUIRED=1 (otherwise the browser tests were skipped): every browser
        # test fails with this message. Not a UsageError at collection: under pytest-xdist
        # that shows up as a crashed worker and the message is lost.
        pytest.fail(
            f"E2E_REQUIRED=1 but Chromium is not installed at {CHROMIUM}: "
            "install it with `apt-get install -y chromium`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            args=CHROMIUM_FLAGS,
        )
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _new_page(browser, request, viewport, label):
    # Reduced motion turns off Bootstrap's smooth scrolling and transitions, so a step
    # sees the page as it settles rather than halfway through an animation.
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        save_failure_artifacts(page, f"{request.node.nodeid}-{label}")
    else:
        clear_failure_artifacts(f"{request.node.nodeid}-{label}")
    context.close()


def failure_artifact_name(nodeid):
    return re.sub(r"[^\w.-]+", "_", nodeid)


def clear_failure_artifacts(nodeid):
    """Remove what an earlier failure of this test left, so test-artifacts/ stays current."""
    for path in ARTIFACTS.glob(f"{failure_artifact_name(nodeid)}.*"):
        path.unlink(missing_ok=True)


def save_failure_artifacts(page, nodeid):
    """Save the screenshot and HTML of the page a test failed on, named after the test and width."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = failure_artifact_name(nodeid)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content())
    except Exception as error:  # a crashed page must not hide the test's own failure
        (ARTIFACTS / f"{name}.error.txt").write_text(f"Could not save the page: {error}\n")


@pytest.fixture
def page(browser, request):
    """A desktop-sized page."""
    yield from _new_page(browser, request, DESKTOP, "desktop")


@pytest.fixture
def phone_page(browser, request):
    """A phone-sized page."""
    yield from _new_page(browser, request, PHONE, "phone")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash passwords cheaply: the suite makes many accounts and hashing is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    """The demo catalog, loaded as `make run` loads it."""
    from django.apps import apps
    from django.core.management import call_command

    # A live-server test flushes the database afterwards, taking the categories that a
    # data migration seeded with it; seed them again (it is idempotent) before loading.
    import_module("guidance.ratings.migrations.0002_seed_categories").seed(apps, None)
    call_command("load_demo", verbosity=0)


def save_screenshot(page, name):
    """Keep a screenshot of a journey's last step in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, user):
    """
    Give the page's browser a signed-in session for `user`.

    For tests whose subject is a page seen signed in, not the sign-in form itself (the
    accounts journey signs in by typing).
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )
