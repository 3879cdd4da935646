"""The sitemap (/sitemap.xml): published titles, published editors' lists, the fixed pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from movies.models import EditorialList, Title


class TitleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Title.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, title):
        return title.updated_at


class EditorialListSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return EditorialList.objects.filter(is_published=True).only("slug", "updated_at")

    def lastmod(self, editorial_list):
        return editorial_list.updated_at


class FixedPageSitemap(Sitemap):
    """Pages that are always there: home, browse, how we rate, the newsletter sign-up."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        return ["home", "movies:browse", "ratings:how-we-rate", "newsletter:subscribe"]

    def location(self, view_name):
        return reverse(view_name)


SITEMAPS = {
    "titles": TitleSitemap,
    "lists": EditorialListSitemap,
    "pages": FixedPageSitemap,
}
