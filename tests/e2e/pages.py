"""
The pages a visitor can reach without staff rights, with the demo content loaded.

axe (tests/e2e/test_accessibility.py) and the HTML validator
(tests/project/test_html_validity.py) check every page listed here, signed out and
signed in. When a feature adds a page, add a line.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicPage:
    """A page to check: its address, the status it answers with, who can see it."""

    path: str
    status: int = 200
    signed_in_only: bool = False

    def __str__(self):
        return self.path.strip("/").replace("/", "-").replace("?", "-") or "home"


PUBLIC_PAGES = [
    PublicPage("/"),
    PublicPage("/movies/"),
    PublicPage("/movies/?q=run"),
    PublicPage("/movies/run-2020/"),
    PublicPage("/movies/winnie-the-pooh-2011/"),
    PublicPage("/ratings/"),
    PublicPage("/lists/family-movie-night/"),
    PublicPage("/no-such-page/", status=404),
]
