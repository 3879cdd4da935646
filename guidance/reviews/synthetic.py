"""
A synthetic community at scale, for development databases and `make bench`.

`generate_community` fills a catalog (usually the imported bokeh films) with what a busy
site would have: accounts of parents and kids, expert reviews with a full grid for a share
of the titles, community reviews, helpful votes, reports and the moderators' decisions on
them. Everything is drawn from one seeded random generator, so the same options on the
same catalog give the same community.

How it is shaped:
- Popularity follows a power law over a random order of the titles that favours family
  ratings (G, PG, PG-13) and later years: with the default skew of 1.5 the most popular
  title gets about 2.6% of all reviews and the long tail one or two, or none.
- A review's age and stars scatter around the title's own (hidden) age and quality; kids
  give slightly younger ages than parents. A share of reviewers give their own levels.
- About 1.3% of reviews are reported by 3-5 people (and hidden automatically), and 1%
  by one or two. Moderators decide within ten days (`moderator_lag_days`): most of the
  log is decisions (removed, restored, kept), and what was reported lately waits in the
  queue, as on a site whose moderators keep up.

It writes with bulk inserts (a batch per transaction) and goes around the services, so it
ends by rebuilding every aggregate the services would have kept (review summaries, title
ratings, family facts): `check_community` verifies they match. It refuses to run twice on
one database: generated accounts are recognised by their email domain.
"""

import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from guidance.moderation.models import (
    USER_REASONS,
    ModerationAction,
    Reason,
    Report,
    ReporterStats,
)
from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from guidance.reviews.models import CommunityLevel, CommunityReview, HelpfulVote
from guidance.reviews.services import recompute_all_aggregates
from movies.models import Credit, Tag, Title

GENERATED_DOMAIN = "generated.example.org"

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(frozen=True)
class Plan:
    """How big a community to generate, and its shape."""

    reviews: int = 1_000_000
    users: int | None = None  # default: one account for every 8 reviews (at least 200)
    kid_share: float = 0.2
    expert_share: float = 0.25
    skew: float = 1.5
    votes_per_review: float = 0.6
    report_share: float = 0.01
    level_share: float = 0.2
    moderator_lag_days: float = 10.0
    seed: int = 1
    batch_size: int = 5000

    @property
    def user_count(self) -> int:
        return self.users if self.users is not None else max(200, self.reviews // 8)


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


class AlreadyGenerated(Exception):
    """This database already holds a generated community."""


def generated_users():
    return get_user_model().objects.filter(email__endswith="@" + GENERATED_DOMAIN)


# Words ------------------------------------------------------------------------------------

_NAMES = (
    "Maya Sam Priya Jordan Alex Chen Fatima Lucas Grace Omar Nina Diego Hana Ben Aisha Tom "
    "Lena Marco Yuki Ruth Kofi Elena Ravi Sofia Jamal Ingrid Mateo Leila Owen Zara Pablo "
    "Mei Noah Amara Felix Rosa Idris Clara Hugo Anya Kai Lucia Theo Imani Jonas Esme"
)
FIRST_NAMES = tuple(_NAMES.split())
PARENT_STYLES = ("{first} {initial}.", "{first}'s mom", "{first}'s dad", "Parent of {n}")
KID_WORDS_A = ("Speedy", "Quiet", "Brave", "Sleepy", "Lucky", "Clever", "Sunny", "Stormy")
KID_WORDS_B = ("Otter", "Falcon", "Panda", "Comet", "Fox", "Turtle", "Badger", "Lynx")

# What a level means in each category, in our own words for the grid's notes.
GRID_NOTES = {
    "educational-value": [
        "Not much to learn here; it is there to entertain.",
        "A few facts in passing, nothing a kid will remember.",
        "Touches on history or science now and then.",
        "Curious kids will pick up real history or science along the way.",
        "Teaches a good deal about its subject, clearly.",
        "A lesson in itself: kids come away knowing much more.",
    ],
    "positive-messages": [
        "No message worth the name.",
        "Any message is buried under the action.",
        "Friendship and honesty get their moment.",
        "Clear messages about loyalty, courage and owning up to mistakes.",
        "Kindness and perseverance are at its heart.",
        "Everything in it points to empathy, courage and doing right.",
    ],
    "positive-role-models": [
        "Nobody here is worth copying.",
        "The heroes mostly look out for themselves.",
        "The lead has flaws but learns from them.",
        "Main characters are brave and loyal, if not perfect.",
        "Characters kids can look up to, who treat others well.",
        "Admirable people throughout, who own their choices.",
    ],
    "diverse-representations": [
        "A cast of one kind of person, telling one kind of story.",
        "Almost every major role goes to the same kind of character.",
        "Some variety in the cast, mostly in supporting roles.",
        "A varied cast, several of them with real stories of their own.",
        "Characters of many backgrounds, none reduced to a type.",
        "Broad, thoughtful representation in front of the camera and in the story.",
    ],
    "violence-scariness": [
        "No violence or scary moments.",
        "Slapstick bumps and a moment or two of mild peril.",
        "Some peril and fighting, mostly quick and bloodless.",
        "Fights, chases and injuries; a character dies, not in close-up.",
        "Frequent, realistic violence with blood, and several deaths.",
        "Brutal, graphic violence, shown up close.",
    ],
    "sex-romance-nudity": [
        "Nothing romantic beyond a hug.",
        "A crush and a quick kiss.",
        "Some kissing and flirting; innuendo that goes over young heads.",
        "Couples in bed, implied sex, brief partial nudity.",
        "Sex scenes with movement and sound, some nudity.",
        "Explicit sex and full nudity.",
    ],
    "language": [
        "No bad language.",
        "Insults like \u201cstupid\u201d and \u201cshut up\u201d.",
        "Mild swearing now and then.",
        "Regular swearing, including a few strong words.",
        "Strong language throughout.",
        "Constant profanity, including slurs.",
    ],
    "products-purchases": [
        "No brands to speak of.",
        "A logo or two in the background.",
        "Some visible brands, never the point.",
        "Brands are noticeable, and the film has its own toys.",
        "Product placement throughout.",
        "It often plays like an advertisement.",
    ],
    "drinking-drugs-smoking": [
        "None.",
        "Adults hold a glass of wine at dinner.",
        "Social drinking, a cigarette or two.",
        "Characters get drunk; smoking is common.",
        "Drug use is shown, along with heavy drinking.",
        "Drug use and addiction are central and shown in detail.",
    ],
}

# The concern levels a title's MPAA rating suggests, before its genres and chance move them.
MPAA_LEVELS = {
    "G": {"violence-scariness": 1, "language": 0, "sex-romance-nudity": 0},
    "PG": {"violence-scariness": 2, "language": 1, "sex-romance-nudity": 1},
    "PG-13": {"violence-scariness": 3, "language": 3, "sex-romance-nudity": 2},
    "R": {"violence-scariness": 4, "language": 4, "sex-romance-nudity": 3},
    "NC-17": {"violence-scariness": 4, "language": 4, "sex-romance-nudity": 5},
}
GENRE_NUDGES = {
    "Horror": {"violence-scariness": 2},
    "Thriller": {"violence-scariness": 1},
    "War": {"violence-scariness": 1},
    "Crime": {"violence-scariness": 1, "drinking-drugs-smoking": 1},
    "Action": {"violence-scariness": 1},
    "Romance": {"sex-romance-nudity": 1},
    "Animation": {"violence-scariness": -1, "language": -1, "sex-romance-nudity": -1},
    "Family": {"violence-scariness": -1, "language": -1, "sex-romance-nudity": -1},
    "Documentary": {"educational-value": 2},
    "History": {"educational-value": 2},
    "Biography": {"educational-value": 1},
}
AGE_BY_TOP_LEVEL = [3, 5, 8, 11, 14, 17]
MPAA_MIN_AGE = {"R": 15, "NC-17": 18, "PG-13": 10}
FAMILY_RATINGS = {"G", "PG", "PG-13"}

CONCERN_WORDS = {
    "violence-scariness": ("the violence", "the scariness", "the fighting"),
    "sex-romance-nudity": ("the sexual content", "the romance", "the nudity"),
    "language": ("the language", "the swearing"),
    "drinking-drugs-smoking": ("the drinking", "the drug use"),
    "products-purchases": ("the product placement",),
}

HEADLINES = {
    "high": (
        "A family favourite",
        "We loved it",
        "Worth every minute",
        "Great for movie night",
        "One of the best we have seen",
        "My kids asked to watch it again",
        "Smart, funny and kind",
    ),
    "mid": (
        "Good, with a few things to know",
        "Fine, but not for everyone",
        "Some great moments, some slow ones",
        "OK for older kids",
        "Better than I expected",
        "Mixed feelings",
    ),
    "low": (
        "Not for us",
        "Skip this one",
        "Too much for my kids",
        "Disappointing",
        "Slow and forgettable",
        "Would not watch again",
    ),
}
OPENINGS = {
    "high": (
        "We watched {name} as a family and everyone enjoyed it.",
        "{name} is a real treat, and it holds up well.",
        "I did not expect much from {name}, but it won us over.",
        "This was a hit in our house from start to finish.",
    ),
    "mid": (
        "{name} has some good moments, but it drags in the middle.",
        "We had mixed feelings about {name}.",
        "Parts of {name} work well and parts don't.",
        "It was fine, though not as good as people say.",
    ),
    "low": (
        "{name} was a disappointment for us.",
        "We turned {name} off halfway through.",
        "I can't recommend {name}, even for older kids.",
        "The story of {name} never really gets going.",
    ),
}
KID_OPENINGS = {
    "high": ("I really liked {name}.", "{name} is one of my favourites.", "This was so good."),
    "mid": ("{name} was OK.", "Some parts were boring but the ending was good."),
    "low": ("I didn't like {name} much.", "{name} was boring for me."),
}
CONCERN_SENTENCES = {
    "high": (
        "Parents should know about {concern} before pressing play.",
        "The main thing to think about is {concern}.",
        "{Concern} was more than I expected.",
    ),
    "low": (
        "{Concern} is mild for a film like this.",
        "{Concern} was never a problem for us.",
    ),
}
CLOSINGS = (
    "I'd say {age} and up.",
    "Fine for kids of {age} and older, in my opinion.",
    "Younger kids may need someone to talk it through with them.",
    "Worth watching together and talking about afterwards.",
    "Our {age}-year-old was fine with it.",
)
KID_CLOSINGS = (
    "I think kids {age} and up would be fine.",
    "My friends liked it too.",
    "Don't watch it if you scare easily.",
)
GOOD_WORDS = ("gripping", "warm", "clever", "uneven", "well-made", "ambitious", "funny", "tense")
DISCUSSION = (
    "How did the main character change from the beginning to the end?",
    "Which scenes felt most real to you, and why?",
    "Why do you think the filmmakers showed {concern} the way they did?",
    "Who would you most like to be friends with, and why?",
    "What would you have done differently in the hero's place?",
    "How does this film compare with others in the same genre?",
)


# The generator --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A reported review: how many reported it, when, and what moderation decided."""

    people: int
    heavy: bool  # reported by enough people to be hidden automatically
    when: object
    decided: object
    outcome: str  # "waiting", "removed", "restored" or "kept"
    status: str


@dataclass
class TitleFacts:
    pk: int
    name: str
    year: int | None
    mpaa: str
    genres: list[str]
    director: str
    levels: dict[str, int] = field(default_factory=dict)
    age: int = 10
    quality: float = 3.4


class Generator:
    """Generate a community into the current database (see the module's docstring)."""

    def __init__(self, plan: Plan, progress: Progress | None = None):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.progress = progress or (lambda step, done, total: None)
        self.now = timezone.now()
        self.result = Result()

    # The catalog and its hidden facts ---------------------------------------------------

    def load_titles(self) -> list[TitleFacts]:
        genres = defaultdict(list)
        through = Title.tags.through.objects.filter(tag__kind=Tag.Kind.GENRE)
        for title_id, name in through.values_list("title_id", "tag__name").order_by("pk"):
            genres[title_id].append(name)
        directors = {}
        credits = Credit.objects.filter(role=Credit.Role.DIRECTOR).order_by("order", "pk")
        for title_id, name in credits.values_list("title_id", "person__name"):
            directors.setdefault(title_id, name)
        titles = [
            TitleFacts(pk, name, year, mpaa or "", genres[pk], directors.get(pk, ""))
            for pk, name, year, mpaa in Title.objects.published()
            .order_by("pk")
            .values_list("pk", "name", "year", "mpaa_rating")
        ]
        for facts in titles:
            self.imagine(facts)
        return titles

    def imagine(self, facts: TitleFacts) -> None:
        """Give a title the levels, age and quality its reviews will scatter around."""
        rng = self.rng
        base = MPAA_LEVELS.get(facts.mpaa)
        if base is None:  # unrated: anything from a cartoon to a horror film
            base = rng.choice(list(MPAA_LEVELS.values()))
        levels = {
            "violence-scariness": base["violence-scariness"],
            "sex-romance-nudity": base["sex-romance-nudity"],
            "language": base["language"],
            "products-purchases": rng.choice([0, 1, 1, 2]),
            "drinking-drugs-smoking": max(0, base["language"] - rng.choice([1, 2])),
            "educational-value": rng.choice([0, 1, 1, 2]),
            "positive-messages": rng.choice([1, 2, 3, 3, 4]),
            "positive-role-models": rng.choice([1, 2, 3, 3, 4]),
            "diverse-representations": rng.choice([1, 2, 2, 3, 4]),
        }
        for genre in facts.genres:
            for slug, step in GENRE_NUDGES.get(genre, {}).items():
                levels[slug] += step
        for slug in levels:
            if rng.random() < 0.3:
                levels[slug] += rng.choice([-1, 1])
            levels[slug] = min(5, max(0, levels[slug]))
        facts.levels = levels
        top = max(levels[slug] for slug in CONCERN_WORDS if slug != "products-purchases")
        age = AGE_BY_TOP_LEVEL[top] + rng.choice([-1, 0, 0, 1])
        facts.age = min(18, max(2, age, MPAA_MIN_AGE.get(facts.mpaa, 2)))
        facts.quality = min(4.8, max(1.2, rng.gauss(3.4, 0.7)))

    def popularity_order(self, titles: list[TitleFacts]) -> list[TitleFacts]:
        """A random order of the titles, weighted towards family ratings and later years."""

        def weight(facts):
            w = 3.0 if facts.mpaa in FAMILY_RATINGS else 2.0 if facts.mpaa else 1.0
            return w * (2.0 if (facts.year or 0) >= 1990 else 1.0)

        # Weighted sampling without replacement (Efraimidis and Spirakis).
        keyed = [(self.rng.random() ** (1.0 / weight(facts)), facts) for facts in titles]
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        return [facts for _, facts in keyed]

    def review_counts(self, count: int, users: int) -> list[int]:
        """How many reviews each title (in popularity order) gets: a power law adding up
        to exactly `self.plan.reviews`, with no title getting more than `users`."""
        # The offset flattens the very top (about 20 at 17,000 titles), so that the first
        # few titles are not each a world apart.
        offset, skew = max(1, count // 850), self.plan.skew
        weights = [(rank + offset) ** -skew for rank in range(count)]
        scale = self.plan.reviews / sum(weights)
        expected = [w * scale for w in weights]
        counts = [min(users, math.floor(e)) for e in expected]
        missing = self.plan.reviews - sum(counts)
        fractions = [e - math.floor(e) for e in expected]
        # Hand out what rounding down left over: by chance, weighted by the fractions
        # (so the tail gets its ones and twos), then from the top down if any is left.
        while missing > 0:
            room = [i for i in range(count) if counts[i] < users]
            if not room:
                raise ValueError("Not enough accounts for that many reviews.")
            picks = self.rng.choices(room, weights=[fractions[i] + 1e-9 for i in room], k=missing)
            for i in picks:
                if missing and counts[i] < users:
                    counts[i] += 1
                    fractions[i] = 0.0
                    missing -= 1
            if missing and all(f == 0.0 for f in fractions):
                fractions = [1.0] * count
        return counts

    # Accounts ---------------------------------------------------------------------------

    def create_accounts(self) -> None:
        User = get_user_model()
        rng, plan = self.rng, self.plan
        total = plan.user_count
        this_year = self.now.year
        self.user_ids, self.user_roles = [], []
        batch = []

        def flush():
            created = User.objects.bulk_create(batch)
            self.user_ids.extend(user.pk for user in created)
            self.user_roles.extend(user.role for user in created)
            batch.clear()
            self.progress("accounts", len(self.user_ids), total)

        for i in range(total):
            kid = rng.random() < plan.kid_share
            if kid:
                name = f"{rng.choice(KID_WORDS_A)}{rng.choice(KID_WORDS_B)}{rng.randint(1, 99)}"
            else:
                name = rng.choice(PARENT_STYLES).format(
                    first=rng.choice(FIRST_NAMES),
                    initial=chr(65 + rng.randrange(26)),
                    n=rng.choice(["two", "three", "four", "a toddler", "teens"]),
                )
            batch.append(
                User(
                    email=f"{'kid' if kid else 'parent'}{i:07d}@{GENERATED_DOMAIN}",
                    display_name=name,
                    role=User.Role.KID if kid else User.Role.PARENT,
                    birth_year=this_year - rng.randint(13, 17) if kid else None,
                    password=f"!{rng.getrandbits(160):040x}",  # unusable: nobody signs in
                    date_joined=self.now - timedelta(days=rng.randint(1100, 1500)),
                )
            )
            if len(batch) >= plan.batch_size:
                flush()
        if batch:
            flush()

        def staff(email, name):
            return User.objects.create(
                email=email,
                display_name=name,
                role=User.Role.STAFF,
                password=f"!{rng.getrandbits(160):040x}",
            )

        self.editors = [
            staff(f"editor{i}@{GENERATED_DOMAIN}", f"{rng.choice(FIRST_NAMES)} (editor)")
            for i in range(5)
        ]
        self.moderator = staff(f"moderator@{GENERATED_DOMAIN}", "Moderation team")
        self.result.counts["accounts"] = total + len(self.editors) + 1

    # Expert reviews ---------------------------------------------------------------------

    def create_expert_reviews(self, ordered: list[TitleFacts]) -> list[int]:
        rng, plan = self.rng, self.plan
        already = set(ExpertReview.objects.values_list("title_id", flat=True))
        candidates = [facts for facts in ordered if facts.pk not in already]
        wanted = min(len(candidates), round(plan.expert_share * len(ordered)))
        top = candidates[: wanted * 2 // 3]
        rest = candidates[len(top) :]
        chosen = top + rng.sample(rest, min(len(rest), wanted - len(top)))
        categories = {c.slug: c.pk for c in ContentCategory.objects.all()}
        done, step = [], 1000
        for start in range(0, len(chosen), step):
            batch = chosen[start : start + step]
            with transaction.atomic():
                reviews = ExpertReview.objects.bulk_create(
                    [self.expert_review(facts) for facts in batch]
                )
                grades = [
                    ContentGrade(
                        review=review,
                        category_id=categories[slug],
                        level=level,
                        note=GRID_NOTES[slug][level],
                    )
                    for review, facts in zip(reviews, batch, strict=True)
                    for slug, level in facts.levels.items()
                    if slug in categories
                ]
                ContentGrade.objects.bulk_create(grades)
            done.extend(review.title_id for review in reviews)
            self.result.counts["grades"] += len(grades)
            self.progress("expert reviews", len(done), len(chosen))
        self.result.counts["expert reviews"] = len(done)
        return done

    def expert_review(self, facts: TitleFacts) -> ExpertReview:
        rng = self.rng
        concerns = sorted(
            (slug for slug in CONCERN_WORDS if facts.levels[slug] >= 3),
            key=lambda slug: -facts.levels[slug],
        )
        concern = rng.choice(CONCERN_WORDS[concerns[0]]) if concerns else "its quieter moments"
        genre = (facts.genres[0] if facts.genres else "drama").lower()
        stars = min(5, max(1, round(facts.quality + rng.gauss(0, 0.4))))
        word = rng.choice(GOOD_WORDS)
        made = f"{facts.year} " if facts.year else ""
        by = f", directed by {facts.director}," if facts.director else ""
        rated = f"rated {facts.mpaa}" if facts.mpaa else "not rated by the MPAA"
        notes = [GRID_NOTES[slug][facts.levels[slug]] for slug in concerns[:2]]
        published_at = self.now - timedelta(days=rng.randint(1, 1100))
        return ExpertReview(
            title_id=facts.pk,
            reviewer=rng.choice(self.editors),
            status=ExpertReview.Status.PUBLISHED,
            age_rating=facts.age,
            stars=stars,
            summary=f"A {word} {genre} best for {facts.age} and up"
            + (f"; mind {concern}." if concerns else "."),
            parents_need_to_know=(
                f"Parents need to know that {facts.name} is a {made}{genre}{by} {rated}. "
                + " ".join(notes)
                + f" We think it suits viewers of {facts.age} and older."
            ),
            story=(
                f"{facts.name} follows its characters through a {word} {genre} story "
                f"that asks what they owe each other when things go wrong."
            ),
            is_it_any_good=(
                f"It is {word}, and {'it mostly works' if stars >= 3 else 'it rarely works'}. "
                f"Families who like {genre}s will find {'plenty' if stars >= 4 else 'something'} "
                f"to talk about."
            ),
            talk_to_your_kids="\n".join(
                question.format(concern=concern) for question in rng.sample(DISCUSSION, 3)
            ),
            published_at=published_at,
            created_at=published_at - timedelta(days=rng.randint(1, 30)),
        )

    # Community reviews, votes and reports ---------------------------------------------------

    def create_reviews(self, ordered: list[TitleFacts]) -> set[int]:
        plan = self.plan
        counts = self.review_counts(len(ordered), len(self.user_ids))
        categories = {c.slug: c.pk for c in ContentCategory.objects.all()}
        self.concern_ids = [
            (slug, categories[slug]) for slug in CONCERN_WORDS if slug in categories
        ]
        pending, reviewed, written = [], set(), 0
        for facts, count in zip(ordered, counts, strict=True):
            if not count:
                continue
            reviewed.add(facts.pk)
            for author in self.rng.sample(range(len(self.user_ids)), count):
                pending.append((facts, author))
            while len(pending) >= plan.batch_size:
                written += self.write_batch(pending[: plan.batch_size])
                del pending[: plan.batch_size]
                self.progress("community reviews", written, plan.reviews)
        if pending:
            written += self.write_batch(pending)
            self.progress("community reviews", written, plan.reviews)
        return reviewed

    def write_batch(self, pairs) -> int:
        rng, plan = self.rng, self.plan
        reviews, extras = [], []
        for facts, author in pairs:
            role = self.user_roles[author]
            kid = role == CommunityReview.Role.KID
            age = round(rng.gauss(facts.age - (1.0 if kid else 0.0), 1.8 if kid else 1.5))
            age = min(18, max(2, age))
            stars = min(5, max(1, round(rng.gauss(facts.quality + (0.3 if kid else 0), 0.9))))
            # Most reviews arrive over three years; a tenth in the last month.
            days = rng.uniform(0, 30) if rng.random() < 0.1 else rng.uniform(0, 1095)
            created = self.now - timedelta(days=days)
            edited = created + timedelta(hours=rng.uniform(2, 72)) if rng.random() < 0.05 else None
            case = self.moderation_case(created)
            status = case.status if case else CommunityReview.Status.PUBLISHED
            headline, body = self.words(facts, kid=kid, age=age, stars=stars)
            review = CommunityReview(
                title_id=facts.pk,
                author_id=self.user_ids[author],
                author_role=role,
                age_rating=age,
                stars=stars,
                headline=headline,
                body=body,
                contains_spoilers=rng.random() < 0.03,
                status=status,
                created_at=created,
                updated_at=min(edited, self.now) if edited else created,
            )
            voters = []
            if status == CommunityReview.Status.PUBLISHED:
                voters = self.others(author, self.vote_count())
                review.helpful_count = len(voters)
            reviews.append(review)
            extras.append((facts, author, voters, case))

        with transaction.atomic():
            reviews = CommunityReview.objects.bulk_create(reviews)
            levels, votes = [], []
            reports, actions = [], []
            for review, (facts, author, voters, case) in zip(reviews, extras, strict=True):
                if rng.random() < plan.level_share:
                    for slug, category_id in rng.sample(self.concern_ids, rng.randint(2, 4)):
                        level = min(5, max(0, facts.levels[slug] + rng.choice([-1, 0, 0, 1])))
                        levels.append(
                            CommunityLevel(review=review, category_id=category_id, level=level)
                        )
                for voter in voters:
                    votes.append(
                        HelpfulVote(
                            review=review,
                            user_id=self.user_ids[voter],
                            created_at=review.created_at
                            + (self.now - review.created_at) * rng.random(),
                        )
                    )
                if case:
                    self.moderate(review, author, case, reports, actions)
            CommunityLevel.objects.bulk_create(levels)
            HelpfulVote.objects.bulk_create(votes)
            Report.objects.bulk_create(reports)
            ModerationAction.objects.bulk_create(actions)
            # report_count counts the open reports of people, as the services keep it.
            open_counts = Counter(
                report.review_id
                for report in reports
                if report.status == Report.Status.OPEN and report.source == Report.Source.USER
            )
            changed = [review for review in reviews if open_counts[review.pk]]
            for review in changed:
                review.report_count = open_counts[review.pk]
            CommunityReview.objects.bulk_update(changed, ["report_count"])
        counts = self.result.counts
        counts["community reviews"] += len(reviews)
        counts["reviewer levels"] += len(levels)
        counts["helpful votes"] += len(votes)
        counts["reports"] += len(reports)
        counts["moderation log entries"] += len(actions)
        return len(reviews)

    def vote_count(self) -> int:
        """Helpful votes on one review: most get none, a few get many (geometric)."""
        mean = self.plan.votes_per_review
        if mean <= 0:
            return 0
        p = 1.0 / (1.0 + mean)
        return min(200, int(math.log(1.0 - self.rng.random()) / math.log(1.0 - p)))

    def others(self, author: int, k: int) -> list[int]:
        """`k` distinct account indexes, none of them `author`."""
        k = min(k, len(self.user_ids) - 1)
        if k <= 0:
            return []
        picked = set()
        while len(picked) < k:
            other = self.rng.randrange(len(self.user_ids))
            if other != author:
                picked.add(other)
        return sorted(picked)

    def moderation_case(self, created) -> "Case | None":
        """Whether a review gets reported, and what moderation has made of it by now.

        About 1.3% are reported by 3-5 people (hidden automatically), and `report_share`
        of the rest by 1-2. Reports come within days of the review; moderators decide
        within `moderator_lag_days`. Decided: a hidden review is removed (60%) or
        restored; a lightly reported one kept (70%) or removed. Not yet decided: it
        waits in the queue, hidden if it reached the auto-hide limit.
        """
        rng, Status = self.rng, CommunityReview.Status
        roll = rng.random()
        if roll < 0.013:
            people, heavy = rng.randint(3, 5), True
        elif roll < 0.013 + self.plan.report_share:
            people, heavy = rng.randint(1, 2), False
        else:
            return None
        when = min(self.now, created + timedelta(days=rng.expovariate(1 / 2)))
        decided = when + timedelta(days=rng.uniform(0.04, self.plan.moderator_lag_days))
        if decided > self.now:
            outcome = "waiting"
            status = Status.HIDDEN if heavy else Status.PUBLISHED
        elif heavy:
            outcome = "removed" if rng.random() < 0.6 else "restored"
        else:
            outcome = "kept" if rng.random() < 0.7 else "removed"
        if outcome != "waiting":
            status = Status.REMOVED if outcome == "removed" else Status.PUBLISHED
        return Case(people, heavy, when, decided, outcome, status)

    def moderate(self, review, author, case, reports, actions) -> None:
        """The reports and moderation log entries of one reported review."""
        rng = self.rng
        weights = [5, 3, 1, 2, 1, 2, 1]  # inappropriate is the most common reason
        reasons = rng.choices(USER_REASONS, weights=weights, k=case.people)
        closed = {
            "removed": Report.Status.UPHELD,
            "kept": Report.Status.DISMISSED,
            "restored": Report.Status.DISMISSED,
        }.get(case.outcome)
        for reporter, reason in zip(self.others(author, case.people), reasons, strict=True):
            reports.append(
                Report(
                    review=review,
                    reporter_id=self.user_ids[reporter],
                    reason=reason,
                    comment="It doesn't belong on a family site." if reason == Reason.OTHER else "",
                    status=closed or Report.Status.OPEN,
                    resolved_by=self.moderator if closed else None,
                    resolved_at=case.decided if closed else None,
                    created_at=case.when,
                    updated_at=case.when,
                )
            )
            self.reporter_stats[self.user_ids[reporter]][closed or "open"] += 1
        top = Counter(reasons).most_common(1)[0][0]

        def log(action, before, after, moderator, at, **extra):
            actions.append(
                ModerationAction(
                    moderator=moderator,
                    action=action,
                    review=review,
                    author_id=review.author_id,
                    title_id=review.title_id,
                    reason=extra.pop("reason", top),
                    status_before=before,
                    status_after=after,
                    headline=review.headline,
                    body=review.body,
                    created_at=at,
                    **extra,
                )
            )

        Action, people = ModerationAction.Action, case.people
        was = "published"
        if case.heavy:
            log(
                Action.AUTO_HIDDEN,
                "published",
                "hidden",
                None,
                case.when,
                reason=Reason.REPORTED if top == Reason.OTHER else top,
                note=f"Reported by {people} people (the limit is 3).",
            )
            was = "hidden"
        if case.outcome == "removed":
            log(
                Action.REMOVED,
                was,
                "removed",
                self.moderator,
                case.decided,
                reports_resolved=people,
            )
        elif case.outcome == "restored":
            log(
                Action.RESTORED,
                was,
                "published",
                self.moderator,
                case.decided,
                reports_resolved=people,
            )
        elif case.outcome == "kept":
            log(
                Action.KEPT, was, "published", self.moderator, case.decided, reports_resolved=people
            )

    def words(self, facts, *, kid: bool, age: int, stars: int) -> tuple[str, str]:
        rng = self.rng
        mood = "high" if stars >= 4 else "mid" if stars == 3 else "low"
        headline = rng.choice(HEADLINES[mood])
        if rng.random() < 0.3:
            headline = f"{headline} ({age}+)"
        opening = rng.choice((KID_OPENINGS if kid else OPENINGS)[mood]).format(name=facts.name)
        slug = max(CONCERN_WORDS, key=lambda s: facts.levels[s] + rng.random())
        concern = rng.choice(CONCERN_WORDS[slug])
        sentences = [opening]
        if rng.random() < 0.8:
            sentences.append(
                rng.choice(CONCERN_SENTENCES["high" if facts.levels[slug] >= 3 else "low"]).format(
                    concern=concern, Concern=concern.capitalize()
                )
            )
        if rng.random() < 0.5:
            sentences.append(GRID_NOTES[slug][facts.levels[slug]])
        sentences.append(rng.choice(KID_CLOSINGS if kid else CLOSINGS).format(age=age))
        body = " ".join(sentences)
        if len(body) < 60:
            body += " " + rng.choice(CLOSINGS).format(age=age)
        return headline, body

    # The whole run --------------------------------------------------------------------------

    def run(self) -> Result:
        started = time.perf_counter()
        existing = generated_users().count()
        if existing:
            raise AlreadyGenerated(
                f"This database already has a generated community ({existing:,} accounts "
                f"@{GENERATED_DOMAIN}). Generate into a fresh database instead."
            )
        titles = self.load_titles()
        if not titles:
            raise ValueError("There are no published titles: import some first.")
        self.reporter_stats = defaultdict(Counter)
        ordered = self.popularity_order(titles)
        self.create_accounts()
        expert_titles = self.create_expert_reviews(ordered)
        reviewed = self.create_reviews(ordered)
        ReporterStats.objects.bulk_create(
            (
                ReporterStats(
                    user_id=user_id,
                    reports=sum(stats.values()),
                    upheld=stats[Report.Status.UPHELD],
                    dismissed=stats[Report.Status.DISMISSED],
                )
                for user_id, stats in self.reporter_stats.items()
            ),
            batch_size=self.plan.batch_size,
        )
        touched = sorted(reviewed | set(expert_titles))
        done = 0

        for start in range(0, len(touched), 2000):
            done += recompute_all_aggregates(title_ids=touched[start : start + 2000])
            self.progress("aggregates", done, len(touched))
        from movies.browse import new_catalog_version

        new_catalog_version(sender=None)
        self.result.counts["titles with reviews"] = len(reviewed)
        self.result.seconds = time.perf_counter() - started
        return self.result
