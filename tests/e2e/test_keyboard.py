"""Keyboard use: the skip link works, every action is reachable by Tab, focus is visible."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Mark every element a keyboard user should be able to reach (visible, enabled, not taken
# out of the tab order) with its index, and return how many there are.
MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]';
  const reachable = [...document.querySelectorAll(selector)].filter((el) =>
    !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden' && !el.closest('[inert]'));
  reachable.forEach((el, index) => { el.dataset.keyboardIndex = index; });
  return reachable.length;
}"""

# Describe the focused element and how its focus is drawn.
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    index: el.dataset.keyboardIndex ?? null,
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 50),
    outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth,
  };
}"""


def focused(page):
    return page.evaluate(DESCRIBE_FOCUS)


def test_skip_link_moves_focus_to_the_main_content(page, live_server, demo):
    """The first Tab shows the skip link; Enter on it moves focus past the header."""
    page.goto(live_server.url + "/movies/run-2020/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["name"] == "Skip to main content"
    assert first["onScreen"] and first["outline"] >= 2
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Home"  # the breadcrumb, the first link in <main>


def test_every_action_on_the_title_page_is_reachable_with_visible_focus(page, live_server, demo):
    """Tabbing through the title page reaches every link, field and button, each outlined."""
    page.goto(live_server.url + "/movies/run-2020/")
    expected = page.evaluate(MARK_FOCUSABLE)
    assert expected > 20
    reached, unoutlined = set(), []
    for _ in range(expected + 10):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "body" or now["index"] in reached:
            break
        assert now["index"] is not None, f"focus went to an unexpected element: {now}"
        reached.add(now["index"])
        if now["outline"] < 2 or not now["onScreen"]:
            unoutlined.append(now)
    missing = page.evaluate(
        """(reached) => [...document.querySelectorAll('[data-keyboard-index]')]
            .filter((el) => !reached.includes(el.dataset.keyboardIndex))
            .map((el) => el.outerHTML.slice(0, 120))""",
        sorted(reached),
    )
    assert not missing, f"not reachable with Tab: {missing}"
    assert not unoutlined, f"focus not visible on: {unoutlined}"


def test_phone_menu_opens_from_the_keyboard(phone_page, live_server, demo):
    """On a phone the menu button opens the menu with Enter and its links take focus."""
    page = phone_page
    page.goto(live_server.url + "/movies/run-2020/")
    menu = page.get_by_role("button", name="Show the menu")
    main_nav = page.get_by_role("navigation", name="Main")
    assert not main_nav.locator("#main-nav").is_visible()
    for _ in range(5):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "Show the menu":
            break
    assert focused(page)["outline"] >= 2
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Movies"
    assert main_nav.get_by_role("link", name="How we rate").is_visible()
