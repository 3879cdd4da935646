from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from movies import views as movie_views
from movies.sitemaps import SITEMAPS

admin.site.site_header = "Family Screen Guide: editors and moderators"
admin.site.site_title = "Family Screen Guide admin"
admin.site.index_title = "Work queues and catalog"

urlpatterns = [
    path("", movie_views.HomeView.as_view(), name="home"),
    # The guidance apps' routes under /movies/<slug>/ (reviews, suggestions, history)
    # and /reviews/<id>/ come before the catalog's so that each app owns its URLs.
    path("", include("guidance.reviews.urls")),
    path("", include("guidance.moderation.urls")),
    path("", include("guidance.suggestions.urls")),
    path("movies/", include("movies.urls")),
    path("lists/<slug:slug>/", movie_views.EditorialListView.as_view(), name="editorial-list"),
    path("ratings/", include("guidance.ratings.urls")),
    path("accounts/", include("guidance.accounts.urls")),
    path("newsletter/", include("guidance.newsletter.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
