"""
The newsletter pages: sign up, "check your inbox", confirm, unsubscribe.

Confirming and unsubscribing happen on a POST from a page the link opens, never on the
GET itself, so that mail scanners that open links do not subscribe or unsubscribe
anyone. The signed token in the address is what authorises both.
"""

from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from guidance.newsletter import services
from guidance.newsletter.forms import SubscribeForm
from guidance.newsletter.picks import and_list
from guidance.ratelimits import rate_limited


@require_http_methods(["GET", "POST"])
@rate_limited("newsletter")
def subscribe(request):
    """Sign up: the same answer whether or not the address is already subscribed."""
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscribe(
            email=form.cleaned_data["email"],
            kids_ages=form.cleaned_data["kids_ages"],
            base_url=request.build_absolute_uri("/"),
        )
        return redirect("newsletter:check-inbox")
    return render(request, "newsletter/subscribe.html", {"form": form})


class CheckInboxView(TemplateView):
    template_name = "newsletter/check_inbox.html"


class ConfirmedView(TemplateView):
    template_name = "newsletter/confirmed.html"


def _invalid_link(request, *, action):
    return render(request, "newsletter/invalid_link.html", {"action": action}, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The double opt-in link: a page with one button that confirms."""
    subscriber, issued_at = services.subscriber_from_confirm_token(token)
    if subscriber is None:
        return _invalid_link(request, action="confirm")
    if request.method == "POST":
        if not services.confirm_subscription(subscriber=subscriber, issued_at=issued_at):
            return _invalid_link(request, action="confirm")
        return redirect("newsletter:confirmed")
    if subscriber.is_active:
        return redirect("newsletter:confirmed")
    context = {"subscriber": subscriber, "kids_ages": and_list(sorted(subscriber.kids_ages))}
    return render(request, "newsletter/confirm.html", context)


# Exempt from CSRF: the signed token is the proof, and mail apps' one-click unsubscribe
# (RFC 8058) POSTs here without a form of ours.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The link in every email: a page with one button that unsubscribes."""
    subscriber = services.subscriber_from_unsubscribe_token(token)
    if subscriber is None:
        return _invalid_link(request, action="unsubscribe")
    if request.method == "POST":
        subscriber = services.unsubscribe(subscriber=subscriber)
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    if subscriber.unsubscribed_at is not None:
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
