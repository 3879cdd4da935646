"""The site's addresses plus /bench/bare/, the yardstick every page is measured against."""

from django.shortcuts import render
from django.urls import include, path


def bare(request):
    """Render a tiny template: the least a page can cost through the full middleware stack."""
    return render(request, "bench/bare.html", {"greeting": "Hello"})


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("guidance.urls")),
]
