"""
The family page: /accounts/family/. A signed-in person's family is saved to their account;
a visitor's is kept in their session (this browser) until they sign in or up, when it
moves to their account.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from guidance.accounts.family import SESSION_KEY, family_for_request, family_from_session
from guidance.accounts.family_forms import FamilyChoices, family_forms, family_from_forms
from guidance.accounts.services import delete_family, save_family
from guidance.accounts.views import safe_next


class FamilyView(TemplateView):
    """See and change who is in the family and what fits each child."""

    template_name = "accounts/family.html"

    def dispatch(self, request, *args, **kwargs):
        self.choices = FamilyChoices.load()
        self.family = family_for_request(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in kwargs:
            context["formset"], context["family_form"] = family_forms(
                choices=self.choices, family=self.family
            )
        context.update(
            family=self.family,
            summaries=child_summaries(self.family, self.choices.categories),
            categories=self.choices.categories,
            next=safe_next(self.request),
            signed_in=self.request.user.is_authenticated,
        )
        return context

    def post(self, request, *args, **kwargs):
        formset, family_form = family_forms(choices=self.choices, data=request.POST)
        if not (formset.is_valid() and family_form.is_valid()):
            messages.error(request, "Some answers need another look: see the notes below.")
            return self.render_to_response(
                self.get_context_data(formset=formset, family_form=family_form)
            )
        if request.user.is_authenticated:
            family = family_from_forms(formset, family_form, stored_in="account")
            save_family(user=request.user, family=family)
            saved = "Saved to your account."
        else:
            family = family_from_forms(formset, family_form, stored_in="session")
            request.session[SESSION_KEY] = family.to_session()
            saved = "Saved in this browser. Sign in or create an account to keep it."
        if family:
            names = ", ".join(child.label for child in family.children)
            messages.success(request, f"Your family is set: {names}. {saved}")
        else:
            messages.info(request, "No children in your family yet: add one to see verdicts.")
        return redirect(safe_next(request) or reverse("accounts:family"))


class ForgetFamilyView(View):
    """Forget the family (POST): the account's profile, or the session's copy."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            delete_family(user=request.user)
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "We have forgotten your family profile.")
        return redirect("accounts:family")


def child_summaries(family, categories):
    """For each child, their limits in words and where each comes from, for the page."""
    if not family:
        return []
    sources = {"own": "you set it", "age": "for their age", "family": "family limit"}
    return [
        {
            "child": child,
            "limits": [
                (category, child.limit_for(category), sources[child.limit_source(category)])
                for category in categories
            ],
        }
        for child in family.children
    ]


def adopt_session_family(request, user) -> str:
    """
    After signing in or up: move a family kept in the session to the account, unless the
    account already has one (then the account's stays). Returns a message, or "".
    """
    family = family_from_session(request.session.get(SESSION_KEY))
    if not family:
        return ""
    request.session.pop(SESSION_KEY, None)
    if hasattr(request, "_family"):
        del request._family
    from guidance.accounts.family import family_of_user

    if family_of_user(user):
        return "You already had a family profile on your account, so we kept that one."
    # Session children have no ids yet: save_family gives them new ones.
    family.stored_in = "account"
    save_family(user=user, family=family)
    return "We saved the family you set up to your account."
