"""
"Fits my family" in browse: the SQL filter equals the verdicts title by title, the stored
levels follow every change, badges come without per-card queries.
"""

import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.accounts.models import EffectiveFacts
from guidance.accounts.services import refresh_effective_levels
from guidance.accounts.verdicts import FITS, facts_for_title, family_verdicts, unpack_levels
from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from guidance.reviews.models import ReviewSummary
from movies.models import Tag, Title
from tests import factories as f

pytestmark = pytest.mark.django_db

BROWSE = reverse("movies:browse")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Accounts made here need no strong hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def random_catalog(rng, n, reviewer, topics):
    """
    `n` titles of every shape: a published, draft or no expert review with a full or
    partial grid; community summaries with enough or too few levels; random topics.
    """
    categories = list(ContentCategory.objects.all())
    for i in range(n):
        title = f.make_title(name=f"Random {i}")
        title.tags.add(*rng.sample(topics, rng.randint(0, 2)))
        shape = rng.choice(["published", "published", "draft", "none"])
        if shape != "none":
            review = ExpertReview.objects.create(
                title=title,
                reviewer=reviewer,
                status=shape,
                age_rating=rng.randint(2, 18),
                stars=3,
                summary="s",
                parents_need_to_know="p",
                story="s",
                is_it_any_good="i",
                talk_to_your_kids="t",
            )
            ContentGrade.objects.bulk_create(
                ContentGrade(review=review, category=category, level=rng.randint(0, 5))
                for category in categories
                if rng.random() < 0.8
            )
        if rng.random() < 0.6:
            parents = rng.randint(0, 4)
            ReviewSummary.objects.create(
                title=title,
                review_count=parents,
                parent_count=parents,
                parent_age=rng.randint(2, 18) if parents else None,
                levels={
                    str(category.pk): {
                        "level": rng.randint(0, 5),
                        "count": rng.randint(1, 5),
                        "parent": None,
                        "kid": None,
                    }
                    for category in categories
                    if rng.random() < 0.5
                },
            )


def random_family(rng, topics):
    slugs = list(ContentCategory.objects.filter(kind="concern").values_list("slug", flat=True))
    children = []
    for n in range(rng.randint(1, 3)):
        own = {slug: rng.randint(0, 5) for slug in rng.sample(slugs, rng.randint(0, 3))}
        avoid = rng.sample(topics, rng.randint(0, 1))
        children.append((f"Kid{n}", rng.randint(0, 18), own, avoid))
    limits = {slug: rng.randint(0, 5) for slug in rng.sample(slugs, rng.randint(0, 2))}
    return f.family_spec(children, limits=limits, avoid=rng.sample(topics, rng.randint(0, 1)))


def page_verdicts(family, title_ids):
    """The verdicts a title page would show, from the live reviews and summaries."""
    categories = list(ContentCategory.objects.all())
    verdicts = {}
    for title in Title.objects.filter(pk__in=title_ids).for_detail_page():
        review = getattr(title, "expert_review", None)
        review = review if review is not None and review.is_published else None
        summary = ReviewSummary.objects.filter(title=title).first()
        facts = facts_for_title(title, review=review, summary=summary, categories=categories)
        verdicts[title.pk] = family_verdicts(family, facts, categories)
    return verdicts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_filter_equals_the_verdicts_title_by_title(seed):
    """For random titles and families, SQL keeps exactly the titles every verdict fits."""
    rng = random.Random(seed)
    reviewer = f.make_staff(groups=["Reviewers"])
    topics = [f.make_tag(Tag.Kind.TOPIC, f"Topic {n}") for n in range(4)]
    random_catalog(rng, 60, reviewer, topics)
    refresh_effective_levels()
    categories = list(ContentCategory.objects.all())
    ids = list(Title.objects.values_list("pk", flat=True))
    checked = 0
    for _ in range(6):
        family = random_family(rng, topics)
        verdicts = page_verdicts(family, ids)
        for key in ["family", *(child.key for child in family.children)]:
            rule = family.rule(categories, key)
            by_sql = set(Title.objects.fitting(rule).values_list("pk", flat=True))
            by_verdict = {
                pk
                for pk, per_child in verdicts.items()
                if all(
                    verdict.status == FITS
                    for verdict in per_child
                    if key == "family" or verdict.child.key == key
                )
            }
            assert by_sql == by_verdict, f"seed {seed}, {key}: {by_sql ^ by_verdict}"
            checked += len(by_sql)
    assert checked > 0, "the random families should fit some titles"


@pytest.fixture
def demo_like():
    """Run 13+ (violence 4), Coco 7+ (violence 3), Pooh 3+, and an unrated title."""
    reviewer = f.make_staff(groups=["Reviewers"])
    titles = {}
    for name, year, age, grades in [
        ("Run", 2020, 13, {"violence-scariness": 4, "drinking-drugs-smoking": 3}),
        ("Coco", 2017, 7, {"violence-scariness": 3, "drinking-drugs-smoking": 2}),
        ("Winnie the Pooh", 2011, 3, {}),
    ]:
        titles[name] = f.make_title(name=name, year=year)
        f.make_review(titles[name], reviewer=reviewer, age_rating=age, grades=grades)
    titles["Unrated"] = f.make_title(name="Unrated", year=2001)
    refresh_effective_levels()
    return titles


def names_in(response):
    return [title.name for title in response.context["titles"]]


def test_browse_lists_only_what_fits_every_child(client, demo_like):
    """A family of Maya (10) and Sam (15): "fits all" drops Run and the unrated title."""
    client.force_login(f.make_family(children=[("Maya", 10), ("Sam", 15)]))
    response = client.get(BROWSE, {"fits": "family"})
    assert sorted(names_in(response)) == ["Coco", "Winnie the Pooh"]
    html = response.content.decode()
    assert "Fits all my children" in html
    assert html.count('class="fit-badge fit-badge-fits"') == 4
    assert "fit-badge-not-for" not in html


def test_browse_for_one_child(client, demo_like):
    """Choosing Sam (15) lists Run too; the cards say who each title fits."""
    user = f.make_family(children=[("Maya", 10), ("Sam", 15)])
    client.force_login(user)
    sam = user.family_profile.children.get(nickname="Sam")
    response = client.get(BROWSE, {"fits": str(sam.pk)})
    assert sorted(names_in(response)) == ["Coco", "Run", "Winnie the Pooh"]
    html = response.content.decode()
    assert "Fits Sam (15)" in html
    assert "Not for Maya" in html  # Run's card


def test_badges_without_a_filter(client, demo_like):
    """Without the filter every card carries the verdicts; the unrated one says so."""
    client.force_login(f.make_family(children=[("Maya", 10)]))
    response = client.get(BROWSE)
    assert len(names_in(response)) == 4
    html = response.content.decode()
    assert "No age yet for Maya" in html
    assert 'title="age 13+; Violence &amp; Scariness 4 &gt; your limit 3;' in html


def test_a_single_child_family_reads_family_as_that_child(client, demo_like):
    """With one child, "fits=family" and the child's own value list the same titles."""
    user = f.make_family(children=[("Maya", 10)])
    client.force_login(user)
    maya = user.family_profile.children.get()
    everyone = client.get(BROWSE, {"fits": "family"})
    alone = client.get(BROWSE, {"fits": str(maya.pk)})
    assert names_in(everyone) == names_in(alone) == ["Coco", "Winnie the Pooh"]
    assert f'<option value="{maya.pk}" selected>Fits Maya (10)</option>' in (
        everyone.content.decode()
    )


def test_search_and_the_family_filter_combine(client, demo_like):
    """A search and the family filter combine: Coco fits, Run is left out."""
    client.force_login(f.make_family(children=[("Maya", 10), ("Sam", 15)]))
    response = client.get(BROWSE, {"q": "coco", "fits": "family"})
    assert names_in(response) == ["Coco"]
    assert names_in(client.get(BROWSE, {"q": "run", "fits": "family"})) == []


def test_bad_fits_values_become_notes(client, demo_like):
    """An unknown child or no family at all: the filter is ignored with a note, never a 500."""
    response = client.get(BROWSE, {"fits": "family"})
    assert response.status_code == 200
    assert len(names_in(response)) == 4
    assert "you have not set up your family yet" in response.content.decode()
    client.force_login(f.make_family())
    response = client.get(BROWSE, {"fits": "999999"})
    assert response.status_code == 200
    assert len(names_in(response)) == 4
    assert "We ignored “fits=999999”" in response.content.decode()


def test_the_chip_removes_the_family_filter(client, demo_like):
    """The filter shows as a chip whose link is the page without it."""
    client.force_login(f.make_family(children=[("Maya", 10), ("Sam", 15)]))
    response = client.get(BROWSE, {"fits": "family", "sort": "oldest"})
    chips = {chip.label: chip.query_string for chip in response.context["active_filters"]}
    assert chips["Fits all my children"] == "sort=oldest"


def test_a_visitors_session_family_filters_too(client, demo_like):
    """A visitor's family kept in the session filters exactly like an account's."""
    year = timezone.localdate().year
    client.post(
        reverse("accounts:family"),
        {
            "child-TOTAL_FORMS": "1",
            "child-INITIAL_FORMS": "0",
            "child-0-nickname": "Maya",
            "child-0-birth_year": str(year - 10),
        },
    )
    response = client.get(BROWSE, {"fits": "family"})
    assert sorted(names_in(response)) == ["Coco", "Winnie the Pooh"]


def kind_counts(response):
    return dict(response.context["form"].fields["kind"].choices)["movie"]


def test_cached_counts_follow_each_family_and_the_stored_levels(client, demo_like):
    """Browse caches its counts: never one family's for another's, nor after levels move."""
    client.force_login(f.make_family(children=[("Maya", 10)]))
    assert kind_counts(client.get(BROWSE, {"fits": "family"})) == "Movie (2)"
    client.force_login(f.make_family(children=[("Sam", 15)]))
    assert kind_counts(client.get(BROWSE, {"fits": "family"})) == "Movie (3)"
    unrated = demo_like["Unrated"]
    for age in (12, 13, 14):
        f.make_community_review(unrated, age_rating=age)
    assert kind_counts(client.get(BROWSE, {"fits": "family"})) == "Movie (4)"


def browse_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BROWSE, params).status_code == 200
    return len(queries.captured_queries)


def grow(n, reviewer):
    for i in range(n):
        f.make_review(f.make_title(name=f"More {i}"), reviewer=reviewer, age_rating=i % 17 + 2)
    refresh_effective_levels()


def test_browse_with_a_family_runs_a_fixed_number_of_queries(client):
    """Filter and badges cost the same queries for 3 titles or 33, a few more than none."""
    reviewer = f.make_staff(groups=["Reviewers"])
    user = f.make_family(children=[("Maya", 10), ("Sam", 15), ("Ada", 4)])
    grow(3, reviewer)
    client.force_login(user)
    plain = browse_queries(client, {})
    few = browse_queries(client, {"fits": "family"})
    grow(30, reviewer)
    assert browse_queries(client, {"fits": "family"}) == few
    # The family (children, limits, topics) and the badges' facts (ages, levels, topics).
    assert browse_queries(client, {}) <= plain + 6


# Keeping the stored levels up to date ---------------------------------------------------


def stored(title):
    """The stored (age, source) and {category slug: level} of a title."""
    row = EffectiveFacts.objects.get(title=title)
    slugs = dict(ContentCategory.objects.values_list("pk", "slug"))
    levels = {slugs[pk]: fact.level for pk, fact in unpack_levels(row.levels, row.sources).items()}
    return ((row.age, row.age_source) if row.age is not None else None), levels


def admin_form_data(response):
    """The admin change form's current values, as a browser would post them back."""
    data = {}

    def add(form, name):
        field, value = form.fields[name], form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value

    form = response.context["adminform"].form
    for name in form.fields:
        add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for inline_form in formset.forms:
            for name in inline_form.fields:
                add(inline_form, name)
    return data


def test_saving_the_grid_in_admin_refreshes_the_stored_levels(client):
    """An editor raises Violence to 5 in admin: browse's stored level follows."""
    editor = f.make_staff(groups=["Editors", "Reviewers"])
    title = f.make_title()
    review = f.make_review(title, reviewer=editor, age_rating=9)
    refresh_effective_levels(title_ids=[title.pk])
    client.force_login(editor)
    url = reverse("admin:ratings_expertreview_change", args=[review.pk])
    data = admin_form_data(client.get(url))
    violence = ContentGrade.objects.get(review=review, category__slug="violence-scariness")
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and str(value) == str(violence.pk)
    )
    data[f"grades-{index}-level"] = "5"
    data["age_rating"] = "12"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    age, levels = stored(title)
    assert age == (12, "expert")
    assert levels["violence-scariness"] == 5


def test_deleting_the_expert_review_in_admin_falls_back_on_the_community(client):
    """With the expert review gone, the parents' age is what remains."""
    editor = f.make_staff(groups=["Editors", "Reviewers"])
    title = f.make_title()
    review = f.make_review(title, reviewer=editor, age_rating=9)
    f.make_community_review(title, age_rating=14)
    client.force_login(editor)
    url = reverse("admin:ratings_expertreview_delete", args=[review.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert stored(title) == ((14, "community"), {})


def test_community_reviews_move_the_stored_facts(client):
    """Without an expert review, each new community review recomputes age and levels."""
    title = f.make_title()
    language = ContentCategory.objects.get(slug="language")
    for age in (10, 11, 12):
        f.make_community_review(title, age_rating=age, levels={language: 4})
    assert stored(title) == ((11, "community"), {"language": 4})


def test_load_demo_and_the_command_fill_the_stored_facts():
    """load_demo leaves Run's facts in place; the command rebuilds them from scratch."""
    call_command("load_demo", verbosity=0)
    run = Title.objects.get(slug="run-2020")
    expected = (
        (13, "expert"),
        {
            "violence-scariness": 4,
            "sex-romance-nudity": 0,
            "language": 2,
            "products-purchases": 0,
            "drinking-drugs-smoking": 3,
        },
    )
    assert stored(run) == expected
    EffectiveFacts.objects.all().delete()
    call_command("refresh_effective_levels", verbosity=0)
    assert stored(run) == expected
    assert EffectiveFacts.objects.count() == Title.objects.count()
