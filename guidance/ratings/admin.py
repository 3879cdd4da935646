from django.contrib import admin

from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview, LevelMeaning


class LevelMeaningInline(admin.TabularInline):
    model = LevelMeaning
    extra = 0
    max_num = 6


@admin.register(ContentCategory)
class ContentCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_editable = ["order"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LevelMeaningInline]


class ContentGradeInline(admin.TabularInline):
    """The grid: one row per category, pre-filled for a new review."""

    model = ContentGrade
    fields = ["category", "level", "note"]
    extra = 0

    def missing_categories(self, obj):
        graded = set(obj.grades.values_list("category_id", flat=True)) if obj and obj.pk else set()
        return [category for category in ContentCategory.objects.all() if category.pk not in graded]

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.missing_categories(obj))


@admin.register(ExpertReview)
class ExpertReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "reviewer", "status", "age_rating", "stars", "published_at"]
    list_filter = ["status", "age_rating", "stars", "title__kind"]
    list_select_related = ["title", "reviewer"]
    search_fields = ["title__name", "summary", "reviewer__display_name"]
    autocomplete_fields = ["title", "reviewer"]
    date_hierarchy = "published_at"
    inlines = [ContentGradeInline]
    fieldsets = [
        (None, {"fields": ["title", "reviewer", "status", "published_at"]}),
        ("Verdict", {"fields": [("age_rating", "stars"), "summary"]}),
        (
            "Review",
            {"fields": ["parents_need_to_know", "story", "is_it_any_good", "talk_to_your_kids"]},
        ),
    ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("reviewer", request.user.pk)
        return initial

    # Family verdicts read the published review's age and grid through stored levels
    # (guidance.accounts): refresh them once the grid is saved, and after deletions.

    def save_related(self, request, form, formsets, change):
        from guidance.accounts.services import refresh_effective_levels

        super().save_related(request, form, formsets, change)
        refresh_effective_levels(title_ids=[form.instance.title_id])

    def delete_model(self, request, obj):
        from guidance.accounts.services import refresh_effective_levels

        super().delete_model(request, obj)
        refresh_effective_levels(title_ids=[obj.title_id])

    def delete_queryset(self, request, queryset):
        from guidance.accounts.services import refresh_effective_levels

        title_ids = list(queryset.values_list("title_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_effective_levels(title_ids=title_ids)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ContentGradeInline) and request.method == "GET":
            kwargs["initial"] = [
                {"category": category.pk} for category in inline.missing_categories(obj)
            ]
        return kwargs
