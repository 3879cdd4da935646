"""
Which of the week's reviews one subscriber gets, and in what order.

Kept apart from sending so that it can grow (a family profile's per-category limits will
plug in here) without touching delivery. Pure functions over already-loaded reviews: no
queries per subscriber.
"""

from dataclasses import dataclass, field

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


def pick_reviews(*, subscriber, reviews, limit=MAX_PICKS):
    """
    Choose the week's reviews for `subscriber`, best fit first.

    Without kids' ages: every review, by our stars. With ages: only reviews whose age
    rating suits at least one of the kids, those suiting more of them first, then by
    stars; each pick says which ages it suits.
    """
    ages = sorted({int(age) for age in subscriber.kids_ages or []})
    picks = []
    for review in reviews:
        fits = [age for age in ages if review.age_rating <= age]
        if ages and not fits:
            continue
        picks.append(Pick(review=review, fits_ages=fits))
    picks.sort(key=lambda pick: (-len(pick.fits_ages), -pick.review.stars, pick.title.name))
    return picks[:limit]
