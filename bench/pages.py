"""
The pages the benchmark measures, and the people and titles it measures them with.

Needs Django set up (bench/measure.py and bench/profile.py do that). The people are two
accounts of the benchmark's own, created once in each database: a parent with a family
profile (two children and a limit, so the title page works out family verdicts) and a
staff moderator.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

READER_EMAIL = "bench-reader@example.com"
MODERATOR_EMAIL = "bench-moderator@example.com"
# Typical searches: two franchises, a classic, a typo and a person.
SEARCHES = ["toy story", "batman", "the lion king", "harry poter", "tom hanks"]
# Requests carry what the site's reverse proxy adds, so DEBUG-off settings serve them
# instead of redirecting to https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class Page:
    """One row of the latency table: an address, who asks, and under which settings."""

    key: str
    label: str
    url: str
    kind: str  # bare, home, title, reviews, browse, search, admin
    who: str = "anonymous"  # anonymous, reader (signed in) or moderator
    # Settings for the request (django.test.override_settings), such as the title cache.
    settings: dict = field(default_factory=dict)
    # Give the catalog a new version before each request, so that browse and search
    # count their facets again instead of reading them from the cache: a first visit.
    cold: bool = False
    # The page whose query count this one must equal: the same page over less data.
    same_queries_as: str = ""
    # False: only its queries are counted (for a same_queries_as comparison).
    timed: bool = True


@dataclass
class Fixtures:
    popular: object  # the most reviewed title
    quiet: object  # a title with one or two reviews
    # A title like the popular one (our review, its levels, a full page of reviews) with
    # a hundredth of its reviews or fewer: the same page over less data. None if none.
    medium: object
    reader: object
    moderator: object
    service_slug: str = ""
    category_slugs: dict = field(default_factory=dict)  # kind of limit -> slug


def _old_enough_account(email, display_name, **extra):
    """An account older than the new-account moderation window, created once."""
    from guidance.accounts.models import User

    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "display_name": display_name,
            "role": User.Role.PARENT,
            "date_joined": timezone.now() - timedelta(days=365),
            **extra,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def load_fixtures():
    """Find the titles to measure and make sure the benchmark's two accounts exist."""
    from guidance.accounts.family import ChildSpec, Family
    from guidance.accounts.models import User
    from guidance.accounts.services import save_family
    from guidance.ratings.models import ContentCategory
    from movies.models import StreamingService, Title

    published = Title.objects.published()
    popular = published.order_by("-community_review_count", "pk").first()
    if popular is None or popular.community_review_count == 0:
        raise SystemExit("The database has no reviewed title: is it a benchmark database?")
    # A quiet title like most of the catalog: one or two reviews, our review if any has one.
    few_reviews = published.filter(community_review_count__in=[1, 2]).order_by("pk")
    quiet = few_reviews.filter(expert_review__status="published").first() or few_reviews.first()
    if quiet is None:
        raise SystemExit("No title has one or two community reviews to stand for a quiet one.")
    like_popular = published.filter(
        community_review_count__gte=20,
        community_review_count__lte=max(20, popular.community_review_count // 100),
    )
    if hasattr(popular, "expert_review"):
        like_popular = like_popular.filter(expert_review__status=popular.expert_review.status)
    medium = like_popular.order_by("-community_review_count", "pk").first()

    reader, created = _old_enough_account(READER_EMAIL, "Bench Reader")
    if created:
        violence = ContentCategory.objects.filter(slug="violence-scariness").first()
        this_year = timezone.localdate().year
        save_family(
            user=reader,
            family=Family(
                children=[
                    ChildSpec(key="s1", nickname="Maya", birth_year=this_year - 8),
                    ChildSpec(key="s2", nickname="Sam", birth_year=this_year - 12),
                ],
                limits={violence.pk: 2} if violence else {},
                stored_in="account",
            ),
        )
    moderator, created = _old_enough_account(
        MODERATOR_EMAIL, "Bench Moderator", role=User.Role.STAFF, is_staff=True
    )
    if created:
        moderator.groups.add(Group.objects.get(name="Moderators"))

    service = StreamingService.objects.order_by("pk").first()
    concern = ContentCategory.objects.filter(slug="violence-scariness").first()
    positive = ContentCategory.objects.filter(slug="positive-messages").first()
    return Fixtures(
        popular=popular,
        quiet=quiet,
        medium=medium,
        reader=reader,
        moderator=moderator,
        service_slug=service.slug if service else "",
        category_slugs={
            "concern": concern.slug if concern else "",
            "positive": positive.slug if positive else "",
        },
    )


def session_cookie(user):
    """A signed-in session for `user` in the database: (cookie name, value) for wrk."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key


def browse_url(**params):
    return reverse("movies:browse") + ("?" + urlencode(params) if params else "")


def build_pages(fx):
    """
    Every page to measure, in the order the report shows them: the latency table's rows,
    then pages whose queries are only counted, to compare with a row's.
    """
    popular, quiet = fx.popular.get_absolute_url(), fx.quiet.get_absolute_url()
    uncached, cached = {"TITLE_PAGE_CACHE_SECONDS": 0}, {"TITLE_PAGE_CACHE_SECONDS": 300}
    reviews = reverse("reviews:list", kwargs={"slug": fx.popular.slug})
    quiet_reviews = reverse("reviews:list", kwargs={"slug": fx.quiet.slug})
    filters = {"genre": "family", "age": 8}
    if fx.category_slugs["concern"]:
        filters[f"max_{fx.category_slugs['concern']}"] = 2
    if fx.category_slugs["positive"]:
        filters[f"min_{fx.category_slugs['positive']}"] = 3
    if fx.service_slug:
        filters["service"] = fx.service_slug
    filters["sort"] = "community"
    queue = reverse("admin:moderation_reportedreview_changelist")
    pages = [
        Page("bare", "Bare view (tiny template)", reverse("bench-bare"), "bare"),
        Page("home", "Home page", reverse("home"), "home"),
        Page(
            "title-popular",
            "Title page, popular, anonymous, uncached",
            popular,
            "title",
            settings=uncached,
        ),
        Page(
            "title-quiet",
            "Title page, quiet, anonymous, uncached",
            quiet,
            "title",
            settings=uncached,
        ),
        Page(
            "title-popular-cached",
            "Title page, popular, anonymous, cached",
            popular,
            "title",
            settings=cached,
        ),
        Page(
            "title-popular-reader",
            "Title page, popular, signed in (family), uncached",
            popular,
            "title",
            who="reader",
            settings=uncached,
        ),
        Page("reviews", "Reviews page, popular (newest first)", reviews, "reviews"),
        Page(
            "reviews-helpful",
            "Reviews page, popular, most helpful first",
            reviews + "?sort=helpful",
            "reviews",
            same_queries_as="reviews",
        ),
        Page(
            "reviews-parents-page-3",
            "Reviews page, popular, parents, page 3",
            reviews + "?role=parent&page=3",
            "reviews",
            same_queries_as="reviews",
        ),
        Page("reviews-quiet", "Reviews page, quiet", quiet_reviews, "reviews"),
        Page("browse", "Browse, no filters", browse_url(), "browse"),
        Page(
            "browse-filters",
            "Browse, several filters (cached counts)",
            browse_url(**filters),
            "browse",
        ),
        Page(
            "browse-filters-cold",
            "Browse, several filters, counted afresh",
            browse_url(**filters),
            "browse",
            cold=True,
        ),
        Page(
            "browse-fits-cold",
            "Browse, fits my family, signed in, counted afresh",
            browse_url(fits="family", sort="stars"),
            "browse",
            who="reader",
            cold=True,
        ),
    ]
    for query in SEARCHES:
        pages.append(
            Page(
                f"search-{query.replace(' ', '-')}",
                f"Search “{query}”, counted afresh",
                browse_url(q=query),
                "search",
                cold=True,
            )
        )
    pages += [
        Page(
            "search-toy-story-cached",
            "Search “toy story” (cached counts)",
            browse_url(q="toy story"),
            "search",
        ),
        Page(
            "admin-queue",
            "Moderation queue (most urgent first)",
            queue,
            "admin",
            who="moderator",
        ),
        Page(
            "admin-queue-oldest",
            "Moderation queue, oldest first",
            queue + "?order=oldest",
            "admin",
            who="moderator",
            same_queries_as="admin-queue",
        ),
    ]
    if fx.medium is not None:
        medium = fx.medium.get_absolute_url()
        medium_reviews = reverse("reviews:list", kwargs={"slug": fx.medium.slug})
        pages += [
            Page(
                "title-medium",
                "Title page, anonymous, uncached, a title with fewer reviews",
                medium,
                "title",
                settings=uncached,
                same_queries_as="title-popular",
                timed=False,
            ),
            Page(
                "title-medium-reader",
                "Title page, signed in, uncached, a title with fewer reviews",
                medium,
                "title",
                who="reader",
                settings=uncached,
                same_queries_as="title-popular-reader",
                timed=False,
            ),
            Page(
                "reviews-medium",
                "Reviews page, a title with fewer reviews",
                medium_reviews,
                "reviews",
                same_queries_as="reviews",
                timed=False,
            ),
        ]
    return pages
