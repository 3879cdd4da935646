"""
A family as the verdicts and the "fits my family" filter see it, wherever it is kept.

A signed-in parent's family lives in the database (FamilyProfile, Child, CategoryLimit,
AvoidedTopic); a visitor's lives in their session as JSON of the same shape. Both become
a `Family` of `ChildSpec`s here, so the code that judges titles never asks where a family
came from.

What fits a child (`ChildSpec.rule`):

- the title's age rating is at most the child's age (the age they turn this year);
- for each content concern, the title's level is at most the child's limit: the child's
  own limit where the parent set one, else the default for the child's age below; a
  family limit, where set, caps every child's (a house rule beats a child's own limit);
- the title has none of the topics the family or the child avoids.

Positive categories (Positive Messages and the like) are never limits. A category the
title has no level for (no expert grade, too few community levels) is "no data": it is
listed, but does not make the title unfit. A title nobody gave an age has no verdict yet.

Default limits by age (editable per child; "at most" levels 0-5, see /ratings/):

    age band     Violence &   Sex, Romance   Language   Products &   Drinking, Drugs   any other
                 Scariness    & Nudity                  Purchases    & Smoking         concern
    under 5          1            0             0           2             0               1
    5 and 6          2            1             1           2             1               2
    7 to 9           3            1             1           3             2               2
    10 to 12         3            2             3           3             2               3
    13 to 15         4            3             3           4             3               4
    16 and up        5            4             5           5             4               5

They follow what our reviewers rate suitable at the top of each band (a 7-year-old can
watch a film we rate 7+ with a fair amount of peril), so that with the defaults untouched
a verdict rarely disagrees with our age rating; a parent tightens them for a child who
scares easily.
"""

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.db.models.lookups import In
from django.utils import timezone

from guidance.ratings.models import MAX_LEVEL

logger = logging.getLogger(__name__)

FACTS_VERSION_KEY = "family:facts-version"
SESSION_KEY = "family"
SESSION_VERSION = 1
EVERYONE = "family"

# (youngest age in the band, its name) in order; the last band has no upper end.
AGE_BANDS = [
    (0, "under 5"),
    (5, "5 and 6"),
    (7, "7 to 9"),
    (10, "10 to 12"),
    (13, "13 to 15"),
    (16, "16 and up"),
]
# Category slug -> the default "at most" level for each band above, in the same order.
DEFAULT_LIMITS = {
    "violence-scariness": (1, 2, 3, 3, 4, 5),
    "sex-romance-nudity": (0, 1, 1, 2, 3, 4),
    "language": (0, 1, 1, 3, 3, 5),
    "products-purchases": (2, 2, 3, 3, 4, 5),
    "drinking-drugs-smoking": (0, 1, 2, 2, 3, 4),
}
# A concern editors add later, whose slug the table does not know.
OTHER_CONCERN_LIMITS = (1, 2, 2, 3, 4, 5)


def facts_version() -> str:
    """
    The version of the stored effective levels, kept in the shared cache and renewed by
    every refresh (guidance.accounts.services), so that caches keyed on it expire.
    """
    try:
        version = cache.get(FACTS_VERSION_KEY)
        if version is None:
            cache.add(FACTS_VERSION_KEY, str(time.time_ns()), None)
            version = cache.get(FACTS_VERSION_KEY, "")
        return version
    except Exception:  # the cache is down: nothing can be cached against it anyway
        return "no-cache"


def new_facts_version() -> None:
    try:
        cache.set(FACTS_VERSION_KEY, str(time.time_ns()), None)
    except Exception:
        logger.warning("Could not renew the family facts version in the cache.", exc_info=True)


def age_band(age: int) -> int:
    """Return the index in AGE_BANDS of the band `age` falls in."""
    index = 0
    for position, (youngest, _name) in enumerate(AGE_BANDS):
        if age >= youngest:
            index = position
    return index


def default_limit(age: int, slug: str) -> int:
    """The default "at most" level of a concern for a child of `age`."""
    return DEFAULT_LIMITS.get(slug, OTHER_CONCERN_LIMITS)[age_band(age)]


def age_this_year(birth_year: int) -> int:
    return timezone.localdate().year - birth_year


@dataclass(frozen=True)
class FitRule:
    """What fitting means, as numbers: the oldest age rating, limits and avoided topics."""

    max_age: int
    limits: Mapping[int, int]  # concern category id -> the most allowed (0-5)
    avoid_topic_ids: frozenset = frozenset()

    @classmethod
    def strictest(cls, rules: Iterable["FitRule"]) -> "FitRule":
        """The rule a title must pass to fit every one of `rules` (the youngest, lowest)."""
        rules = list(rules)
        limits = {}
        for rule in rules:
            for category_id, level in rule.limits.items():
                limits[category_id] = min(level, limits.get(category_id, MAX_LEVEL))
        return cls(
            max_age=min(rule.max_age for rule in rules),
            limits=limits,
            avoid_topic_ids=frozenset().union(*(rule.avoid_topic_ids for rule in rules)),
        )

    def cache_key(self) -> str:
        """
        A key for results computed with this rule (browse caches its facet counts): the
        rule's numbers and the version of the stored levels it reads.
        """
        limits = ",".join(f"{k}:{v}" for k, v in sorted(self.limits.items()))
        avoid = ",".join(str(tag_id) for tag_id in sorted(self.avoid_topic_ids))
        return f"fits:{facts_version()}:{self.max_age}:{limits}:{avoid}"

    def as_q(self) -> Q:
        """
        The condition on movies.Title for titles that fit, as EXISTS subqueries.

        It reads the stored EffectiveFacts: the age, and for each limit the character at
        the category's position in `levels`, which must not be a level over the limit
        ("-", no data, passes). Every limit is tested on one row per title.
        """
        from guidance.accounts.models import EffectiveFacts
        from movies.models import Title

        facts = EffectiveFacts.objects.filter(title_id=OuterRef("pk"), age__lte=self.max_age)
        for category_id, level in sorted(self.limits.items()):
            if level < MAX_LEVEL:
                over = [str(higher) for higher in range(level + 1, MAX_LEVEL + 1)]
                facts = facts.exclude(In(Substr("levels", category_id, 1), over))
        condition = Q(Exists(facts))
        if self.avoid_topic_ids:
            tagged = Title.tags.through.objects.filter(
                title_id=OuterRef("pk"), tag_id__in=sorted(self.avoid_topic_ids)
            )
            condition &= ~Q(Exists(tagged))
        return condition


@dataclass(frozen=True)
class ChildSpec:
    """One child as a verdict needs them: who, how old, and their limits."""

    key: str  # a database id, or "s1", "s2"... for a child kept in the session
    nickname: str
    birth_year: int
    own_limits: Mapping[int, int] = field(default_factory=dict)
    family_limits: Mapping[int, int] = field(default_factory=dict)
    own_avoid_topic_ids: frozenset = frozenset()
    family_avoid_topic_ids: frozenset = frozenset()

    @property
    def age(self) -> int:
        return max(0, age_this_year(self.birth_year))

    @property
    def label(self) -> str:
        """The child as verdicts name them: "Maya (10)"."""
        return f"{self.nickname} ({self.age})"

    @property
    def avoid_topic_ids(self) -> frozenset:
        return self.own_avoid_topic_ids | self.family_avoid_topic_ids

    def limit_for(self, category) -> int:
        """The most of a concern (a ContentCategory) that fits this child."""
        own = self.own_limits.get(category.pk)
        limit = own if own is not None else default_limit(self.age, category.slug)
        cap = self.family_limits.get(category.pk)
        return limit if cap is None else min(limit, cap)

    def limit_source(self, category) -> str:
        """Say where the limit for a category comes from: "family", "own" or "age"."""
        own = self.own_limits.get(category.pk)
        base = own if own is not None else default_limit(self.age, category.slug)
        cap = self.family_limits.get(category.pk)
        if cap is not None and cap < base:
            return "family"
        return "own" if own is not None else "age"

    def rule(self, categories) -> FitRule:
        """This child's FitRule over `categories` (ContentCategory rows; concerns count)."""
        return FitRule(
            max_age=self.age,
            limits={c.pk: self.limit_for(c) for c in categories if c.is_concern},
            avoid_topic_ids=self.avoid_topic_ids,
        )


@dataclass
class Family:
    """A family's children and its own limits, from an account or from a session."""

    children: list
    limits: dict = field(default_factory=dict)  # family caps: category id -> level
    avoid_topic_ids: frozenset = frozenset()
    stored_in: str = "session"  # or "account"

    def __bool__(self):
        return bool(self.children)

    def child(self, key):
        return next((child for child in self.children if child.key == key), None)

    def rule(self, categories, key=EVERYONE) -> FitRule | None:
        """The rule for one child (by key), or for every child at once; None if unknown."""
        if key == EVERYONE:
            return FitRule.strictest(child.rule(categories) for child in self.children)
        child = self.child(key)
        return child.rule(categories) if child else None

    def choices(self):
        """
        (value, label) for the browse filter: every child together, then each child; a
        family of one offers just that child (and reads "family" as them, see `key_for`).
        """
        if len(self.children) == 1:
            return [(self.children[0].key, f"Fits {self.children[0].label}")]
        return [(EVERYONE, "Fits all my children")] + [
            (child.key, f"Fits {child.label}") for child in self.children
        ]

    def key_for(self, value):
        """The filter value as the page shows it: "family" is the only child of one."""
        if value == EVERYONE and len(self.children) == 1:
            return self.children[0].key
        return value

    def describe(self, key) -> str:
        if key == EVERYONE:
            return "Fits all my children"
        child = self.child(key)
        return f"Fits {child.label}" if child else ""

    def to_session(self) -> dict:
        """The JSON kept in a visitor's session (ids as strings, like JSON keys are)."""
        return {
            "v": SESSION_VERSION,
            "limits": {str(k): v for k, v in sorted(self.limits.items())},
            "avoid": sorted(self.avoid_topic_ids),
            "children": [
                {
                    "nickname": child.nickname,
                    "birth_year": child.birth_year,
                    "limits": {str(k): v for k, v in sorted(child.own_limits.items())},
                    "avoid": sorted(child.own_avoid_topic_ids),
                }
                for child in self.children
            ],
        }


def build_family(*, children, limits=None, avoid_topic_ids=(), stored_in="session") -> Family:
    """
    Make a Family from plain data: `children` are dicts with key, nickname, birth_year,
    limits ({category id: level}) and avoid (topic ids).
    """
    limits = dict(limits or {})
    avoid = frozenset(avoid_topic_ids)
    specs = [
        ChildSpec(
            key=str(child["key"]),
            nickname=child["nickname"],
            birth_year=child["birth_year"],
            own_limits=dict(child.get("limits") or {}),
            family_limits=limits,
            own_avoid_topic_ids=frozenset(child.get("avoid") or ()),
            family_avoid_topic_ids=avoid,
        )
        for child in children
    ]
    return Family(children=specs, limits=limits, avoid_topic_ids=avoid, stored_in=stored_in)


def _levels(raw) -> dict:
    """Read {"<id>": level} from session JSON, dropping anything malformed."""
    levels = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if str(key).isdigit() and isinstance(value, int) and 0 <= value <= MAX_LEVEL:
                levels[int(key)] = value
    return levels


def _ids(raw) -> list:
    return [value for value in raw if isinstance(value, int)] if isinstance(raw, list) else []


def family_from_session(data) -> Family | None:
    """Read a session's family; anything malformed is dropped rather than trusted."""
    if not isinstance(data, dict) or data.get("v") != SESSION_VERSION:
        return None
    children = []
    for position, raw in enumerate(data.get("children") or [], start=1):
        if not isinstance(raw, dict):
            continue
        nickname, birth_year = raw.get("nickname"), raw.get("birth_year")
        if not isinstance(nickname, str) or not nickname or not isinstance(birth_year, int):
            continue
        children.append(
            {
                "key": f"s{position}",
                "nickname": nickname,
                "birth_year": birth_year,
                "limits": _levels(raw.get("limits")),
                "avoid": _ids(raw.get("avoid")),
            }
        )
    family = build_family(
        children=children,
        limits=_levels(data.get("limits")),
        avoid_topic_ids=_ids(data.get("avoid")),
    )
    return family if family else None


def family_of_user(user) -> Family | None:
    """
    Read a signed-in person's family from the database: one query when they have no
    children on file, three when they do (children, limits, avoided topics).
    """
    from guidance.accounts.models import Child

    children = list(
        Child.objects.filter(profile__user_id=user.pk).values(
            "pk", "profile_id", "nickname", "birth_year"
        )
    )
    if not children:
        return None
    return _assemble(children, profile_id=children[0]["profile_id"])


def families_of_users(user_ids) -> dict:
    """{user id: Family} for every one of `user_ids` with children, in four queries."""
    from guidance.accounts.models import Child

    rows = Child.objects.filter(profile__user_id__in=list(user_ids)).values(
        "pk", "profile_id", "profile__user_id", "nickname", "birth_year"
    )
    by_profile = {}
    for row in rows:
        by_profile.setdefault(row["profile_id"], []).append(row)
    if not by_profile:
        return {}
    assembled = _assemble_many(by_profile)
    return {
        children[0]["profile__user_id"]: assembled[profile_id]
        for profile_id, children in by_profile.items()
    }


def _assemble(children, *, profile_id) -> Family:
    return _assemble_many({profile_id: children})[profile_id]


def _assemble_many(children_by_profile) -> dict:
    from guidance.accounts.models import AvoidedTopic, CategoryLimit

    profile_ids = list(children_by_profile)
    child_profile = {
        child["pk"]: profile_id
        for profile_id, children in children_by_profile.items()
        for child in children
    }
    family_limits = {pid: {} for pid in profile_ids}
    child_limits = {cid: {} for cid in child_profile}
    for profile_id, child_id, category_id, level in CategoryLimit.objects.filter(
        Q(profile_id__in=profile_ids) | Q(child_id__in=list(child_profile))
    ).values_list("profile_id", "child_id", "category_id", "max_level"):
        target = child_limits[child_id] if child_id else family_limits[profile_id]
        target[category_id] = level
    family_avoid = {pid: set() for pid in profile_ids}
    child_avoid = {cid: set() for cid in child_profile}
    for profile_id, child_id, tag_id in AvoidedTopic.objects.filter(
        Q(profile_id__in=profile_ids) | Q(child_id__in=list(child_profile))
    ).values_list("profile_id", "child_id", "tag_id"):
        (child_avoid[child_id] if child_id else family_avoid[profile_id]).add(tag_id)
    return {
        profile_id: build_family(
            children=[
                {
                    "key": child["pk"],
                    "nickname": child["nickname"],
                    "birth_year": child["birth_year"],
                    "limits": child_limits[child["pk"]],
                    "avoid": child_avoid[child["pk"]],
                }
                for child in children
            ],
            limits=family_limits[profile_id],
            avoid_topic_ids=family_avoid[profile_id],
            stored_in="account",
        )
        for profile_id, children in children_by_profile.items()
    }


def family_for_request(request) -> Family | None:
    """
    The family of whoever is asking: their account's when signed in, else their
    session's. Read once per request (kept on the request).
    """
    if hasattr(request, "_family"):
        return request._family
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        family = family_of_user(user)
    else:
        family = family_from_session(request.session.get(SESSION_KEY))
    request._family = family
    return family
