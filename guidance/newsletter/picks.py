"""
Which of the week's reviews one subscriber gets, and in what order.

Kept apart from sending so that it can grow without touching delivery. Pure functions
over already-loaded reviews: no queries per subscriber. A subscriber whose email address
belongs to an account with a family profile gets the picks that fit their children, judged
exactly as the site's "fits my family" filter judges them (guidance.accounts.verdicts);
families are loaded a batch of subscribers at a time (`with_families`).
"""

from dataclasses import dataclass, field
from itertools import islice

MAX_PICKS = 8


def and_list(items):
    """Join words the way people write them: "6", "6 and 9", "6, 9 and 12"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class Pick:
    """A review chosen for a subscriber, and which of their kids it suits."""

    review: object
    fits_ages: list = field(default_factory=list)

    @property
    def title(self):
        return self.review.title

    @property
    def fits_label(self):
        """Say which kids the pick suits: "your 6- and 11-year-olds", or ""."""
        if not self.fits_ages:
            return ""
        ages = and_list([f"{age}-" for age in self.fits_ages[:-1]] + [str(self.fits_ages[-1])])
        plural = "s" if len(self.fits_ages) > 1 else ""
        return f"your {ages}-year-old{plural}"


@dataclass
class WeekFacts:
    """What family verdicts need about the week's titles, loaded once per send."""

    by_title: dict = field(default_factory=dict)  # title id -> TitleFacts
    categories: list = field(default_factory=list)

    @classmethod
    def load(cls, reviews):
        """Four queries: the titles' stored ages, levels and topics, and the categories."""
        from guidance.accounts.verdicts import load_facts
        from guidance.ratings.models import ContentCategory

        return cls(
            by_title=load_facts(review.title_id for review in reviews),
            categories=list(ContentCategory.objects.filter(kind=ContentCategory.Kind.CONCERN)),
        )


def with_families(subscribers, *, batch_size=500):
    """
    Yield (subscriber, their account's Family or None) for each of `subscribers`,
    reading families a batch at a time (five queries per batch).
    """
    from django.db.models.functions import Lower

    from guidance.accounts.family import families_of_users
    from guidance.accounts.models import User

    iterator = iter(subscribers)
    while batch := list(islice(iterator, batch_size)):
        emails = {subscriber.email.strip().lower() for subscriber in batch}
        users = dict(
            User.objects.annotate(address=Lower("email"))
            .filter(address__in=emails, is_active=True)
            .values_list("address", "pk")
        )
        families = families_of_users(users.values())
        for subscriber in batch:
            user_id = users.get(subscriber.email.strip().lower())
            yield subscriber, families.get(user_id)


def pick_reviews(*, subscriber, reviews, limit=MAX_PICKS, family=None, facts=None):
    """
    Choose the week's reviews for `subscriber`, best fit first.

    With a `family` (and the week's `facts`): only reviews that fit at least one child
    by their age and limits. Otherwise, without kids' ages: every review, by our stars;
    with ages: only reviews whose age rating suits at least one of the kids. Those
    suiting more kids come first, then by stars; each pick says which ages it suits
    (ages, not nicknames: an email never repeats what someone typed into a profile).
    """
    if family:
        return _pick_for_family(family, reviews, facts or WeekFacts.load(reviews), limit)
    ages = sorted({int(age) for age in subscriber.kids_ages or []})
    picks = []
    for review in reviews:
        fits = [age for age in ages if review.age_rating <= age]
        if ages and not fits:
            continue
        picks.append(Pick(review=review, fits_ages=fits))
    return _best(picks, limit)


def _pick_for_family(family, reviews, facts, limit):
    from guidance.accounts.verdicts import TitleFacts, family_verdicts

    picks = []
    for review in reviews:
        title_facts = facts.by_title.get(review.title_id) or TitleFacts()
        verdicts = family_verdicts(family, title_facts, facts.categories)
        fitting = sorted({verdict.child.age for verdict in verdicts if verdict.fits})
        if fitting:
            picks.append(Pick(review=review, fits_ages=fitting))
    return _best(picks, limit)


def _best(picks, limit):
    """Those suiting more kids first, then by our stars; at most `limit`."""
    picks.sort(key=lambda pick: (-len(pick.fits_ages), -pick.review.stars, pick.title.name))
    return picks[:limit]
