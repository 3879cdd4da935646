"""
The editors' suggestion queue and the record of applied changes.

A suggestion's admin page is where an editor decides: it shows the value on the page now
beside the value after accepting (and the value when suggested, if it has changed since),
lets the editor trim or correct the proposal, and accepts or rejects it with a note. Every
decision goes through services.py; suggestions are never edited or deleted here.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from guidance.suggestions.editable import NotSuggestable, load_title, suggestable_field
from guidance.suggestions.forms import BulkDecisionForm, DecisionForm, change_for
from guidance.suggestions.models import Suggestion, TitleChange
from guidance.suggestions.services import (
    StaleSuggestion,
    accept_suggestion,
    can_decide,
    reject_suggestion,
)


def diff_lines(editable, before, after):
    """Mark each line of two values as kept, removed (before only) or added (after only)."""
    old, new = editable.show(before), editable.show(after)
    return (
        [(line, "kept" if line in new else "removed") for line in old],
        [(line, "kept" if line in old else "added") for line in new],
    )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = [
        "summary",
        "title",
        "author_name",
        "status",
        "created_at",
        "page_changed_since",
    ]
    list_display_links = ["summary"]
    list_filter = ["status", "kind", ("title", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["title", "author"]
    search_fields = [
        "title__name",
        "field_label",
        "summary",
        "message",
        "source",
        "author__display_name",
        "author__email",
    ]
    date_hierarchy = "created_at"
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return can_decide(request.user)

    @admin.display(description="Suggested by", ordering="author__display_name")
    def author_name(self, suggestion):
        return suggestion.author or "(deleted account)"

    @admin.display(description="Page changed since")
    def page_changed_since(self, suggestion):
        if suggestion.is_pending and suggestion.title.updated_at > suggestion.created_at:
            return "⚠ yes: compare before accepting"
        return ""

    # The decision page ----------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show a suggestion as current-versus-proposed and take the editor's decision."""
        suggestion = self.get_object(request, unquote(object_id))
        if suggestion is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, suggestion):
            raise PermissionDenied
        title = load_title(suggestion.title_id)
        try:
            editable = suggestable_field(suggestion.field)
        except NotSuggestable:
            editable = None
        deciding = request.method == "POST"
        if deciding and not can_decide(request.user):
            raise PermissionDenied
        now = editable.read(title) if editable is not None else None
        stale = editable is not None and suggestion.is_pending and now != suggestion.current
        data = request.POST if deciding else None
        decision = DecisionForm(data)
        if not stale:
            del decision.fields["allow_stale"]
        proposal_form = None
        if editable is not None and editable.applies_automatically and suggestion.is_pending:
            proposal_form = change_for(suggestion).form_class(
                data,
                title=title,
                editable=editable,
                proposal=suggestion.proposed,
                prefix="proposal",
            )
            if "category" in proposal_form.fields:
                proposal_form.fields["category"].disabled = True

        preview = suggestion.applied or suggestion.proposed
        if deciding and decision.is_valid():
            if "_reject" in request.POST:
                if not decision.cleaned_data["note"].strip():
                    decision.add_error("note", "Tell the suggester why (they will see this).")
                elif self._decide(request, suggestion, decision, accept=False):
                    return self._back_to_queue(request)
            elif proposal_form is None or proposal_form.is_valid():
                proposal = proposal_form.proposal if proposal_form is not None else None
                preview = proposal or preview
                if "_accept" in request.POST and self._decide(
                    request, suggestion, decision, accept=True, proposal=proposal
                ):
                    return self._back_to_queue(request)

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Suggestion: {suggestion.field_label} on {suggestion.title}",
            "subtitle": None,
            "suggestion": suggestion,
            "page_title": title,
            "editable": editable,
            "decision": decision,
            "proposal_form": proposal_form,
            "can_decide": can_decide(request.user),
            "title_admin_url": reverse("admin:movies_title_change", args=[title.pk]),
            "changes": suggestion.changes.all(),
            "media": self.media + proposal_form.media if proposal_form else self.media,
        }
        if editable is not None:
            context["stale"] = stale
            context["then_lines"] = editable.show(suggestion.current)
            if suggestion.is_pending and editable.applies_automatically:
                try:
                    after = editable.after(now, preview)
                except (KeyError, TypeError):
                    after = now
                context["now_lines"], context["after_lines"] = diff_lines(editable, now, after)
        return TemplateResponse(request, "suggestions/admin/decide.html", context)

    def _decide(self, request, suggestion, decision, *, accept, proposal=None):
        """Call the service; True when decided, else the error is added to the form."""
        note = decision.cleaned_data["note"]
        try:
            if accept:
                accept_suggestion(
                    suggestion=suggestion,
                    editor=request.user,
                    note=note,
                    proposal=proposal,
                    allow_stale=decision.cleaned_data.get("allow_stale", False),
                )
            else:
                reject_suggestion(suggestion=suggestion, editor=request.user, note=note)
        except StaleSuggestion as error:
            decision.add_error("allow_stale" if "allow_stale" in decision.fields else None, error)
            return False
        except ValidationError as error:
            decision.add_error(None, error)
            return False
        verb = "accepted: the title page is updated" if accept else "rejected"
        messages.success(request, f"Suggestion {verb}. The suggester will be told by email.")
        return True

    def _back_to_queue(self, request):
        return HttpResponseRedirect(reverse("admin:suggestions_suggestion_changelist"))

    # Bulk actions ---------------------------------------------------------------------

    @admin.action(description="Accept selected suggestions", permissions=["decide"])
    def accept_selected(self, request, queryset):
        return self._decide_selected(request, queryset, accept=True)

    @admin.action(description="Reject selected suggestions", permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self._decide_selected(request, queryset, accept=False)

    def _decide_selected(self, request, queryset, *, accept):
        pending = list(queryset.filter(status=Suggestion.Status.PENDING).select_related("title"))
        decision = BulkDecisionForm(request.POST if "confirm" in request.POST else None)
        if decision.is_bound and decision.is_valid():
            note = decision.cleaned_data["note"]
            if accept or note.strip():
                done, refused = 0, []
                for suggestion in pending:
                    try:
                        if accept:
                            accept_suggestion(suggestion=suggestion, editor=request.user, note=note)
                        else:
                            reject_suggestion(suggestion=suggestion, editor=request.user, note=note)
                        done += 1
                    except ValidationError as error:
                        refused.append(f"{suggestion}: {error.messages[0]}")
                verb = "accepted" if accept else "rejected"
                messages.success(request, f"{done} suggestion{'s' * (done != 1)} {verb}.")
                for line in refused:
                    messages.warning(request, f"Left for a closer look. {line}")
                return None
            decision.add_error("note", "Tell the suggesters why (they will see this).")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Accept suggestions" if accept else "Reject suggestions",
            "subtitle": None,
            "accept": accept,
            "pending": pending,
            "skipped": queryset.count() - len(pending),
            "decision": decision,
            "action": "accept_selected" if accept else "reject_selected",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "suggestions/admin/decide_selected.html", context)


@admin.register(TitleChange)
class TitleChangeAdmin(admin.ModelAdmin):
    """Every applied change to a title: from an accepted suggestion or an admin edit."""

    list_display = [
        "created_at",
        "title",
        "field_label",
        "description",
        "changed_by",
        "from_suggestion",
        "is_public",
    ]
    list_filter = ["is_public", "created_at", ("title", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["title", "changed_by"]
    search_fields = ["title__name", "field_label", "description", "changed_by__email"]
    date_hierarchy = "created_at"
    fields = [
        "title",
        "field",
        "field_label",
        "description",
        "before",
        "after",
        "is_public",
        "changed_by",
        "suggestion",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="From suggestion", ordering="suggestion")
    def from_suggestion(self, change):
        if change.suggestion_id is None:
            return ""
        url = reverse("admin:suggestions_suggestion_change", args=[change.suggestion_id])
        return format_html('<a href="{}">#{}</a>', url, change.suggestion_id)
