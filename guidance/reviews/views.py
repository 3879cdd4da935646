from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView
from django.views.generic.edit import FormView

from guidance.accounts.views import safe_next
from guidance.ratelimits import rate_limited
from guidance.ratings.models import ContentCategory
from guidance.reviews.forms import ReviewForm
from guidance.reviews.models import CommunityLevel, CommunityReview, ReviewSummary
from guidance.reviews.querysets import DEFAULT_SORT, SORTS, verdicts_for
from guidance.reviews.services import (
    ReviewNotAllowed,
    delete_review,
    submit_review,
    toggle_helpful,
)
from movies.models import Title

LOGIN_URL = reverse_lazy("accounts:login")
ROLE_TABS = [("", "All"), ("parent", "Parents"), ("kid", "Kids")]


def published_expert_review(title):
    review = getattr(title, "expert_review", None)
    return review if review is not None and review.is_published else None


class ReviewListView(ListView):
    """All of a title's published reviews: parents / kids tabs, sorts and pages."""

    template_name = "reviews/review_list.html"
    context_object_name = "reviews"
    paginate_by = 10

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.title = get_object_or_404(
            Title.objects.visible_to(request.user).select_related("expert_review"),
            slug=kwargs["slug"],
        )
        role = request.GET.get("role", "")
        self.role = role if role in CommunityReview.Role.values else ""
        sort = request.GET.get("sort", DEFAULT_SORT)
        self.sort = sort if sort in SORTS else DEFAULT_SORT
        self.ignored = [
            name
            for name, value, kept in [("role", role, self.role), ("sort", sort, self.sort)]
            if value and value != kept
        ]

    def get_queryset(self):
        reviews = CommunityReview.objects.published().filter(title=self.title)
        if self.role:
            reviews = reviews.filter(author_role=self.role)
        return reviews.for_listing().with_vote_of(self.request.user).sorted_by(self.sort)

    def paginate_queryset(self, queryset, page_size):
        """Like ListView's, but a bad or too-high page number shows a page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        summary = ReviewSummary.objects.filter(title=self.title).first()
        counts = {
            "": summary.review_count if summary else 0,
            "parent": summary.parent_count if summary else 0,
            "kid": summary.kid_count if summary else 0,
        }
        params = {key: value for key, value in [("role", self.role)] if value}
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        expert_review = published_expert_review(self.title)
        context.update(
            title=self.title,
            expert_review=expert_review,
            summary=summary,
            verdicts=verdicts_for(summary, expert_review),
            role=self.role,
            sort=self.sort,
            sorts=[(key, label) for key, (label, _) in SORTS.items()],
            tabs=[(value, label, counts[value]) for value, label in ROLE_TABS],
            ignored=self.ignored,
            query_string="&".join(f"{key}={value}" for key, value in params.items()),
            my_review=None,
            voted_ids=set(),
        )
        if user.is_authenticated:
            context["my_review"] = CommunityReview.objects.filter(
                title=self.title, author=user
            ).first()
            context["voted_ids"] = {review.pk for review in context["reviews"] if review.voted}
        return context


@method_decorator(rate_limited("review"), name="dispatch")
class ReviewWriteView(LoginRequiredMixin, FormView):
    """Write your review of a title, or edit the one you wrote."""

    template_name = "reviews/review_form.html"
    form_class = ReviewForm
    login_url = LOGIN_URL

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.title = get_object_or_404(
            Title.objects.published().select_related("expert_review"), slug=kwargs["slug"]
        )
        self.review = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not request.user.can_write_reviews:
                return render(
                    request, "reviews/cannot_review.html", {"title": self.title}, status=403
                )
            self.review = CommunityReview.objects.filter(
                title=self.title, author=request.user
            ).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.review
        kwargs["categories"] = ContentCategory.objects.prefetch_related("levels")
        if self.review is not None:
            kwargs["initial_levels"] = dict(
                CommunityLevel.objects.filter(review=self.review).values_list(
                    "category_id", "level"
                )
            )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            review=self.review,
            expert_review=published_expert_review(self.title),
        )
        return context

    def form_valid(self, form):
        try:
            review, created = submit_review(
                author=self.request.user,
                title=self.title,
                age_rating=form.cleaned_data["age_rating"],
                stars=form.cleaned_data["stars"],
                headline=form.cleaned_data["headline"],
                body=form.cleaned_data["body"],
                contains_spoilers=form.cleaned_data["contains_spoilers"],
                levels=form.levels(),
            )
        except ReviewNotAllowed as refusal:
            return render(
                self.request,
                "reviews/cannot_review.html",
                {"title": self.title, "reason": str(refusal)},
                status=403,
            )
        if not review.is_published:
            messages.info(
                self.request,
                "Your changes are saved. Your review is still "
                f"{review.get_status_display().lower()}, so only you can see it.",
            )
        elif created:
            messages.success(self.request, "Thank you! Your review is published.")
        else:
            messages.success(self.request, "Your review is updated.")
        return redirect(self.title.get_absolute_url() + f"#review-{review.pk}")


class ReviewDeleteView(LoginRequiredMixin, TemplateView):
    """Ask, then delete your own review (someone else's is a 404)."""

    template_name = "reviews/review_confirm_delete.html"
    login_url = LOGIN_URL

    def get_review(self):
        return get_object_or_404(
            CommunityReview.objects.select_related("title"),
            pk=self.kwargs["pk"],
            author=self.request.user,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = self.get_review()
        return context

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        title = review.title
        delete_review(review=review, user=request.user)
        messages.success(request, f"Your review of {title.name} is deleted.")
        return redirect(title.get_absolute_url() + "#community")


@require_POST
@rate_limited("helpful")
def mark_helpful(request, pk):
    """Mark a review helpful, or take the mark back (POST "helpful" = 1 or 0)."""
    review = get_object_or_404(
        CommunityReview.objects.select_related("title"),
        pk=pk,
        status=CommunityReview.Status.PUBLISHED,
        title__status=Title.Status.PUBLISHED,
    )
    back = safe_next(request, review.title.get_absolute_url() + f"#review-{review.pk}")
    if not request.user.is_authenticated:
        return redirect_to_login(back, reverse("accounts:login"))
    wanted = {"1": True, "0": False}.get(request.POST.get("helpful", ""))
    try:
        marked = toggle_helpful(review=review, user=request.user, helpful=wanted)
    except ReviewNotAllowed as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    if marked:
        messages.success(request, f"Thanks: you found “{review.headline}” helpful.")
    else:
        messages.info(request, f"You took back your helpful vote on “{review.headline}”.")
    return redirect(back)
