from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.generic import ListView

from guidance.moderation.services import posting_refusal
from guidance.ratelimits import rate_limited
from guidance.suggestions.editable import NotSuggestable, with_editable_data
from guidance.suggestions.forms import CHANGES, SuggestionNoteForm
from guidance.suggestions.services import suggest_update
from movies.models import Title


def _chooser_groups():
    """The "what would you like to change?" list, grouped as the page shows it."""
    return [
        (group, list(changes)) for group, changes in groupby(CHANGES.values(), lambda c: c.group)
    ]


@login_required(login_url=reverse_lazy("accounts:login"))
@rate_limited("suggestion")
def suggest(request, slug):
    """Suggest an update: pick what to change, then propose the new value beside the old."""
    title = get_object_or_404(with_editable_data(Title.objects.visible_to(request.user)), slug=slug)
    data = request.POST if request.method == "POST" else None
    key = (data or request.GET).get("change", "")
    context = {"title": title, "groups": _chooser_groups()}
    if not key:
        return render(request, "suggestions/suggest.html", context)
    change = CHANGES.get(key)
    if change is None:
        context["refusal"] = NotSuggestable(key).messages[0]
        return render(request, "suggestions/suggest.html", context, status=400)

    form = change.form_class(data, title=title, prefix="proposal")
    note_form = SuggestionNoteForm(data)
    context.update(change=change, form=form, note_form=note_form)
    unavailable = posting_refusal(request.user) or form.unavailable_reason()
    if unavailable:
        context["unavailable"] = unavailable
        return render(request, "suggestions/suggest.html", context)
    if data is not None and form.is_valid() and note_form.is_valid():
        try:
            suggest_update(
                title=title,
                author=request.user,
                field=form.editable.key,
                proposed=form.proposal,
                message=note_form.cleaned_data["message"],
                source=note_form.cleaned_data["source"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Thank you! Our editors will look at your suggestion. You can follow it on "
                "your profile, and we will email you when they decide.",
            )
            return redirect(title)
    status = 400 if data is not None else 200
    return render(request, "suggestions/suggest.html", context, status=status)


class TitleHistoryView(ListView):
    """A title's public change history: what changed and when, in plain words."""

    template_name = "suggestions/history.html"
    context_object_name = "changes"
    paginate_by = 50

    def get_queryset(self):
        self.title = get_object_or_404(
            Title.objects.visible_to(self.request.user), slug=self.kwargs["slug"]
        )
        return (
            self.title.changes.filter(is_public=True)
            .only("created_at", "field_label", "description", "suggestion")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context
