"""Family verdicts: age, each content concern, missing data, expert before community."""

import pytest
from django.test import override_settings

from guidance.accounts.family import AGE_BANDS, ChildSpec, FitRule, default_limit
from guidance.accounts.services import refresh_effective_levels
from guidance.accounts.verdicts import FITS, NOT_FOR, UNKNOWN, load_facts, verdict_for
from guidance.ratings.models import ContentCategory, ExpertReview
from movies.models import Tag
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Accounts made here need no strong hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def categories():
    return list(ContentCategory.objects.all())


def child(nickname="Maya", age=10, **levels):
    """A ChildSpec from slug=level keyword arguments (underscores for hyphens)."""
    spec = f.family_spec([(nickname, age, {k.replace("_", "-"): v for k, v in levels.items()})])
    return spec.children[0]


def judge(title, kid, categories):
    """The verdict for `kid` on `title`, from the stored facts (as browse reads them)."""
    refresh_effective_levels(title_ids=[title.pk])
    return verdict_for(kid, load_facts([title.pk])[title.pk], categories)


def community(title, *, levels=None, ages=(12, 12, 12)):
    """Published parents' reviews of `title` with these ages and per-slug levels."""
    by_slug = {c.slug: c for c in ContentCategory.objects.all()}
    for age in ages:
        f.make_community_review(
            title,
            age_rating=age,
            levels={by_slug[slug]: level for slug, level in (levels or {}).items()},
        )


def test_default_limits_follow_the_age_bands():
    """Each age band has its own defaults, stricter for younger children."""
    assert [youngest for youngest, _ in AGE_BANDS] == [0, 5, 7, 10, 13, 16]
    assert default_limit(3, "violence-scariness") == 1
    assert default_limit(7, "violence-scariness") == 3
    assert default_limit(10, "language") == 3
    assert default_limit(15, "sex-romance-nudity") == 3
    assert default_limit(17, "violence-scariness") == 5
    assert default_limit(4, "a-new-concern") == 1
    ages = range(0, 19)
    for slug in ("violence-scariness", "sex-romance-nudity", "language"):
        levels = [default_limit(age, slug) for age in ages]
        assert levels == sorted(levels), f"{slug} defaults must never fall with age"


def test_own_limit_beats_the_age_default_and_a_family_limit_caps_it(categories):
    """A child's own limit replaces the age default; a family limit caps every child."""
    violence = ContentCategory.objects.get(slug="violence-scariness")
    language = ContentCategory.objects.get(slug="language")
    family = f.family_spec(
        [("Maya", 10, {"violence-scariness": 1}), ("Sam", 15, {"language": 5})],
        limits={"language": 2},
    )
    maya, sam = family.children
    assert maya.limit_for(violence) == 1
    assert maya.limit_source(violence) == "own"
    assert sam.limit_for(violence) == 4
    assert sam.limit_source(violence) == "age"
    assert sam.limit_for(language) == 2
    assert sam.limit_source(language) == "family"
    everyone = family.rule(categories)
    assert everyone.max_age == 10
    assert everyone.limits[violence.pk] == 1
    assert everyone.limits[language.pk] == 2


def test_the_issue_example_reads_as_written(categories):
    """Expert 15+ with Violence 4, Maya's limit 2: the verdict reads as the issue wrote it."""
    title = f.make_title()
    f.make_review(title, age_rating=15, grades={"violence-scariness": 4})
    verdict = judge(title, child(violence_scariness=2), categories)
    assert verdict.status == NOT_FOR
    assert verdict.sentence == "Not for Maya (10): age 15+; Violence & Scariness 4 > your limit 2"


def test_a_title_within_every_limit_fits(categories):
    """Age and every concern within the limits: "Fits Maya (10)", with no reasons."""
    title = f.make_title()
    f.make_review(title, age_rating=8, grades={"violence-scariness": 3, "language": 1})
    verdict = judge(title, child(), categories)
    assert verdict.status == FITS
    assert verdict.sentence == "Fits Maya (10)"
    assert verdict.reasons == [] and verdict.gaps == []
    assert [check.outcome for check in verdict.checks] == ["ok"] * 6


def test_age_alone_can_rule_a_title_out(categories):
    """An age rating above the child's age is a reason on its own, even at level 0."""
    title = f.make_title()
    f.make_review(title, age_rating=11, grades={"language": 0})
    verdict = judge(title, child(), categories)
    assert verdict.status == NOT_FOR
    assert verdict.reasons == ["age 11+"]


@pytest.mark.parametrize(
    "slug, name",
    [
        ("violence-scariness", "Violence & Scariness"),
        ("sex-romance-nudity", "Sex, Romance & Nudity"),
        ("language", "Language"),
        ("products-purchases", "Products & Purchases"),
        ("drinking-drugs-smoking", "Drinking, Drugs & Smoking"),
    ],
)
def test_each_concern_is_a_limit(categories, slug, name):
    """Every content concern counts: one level over the limit rules the title out."""
    title = f.make_title()
    f.make_review(title, age_rating=5, grades={slug: 3})
    verdict = judge(title, child(**{slug.replace("-", "_"): 2}), categories)
    assert verdict.status == NOT_FOR
    assert verdict.reasons == [f"{name} 3 > your limit 2"]
    assert judge(title, child(**{slug.replace("-", "_"): 3}), categories).status == FITS


def test_positive_categories_are_never_limits(categories):
    """A title full of positive messages and learning is not held back by them."""
    title = f.make_title()
    f.make_review(
        title,
        age_rating=5,
        grades={"positive-messages": 5, "educational-value": 5, "positive-role-models": 5},
    )
    verdict = judge(title, child(age=6), categories)
    assert verdict.status == FITS
    assert {check.label for check in verdict.checks} == {
        "Age",
        "Violence & Scariness",
        "Sex, Romance & Nudity",
        "Language",
        "Products & Purchases",
        "Drinking, Drugs & Smoking",
    }


def test_the_community_fills_in_where_the_expert_has_no_grade(categories):
    """No expert grade for Language: the community's typical level counts, marked as such."""
    title = f.make_title()
    review = f.make_review(title, age_rating=8)
    review.grades.filter(category__slug="language").delete()
    community(title, levels={"language": 4, "violence-scariness": 5})
    verdict = judge(title, child(), categories)
    assert verdict.status == NOT_FOR
    assert verdict.reasons == ["Language 4 (community) > your limit 3"]
    # Violence & Scariness has an expert grade (1): the community's 5 does not count.
    violence = next(check for check in verdict.checks if check.label == "Violence & Scariness")
    assert violence.text == "1 ≤ 3"


def test_without_an_expert_review_the_parents_age_is_used(categories):
    """No published expert review: the parents' typical age decides, marked "(parents say)"."""
    title = f.make_title()
    f.make_review(title, status=ExpertReview.Status.DRAFT, age_rating=3)
    community(title, ages=(12, 13, 14))
    verdict = judge(title, child(), categories)
    assert verdict.status == NOT_FOR
    assert verdict.reasons == ["age 13+ (parents say)"]
    assert judge(title, child(age=13), categories).status == FITS


@override_settings(COMMUNITY_LEVEL_MIN_REVIEWS=3)
def test_too_few_community_levels_are_no_data(categories):
    """Two people's levels are not yet a typical level: the category is "no data"."""
    title = f.make_title()
    community(title, ages=(8, 8), levels={"language": 5})
    verdict = judge(title, child(), categories)
    assert verdict.status == FITS
    assert "Language" in verdict.gaps


def test_missing_data_is_listed_but_does_not_fail(categories):
    """A concern nobody graded is listed under gaps; the verdict still says it fits."""
    title = f.make_title()
    review = f.make_review(title, age_rating=6)
    review.grades.filter(category__slug__in=["language", "sex-romance-nudity"]).delete()
    verdict = judge(title, child(), categories)
    assert verdict.status == FITS
    assert verdict.gaps == ["Sex, Romance & Nudity", "Language"]
    assert [c.outcome for c in verdict.checks if c.label == "Language"] == ["no data"]


def test_a_title_nobody_rated_gets_no_verdict(categories):
    """No expert review and no parents' ages: "Can't tell yet", not a fit."""
    title = f.make_title()
    verdict = judge(title, child(), categories)
    assert verdict.status == UNKNOWN
    assert verdict.headline == "Can't tell yet for Maya (10)"
    assert len(verdict.gaps) == 5


def test_an_avoided_topic_rules_a_title_out(categories):
    """A topic the family avoids is a reason, by name; other topics are not."""
    grief = f.make_tag(Tag.Kind.TOPIC, "Death and grief")
    music = f.make_tag(Tag.Kind.TOPIC, "Music")
    title = f.make_title()
    title.tags.add(grief, music)
    f.make_review(title, age_rating=7)
    family = f.family_spec([("Maya", 10), ("Sam", 15)], avoid=[grief])
    refresh_effective_levels(title_ids=[title.pk])
    facts = load_facts([title.pk])[title.pk]
    for kid in family.children:
        verdict = verdict_for(kid, facts, categories)
        assert verdict.reasons == ["Death and grief is a topic you avoid"]
    own = f.family_spec([("Maya", 10, {}, [music])]).children[0]
    assert verdict_for(own, facts, categories).reasons == ["Music is a topic you avoid"]


def test_the_strictest_rule_fits_only_what_fits_everyone(categories):
    """The family rule is the youngest age, the lowest limits and every avoided topic."""
    grief = f.make_tag(Tag.Kind.TOPIC, "Death and grief")
    rules = [
        FitRule(max_age=12, limits={1: 3, 2: 1}, avoid_topic_ids=frozenset({grief.pk})),
        FitRule(max_age=8, limits={1: 4, 2: 2}, avoid_topic_ids=frozenset({99})),
    ]
    strictest = FitRule.strictest(rules)
    assert strictest.max_age == 8
    assert dict(strictest.limits) == {1: 3, 2: 1}
    assert strictest.avoid_topic_ids == {grief.pk, 99}


def test_a_childs_age_is_the_age_they_turn_this_year():
    """Born this year minus ten: "Maya (10)"."""
    from django.utils import timezone

    kid = ChildSpec(key="s1", nickname="Maya", birth_year=timezone.localdate().year - 10)
    assert kid.age == 10
    assert kid.label == "Maya (10)"


def test_levels_are_stored_one_character_per_category():
    """Levels pack by category id ("-" for none) and read back with their sources."""
    from guidance.accounts.verdicts import COMMUNITY, EXPERT, LevelFact, pack_levels, unpack_levels

    levels = {5: LevelFact(4, EXPERT), 7: LevelFact(0, COMMUNITY), 2: LevelFact(5, EXPERT)}
    packed = pack_levels(levels)
    assert packed == ("-5--4-0", "-e--e-c")
    assert unpack_levels(*packed) == levels
    assert pack_levels({}) == ("", "")


def test_a_concern_added_after_the_last_refresh_is_no_data(categories):
    """A new category's position is past the stored levels: it passes the filter as no data."""
    from movies.models import Title

    title = f.make_title()
    f.make_review(title, age_rating=5)
    refresh_effective_levels(title_ids=[title.pk])
    new = ContentCategory.objects.create(
        name="Scary clowns", slug="scary-clowns", kind="concern", description="Clowns.", order=99
    )
    kid = child(age=10)
    rule = FitRule(max_age=10, limits={**kid.rule(categories).limits, new.pk: 0})
    assert list(Title.objects.fitting(rule)) == [title]
