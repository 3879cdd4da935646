from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from guidance.accounts.views import safe_next
from guidance.moderation.forms import ReportForm
from guidance.moderation.models import Report
from guidance.moderation.services import ReportNotAllowed, posting_refusal, report_review
from guidance.ratelimits import rate_limited
from guidance.reviews.models import CommunityReview
from movies.models import Title


def _refuse(request, review, reason, back):
    context = {"review": review, "title": review.title, "reason": reason, "back": back}
    return render(request, "moderation/cannot_report.html", context, status=403)


@rate_limited("report")
def report(request, pk):
    """Report a review: pick a reason, maybe add a comment; reporting again updates it."""
    # A review that was hidden while the form was open can still be reported (the report
    # counts), but only a published review's page is shown.
    statuses = [CommunityReview.Status.PUBLISHED]
    if request.method == "POST":
        statuses.append(CommunityReview.Status.HIDDEN)
    review = get_object_or_404(
        CommunityReview.objects.select_related("title", "author"),
        pk=pk,
        status__in=statuses,
        title__status=Title.Status.PUBLISHED,
    )
    back = safe_next(request, review.title.get_absolute_url() + f"#review-{review.pk}")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
    if review.author_id == request.user.pk:
        return _refuse(
            request, review, "You can't report your own review. You can edit or delete it.", back
        )
    refusal = posting_refusal(request.user)
    if refusal:
        return _refuse(request, review, refusal, back)

    existing = Report.objects.filter(review=review, reporter=request.user).first()
    initial = {"reason": existing.reason, "comment": existing.comment} if existing else None
    form = ReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = report_review(
                review=review,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ReportNotAllowed as refusal:
            return _refuse(request, review, str(refusal), back)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.created:
                messages.success(
                    request,
                    "Thank you for your report. Our moderators will look at this review; "
                    "we don't tell its author who reported it.",
                )
            else:
                messages.success(
                    request, "Your report is updated. Our moderators will see your changes."
                )
            return redirect(back)
    elif request.method == "POST" and review.status != CommunityReview.Status.PUBLISHED:
        raise Http404("This review is not public.")
    context = {
        "review": review,
        "title": review.title,
        "form": form,
        "existing": existing,
        "back": back,
    }
    return render(
        request, "moderation/report_form.html", context, status=400 if form.errors else 200
    )
