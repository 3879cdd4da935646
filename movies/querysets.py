from django.db import models
from django.db.models import Prefetch


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
        """
        from movies.models import EditorialListItem

        genre_ids = [tag.pk for tag in title.genres]
        shares_list = models.Exists(
            EditorialListItem.objects.filter(
                title=models.OuterRef("pk"),
                editorial_list__is_published=True,
                editorial_list__items__title=title,
            )
        )
        shared_genres = models.Count("tags", filter=models.Q(tags__in=genre_ids), distinct=True)
        return (
            self.published()
            .exclude(pk=title.pk)
            .annotate(shares_list=shares_list, shared_genres=shared_genres)
            .filter(models.Q(shares_list=True) | models.Q(shared_genres__gt=0))
            .select_related("expert_review")
            .order_by("-shares_list", "-shared_genres", "-expert_review__stars", "name")[:limit]
        )
