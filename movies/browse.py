"""
Browse and search: turn a validated BrowseForm into the titles it asks for.

`TitleBrowser` applies each filter as one narrowing step (EXISTS subqueries for tags,
services and grades, so that combining filters never multiplies rows), sorts, and counts
how many titles each choice would leave ("facets"). A facet is counted with every other
filter applied but its own, so the numbers next to the options of a filter already in
use say what switching to that option would give. Counting costs one query per kind of
facet, plus one for each facet in use, whatever the number of titles or the page size.
"""

import hashlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, When
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from guidance.ratings.models import MAX_AGE, MAX_LEVEL, MAX_STARS, MIN_AGE, MIN_LEVEL
from movies.forms import LEVEL_WORDS, TAG_FILTERS
from movies.models import Offer, Title
from movies.search import filter_by_search

logger = logging.getLogger(__name__)

PUBLISHED = "published"
# Facet counts are cached per set of filters in the shared cache, under a catalog version
# that every change to what they count replaces (receivers at the end of this module).
FACETS_CACHE_SECONDS = 10 * 60
CATALOG_VERSION_KEY = "browse:catalog-version"

SORTS = {
    "relevance": ["-rank", "-year", "name", "pk"],
    "newest": ["-year", "name", "pk"],
    "oldest": ["year", "name", "pk"],
    "age": [F("card_age").asc(nulls_last=True), "-year", "name", "pk"],
    "stars": [F("card_stars").desc(nulls_last=True), "-community_rating", "name", "pk"],
    "community": ["-community_rating", "-community_review_count", "name", "pk"],
    "reviews": ["-community_review_count", "-community_rating", "name", "pk"],
}


def page_number(raw, num_pages):
    """
    Read the page parameter: (a page that exists, a note if the asked one did not).

    Nothing here raises: "abc", 0 and -3 give the first page, 99 of 5 the last.
    """
    if raw in (None, ""):
        return 1, None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1, f"We ignored page “{str(raw)[:20]}”: it is not a page number."
    if number < 1:
        return 1, f"There is no page {number}, so here is the first page."
    if number > num_pages:
        if num_pages == 1:
            return 1, f"There is no page {number}: all the results fit on this one."
        return num_pages, f"There is no page {number}: here is the last one, page {num_pages}."
    return number, None


@dataclass
class ActiveFilter:
    """One filter in use, as a removable chip: its words and the URL without it."""

    key: str
    label: str
    query_string: str
    count_without: int | None = None


class TitleBrowser:
    def __init__(self, form, *, base=None):
        self.form = form
        self.filters = form.filters
        self.base = base if base is not None else Title.objects.published()
        self._tags = {
            (tag.kind, tag.slug): tag for tags in form.choices.tags.values() for tag in tags
        }
        self._services = {service.slug: service for service in form.choices.services}

    # Filtering ------------------------------------------------------------------

    def steps(self):
        """{filter key: a function narrowing a queryset}, for every filter in use."""
        filters, steps = self.filters, {}
        if "q" in filters:
            steps["q"] = lambda qs: filter_by_search(qs, filters["q"])
        if "age" in filters:
            steps["age"] = lambda qs: qs.rated_for_age(filters["age"])
        if "fits" in filters:
            rule = self.fits_rule()
            steps["fits"] = lambda qs: qs.fitting(rule)
        for name, kind in TAG_FILTERS.items():
            if name in filters:
                tag = self._tags[(kind, filters[name])]
                steps[name] = lambda qs, tag=tag: qs.with_tag(tag.pk)
        if "service" in filters:
            ids = [self._services[slug].pk for slug in filters["service"]]
            steps["service"] = lambda qs: qs.on_services(ids)
        if "mpaa" in filters:
            steps["mpaa"] = lambda qs: qs.filter(mpaa_rating__in=filters["mpaa"])
        if "kind" in filters:
            steps["kind"] = lambda qs: qs.filter(kind=filters["kind"])
        if "year_from" in filters or "year_to" in filters:
            steps["year"] = lambda qs: qs.filter(
                **{
                    key: filters[name]
                    for name, key in (("year_from", "year__gte"), ("year_to", "year__lte"))
                    if name in filters
                }
            )
        if "stars" in filters:
            steps["stars"] = lambda qs: qs.with_min_stars(filters["stars"])
        for category, name, level in self.form.grade_limits():
            bound = {"at_most": level} if category.is_concern else {"at_least": level}
            steps[name] = lambda qs, category=category, bound=bound: qs.with_grade(
                category.pk, **bound
            )
        return steps

    def fits_rule(self):
        """The family's FitRule that "fits" asks for (guidance.accounts.family), or None."""
        if "fits" not in self.filters:
            return None
        return self.form.family.rule(self.form.choices.categories, self.filters["fits"])

    def filtered(self, *, skip=()):
        queryset = self.base
        for key, step in self.steps().items():
            if key not in skip:
                queryset = step(queryset)
        return queryset

    def results(self):
        """The matching titles, sorted, with what their cards show."""
        queryset = self.filtered(skip=("q",))
        sort = self.form.sort_order
        if "q" in self.filters:
            if sort == "relevance":
                queryset = queryset.search(self.filters["q"])  # filters and ranks
            else:
                queryset = filter_by_search(queryset, self.filters["q"])
        if sort == "age":
            # Only a published review's age counts; titles without one go last.
            queryset = queryset.annotate(
                card_age=Case(
                    When(expert_review__status=PUBLISHED, then=F("expert_review__age_rating"))
                )
            )
        elif sort == "stars":
            queryset = queryset.annotate(
                card_stars=Case(
                    When(expert_review__status=PUBLISHED, then=F("expert_review__stars"))
                )
            )
        return queryset.for_title_cards().order_by(*SORTS[sort])

    def count(self, *, skip=()):
        return self.filtered(skip=skip).count()

    # Facets ---------------------------------------------------------------------

    def _ids(self, skip):
        return self.filtered(skip=skip).order_by().values("pk")

    def _skips(self, keys):
        """Group facet keys by the filters left out when counting them."""
        steps = self.steps()
        groups = defaultdict(list)
        for key in keys:
            groups[(key,) if key in steps else ()].append(key)
        return groups.items()

    def facets(self):
        """
        {facet: {option value: count}} for every filter with countable options, from the
        cache when this set of filters was counted since the catalog last changed.
        """
        filters = self.form.query_string(sort=False)
        if "fits" in self.filters:
            # "fits=family" means a different rule for each family: key on the rule.
            filters += "|" + self.fits_rule().cache_key()
        key = (
            "browse:facets:" + hashlib.sha256(f"{catalog_version()}|{filters}".encode()).hexdigest()
        )
        try:
            counts = cache.get(key)
        except Exception:  # the cache is down: count without it
            logger.warning("Could not read facet counts from the cache.", exc_info=True)
            counts = None
        if counts is None:
            counts = self.count_facets()
            try:
                cache.set(key, counts, FACETS_CACHE_SECONDS)
            except Exception:
                logger.warning("Could not store facet counts in the cache.", exc_info=True)
        return counts

    def count_facets(self):
        """Count the facets in the database: one query per kind, plus one per filter in use."""
        counts = defaultdict(dict)
        self._count_title_fields(counts)
        self._count_tags(counts)
        self._count_services(counts)
        self._count_grades(counts)
        return dict(counts)

    def _count_title_fields(self, counts):
        options = {
            "mpaa": {code: Count("pk", filter=Q(mpaa_rating=code)) for code in Title.MPAA.values},
            "kind": {kind: Count("pk", filter=Q(kind=kind)) for kind in Title.Kind.values},
            "age": {
                str(age): Count(
                    "pk",
                    filter=Q(expert_review__status=PUBLISHED, expert_review__age_rating__lte=age),
                )
                for age in range(MIN_AGE, MAX_AGE)
            },
            "stars": {
                str(stars): Count(
                    "pk",
                    filter=Q(expert_review__status=PUBLISHED, expert_review__stars__gte=stars),
                )
                for stars in range(1, MAX_STARS + 1)
            },
        }
        for skip, keys in self._skips(options):
            aggregates = {
                f"{key}|{value}": expression
                for key in keys
                for value, expression in options[key].items()
            }
            for alias, number in self.filtered(skip=skip).aggregate(**aggregates).items():
                key, value = alias.split("|", 1)
                counts[key][value] = number

    def _count_tags(self, counts):
        through = Title.tags.through
        for skip, keys in self._skips(list(TAG_FILTERS)):
            kinds = {TAG_FILTERS[key]: key for key in keys}
            rows = (
                through.objects.filter(title_id__in=self._ids(skip), tag__kind__in=list(kinds))
                .values("tag__kind", "tag__slug")
                .annotate(n=Count("title_id"))
                .order_by()
            )
            for row in rows:
                counts[kinds[row["tag__kind"]]][row["tag__slug"]] = row["n"]

    def _count_services(self, counts):
        for skip, _keys in self._skips(["service"]):
            rows = (
                Offer.objects.filter(title_id__in=self._ids(skip))
                .values("service__slug")
                .annotate(n=Count("title_id", distinct=True))
                .order_by()
            )
            for row in rows:
                counts["service"][row["service__slug"]] = row["n"]

    def _count_grades(self, counts):
        from guidance.ratings.models import ContentGrade

        categories = self.form.grade_fields
        for skip, names in self._skips(list(categories)):
            by_id = {categories[name].pk: name for name in names}
            rows = (
                ContentGrade.objects.filter(
                    review__status=PUBLISHED,
                    review__title_id__in=self._ids(skip),
                    category_id__in=list(by_id),
                )
                .values("category_id", "level")
                .annotate(n=Count("pk"))
                .order_by()
            )
            per_level = defaultdict(lambda: defaultdict(int))
            for row in rows:
                per_level[by_id[row["category_id"]]][row["level"]] += row["n"]
            for name, levels in per_level.items():
                concern = categories[name].is_concern
                for level in range(MIN_LEVEL, MAX_LEVEL + 1):
                    counts[name][str(level)] = sum(
                        n
                        for lvl, n in levels.items()
                        if (lvl <= level if concern else lvl >= level)
                    )

    # Chips and loosening --------------------------------------------------------

    def active_filters(self):
        """The filters in use, each with the page's URL without it."""
        form, filters, chips = self.form, self.filters, []
        if "q" in filters:
            chips.append(self._chip("q", f"Search: “{filters['q']}”", without=["q"]))
        if "age" in filters:
            chips.append(self._chip("age", f"Age {filters['age']} and under", without=["age"]))
        if "fits" in filters:
            chips.append(
                self._chip("fits", form.family.describe(filters["fits"]), without=["fits"])
            )
        for name, kind in TAG_FILTERS.items():
            if name in filters:
                tag = self._tags[(kind, filters[name])]
                label = form.fields[name].label
                chips.append(self._chip(name, f"{label}: {tag.name}", without=[name]))
        for slug in filters.get("service", []):
            chips.append(
                self._chip(
                    "service",
                    f"On {self._services[slug].name}",
                    drop_value=("service", slug),
                )
            )
        for code in filters.get("mpaa", []):
            chips.append(self._chip("mpaa", f"Rated {code}", drop_value=("mpaa", code)))
        if "kind" in filters:
            label = Title.Kind(filters["kind"]).label
            chips.append(self._chip("kind", label, without=["kind"]))
        if "year_from" in filters or "year_to" in filters:
            start, end = filters.get("year_from"), filters.get("year_to")
            if start and end:
                label = f"{start} to {end}" if start != end else f"In {start}"
            else:
                label = f"From {start}" if start else f"Up to {end}"
            chips.append(self._chip("year", label, without=["year_from", "year_to"]))
        if "stars" in filters:
            chips.append(self._chip("stars", f"{filters['stars']}+ stars", without=["stars"]))
        for category, name, level in form.grade_limits():
            bound = "at most" if category.is_concern else "at least"
            label = f"{category.name} {bound} {level} ({LEVEL_WORDS[level].lower()})"
            chips.append(self._chip(name, label, without=[name]))
        return chips

    def _chip(self, key, label, *, without=(), drop_value=None):
        return ActiveFilter(
            key=key,
            label=label,
            query_string=self.form.query_string(without=without, drop_value=drop_value),
        )

    def loosen(self, chips):
        """For an empty result: how many titles each filter's removal would bring back."""
        for chip in chips:
            chip.count_without = self.count(skip=(chip.key,))
        return sorted(chips, key=lambda chip: -chip.count_without)


# The catalog version ----------------------------------------------------------------------


def catalog_version():
    """The current catalog version: any value that changes whenever the catalog does."""
    try:
        version = cache.get(CATALOG_VERSION_KEY)
        if version is None:
            version = str(time.time_ns())
            cache.add(CATALOG_VERSION_KEY, version, None)
            version = cache.get(CATALOG_VERSION_KEY, version)
        return version
    except Exception:
        return "no-cache"


@receiver(post_save, sender="movies.Title", dispatch_uid="movies.browse.title_saved")
@receiver(post_delete, sender="movies.Title", dispatch_uid="movies.browse.title_deleted")
@receiver(post_save, sender="movies.Offer", dispatch_uid="movies.browse.offer_saved")
@receiver(post_delete, sender="movies.Offer", dispatch_uid="movies.browse.offer_deleted")
@receiver(post_save, sender="ratings.ExpertReview", dispatch_uid="movies.browse.review_saved")
@receiver(post_delete, sender="ratings.ExpertReview", dispatch_uid="movies.browse.review_deleted")
@receiver(post_save, sender="ratings.ContentGrade", dispatch_uid="movies.browse.grade_saved")
@receiver(post_delete, sender="ratings.ContentGrade", dispatch_uid="movies.browse.grade_deleted")
@receiver(m2m_changed, sender=Title.tags.through, dispatch_uid="movies.browse.tags_changed")
def new_catalog_version(sender, **kwargs):
    """Give the catalog a new version, so that cached facet counts are counted again."""
    try:
        cache.set(CATALOG_VERSION_KEY, str(time.time_ns()), None)
    except Exception:
        logger.warning("Could not renew the catalog version in the cache.", exc_info=True)
