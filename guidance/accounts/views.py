from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from guidance.accounts.forms import SignInForm, SignUpForm
from guidance.accounts.services import register_user
from guidance.ratelimits import rate_limited


def safe_next(request, fallback=""):
    """Return the POSTed or queried `next` if it points at this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() would try to reverse a bare word like "0".
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


@method_decorator(rate_limited("signup"), name="dispatch")
class SignUpView(FormView):
    """Create a parent's or a kid's account and sign them in."""

    template_name = "accounts/signup.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(safe_next(request) or reverse("accounts:profile"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        user = register_user(
            email=data["email"],
            password=data["password1"],
            display_name=data["display_name"],
            role=data["role"],
            birth_year=data["birth_year"],
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"Welcome, {user.display_name}! You are signed in.")
        _keep_session_family(self.request, user)
        return redirect(safe_next(self.request) or reverse("home"))


class SignInView(LoginView):
    """Django's sign-in view with the site's form and template."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _keep_session_family(self.request, form.get_user())
        return response


def _keep_session_family(request, user):
    """Move a family profile set up before signing in to the account (family page)."""
    from guidance.accounts.family_views import adopt_session_family

    note = adopt_session_family(request, user)
    if note:
        messages.info(request, note)


class SignOutView(LogoutView):
    """Django's sign-out view (POST only), saying that it worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are signed out. See you soon!")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """Django's "new password saved" page, linking to this site's sign-in page."""

    template_name = "accounts/password_reset_complete.html"

    def get_context_data(self, **kwargs):
        # Django's own version resolves settings.LOGIN_URL; name the page directly.
        context = super(auth_views.PasswordResetCompleteView, self).get_context_data(**kwargs)
        context["login_url"] = reverse("accounts:login")
        return context


class ProfileView(LoginRequiredMixin, TemplateView):
    """My account: my reviews, each with its status, and account links."""

    template_name = "accounts/profile.html"
    login_url = reverse_lazy("accounts:login")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = self.request.user.community_reviews.select_related("title").order_by(
            "-updated_at", "-pk"
        )
        return context
