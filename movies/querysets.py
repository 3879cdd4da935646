from datetime import timedelta

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

PUBLISHED = "published"
# A card lists at most this many concerns, from this level ("Some") up.
CARD_CONCERN_MIN_LEVEL = 2


def card_concerns_prefetch(lookup):
    """
    Prefetch a review's "content to consider" grades from "Some" up onto
    `card_concerns`, for title cards; `lookup` ends at a review's grades, like
    "items__title__expert_review__grades".
    """
    from guidance.ratings.models import ContentGrade

    return Prefetch(
        lookup,
        queryset=ContentGrade.objects.filter(
            category__kind="concern", level__gte=CARD_CONCERN_MIN_LEVEL
        )
        .select_related("category")
        .order_by("-level", "category__order"),
        to_attr="card_concerns",
    )


class TitleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def visible_to(self, user):
        """Published titles, plus drafts for staff."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def with_card_data(self):
        """What a title card shows: the expert review's age, stars and summary."""
        return self.select_related("expert_review")

    def for_title_cards(self):
        """
        What a title card shows, in two queries for any number of cards: the expert
        review (select_related) and its biggest content concerns, prefetched onto
        `expert_review.card_concerns`, highest level first.
        """
        return self.select_related("expert_review").prefetch_related(
            card_concerns_prefetch("expert_review__grades")
        )

    # Browse filters. Each narrows the titles on its own and combines with the others;
    # those reading the expert review count only a published one.

    def rated_for_age(self, age):
        """Titles our published expert review rates suitable at `age` (age rating <= age)."""
        return self.filter(expert_review__status=PUBLISHED, expert_review__age_rating__lte=age)

    def with_min_stars(self, stars):
        return self.filter(expert_review__status=PUBLISHED, expert_review__stars__gte=stars)

    def with_tag(self, tag_id):
        """Titles carrying one tag (genre, topic, strength...), as an EXISTS subquery."""
        through = self.model.tags.through
        return self.filter(Exists(through.objects.filter(title_id=OuterRef("pk"), tag_id=tag_id)))

    def on_services(self, service_ids):
        """Titles offered on any of these streaming services."""
        from movies.models import Offer

        return self.filter(
            Exists(Offer.objects.filter(title_id=OuterRef("pk"), service_id__in=service_ids))
        )

    def with_grade(self, category_id, *, at_most=None, at_least=None):
        """
        Titles whose published expert review grades a category within bounds, such as
        Violence & Scariness at most 2. A title without a published review, or whose
        review lacks that category, does not qualify: we only promise what we rated.
        """
        from guidance.ratings.models import ContentGrade

        grades = ContentGrade.objects.filter(
            review__title_id=OuterRef("pk"), review__status=PUBLISHED, category_id=category_id
        )
        if at_most is not None:
            grades = grades.filter(level__lte=at_most)
        if at_least is not None:
            grades = grades.filter(level__gte=at_least)
        return self.filter(Exists(grades))

    def fitting(self, rule):
        """
        Titles that fit a family's FitRule (guidance.accounts.family): age, every content
        limit and avoided topics, as EXISTS subqueries on the stored effective levels.
        """
        return self.filter(rule.as_q())

    def search(self, query):
        """Titles matching a search box query, annotated with their `rank`."""
        from movies.search import search_titles

        return search_titles(self, query)

    def popular_with_parents(self, *, days=30, fallback=24):
        """
        Published titles ordered by how many published community reviews they received
        in the last `days` days; ties, and titles nobody reviewed lately, fall back to
        their all-time count. One query, which only counts for the titles reviewed in
        the window plus the `fallback` most reviewed ever (not for the whole catalog).
        """
        from guidance.reviews.models import CommunityReview

        since = timezone.now() - timedelta(days=days)
        recent_reviews = CommunityReview.objects.filter(status=PUBLISHED, created_at__gte=since)
        recent_count = (
            recent_reviews.filter(title_id=OuterRef("pk"))
            .order_by()
            .values("title_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        most_reviewed = (
            self.model._default_manager.published()
            .filter(community_review_count__gt=0)
            .order_by("-community_review_count", "pk")
            .values("pk")[:fallback]
        )
        return (
            self.published()
            .filter(Q(pk__in=recent_reviews.values("title_id")) | Q(pk__in=most_reviewed))
            .annotate(
                recent_review_count=models.functions.Coalesce(models.Subquery(recent_count), 0)
            )
            .order_by(
                "-recent_review_count",
                "-community_review_count",
                F("community_rating").desc(),
                "pk",
            )
        )

    def for_detail_page(self):
        """Everything the title page shows, in a fixed number of queries."""
        from guidance.ratings.models import ContentGrade
        from movies.models import Credit, Offer

        return self.select_related("studio", "expert_review__reviewer").prefetch_related(
            "tags",
            Prefetch("credits", queryset=Credit.objects.select_related("person")),
            Prefetch("offers", queryset=Offer.objects.select_related("service")),
            "photos",
            "videos",
            Prefetch(
                "expert_review__grades",
                queryset=ContentGrade.objects.select_related("category").order_by(
                    "category__order"
                ),
            ),
        )

    def related_to(self, title, *, limit=6):
        """
        "Our Editors Recommend": published titles that share an editors' list with
        `title` first, then those sharing the most genres; best reviewed first.

        Only titles sharing a genre or a list are candidates (found through the indexes
        on the tag and list tables), and each candidate's number of shared genres is a
        subquery on the (title, tag) index: counting over a join of every title with its
        tags, grouped by the whole title row, took a second at 17,000 titles.
        """
        from movies.models import EditorialListItem

        genre_ids = [tag.pk for tag in title.genres]
        tagged = self.model.tags.through.objects.filter(tag_id__in=genre_ids)
        list_mates = EditorialListItem.objects.filter(
            editorial_list__is_published=True, editorial_list__items__title=title
        )
        shared_genres = (
            tagged.filter(title_id=models.OuterRef("pk"))
            .order_by()
            .values("title_id")
            .annotate(n=models.Count("*"))
            .values("n")[:1]
        )
        return (
            self.published()
            .exclude(pk=title.pk)
            .filter(
                models.Q(pk__in=tagged.values("title_id"))
                | models.Q(pk__in=list_mates.values("title_id"))
            )
            .annotate(
                shares_list=models.Exists(list_mates.filter(title_id=models.OuterRef("pk"))),
                shared_genres=Coalesce(models.Subquery(shared_genres), 0),
            )
            .select_related("expert_review")
            .order_by(
                "-shares_list",
                "-shared_genres",
                models.F("expert_review__stars").desc(nulls_last=True),
                "name",
            )[:limit]
        )


RELATED_CACHE_SECONDS = 3600


def related_titles(title, *, limit=6):
    """
    `Title.objects.related_to(title)`, with its ranking cached for an hour.

    Ranking compares the title with every title sharing a genre (thousands in a catalog
    of 17,000), so the result (the ids) is kept under the catalog version, which every
    change the ranking reads renews: a title published, renamed or deleted, genres, an
    editors' list, an expert review's stars or status (movies/pagecache.py). A hit costs
    the one query that loads the titles, as a miss costs the one that ranks them.
    """
    from django.core.cache import cache

    from movies.models import Title
    from movies.pagecache import catalog_version

    key = f"related:{catalog_version()}:{title.pk}:{limit}"
    ids = cache.get(key)
    if ids is not None:
        found = Title.objects.published().select_related("expert_review").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
    titles = list(Title.objects.related_to(title, limit=limit))
    cache.set(key, [other.pk for other in titles], RELATED_CACHE_SECONDS)
    return titles
