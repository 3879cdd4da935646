"""The site's own error views, where Django's defaults need a template of ours."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Explain an expired or foreign form in the site's style (status 403)."""
    return render(request, "403_csrf.html", status=403)
