"""
Community reviews in admin: find and read them, see each title's numbers.

People's words and the counted numbers are read-only here: status changes go through
guidance.reviews.services (the moderation queue calls them), so the aggregates stay
exact. Deleting a review here recounts its title (see signals.py).
"""

from django.contrib import admin

from guidance.reviews.models import CommunityLevel, CommunityReview, ReviewSummary


class CommunityLevelInline(admin.TabularInline):
    model = CommunityLevel
    fields = ("category", "level")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CommunityReview)
class CommunityReviewAdmin(admin.ModelAdmin):
    list_display = (
        "headline",
        "title",
        "author",
        "author_role",
        "age_rating",
        "stars",
        "status",
        "helpful_count",
        "report_count",
        "created_at",
    )
    list_filter = ("status", "author_role", "contains_spoilers", "stars", "created_at")
    search_fields = ("headline", "body", "title__name", "author__display_name", "author__email")
    list_select_related = ("title", "author")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "title",
        "author",
        "author_role",
        "status",
        "age_rating",
        "stars",
        "headline",
        "body",
        "contains_spoilers",
        "helpful_count",
        "report_count",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [CommunityLevelInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReviewSummary)
class ReviewSummaryAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "review_count",
        "parent_count",
        "parent_age",
        "kid_count",
        "kid_age",
        "stars_average",
        "updated_at",
    )
    list_select_related = ("title",)
    search_fields = ("title__name",)
    ordering = ("-review_count",)
    readonly_fields = (
        "title",
        "review_count",
        "parent_count",
        "kid_count",
        "parent_age",
        "kid_age",
        "stars_average",
        "parent_stars",
        "kid_stars",
        "levels",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
