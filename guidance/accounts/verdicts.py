"""
"Does this fit our family?": the facts about a title that a verdict reads, and the verdict.

A title's facts are its age and its level in each content concern, each taken from our
published expert review where it gives one, else from the community (the parents' typical
age; a category's typical level once enough people gave one, as the title page shows it),
plus its topics. `effective_facts` is the one place that makes that choice: the title
page applies it to what it already loaded, and `refresh_effective_levels` stores its
result in EffectiveFacts for the browse filter and the newsletter, so a verdict and the
filter never disagree.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from guidance.accounts.family import ChildSpec

EXPERT, COMMUNITY = "expert", "community"
FITS, NOT_FOR, UNKNOWN = "fits", "not-for", "unknown"


@dataclass(frozen=True)
class LevelFact:
    level: int
    source: str  # EXPERT or COMMUNITY


@dataclass
class TitleFacts:
    """What a verdict knows about one title."""

    age: int | None = None
    age_source: str = ""
    levels: dict = field(default_factory=dict)  # concern category id -> LevelFact
    topics: dict = field(default_factory=dict)  # topic tag id -> name


def effective_facts(
    *,
    expert_age: int | None,
    expert_levels: Mapping[int, int],
    parent_age: int | None,
    community_levels: Mapping[str, dict],
    concern_ids: Iterable[int],
    min_reviews: int,
) -> TitleFacts:
    """
    Choose each fact's source: the expert where they said, else the community.

    `expert_age` and `expert_levels` come from a published expert review only (None and
    {} without one); `parent_age` and `community_levels` from the title's ReviewSummary
    (`levels` as stored there); a community level counts once `min_reviews` people gave one.
    """
    levels = {}
    for category_id in concern_ids:
        if category_id in expert_levels:
            levels[category_id] = LevelFact(expert_levels[category_id], EXPERT)
            continue
        entry = community_levels.get(str(category_id)) or {}
        if entry.get("level") is not None and entry.get("count", 0) >= min_reviews:
            levels[category_id] = LevelFact(entry["level"], COMMUNITY)
    if expert_age is not None:
        age, source = expert_age, EXPERT
    elif parent_age is not None:
        age, source = parent_age, COMMUNITY
    else:
        age, source = None, ""
    return TitleFacts(age=age, age_source=source, levels=levels)


def community_min_reviews() -> int:
    from guidance.reviews.services import level_min_reviews

    return level_min_reviews()


def facts_for_title(title, *, review, summary, categories) -> TitleFacts:
    """
    A title page's facts, from what the page already loaded: the expert review with its
    grades (pass None unless it is published), the community summary (or None), the
    title's prefetched tags and the content categories.
    """
    expert_levels = {}
    if review is not None:
        expert_levels = {grade.category_id: grade.level for grade in review.grades.all()}
    facts = effective_facts(
        expert_age=review.age_rating if review is not None else None,
        expert_levels=expert_levels,
        parent_age=summary.parent_age if summary is not None and summary.parent_count else None,
        community_levels=summary.levels if summary is not None else {},
        concern_ids=[category.pk for category in categories if category.is_concern],
        min_reviews=community_min_reviews(),
    )
    facts.topics = {tag.pk: tag.name for tag in title.topics}
    return facts


NO_DATA = "-"
SOURCE_CODES = {EXPERT: "e", COMMUNITY: "c"}


def pack_levels(levels: Mapping[int, LevelFact]) -> tuple[str, str]:
    """
    Write levels as EffectiveFacts stores them: one character per category at the
    position of its id ("0"-"5", "-" for none), and their sources likewise ("e", "c").
    """
    if not levels:
        return "", ""
    size = max(levels)
    chars, sources = [NO_DATA] * size, [NO_DATA] * size
    for category_id, fact in levels.items():
        chars[category_id - 1] = str(fact.level)
        sources[category_id - 1] = SOURCE_CODES[fact.source]
    return "".join(chars), "".join(sources)


def unpack_levels(levels: str, sources: str) -> dict:
    """Read back what pack_levels wrote: {category id: LevelFact}."""
    by_code = {code: source for source, code in SOURCE_CODES.items()}
    return {
        position: LevelFact(int(char), by_code.get(code, EXPERT))
        for position, (char, code) in enumerate(zip(levels, sources, strict=False), start=1)
        if char.isdigit()
    }


def load_facts(title_ids) -> dict:
    """{title id: TitleFacts} from the stored effective facts: two queries in all."""
    from guidance.accounts.models import EffectiveFacts
    from movies.models import Tag, Title

    title_ids = list(title_ids)
    facts = {title_id: TitleFacts() for title_id in title_ids}
    for row in EffectiveFacts.objects.filter(title_id__in=title_ids):
        facts[row.title_id] = TitleFacts(
            age=row.age,
            age_source=row.age_source if row.age is not None else "",
            levels=unpack_levels(row.levels, row.sources),
        )
    for title_id, tag_id, name in Title.tags.through.objects.filter(
        title_id__in=title_ids, tag__kind=Tag.Kind.TOPIC
    ).values_list("title_id", "tag_id", "tag__name"):
        facts[title_id].topics[tag_id] = name
    return facts


@dataclass
class Check:
    """One line of "how we checked": age, a category or a topic, and how it came out."""

    label: str
    outcome: str  # "ok", "over" or "no data"
    text: str


@dataclass
class Verdict:
    child: ChildSpec
    status: str
    reasons: list = field(default_factory=list)  # why not, in words
    gaps: list = field(default_factory=list)  # categories without data
    checks: list = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.status == FITS

    @property
    def headline(self) -> str:
        label = self.child.label
        if self.status == FITS:
            return f"Fits {label}"
        if self.status == NOT_FOR:
            return f"Not for {label}"
        return f"Can't tell yet for {label}"

    @property
    def sentence(self) -> str:
        """The whole verdict on one line: "Not for Maya (10): age 13+; Language 3 > ..."."""
        if self.status == NOT_FOR:
            return f"{self.headline}: {'; '.join(self.reasons)}"
        return self.headline


def _marked(fact: LevelFact) -> str:
    return f"{fact.level} (community)" if fact.source == COMMUNITY else str(fact.level)


def verdict_for(child: ChildSpec, facts: TitleFacts, categories) -> Verdict:
    """
    Judge one title for one child: age, then each content concern (in the grid's order),
    then the avoided topics. No data in a category is listed but never held against a
    title; a title nobody gave an age gets no verdict ("can't tell yet") unless something
    else already rules it out.
    """
    verdict = Verdict(child=child, status=FITS)
    if facts.age is None:
        verdict.checks.append(Check("Age", "no data", "No age rating yet"))
    else:
        shown = f"age {facts.age}+" + (" (parents say)" if facts.age_source == COMMUNITY else "")
        if facts.age > child.age:
            verdict.reasons.append(shown)
            verdict.checks.append(Check("Age", "over", f"{shown}, older than {child.age}"))
        else:
            verdict.checks.append(Check("Age", "ok", f"{shown}, within {child.age}"))
    for category in categories:
        if not category.is_concern:
            continue
        limit = child.limit_for(category)
        fact = facts.levels.get(category.pk)
        if fact is None:
            verdict.gaps.append(category.name)
            verdict.checks.append(Check(category.name, "no data", f"no data (limit {limit})"))
        elif fact.level > limit:
            text = f"{category.name} {_marked(fact)} > your limit {limit}"
            verdict.reasons.append(text)
            verdict.checks.append(Check(category.name, "over", f"{_marked(fact)} > {limit}"))
        else:
            verdict.checks.append(Check(category.name, "ok", f"{_marked(fact)} ≤ {limit}"))
    for tag_id in sorted(child.avoid_topic_ids & facts.topics.keys(), key=facts.topics.get):
        name = facts.topics[tag_id]
        verdict.reasons.append(f"{name} is a topic you avoid")
        verdict.checks.append(Check("Topic", "over", f"{name} (you avoid it)"))
    if verdict.reasons:
        verdict.status = NOT_FOR
    elif facts.age is None:
        verdict.status = UNKNOWN
    return verdict


def family_verdicts(family, facts: TitleFacts, categories) -> list:
    """One verdict per child of `family`, in the family's order."""
    categories = sorted(categories, key=lambda c: (c.order, c.name))
    return [verdict_for(child, facts, categories) for child in family.children]


def verdicts_for_title_page(*, request, title, review, summary):
    """
    The title page's verdict for each child of the visitor's family, or None without a
    family. Reads what the page loaded (review with grades, community summary, tags);
    adds the family (none to three queries) and the content categories (one).
    """
    from guidance.accounts.family import family_for_request
    from guidance.ratings.models import ContentCategory

    family = family_for_request(request)
    if not family:
        return None
    categories = list(ContentCategory.objects.filter(kind=ContentCategory.Kind.CONCERN))
    facts = facts_for_title(title, review=review, summary=summary, categories=categories)
    return family_verdicts(family, facts, categories)


def add_card_verdicts(family, titles, categories) -> None:
    """
    Give each title card its family verdicts (`title.family_verdicts`), from the stored
    effective facts of all the cards at once: two queries, none without a family.
    """
    if not family:
        return
    titles = list(titles)
    facts = load_facts(title.pk for title in titles)
    ordered = sorted((c for c in categories if c.is_concern), key=lambda c: (c.order, c.name))
    for title in titles:
        title.family_verdicts = family_verdicts(family, facts[title.pk], ordered)
