from django.views.generic import ListView

from guidance.ratings.models import ContentCategory


class HowWeRateView(ListView):
    """How we rate: every grid category and what each of its levels means."""

    template_name = "ratings/how_we_rate.html"
    context_object_name = "categories"

    def get_queryset(self):
        return ContentCategory.objects.prefetch_related("levels")
