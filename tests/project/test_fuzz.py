"""
Property-based fuzzing: generated query strings and form posts never cause a 500, and a
submission the site turns down (the form comes back with errors) stores nothing.

The field names come from the pages themselves (every input, select and textarea of the
form), so a field added later is fuzzed too. Values are junk text, numbers, empty
strings, repeated values and the page's own option values mixed together. Each test
counts its generated inputs (printed with -s).
"""

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidance.accounts.models import FamilyProfile, User
from guidance.moderation.models import Report
from guidance.newsletter.models import Subscriber
from guidance.reviews.models import CommunityReview, HelpfulVote
from guidance.suggestions.models import Suggestion
from tests import factories as f

pytestmark = pytest.mark.django_db

FUZZ_COUNTS = Counter()
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
STORED = (User, CommunityReview, HelpfulVote, Report, Suggestion, Subscriber, FamilyProfile)
QUERY_NAMES = [
    "q", "age", "fits", "genre", "topic", "strength", "kind", "year_from", "year_to",
    "stars", "sort", "page", "role", "next", "change", "grade_violence", "child",
]  # fmt: skip

# Text a browser could send: no lone surrogates (they cannot be encoded at all).
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
junk = st.one_of(
    text,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "null", "../../etc", "%00", "<b>x</b>"]),
    st.sampled_from(["\x00", "a" * 5000, "9" * 400, "2026-02-30", "http://evil.example/"]),
)


def field_names(html):
    """The names of a page's form fields, except the CSRF token."""
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken"})


def option_values(html):
    """Every value the page offers (options, radios, checkboxes)."""
    return sorted(set(re.findall(r'\svalue="([^"]*)"', html)) - {""})


def report(key):
    """Print how many inputs a test sent; hypothesis must have generated plenty."""
    print(f"fuzz: {FUZZ_COUNTS[key]} generated inputs for {key}")
    assert FUZZ_COUNTS[key] >= 50


def stored():
    return {model.__name__: model.objects.count() for model in STORED}


@pytest.fixture(autouse=True)
def loose_limits(settings):
    """Generous posting limits and quick password hashing while fuzzing."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/h")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0
    settings.AXES_ENABLED = False  # lockouts are tested elsewhere; here they hide bugs
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def catalog():
    """A published title with an expert review, a community review and an editors' list."""
    title = f.make_title(name="Run", year=2020)
    f.make_review(title)
    review = f.make_community_review(title, f.make_parent())
    return {"title": title, "review": review, "list": f.make_list([title])}


def public_pages(catalog):
    slug = catalog["title"].slug
    return [
        "/",
        "/movies/",
        f"/movies/{slug}/",
        f"/movies/{slug}/reviews/",
        f"/movies/{slug}/history/",
        f"/lists/{catalog['list'].slug}/",
        "/ratings/",
        "/newsletter/",
        "/accounts/family/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/sitemap.xml",
    ]


def test_every_public_page_survives_generated_query_strings(client, catalog):
    """Known and random parameter names with junk values: no page answers 500."""
    pages = public_pages(catalog)
    names = QUERY_NAMES + field_names(client.get("/movies/").content.decode())
    params = st.dictionaries(
        st.one_of(st.sampled_from(names), text.filter(bool)),
        st.one_of(junk, st.lists(junk, min_size=2, max_size=3)),
        max_size=6,
    )

    @settings(FUZZ, max_examples=500)
    @given(page=st.sampled_from(pages), query=params)
    def run(page, query):
        FUZZ_COUNTS["GET query strings"] += 1
        response = client.get(page, query)
        assert response.status_code < 500, (page, query)

    run()
    report("GET query strings")


def _suggestion_urls(client, slug):
    html = client.get(f"/movies/{slug}/suggest/").content.decode()
    keys = sorted(set(re.findall(r"\?change=([\w:-]+)", html)))
    return [f"/movies/{slug}/suggest/?change={key}" for key in keys]


@pytest.mark.parametrize(
    "case",
    [
        "sign-up",
        "sign-in",
        "password reset",
        "newsletter",
        "family (visitor)",
        "family (parent)",
        "review",
        "report",
        "helpful",
        "suggestion",
    ],
)
def test_every_form_survives_generated_posts(client, catalog, case):
    """Generated values for every field of the form: never a 500, rejected posts store nothing."""
    parent = f.make_parent()
    slug, review = catalog["title"].slug, catalog["review"]
    urls = {
        "sign-up": ["/accounts/signup/"],
        "sign-in": ["/accounts/login/"],
        "password reset": ["/accounts/password/reset/"],
        "newsletter": ["/newsletter/"],
        "family (visitor)": ["/accounts/family/"],
        "family (parent)": ["/accounts/family/"],
        "review": [f"/movies/{slug}/reviews/write/"],
        "report": [f"/reviews/{review.pk}/report/"],
        "helpful": [f"/reviews/{review.pk}/helpful/"],
    }
    if case not in ("sign-up", "sign-in", "password reset", "newsletter", "family (visitor)"):
        client.force_login(parent)
    if case == "suggestion":
        urls["suggestion"] = _suggestion_urls(client, slug)
        assert len(urls["suggestion"]) >= 5
    forms = {}
    for url in urls[case]:
        html = client.get(url if case != "helpful" else f"/movies/{slug}/").content.decode()
        names = field_names(html) if case != "helpful" else ["helpful", "next"]
        forms[url] = (names, option_values(html))
    assert all(names for names, _ in forms.values()), forms

    @st.composite
    def submissions(draw):
        url = draw(st.sampled_from(sorted(forms)))
        names, options = forms[url]
        value = st.one_of(junk, st.sampled_from(options or [""]))
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        data = {name: draw(st.one_of(value, st.lists(value, max_size=3))) for name in chosen}
        return url, data

    @FUZZ
    @given(submission=submissions())
    def run(submission):
        url, data = submission
        FUZZ_COUNTS[f"POST {case}"] += 1
        before = stored()
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if response.status_code == 200:  # the form came back: the post was turned down
            assert stored() == before, (url, data)
        if case == "sign-up" and response.status_code == 302:
            client.logout()

    run()
    report(f"POST {case}")
