from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from guidance.accounts.family import family_for_request
from guidance.accounts.verdicts import add_card_verdicts, verdicts_for_title_page
from guidance.ratings.models import MAX_AGE, MIN_AGE, ExpertReview
from guidance.reviews.querysets import title_community
from movies.browse import TitleBrowser, page_number
from movies.forms import PAGE_PARAM, BrowseChoices, BrowseForm
from movies.models import EditorialList, EditorialListItem, Title
from movies.pagecache import CachedTitlePage
from movies.querysets import card_concerns_prefetch, related_titles

POPULAR_CACHE_SECONDS = 600


def popular_titles(limit):
    """
    "Popular with parents" for the home page: the ranking counts a month of reviews
    (100,000 rows at a million reviews), so its ids are kept for ten minutes; the cards
    are loaded fresh, in one query with their prefetches.
    """
    from django.core.cache import cache

    key = f"home:popular:{limit}"
    ids = cache.get(key)
    if ids is None:
        ids = list(Title.objects.popular_with_parents(days=30).values_list("pk", flat=True)[:limit])
        cache.set(key, ids, POPULAR_CACHE_SECONDS)
    cards = Title.objects.published().for_title_cards().in_bulk(ids)
    return [cards[pk] for pk in ids if pk in cards]


class HomeView(TemplateView):
    """The home page: search, our latest reviews, editors' lists, what parents review."""

    template_name = "movies/home.html"

    def get_context_data(self, **kwargs):
        from guidance.newsletter.forms import SubscribeForm

        context = super().get_context_data(**kwargs)
        context["latest_titles"] = (
            Title.objects.published()
            .filter(expert_review__status=ExpertReview.Status.PUBLISHED)
            .for_title_cards()
            .order_by("-expert_review__published_at", "-pk")[:8]
        )
        context["editorial_lists"] = EditorialList.objects.filter(
            is_published=True
        ).prefetch_related(
            Prefetch(
                "items",
                queryset=EditorialListItem.objects.filter(title__status=Title.Status.PUBLISHED)
                .select_related("title__expert_review")
                .order_by("order", "pk"),
            ),
            card_concerns_prefetch("items__title__expert_review__grades"),
        )[:4]
        context["popular_titles"] = popular_titles(4)
        context["newsletter_form"] = SubscribeForm()
        context["hero_ages"] = range(MIN_AGE, MAX_AGE)
        return context


class BrowseView(ListView):
    """Browse and search: filters, sorts and counts, all in the URL; a page at a time."""

    template_name = "movies/browse.html"
    context_object_name = "titles"
    paginate_by = 24

    def get(self, request, *args, **kwargs):
        self.form = BrowseForm(
            request.GET, choices=BrowseChoices.load(), family=family_for_request(request)
        )
        self.form.is_valid()  # never fails: what is wrong becomes a note
        self.browser = TitleBrowser(self.form)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.browser.results()

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        number, note = page_number(self.request.GET.get(PAGE_PARAM), paginator.num_pages)
        if note:
            self.form.notes.append(note)
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.form.show_counts(self.browser.facets())
        chips = self.browser.active_filters()
        empty = not context["paginator"].count
        # "Fits Maya" badges on the cards: three queries for the page, whatever its size.
        add_card_verdicts(self.form.family, context["titles"], self.form.choices.categories)
        context.update(
            form=self.form,
            notes=self.form.notes,
            active_filters=chips,
            loosen=self.browser.loosen(chips) if empty else [],
            query_string=self.form.query_string(),
        )
        return context


class TitleDetailView(DetailView):
    """
    The title page: can my kid watch this, and why.

    Anonymous visitors who would all see the same page are served a copy kept in the
    cache (movies.pagecache), without a query or a template; everyone else is rendered.
    """

    template_name = "movies/title_detail.html"
    context_object_name = "title"

    def get(self, request, *args, **kwargs):
        cached = CachedTitlePage.for_request(request, slug=kwargs["slug"])
        if cached is not None:
            hit = cached.response()
            if hit is not None:
                return hit
        response = super().get(request, *args, **kwargs)
        if cached is not None:
            response.add_post_render_callback(cached.store)
        return response

    def get_queryset(self):
        return Title.objects.visible_to(self.request.user).for_detail_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = self.object
        review = getattr(title, "expert_review", None)
        if review is not None and not (review.is_published or self.request.user.is_staff):
            review = None
        context["review"] = review
        context["related_titles"] = related_titles(title)
        context["community"] = title_community(
            title=title,
            user=self.request.user,
            expert_review=review if review is not None and review.is_published else None,
        )
        context["family_verdicts"] = verdicts_for_title_page(
            request=self.request,
            title=title,
            review=review if review is not None and review.is_published else None,
            summary=context["community"].summary,
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
