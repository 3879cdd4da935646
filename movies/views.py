from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from guidance.ratings.models import ExpertReview
from guidance.reviews.querysets import title_community
from movies.models import EditorialList, EditorialListItem, Title


class HomeView(TemplateView):
    """The home page: the latest expert reviews and the editors' lists."""

    template_name = "movies/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_reviews"] = (
            ExpertReview.objects.published()
            .select_related("title")
            .order_by("-published_at", "-pk")[:8]
        )
        context["editorial_lists"] = EditorialList.objects.filter(
            is_published=True
        ).prefetch_related(
            Prefetch(
                "items",
                queryset=EditorialListItem.objects.filter(title__status=Title.Status.PUBLISHED)
                .select_related("title__expert_review")
                .order_by("order", "pk"),
            )
        )[:4]
        return context


class BrowseView(ListView):
    """Every published title, newest first, a page at a time."""

    template_name = "movies/browse.html"
    context_object_name = "titles"
    paginate_by = 24

    def get_queryset(self):
        return Title.objects.published().with_card_data().order_by("-year", "name")


class TitleDetailView(DetailView):
    """The title page: can my kid watch this, and why."""

    template_name = "movies/title_detail.html"
    context_object_name = "title"

    def get_queryset(self):
        return Title.objects.visible_to(self.request.user).for_detail_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = self.object
        review = getattr(title, "expert_review", None)
        if review is not None and not (review.is_published or self.request.user.is_staff):
            review = None
        context["review"] = review
        context["related_titles"] = Title.objects.related_to(title)
        context["community"] = title_community(
            title=title,
            user=self.request.user,
            expert_review=review if review is not None and review.is_published else None,
        )
        return context


class EditorialListView(DetailView):
    """An editors' list: its titles in the editors' order, with their blurbs."""

    template_name = "movies/editorial_list.html"
    context_object_name = "editorial_list"

    def get_queryset(self):
        return EditorialList.objects.filter(is_published=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = (
            EditorialListItem.objects.filter(
                editorial_list=self.object, title__status=Title.Status.PUBLISHED
            )
            .select_related("title__expert_review")
            .order_by("order", "pk")
        )
        return context
