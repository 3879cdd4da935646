"""
The title page's cached copy for anonymous visitors (movies.pagecache, movies.signals).

Writes run inside `committed()`: the test's transaction never commits, so the hooks a
commit would run (which renew the cached pages' versions) are run at the end of the block.
Before each change the page is checked to be served from the cache, so that a test fails
if a change does not reach the cached copy.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.moderation.services import hide_review, restore_review
from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from guidance.reviews.models import CommunityReview
from guidance.reviews.services import submit_review
from guidance.suggestions.services import accept_suggestion, suggest_update
from movies import pagecache
from movies.models import Credit, EditorialListItem, Tag, Title
from movies.views import TitleDetailView
from tests import factories as f

pytestmark = pytest.mark.django_db

BODY = "My two kids loved the chase scenes, but the ending upset my youngest a little bit."
CSRF_FIELD = 'name="csrfmiddlewaretoken"'


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """Turn the title page cache on (the suite runs with DEBUG's default: off)."""
    settings.TITLE_PAGE_CACHE_SECONDS = 300
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit hooks at its end, as the commit of its writes would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def title():
    """A published title with a published expert review and one genre."""
    title = f.make_title(name="Run", year=2020, tagline="Nobody gets out.")
    title.tags.add(f.make_tag(Tag.Kind.GENRE, "Thriller"))
    f.make_review(title, age_rating=13, summary="A tight thriller.", grades={"language": 1})
    return title


def visit(title, client=None, **extra):
    """An anonymous visitor's (or `client`'s) title page, as text."""
    response = (client or Client()).get(title.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response.content.decode()


def queries_for(title, client=None, **extra):
    """How many queries a request for the title page made."""
    with CaptureQueriesContext(connection) as queries:
        visit(title, client, **extra)
    return len(queries)


def cached_page(title):
    """The anonymous page, asserted to come from the cache (no query at all)."""
    with CaptureQueriesContext(connection) as queries:
        html = visit(title)
    assert len(queries) == 0, [query["sql"] for query in queries]
    return html


def warm(title):
    """Render the anonymous page, check the next request is a hit, and return it."""
    rendered = visit(title)
    assert cached_page(title) == rendered
    return rendered


def grid_level(html, slug):
    row = html[html.index(f'id="grid-{slug}"') :]
    return int(re.search(r'data-level="(\d)"', row).group(1))


def review_form(**overrides):
    return {"age_rating": "12", "stars": "4", "headline": "Tense but worth it", "body": BODY} | (
        overrides
    )


# Hits -----------------------------------------------------------------------------------


def test_a_second_visit_is_served_from_the_cache_without_queries(client, title):
    """The second anonymous request makes no query and returns the same bytes and headers."""
    first = client.get(title.get_absolute_url())
    with CaptureQueriesContext(connection) as rendering:
        client.get(title.get_absolute_url())
    assert len(rendering) == 0
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(title.get_absolute_url())
    assert len(queries) == 0
    assert second.status_code == 200
    assert second.content == first.content
    assert dict(second.items()) == dict(first.items())
    assert second["Vary"] == "Cookie"
    assert not second.cookies


def test_head_is_answered_from_the_cache_too(title):
    """A HEAD after a GET makes no query and has the GET's headers."""
    got = Client().get(title.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        head = Client().head(title.get_absolute_url())
    assert len(queries) == 0
    assert head.status_code == 200
    assert dict(head.items()) == dict(got.items())


def test_the_cache_setting_at_zero_renders_every_time(settings, title):
    """With TITLE_PAGE_CACHE_SECONDS = 0 every request reads the database."""
    settings.TITLE_PAGE_CACHE_SECONDS = 0
    first, second = queries_for(title), queries_for(title)
    # The second may be a query short: the related titles' ranking is cached data.
    assert first > 0 and first - 1 <= second <= first


def test_an_unknown_session_cookie_costs_one_query(title):
    """A visitor whose session cookie matches no session reads it once, then gets the copy."""
    expected = warm(title)
    stale = Client()
    stale.cookies["sessionid"] = "no-such-session-key"
    with CaptureQueriesContext(connection) as queries:
        html = visit(title, stale)
    assert len(queries) == 1 and "django_session" in queries[0]["sql"]
    assert html == expected


def test_a_query_string_is_rendered_not_served_from_the_cache(title):
    """Anything after ? can change the page (the search box shows ?q=), so it is rendered."""
    warm(title)
    with CaptureQueriesContext(connection) as queries:
        html = visit(title, data={"q": "chase scenes"})
    assert len(queries) > 0
    assert 'value="chase scenes"' in html
    assert 'value="chase scenes"' not in cached_page(title)


def test_each_host_gets_its_own_copy(title):
    """Canonical and link-preview addresses name the host, so hosts do not share pages."""
    assert "http://testserver/movies/run-2020/" in warm(title)
    html = visit(title, HTTP_HOST="localhost")
    assert "http://localhost/movies/run-2020/" in html
    assert "http://testserver/" not in html


def test_a_new_release_starts_without_cached_pages(monkeypatch, title):
    """Pages are kept per release (code, templates, static names): a deploy renders afresh."""
    warm(title)
    monkeypatch.setattr(pagecache, "release", lambda: "the-next-release")
    assert queries_for(title) > 0
    assert queries_for(title) == 0


# Who never shares the cached copy ---------------------------------------------------------


def test_signed_in_people_see_their_own_page_and_never_fill_the_cache(client, title):
    """A signed-in parent's page is theirs; the anonymous page then renders without them."""
    parent = f.make_parent(display_name="Dana")
    review = f.make_community_review(title, parent, headline="My queued review")
    CommunityReview.objects.filter(pk=review.pk).update(status=CommunityReview.Status.HIDDEN)
    client.force_login(parent)
    own = visit(title, client)
    assert "My queued review" in own and "Sign out" in own
    assert queries_for(title, client) > 0
    anonymous = visit(title)
    assert "My queued review" not in anonymous and "Sign out" not in anonymous
    assert "Dana" not in anonymous


def test_a_cached_page_is_never_shown_to_people_signed_in(client, title):
    """Staff and signed-in people are rendered for, after the anonymous copy exists."""
    warm(title)
    ExpertReview.objects.filter(title=title).update(status=ExpertReview.Status.DRAFT)
    client.force_login(f.make_staff(groups=["Reviewers"]))
    staff = visit(title, client)
    assert "The expert review is a draft" in staff and "Sign out" in staff
    client.force_login(f.make_parent())
    assert "Sign out" in visit(title, client)
    assert "Sign out" not in cached_page(title)


def test_a_visitor_with_a_family_gets_their_verdicts(title):
    """A family kept in the session shows on the page; the shared copy stays as it was."""
    shared = warm(title)
    visitor = Client()
    year = timezone.localdate().year
    family = {"child-TOTAL_FORMS": "1", "child-INITIAL_FORMS": "0"}
    family |= {"child-0-nickname": "Maya", "child-0-birth_year": str(year - 10)}
    assert visitor.post(reverse("accounts:family"), family).status_code == 302
    visitor.get(reverse("accounts:family"))  # shows the "family is set" message
    html = visit(title, visitor)
    assert "Not for Maya (10)" in html
    assert "Maya" not in shared
    assert cached_page(title) == shared


def test_a_visitor_with_a_message_waiting_sees_it(title):
    """A message waiting in a cookie is shown on the rendered page, never stored."""
    shared = warm(title)
    visitor = Client()
    visitor.post(reverse("accounts:family_forget"))
    assert "We have forgotten your family profile." in visit(title, visitor)
    assert cached_page(title) == shared


# CSRF tokens ----------------------------------------------------------------------------


def test_the_shared_page_has_no_csrf_token_and_sets_no_csrf_cookie(title):
    """Visitors get sign-in links instead of forms: nothing on the page is anyone's token."""
    f.make_community_review(title, headline="Worth a vote")
    first = Client().get(title.get_absolute_url())
    html = first.content.decode()
    assert "Worth a vote" in html and "sign in to vote" in html
    assert CSRF_FIELD not in html and "csrftoken" not in first.cookies
    assert cached_page(title) == html


def test_a_page_with_a_csrf_token_is_never_stored(settings, tmp_path, title):
    """Were a form with a token added to the page, each visitor would get their own."""
    override = tmp_path / "movies" / "title_detail.html"
    override.parent.mkdir()
    override.write_text(
        '{% extends "movies/title_detail.html" %}{% block movies_content %}'
        '<form method="post" action="/">{% csrf_token %}</form>{{ block.super }}{% endblock %}'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    tokens = []
    for _ in range(2):
        visitor = Client()
        with CaptureQueriesContext(connection) as queries:
            html = visit(title, visitor)
        assert len(queries) > 0
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
        assert visitor.cookies["csrftoken"].value
    assert tokens[0] != tokens[1]


# Invalidation -----------------------------------------------------------------------------


def test_a_change_shows_only_once_it_is_committed(title, django_capture_on_commit_callbacks):
    """The version is renewed on commit: before it, visitors still get the committed page."""
    warm(title)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        title.tagline = "Nowhere to hide."
        title.save()
    assert "Nowhere to hide." not in cached_page(title)
    for callback in callbacks:
        callback()
    assert "Nowhere to hide." in visit(title)


def test_a_page_rendered_across_a_change_is_not_served_after_it(rf, committed, title):
    """A render that read the title before a change, and is stored after it, is not served."""
    request = rf.get(title.get_absolute_url())
    request.user, request.session = AnonymousUser(), SessionStore()
    slow = TitleDetailView.as_view()(request, slug=title.slug)  # the title is read here
    with committed():
        title.tagline = "Nowhere to hide."
        title.save()
    slow.render()  # ... and the page rendered and stored now, from the old title
    assert "Nobody gets out." in slow.content.decode()
    html = visit(title)
    assert "Nowhere to hide." in html and "Nobody gets out." not in html


def test_editing_the_title_in_admin(client, committed, title):
    """An editor's admin save shows on the next anonymous request."""
    warm(title)
    client.force_login(f.make_staff(groups=["Editors"]))
    data = {
        "name": title.name,
        "slug": title.slug,
        "kind": title.kind,
        "status": title.status,
        "year": str(title.year),
        "tagline": "Nowhere to hide.",
        "genres": [tag.pk for tag in title.tags.all()],
    }
    for inline in ["credits", "offers", "photos", "videos"]:
        data |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}
    with committed():
        response = client.post(reverse("admin:movies_title_change", args=[title.pk]), data)
    assert response.status_code == 302
    html = visit(title)
    assert "Nowhere to hide." in html and "Nobody gets out." not in html


def test_saving_the_title(committed, title):
    """A title saved by code (a command, a service) shows at once too."""
    warm(title)
    with committed():
        title.runtime_minutes = 93
        title.save(update_fields=["runtime_minutes"])
    assert "93 minutes" in visit(title)


@pytest.mark.parametrize(
    ("add", "shown"),
    [
        (lambda t: f.make_credit(t, person=f.make_person("Sarah Paulson")), "Sarah Paulson"),
        (lambda t: f.make_offer(t, service=f.make_service("Hulu"), price=3), "Hulu"),
        (lambda t: f.make_video(t, name="Official trailer"), "Official trailer"),
        (lambda t: f.make_photo(t, caption="The house"), "The house"),
        (lambda t: t.tags.add(f.make_tag(Tag.Kind.INCLUSION, "Disabled actors")), "Disabled"),
        (lambda t: t.tags.add(f.make_tag(Tag.Kind.GENRE, "Mystery")), "Mystery"),
    ],
    ids=["credit", "offer", "video", "photo", "inclusion-tag", "genre"],
)
def test_adding_to_the_title(committed, title, add, shown):
    """Credits, offers, videos, photos and tags added to a title show on its page."""
    assert shown not in warm(title)
    with committed():
        add(title)
    assert shown in visit(title)


def test_renaming_a_person(committed, title):
    """Names kept in their own rows (a person's) show on every page that credits them."""
    person = f.make_person("Sarah Paulsen")
    f.make_credit(title, Credit.Role.ACTOR, person=person)
    assert "Sarah Paulsen" in warm(title)
    with committed():
        person.name = "Sarah Paulson"
        person.save()
    assert "Sarah Paulson" in visit(title)


def test_editing_the_expert_review_and_a_grade(committed, title):
    """The expert review's words and the grid's levels show once saved."""
    html = warm(title)
    assert "A tight thriller." in html and grid_level(html, "language") == 1
    review = ExpertReview.objects.get(title=title)
    with committed():
        review.summary = "Tense, clever and short."
        review.save()
    assert "Tense, clever and short." in warm(title)
    with committed():
        grade = ContentGrade.objects.get(review=review, category__slug="language")
        grade.level = 4
        grade.save()
    assert grid_level(visit(title), "language") == 4


def test_a_review_written_edited_and_deleted_over_http(client, committed, title):
    """Writing, editing and deleting a review on the site each show on the next visit."""
    assert "Tense but worth it" not in warm(title)
    parent = f.make_parent(display_name="Dana")
    client.force_login(parent)
    write = reverse("reviews:write", args=[title.slug])
    with committed():
        assert client.post(write, review_form()).status_code == 302
    html = warm(title)
    assert "Tense but worth it" in html and "1 review: 1 from parent" in html
    with committed():
        edited = client.post(write, review_form(headline="Better on a second watch"))
    assert edited.status_code == 302
    assert "Better on a second watch" in warm(title)
    review = CommunityReview.objects.get()
    with committed():
        client.post(reverse("reviews:delete", args=[review.pk]))
    html = visit(title)
    assert "Better on a second watch" not in html and "No reviews from parents" in html


def test_a_review_edited_through_the_service_or_saved(committed, title):
    """A review edited with submit_review, or saved by code without a recount, shows."""
    parent = f.make_parent()
    with committed():
        f.make_community_review(title, parent, headline="First thoughts")
    assert "First thoughts" in warm(title)
    with committed():
        review, _ = submit_review(
            author=parent, title=title, age_rating=9, stars=5, headline="Second thoughts", body=BODY
        )
    assert "Second thoughts" in warm(title)
    with committed():
        review.headline = "Third thoughts"
        review.save(update_fields=["headline"])
    assert "Third thoughts" in visit(title)


def test_moderation_hiding_and_restoring_a_review(committed, title):
    """A review hidden by a moderator leaves the page; restored, it comes back."""
    with committed():
        review = f.make_community_review(title, headline="Rude words here")
    assert "Rude words here" in warm(title)
    moderator = f.make_moderator()
    with committed():
        hide_review(review=review, moderator=moderator, reason="inappropriate")
    html = warm(title)
    assert "Rude words here" not in html and "No reviews from parents" in html
    with committed():
        restore_review(review=review, moderator=moderator, note="Fine after all.")
    assert "Rude words here" in visit(title)


def test_readers_reports_hiding_a_review(settings, committed, title):
    """Enough readers' reports hide a review automatically, and the page follows."""
    settings.REVIEW_AUTO_HIDE_REPORTS = 2
    with committed():
        review = f.make_community_review(title, headline="Spoils the ending")
    assert "Spoils the ending" in warm(title)
    with committed():
        f.make_report(review, reason="spoilers")
        f.make_report(review, reason="spoilers")
    assert "Spoils the ending" not in visit(title)


def test_a_helpful_vote_over_http(client, committed, title):
    """Marking a review helpful, and taking it back, moves the count on the page."""
    with committed():
        review = f.make_community_review(title)
    assert "Helpful (0)" in warm(title)
    client.force_login(f.make_parent())
    helpful = reverse("reviews:helpful", args=[review.pk])
    with committed():
        client.post(helpful, {"helpful": "1"})
    assert "Helpful (1)" in warm(title)
    with committed():
        client.post(helpful, {"helpful": "0"})
    assert "Helpful (0)" in visit(title)


def test_an_accepted_grid_suggestion(committed, title):
    """Accepting a suggestion (here a grid level, written by a bulk update) shows at once."""
    assert grid_level(warm(title), "language") == 1
    suggestion = suggest_update(
        title=title,
        author=f.make_user(),
        field="grid:language",
        proposed={"level": 3, "why": "Several strong words in the second half."},
    )
    assert grid_level(cached_page(title), "language") == 1
    with committed():
        accept_suggestion(suggestion=suggestion, editor=f.make_staff(groups=["Editors"]))
    assert grid_level(visit(title), "language") == 3


def test_a_new_display_name_shows_on_every_review(committed, title):
    """A reviewer's display name is on each review they wrote: all pages are renewed."""
    parent = f.make_parent(display_name="Dana")
    other = f.make_title(name="Other")
    with committed():
        f.make_community_review(title, parent)
        f.make_community_review(other, parent)
    assert "Dana" in warm(title) and "Dana" in warm(other)
    with committed():
        parent.last_login = timezone.now()
        parent.save(update_fields=["last_login"])
    assert "Dana" in cached_page(title)
    with committed():
        parent.display_name = "Dana B."
        parent.save()
    assert "Dana B." in visit(title) and "Dana B." in visit(other)


def test_unpublishing_a_title_takes_it_off_the_others_pages(committed, title):
    """Other pages list related titles: a title made a draft leaves every one of them."""
    sequel = f.make_title(name="Run Again")
    sequel.tags.add(Tag.objects.get(name="Thriller"))
    assert "Run Again" in warm(title)
    with committed():
        sequel.status = Title.Status.DRAFT
        sequel.save()
    assert "Run Again" not in visit(title)
    assert Client().get(sequel.get_absolute_url()).status_code == 404


def test_an_editors_list_change_reaches_the_related_titles(committed, title):
    """A title added to an editors' list is recommended on the pages of the others on it."""
    pick = f.make_title(name="Family Pick")
    with committed():
        editorial_list = f.make_list([title])
    assert "Family Pick" not in warm(title)
    with committed():
        EditorialListItem.objects.create(editorial_list=editorial_list, title=pick, order=1)
    assert "Family Pick" in visit(title)


def test_a_category_renamed(committed, title):
    """A content category's name is on every grid: every page is renewed."""
    assert "Strong language" not in warm(title)
    with committed():
        language = ContentCategory.objects.get(slug="language")
        language.name = "Strong language"
        language.save()
    assert "Strong language" in visit(title)
