"""The family page (accounts and sessions), the title page's verdicts, the newsletter."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.accounts.family import SESSION_KEY
from guidance.accounts.models import AvoidedTopic, Child, FamilyProfile
from guidance.accounts.services import refresh_effective_levels
from guidance.newsletter.models import Subscriber
from guidance.newsletter.services import send_weekly_newsletter
from guidance.ratings.models import ContentCategory
from movies.models import Tag
from tests import factories as f

pytestmark = pytest.mark.django_db

FAMILY = reverse("accounts:family")
YEAR = timezone.localdate().year
PASSWORD = "purple-otter-lantern-42"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Accounts made here need no strong hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def category(slug):
    return ContentCategory.objects.get(slug=slug)


def family_post(*children, initial=0, family=None, deleted=()):
    """
    POST data for the family page: children as dicts of field values (nickname,
    birth_year, key, limit_<id>, avoid), family-wide fields in `family`.
    """
    data = {"child-TOTAL_FORMS": str(len(children)), "child-INITIAL_FORMS": str(initial)}
    for index, child in enumerate(children):
        for name, value in child.items():
            data[f"child-{index}-{name}"] = value
        if index in deleted:
            data[f"child-{index}-DELETE"] = "on"
    for name, value in (family or {}).items():
        data[f"family-{name}"] = value
    return data


def kid(nickname, age, **fields):
    return {"nickname": nickname, "birth_year": str(YEAR - age), **fields}


@pytest.fixture
def run():
    """Run: our 13+ with Violence & Scariness 4, Drinking 3, and the topic Suspense."""
    title = f.make_title(name="Run", year=2020)
    title.tags.add(f.make_tag(Tag.Kind.TOPIC, "Suspense"))
    f.make_review(
        title, age_rating=13, grades={"violence-scariness": 4, "drinking-drugs-smoking": 3}
    )
    refresh_effective_levels(title_ids=[title.pk])
    return title


# The family page -------------------------------------------------------------------------


def test_the_family_page_invites_a_visitor(client):
    """A visitor sees the form, and that their family stays in this browser only."""
    html = client.get(FAMILY).content.decode()
    assert "Add a child" in html
    assert "in this browser only" in html
    assert 'name="child-0-nickname"' in html
    assert "At most 2: Some tense or scary moments" in html  # the level meanings


def test_a_visitors_family_lives_in_the_session_only(client, run):
    """Saving as a visitor writes nothing to the database, and the title page uses it."""
    violence = category("violence-scariness")
    response = client.post(
        FAMILY, family_post(kid("Maya", 10, **{f"limit_{violence.pk}": "2"}), kid("Sam", 15))
    )
    assert response.status_code == 302
    assert not FamilyProfile.objects.exists() and not Child.objects.exists()
    stored = client.session[SESSION_KEY]
    assert [child["nickname"] for child in stored["children"]] == ["Maya", "Sam"]
    assert stored["children"][0]["limits"] == {str(violence.pk): 2}
    html = client.get(run.get_absolute_url()).content.decode()
    assert (
        "Not for Maya (10)</strong>: age 13+; Violence &amp; Scariness 4 &gt; your limit 2; "
        "Drinking, Drugs &amp; Smoking 3 &gt; your limit 2"
    ) in html
    assert "Fits Sam (15)" in html


def test_a_parent_saves_the_family_to_their_account(client):
    """Children, own limits, a family limit and avoided topics all land in the tables."""
    parent = f.make_parent()
    client.force_login(parent)
    grief = f.make_tag(Tag.Kind.TOPIC, "Death and grief")
    language, violence = category("language"), category("violence-scariness")
    data = family_post(
        kid("Maya", 10, **{f"limit_{violence.pk}": "1", "avoid": [str(grief.pk)]}),
        kid("Sam", 15),
        family={f"limit_{language.pk}": "2"},
    )
    assert client.post(FAMILY, data).status_code == 302
    profile = FamilyProfile.objects.get(user=parent)
    assert list(profile.children.values_list("nickname", "birth_year")) == [
        ("Maya", YEAR - 10),
        ("Sam", YEAR - 15),
    ]
    maya = profile.children.get(nickname="Maya")
    assert list(maya.limits.values_list("category__slug", "max_level")) == [
        ("violence-scariness", 1)
    ]
    assert list(profile.limits.values_list("category__slug", "max_level")) == [("language", 2)]
    assert list(AvoidedTopic.objects.filter(child=maya).values_list("tag__name", flat=True)) == [
        "Death and grief"
    ]
    assert SESSION_KEY not in client.session
    html = client.get(FAMILY).content.decode()
    assert 'Language</span>: 2 of 5 <span class="text-body-secondary">(family limit)' in html


def test_editing_keeps_children_and_removing_one_works(client):
    """Renaming keeps a child's id (links to it keep working); a removed child is gone."""
    parent = f.make_family(children=[("Maya", 10), ("Sam", 15)])
    maya, sam = parent.family_profile.children.order_by("order")
    client.force_login(parent)
    data = family_post(
        kid("Sam", 10, key=str(maya.pk)),  # the two swap nicknames
        kid("Maya", 15, key=str(sam.pk)),
        initial=2,
    )
    assert client.post(FAMILY, data).status_code == 302
    assert dict(Child.objects.values_list("pk", "nickname")) == {maya.pk: "Sam", sam.pk: "Maya"}
    data = family_post(
        kid("Sam", 10, key=str(maya.pk)), kid("Maya", 15, key=str(sam.pk)), initial=2, deleted=[1]
    )
    assert client.post(FAMILY, data).status_code == 302
    assert list(Child.objects.values_list("pk", flat=True)) == [maya.pk]


def test_another_familys_child_id_cannot_be_taken_over(client):
    """A key naming someone else's child just adds a new child to your own family."""
    other = f.make_family(children=[("Theirs", 8)])
    theirs = other.family_profile.children.get()
    client.force_login(f.make_parent())
    client.post(FAMILY, family_post(kid("Mine", 9, key=str(theirs.pk))))
    theirs.refresh_from_db()
    assert theirs.nickname == "Theirs"
    assert Child.objects.filter(nickname="Mine").exclude(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "child, message",
    [
        ({"nickname": "", "birth_year": str(YEAR - 9)}, "Give this child a nickname"),
        ({"nickname": "Ada", "birth_year": ""}, "Choose the year this child was born."),
        ({"nickname": "Ada", "birth_year": str(YEAR + 1)}, "Choose a year from the list."),
        ({"nickname": "Ada", "birth_year": "abc"}, "Choose a year from the list."),
        ({"nickname": "Ada", "birth_year": str(YEAR - 30)}, "Choose a year from the list."),
        ({"nickname": "Ada", "birth_year": str(YEAR - 9), "limit": "9"}, "Select a valid"),
        ({"nickname": "x" * 31, "birth_year": str(YEAR - 9)}, "at most 30 characters"),
    ],
)
def test_bad_answers_get_clear_messages(client, child, message):
    """Bad input re-shows the page with a message; nothing is saved, never a 500."""
    client.force_login(f.make_parent())
    if "limit" in child:  # the field is named after the category's id
        child[f"limit_{category('violence-scariness').pk}"] = child.pop("limit")
    response = client.post(FAMILY, family_post(child))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Some answers need another look" in html
    assert not Child.objects.exists()


def test_two_children_need_two_nicknames(client):
    """Nicknames are told apart without case: "maya" and "Maya" clash."""
    response = client.post(FAMILY, family_post(kid("Maya", 10), kid("maya", 12)))
    assert response.status_code == 200
    assert "Two children have this nickname" in response.content.decode()


def test_at_most_eight_children(client):
    """A ninth child is refused with a message, not an error page."""
    response = client.post(FAMILY, family_post(*[kid(f"Kid {n}", n + 2) for n in range(9)]))
    assert response.status_code == 200
    assert "Please submit at most 8 forms" in response.content.decode()


def test_saving_nobody_asks_for_a_child_but_removing_everyone_works(client):
    """An empty form asks for a child; ticking "remove" on every child empties the family."""
    response = client.post(FAMILY, family_post({"nickname": "", "birth_year": ""}))
    assert "Add a child: a nickname and the year they were born." in response.content.decode()
    parent = f.make_family(children=[("Maya", 10)])
    maya = parent.family_profile.children.get()
    client.force_login(parent)
    data = family_post(kid("Maya", 10, key=str(maya.pk)), initial=1, deleted=[0])
    assert client.post(FAMILY, data).status_code == 302
    assert not Child.objects.exists()
    assert "Set up your family" in client.get(reverse("movies:browse")).content.decode()


def test_forgetting_the_family(client):
    """Forget removes the account's profile (and any session copy)."""
    parent = f.make_family()
    client.force_login(parent)
    assert client.post(reverse("accounts:family_forget")).status_code == 302
    assert not FamilyProfile.objects.exists()
    assert client.get(reverse("accounts:family_forget")).status_code == 405


def test_a_tampered_session_is_ignored(client, run):
    """Malformed session data is dropped, not trusted: the page invites to set up."""
    session = client.session
    session[SESSION_KEY] = {"v": 1, "children": [{"nickname": 3}, "x"], "limits": {"a": 9}}
    session.save()
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Set up your family" in html
    assert client.get(FAMILY).status_code == 200


# Moving a visitor's family to their account -------------------------------------------------


def test_signing_up_saves_the_session_family_to_the_new_account(client):
    """Set up as a visitor, then sign up: the family is on the account."""
    client.post(FAMILY, family_post(kid("Maya", 10), kid("Sam", 15)))
    response = client.post(
        reverse("accounts:signup"),
        {
            "display_name": "Maya's dad",
            "email": "dad@example.com",
            "role": "parent",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert "We saved the family you set up to your account." in response.content.decode()
    profile = FamilyProfile.objects.get(user__email="dad@example.com")
    assert sorted(profile.children.values_list("nickname", flat=True)) == ["Maya", "Sam"]
    assert SESSION_KEY not in client.session


def test_signing_in_keeps_an_existing_account_family(client):
    """An account's own family wins over one set up before signing in."""
    parent = f.make_family(f.make_parent(email="ada.mum@example.com"), children=[("Ada", 6)])
    client.post(FAMILY, family_post(kid("Other", 12)))
    response = client.post(
        reverse("accounts:login"),
        {"username": "ada.mum@example.com", "password": "a-long-test-password"},
        follow=True,
    )
    assert "we kept that one" in response.content.decode()
    assert list(parent.family_profile.children.values_list("nickname", flat=True)) == ["Ada"]


def test_signing_in_without_a_family_adopts_the_session_one(client):
    """An account without a family takes the one set up before signing in."""
    parent = f.make_parent(email="new.dad@example.com")
    client.post(FAMILY, family_post(kid("Maya", 10)))
    client.post(
        reverse("accounts:login"),
        {"username": "new.dad@example.com", "password": "a-long-test-password"},
    )
    assert list(Child.objects.filter(profile__user=parent).values_list("nickname", flat=True)) == [
        "Maya"
    ]


# The title page ------------------------------------------------------------------------------


def test_the_title_page_invites_a_family_without_one(client, run):
    """No family: a call to set one up, linking back to this page."""
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Set up your family" in html
    assert f"{FAMILY}?next=/movies/{run.slug}/" in html


def test_the_title_page_lists_how_each_child_was_checked(client, run):
    """Each verdict has its checks, with community levels marked and gaps explained."""
    language = category("language")
    run.expert_review.grades.filter(category=language).delete()
    refresh_effective_levels(title_ids=[run.pk])
    client.force_login(f.make_family(children=[("Sam", 15)]))
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Fits Sam (15)" in html
    assert "How we checked for Sam" in html
    assert "No data yet on Language" in html
    assert "age 13+, within 15" in html


def test_an_avoided_topic_shows_on_the_title_page(client, run):
    """The family avoids Suspense: Run is not for Sam, and says why."""
    suspense = Tag.objects.get(name="Suspense")
    client.force_login(f.make_family(children=[("Sam", 15)], avoid=[suspense]))
    html = client.get(run.get_absolute_url()).content.decode()
    assert "Not for Sam (15)</strong>: Suspense is a topic you avoid" in html


def title_page_queries(client, title):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(title.get_absolute_url()).status_code == 200
    return len(queries.captured_queries)


def test_title_page_queries_stay_few_with_a_family(client, run):
    """A family adds at most four queries to the title page, however many children."""
    client.force_login(f.make_parent())
    without = title_page_queries(client, run)
    client.logout()
    parent = f.make_family(children=[("Maya", 10)])
    client.force_login(parent)
    one = title_page_queries(client, run)
    f.make_family(parent, children=[(f"Kid {n}", n + 3) for n in range(8)])
    assert title_page_queries(client, run) == one
    assert one <= without + 4  # children, limits, topics, categories


def test_a_visitors_title_page_adds_one_query_for_the_categories(client, run):
    """With a session family, only the session and the categories are read."""
    anonymous = title_page_queries(client, run)
    client.post(FAMILY, family_post(kid("Maya", 10)))
    assert title_page_queries(client, run) <= anonymous + 2


# The newsletter --------------------------------------------------------------------------------

WEEK = date(2026, 11, 9)


def test_weekly_picks_fit_the_subscribers_family(mailoutbox):
    """A subscriber with a family profile gets only what fits a child, said by age."""
    reviewer = f.make_staff(groups=["Reviewers"])
    week = timezone.make_aware(datetime.combine(WEEK, datetime.min.time())) + timedelta(hours=9)
    for name, age, violence in [("Gentle", 6, 1), ("Scary", 9, 5), ("Teen", 14, 2)]:
        review = f.make_review(
            f.make_title(name=name),
            reviewer=reviewer,
            age_rating=age,
            grades={"violence-scariness": violence},
        )
        review.published_at = week
        review.save()
        refresh_effective_levels(title_ids=[review.title_id])
    f.make_family(f.make_parent(email="Family@Example.com"), children=[("Maya", 10), ("Ada", 7)])
    now = timezone.now()
    Subscriber.objects.create(email="family@example.com", kids_ages=[10], confirmed_at=now)
    Subscriber.objects.create(email="plain@example.com", kids_ages=[10], confirmed_at=now)

    send_weekly_newsletter(week=WEEK, base_url="https://example.org")

    by_address = {message.to[0]: message for message in mailoutbox}
    family_email = by_address["family@example.com"].body
    assert "Gentle" in family_email and "Scary" not in family_email
    assert "Teen" not in family_email
    assert "Fits your 7- and 10-year-olds" in family_email
    # Without an account, the ages the subscriber gave decide (Scary is 9+).
    plain_email = by_address["plain@example.com"].body
    assert "Gentle" in plain_email and "Scary" in plain_email
