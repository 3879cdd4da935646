"""
The pages a visitor can reach without staff rights, with the demo content loaded.

axe (tests/e2e/test_accessibility.py) and the HTML validator
(tests/project/test_html_validity.py) check every page listed here, signed out and
signed in; tests/project/test_html_validity.py fails when a named route is neither here
nor in NOT_PAGES. When a feature adds a page, add a line.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@dataclass(frozen=True)
class PublicPage:
    """A page to check: its address, the status it answers with, who can see it."""

    path: str
    status: int = 200
    signed_in_only: bool = False
    signed_out_only: bool = False
    # For pages whose address needs an object or a token: given the signed-in user, set
    # up what the page needs and return its real address; `path` is then only a label
    # and `route` names the route.
    prepare: Callable | None = None
    route: str = ""
    # A form whose errors are checked too: submitted empty, the page must still pass.
    # (Not for forms where an empty POST acts, like confirm, unsubscribe or delete.)
    form: bool = False

    def __str__(self):
        label = self.path.strip("/").translate({ord("<"): None, ord(">"): None})
        return label.replace("/", "-").replace("?", "-") or "home"

    @property
    def visits(self):
        """Return who looks at the page: "signed out", "signed in", or both in that order."""
        if self.signed_in_only:
            return ["signed in"]
        if self.signed_out_only:
            return ["signed out"]
        return ["signed out", "signed in"]

    def address(self, user):
        return self.prepare(user) if self.prepare else self.path


def password_reset_link(user):
    """Return the address a password-reset email sends `user` to."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def own_review_delete_page(user):
    """Write a review as `user` and return the page that asks before deleting it."""
    from guidance.reviews.services import submit_review
    from movies.models import Title

    review, _ = submit_review(
        author=user,
        title=Title.objects.get(slug="coco-2017"),
        age_rating=8,
        stars=5,
        headline="We sang all the way home",
        body="Our eight-year-old loved the music, and the land of the dead was colourful "
        "rather than frightening; one sad scene near the end needed a cuddle.",
    )
    return reverse("reviews:delete", kwargs={"pk": review.pk})


def report_page(user):
    """Return the page for reporting a community review that `user` did not write."""
    from guidance.reviews.models import CommunityReview

    review = CommunityReview.objects.filter(title__slug="run-2020").exclude(author=user).first()
    return reverse("moderation:report", kwargs={"pk": review.pk})


def newsletter_subscriber():
    from guidance.newsletter.models import Subscriber

    subscriber, _ = Subscriber.objects.get_or_create(
        email="reader@example.com", defaults={"kids_ages": [7, 13]}
    )
    return subscriber


def newsletter_confirm_link(user):
    """Return the link a new subscriber's confirmation email carries."""
    from guidance.newsletter.tokens import make_confirm_token

    return reverse("newsletter:confirm", args=[make_confirm_token(newsletter_subscriber())])


def newsletter_unsubscribe_link(user):
    """Return the unsubscribe link a newsletter email carries."""
    from guidance.newsletter.tokens import make_unsubscribe_token

    return reverse("newsletter:unsubscribe", args=[make_unsubscribe_token(newsletter_subscriber())])


def with_family(path):
    """Return a `prepare` that gives the user a family of two children, then shows `path`."""

    def prepare(user):
        from tests.factories import make_family

        make_family(user, children=(("Maya", 7), ("Sam", 14)))
        return path

    return prepare


PUBLIC_PAGES = [
    PublicPage("/"),
    PublicPage("/movies/"),
    PublicPage("/movies/?q=run"),
    PublicPage("/movies/run-2020/"),
    PublicPage("/movies/winnie-the-pooh-2011/"),
    PublicPage("/movies/run-2020/reviews/"),
    PublicPage("/movies/run-2020/reviews/write/", signed_in_only=True, form=True),
    PublicPage(
        "/reviews/<pk>/delete/",
        signed_in_only=True,
        prepare=own_review_delete_page,
        route="reviews:delete",
    ),
    PublicPage(
        "/reviews/<pk>/report/",
        signed_in_only=True,
        prepare=report_page,
        route="moderation:report",
        form=True,
    ),
    PublicPage("/movies/run-2020/suggest/", signed_in_only=True),
    PublicPage("/movies/run-2020/suggest/?change=inclusion_tags", signed_in_only=True, form=True),
    PublicPage("/movies/run-2020/suggest/?change=grid", signed_in_only=True, form=True),
    PublicPage("/movies/run-2020/suggest/?change=offer-add", signed_in_only=True, form=True),
    PublicPage("/movies/run-2020/history/"),
    PublicPage("/ratings/"),
    PublicPage("/lists/family-movie-night/"),
    PublicPage("/accounts/signup/", signed_out_only=True, form=True),
    PublicPage("/accounts/login/", signed_out_only=True, form=True),
    PublicPage("/accounts/profile/", signed_in_only=True),
    PublicPage("/accounts/family/", form=True),
    PublicPage(
        "/accounts/family/ with children",
        signed_in_only=True,
        prepare=with_family("/accounts/family/"),
        route="accounts:family",
    ),
    PublicPage(
        "/movies/ with a family",
        signed_in_only=True,
        prepare=with_family("/movies/"),
        route="movies:browse",
    ),
    PublicPage(
        "/movies/run-2020/ with a family",
        signed_in_only=True,
        prepare=with_family("/movies/run-2020/"),
        route="movies:detail",
    ),
    PublicPage("/accounts/password/change/", signed_in_only=True, form=True),
    PublicPage("/accounts/password/change/done/", signed_in_only=True),
    PublicPage("/accounts/password/reset/", form=True),
    PublicPage("/accounts/password/reset/sent/"),
    PublicPage(
        "/accounts/password/reset/<uidb64>/<token>/",
        prepare=password_reset_link,
        route="accounts:password_reset_confirm",
        signed_out_only=True,  # signing in changes the user, which voids the link
        form=True,
    ),
    PublicPage("/accounts/password/reset/done/"),
    PublicPage("/newsletter/", form=True),
    PublicPage("/newsletter/check-your-inbox/"),
    PublicPage(
        "/newsletter/confirm/<token>/",
        prepare=newsletter_confirm_link,
        route="newsletter:confirm",
    ),
    PublicPage("/newsletter/confirm/not-a-real-token/", status=400),
    PublicPage("/newsletter/confirmed/"),
    PublicPage(
        "/newsletter/unsubscribe/<token>/",
        prepare=newsletter_unsubscribe_link,
        route="newsletter:unsubscribe",
    ),
    PublicPage("/no-such-page/", status=404),
]

# Named routes that are not pages to audit, and why.
NOT_PAGES = {
    "sitemap": "XML for search engines (tests/project/test_seo.py)",
    "robots": "plain text for crawlers (tests/project/test_seo.py)",
    "accounts:logout": "POST only",
    "accounts:family_forget": "POST only",
    "reviews:helpful": "POST only",
}


def add_community_reviews():
    """Give Run two community reviews (a parent's and a kid's), so review cards show."""
    from guidance.accounts.models import User
    from guidance.reviews.services import submit_review
    from movies.models import Title
    from tests.factories import make_user

    run = Title.objects.get(slug="run-2020")
    parent = make_user(display_name="Dana from Leeds", role=User.Role.PARENT)
    kid = make_user(display_name="Jo, 15", role=User.Role.KID, birth_year=2010)
    submit_review(
        author=parent,
        title=run,
        age_rating=14,
        stars=4,
        headline="Gripping, but talk about it after",
        body="My 14-year-old was on the edge of her seat. The syringe scene was hard to watch.",
    )
    submit_review(
        author=kid,
        title=run,
        age_rating=13,
        stars=5,
        headline="So tense!",
        body="Chloe is so smart and never gives up. I did not see the ending coming at all, "
        "and my friends want to watch it now.",
        contains_spoilers=True,
    )
