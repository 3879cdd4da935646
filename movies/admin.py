from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.urls import reverse
from django.utils.html import format_html

from guidance.suggestions.services import lock_title_state, record_admin_edit
from movies.models import (
    Credit,
    EditorialList,
    EditorialListItem,
    Offer,
    Person,
    Photo,
    StreamingService,
    Studio,
    Tag,
    Title,
    Video,
)

TAG_FIELDS = {
    "genres": Tag.Kind.GENRE,
    "topics": Tag.Kind.TOPIC,
    "character_strengths": Tag.Kind.STRENGTH,
    "inclusion_tags": Tag.Kind.INCLUSION,
}


class TitleAdminForm(forms.ModelForm):
    """Show the title's tags as four fields, one per kind, stored in one `tags` field."""

    genres = forms.ModelMultipleChoiceField(queryset=Tag.objects.none(), required=False)
    topics = forms.ModelMultipleChoiceField(queryset=Tag.objects.none(), required=False)
    character_strengths = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(), required=False
    )
    inclusion_tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(), required=False, label="Inclusion information"
    )

    class Meta:
        model = Title
        fields = [
            "name",
            "slug",
            "kind",
            "status",
            "year",
            "tagline",
            "poster",
            "runtime_minutes",
            "mpaa_rating",
            "mpaa_explanation",
            "theatrical_release",
            "streaming_release",
            "studio",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (
            set(self.instance.tags.values_list("pk", flat=True)) if self.instance.pk else set()
        )
        for field_name, kind in TAG_FIELDS.items():
            field = self.fields[field_name]
            label = field.label or field_name.replace("_", " ")
            # The widget first: setting the queryset afterwards gives the widget its choices.
            field.widget = FilteredSelectMultiple(label, is_stacked=False)
            field.queryset = Tag.objects.filter(kind=kind)
            if self.instance.pk:
                self.initial[field_name] = [tag.pk for tag in field.queryset if tag.pk in current]

    def selected_tags(self):
        return [tag for name in TAG_FIELDS for tag in self.cleaned_data.get(name, [])]


class CreditInline(admin.TabularInline):
    model = Credit
    autocomplete_fields = ["person"]
    fields = ["role", "person", "character", "order"]
    extra = 1


class OfferInline(admin.TabularInline):
    model = Offer
    autocomplete_fields = ["service"]
    fields = ["service", "kind", "url", "price"]
    extra = 1


class PhotoInline(admin.TabularInline):
    model = Photo
    fields = ["image", "preview", "caption", "alt_text", "order"]
    readonly_fields = ["preview"]
    extra = 1

    @admin.display(description="Preview")
    def preview(self, photo):
        if photo.thumbnail:
            return format_html('<img src="{}" alt="" height="60">', photo.thumbnail.url)
        return "-"


class VideoInline(admin.TabularInline):
    model = Video
    fields = ["name", "kind", "url", "order"]
    extra = 1


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    form = TitleAdminForm
    list_display = [
        "name",
        "year",
        "kind",
        "status",
        "mpaa_rating",
        "studio",
        "expert_review_link",
        "community_review_count",
        "updated_at",
    ]
    list_filter = ["status", "kind", "mpaa_rating", "year", "tags"]
    list_select_related = ["studio", "expert_review"]
    search_fields = ["name", "slug", "credits__person__name", "studio__name"]
    prepopulated_fields = {"slug": ["name", "year"]}
    autocomplete_fields = ["studio"]
    readonly_fields = ["updated_at", "created_at", "community_review_count", "community_rating"]
    date_hierarchy = "created_at"
    inlines = [CreditInline, OfferInline, PhotoInline, VideoInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "year", "tagline", "poster"]}),
        (
            "Details",
            {
                "fields": [
                    "runtime_minutes",
                    ("mpaa_rating", "mpaa_explanation"),
                    ("theatrical_release", "streaming_release"),
                    "studio",
                ]
            },
        ),
        (
            "Genres, topics, strengths and inclusion",
            {"fields": ["genres", "topics", "character_strengths", "inclusion_tags"]},
        ),
        (
            "Record",
            {
                "fields": [
                    ("created_at", "updated_at"),
                    ("community_review_count", "community_rating"),
                ]
            },
        ),
    ]

    @admin.display(description="Expert review", ordering="expert_review__status")
    def expert_review_link(self, title):
        review = getattr(title, "expert_review", None)
        if review is None:
            url = reverse("admin:ratings_expertreview_add") + f"?title={title.pk}"
            return format_html('<a href="{}">Write one</a>', url)
        url = reverse("admin:ratings_expertreview_change", args=[review.pk])
        return format_html('<a href="{}">{}</a>', url, review.get_status_display())

    def save_model(self, request, obj, form, change):
        # Lock the title and note what its page shows, to record what this save changes.
        form.state_before_edit = lock_title_state(title_id=obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.tags.set(form.selected_tags())
        # Record each changed field; "Last updated" moves only if the page really changed.
        record_admin_edit(title=form.instance, before=form.state_before_edit, editor=request.user)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Studio)
class StudioAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StreamingService)
class StreamingServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class EditorialListItemInline(admin.TabularInline):
    model = EditorialListItem
    autocomplete_fields = ["title"]
    fields = ["order", "title", "blurb"]
    extra = 1


@admin.register(EditorialList)
class EditorialListAdmin(admin.ModelAdmin):
    list_display = ["name", "is_published", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EditorialListItemInline]
