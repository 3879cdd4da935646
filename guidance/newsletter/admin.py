import csv

from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone

from guidance.newsletter import services
from guidance.newsletter.models import Delivery, Subscriber

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Keep a cell from being read as a formula by spreadsheet apps (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Subscriber.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == Subscriber.Status.ACTIVE:
            return queryset.active()
        if value == Subscriber.Status.PENDING:
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if value == Subscriber.Status.UNSUBSCRIBED:
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["week", "sent_at", "title_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-week"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "status_display",
        "kids_ages_display",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "delivery_count",
    ]
    list_filter = [StatusFilter, "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    fields = [
        "email",
        "kids_ages",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    readonly_fields = ["created_at", "confirmation_sent_at", "confirmed_at", "unsubscribed_at"]
    inlines = [DeliveryInline]
    actions = ["export_csv", "unsubscribe_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_total=Count("deliveries"))

    @admin.display(description="status")
    def status_display(self, obj):
        return obj.get_status_display()

    @admin.display(description="kids' ages")
    def kids_ages_display(self, obj):
        return ", ".join(str(age) for age in obj.kids_ages) or "—"

    @admin.display(description="emails sent", ordering="delivery_total")
    def delivery_count(self, obj):
        return obj.delivery_total

    @admin.action(description="Export the selected subscribers as CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"newsletter-subscribers-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(
            ["email", "status", "kids_ages", "created_at", "confirmed_at", "unsubscribed_at"]
        )
        for subscriber in queryset.order_by("pk"):
            writer.writerow(
                [
                    csv_safe(subscriber.email),
                    subscriber.status,
                    " ".join(str(age) for age in subscriber.kids_ages),
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                    subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else "",
                ]
            )
        return response

    @admin.action(description="Unsubscribe the selected subscribers")
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            services.unsubscribe(subscriber=subscriber)
        self.message_user(request, f"Unsubscribed {queryset.count()} subscriber(s).")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The weekly send log: read-only, it is what stops a second email in one week."""

    list_display = ["week", "subscriber", "sent_at", "title_count"]
    list_filter = ["week"]
    search_fields = ["subscriber__email"]
    list_select_related = ["subscriber"]
    date_hierarchy = "week"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
