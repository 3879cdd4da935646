"""
axe-core on every public page and form, signed out and signed in, at desktop and phone
widths: zero violations of the WCAG 2.1 A and AA rules.

To cover a new page, add it to PUBLIC_PAGES in tests/e2e/pages.py.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in
from tests.e2e.pages import PUBLIC_PAGES, add_community_reviews
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_A_AA},
    "resultTypes": ["violations"],
}


def axe_violations(page):
    """Run axe on the page and return its violations (a list of axe's result dicts)."""
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def describe(violations, where):
    """Describe violations as lines a person can act on: rule, help, impact and nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{where}] {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return lines


def reflow_problems(tab, where):
    """Describe sideways scrolling of the whole page (WCAG 1.4.10 Reflow), which axe skips."""
    overflow = tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        return [f"[{where}] reflow: the page is {overflow}px wider than the window"]
    return []


def submit_empty(tab):
    """Send the page's form with nothing filled in (past the browser's own checks)."""
    form = tab.locator("main form[method=post]").first
    form.evaluate("(form) => { form.noValidate = true; }")
    with tab.expect_navigation() as navigation:
        form.locator("[type=submit]").first.click()
    assert navigation.value.status in (200, 400), f"{tab.url}: {navigation.value.status}"
    errors = tab.locator("[aria-invalid=true], .invalid-feedback, .errorlist, .alert-danger")
    assert errors.count() > 0, f"{tab.url} shows no error for an empty form"


@pytest.mark.parametrize("public_page", PUBLIC_PAGES, ids=str)
def test_page_has_no_axe_violations(page, phone_page, live_server, demo, public_page):
    """The page passes axe's WCAG 2.1 A and AA rules at both widths, signed out and in."""
    add_community_reviews()
    user = make_user(display_name="Axe Parent")
    path = public_page.address(user)
    problems = []
    for width, tab in (("desktop", page), ("phone", phone_page)):
        for visit in public_page.visits:
            if visit == "signed in":
                sign_in(tab, live_server, user)
            response = tab.goto(live_server.url + path)
            where = f"{path}, {visit}, {width}"
            assert response.status == public_page.status, f"{where}: {response.status}"
            problems += describe(axe_violations(tab), where)
            problems += reflow_problems(tab, where)
        if public_page.form:
            submit_empty(tab)
            problems += describe(axe_violations(tab), f"{where}, form with errors")
    assert not problems, "axe found accessibility violations:\n" + "\n".join(problems)


def test_content_grid_reads_without_colour_or_sight(page, live_server, demo):
    """Each grid row says its level in words and numbers; the dots are hidden from readers."""
    page.goto(live_server.url + "/movies/run-2020/")
    row = page.locator("#grid-violence-scariness")
    snapshot = row.aria_snapshot()
    assert "Violence & Scariness" in snapshot
    assert "4 out of 5" in snapshot and "A lot" in snapshot
    dots = row.locator(".level-dots")
    assert dots.get_attribute("aria-hidden") == "true"
    word = row.locator(".level-word")
    assert word.is_visible() and word.inner_text() == "A lot"


def test_axe_reports_a_broken_page(page):
    """The audit finds a missing alt text and an unlabelled field (so a pass means something)."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>'
        '<h1>Broken</h1><img src="poster.png"><input type="text" name="q"></main></body></html>'
    )
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "label"} <= found
