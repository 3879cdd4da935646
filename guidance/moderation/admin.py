"""
The moderators' workplace: the queue, every report, the log, blocked phrases, suspensions.

The queue ("Moderation queue") lists reviews with open reports and hidden reviews, most
urgent first; a review's page shows its reports with the reporters' records and its
history, with buttons for each decision. Decisions (buttons and bulk actions alike) ask
for a reason and a note on a confirmation page, then call guidance.moderation.services.
Nothing here edits a review's words or deletes anything; the log is read-only for
everyone, superusers included.
"""

from collections import Counter
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince

from guidance.moderation.forms import DecisionForm, SuspensionForm
from guidance.moderation.models import (
    BlockedPhrase,
    ModerationAction,
    Reason,
    Report,
    ReportedReview,
    Suspension,
)
from guidance.moderation.querysets import DEFAULT_ORDER, ORDERS, moderation_queue, needs_decision
from guidance.moderation.services import (
    MODERATE_PERMISSION,
    SUSPEND_PERMISSION,
    ModerationRefused,
    dismiss_reports,
    hide_review,
    lift_suspension,
    remove_review,
    restore_review,
    suspend_author,
    validate_suspension,
)
from guidance.reviews.models import CommunityReview

Status = CommunityReview.Status


@dataclass(frozen=True)
class Decision:
    """One decision a moderator can take on a review, as the admin offers it."""

    key: str
    label: str
    done: str
    service: object
    reason_required: bool
    explanation: str

    def applies_to(self, review):
        """Return whether this decision makes sense for the review as it is now."""
        if self.key == "keep":
            return review.status == Status.HIDDEN or (
                review.status == Status.PUBLISHED and review.open_reports > 0
            )
        if self.key == "hide":
            return review.status == Status.PUBLISHED
        if self.key == "remove":
            return review.status != Status.REMOVED
        return review.status != Status.PUBLISHED  # restore


DECISIONS = {
    decision.key: decision
    for decision in [
        Decision(
            "keep",
            "Keep",
            "kept",
            dismiss_reports,
            False,
            "Dismiss the open reports. A hidden review is published and counted again.",
        ),
        Decision(
            "hide",
            "Hide",
            "hidden",
            hide_review,
            True,
            "Take it off the public pages while you look further. The reports stay open.",
        ),
        Decision(
            "remove",
            "Remove",
            "removed",
            remove_review,
            True,
            "Take it down for good and uphold the reports. Its words are kept for the record.",
        ),
        Decision(
            "restore",
            "Restore",
            "restored",
            restore_review,
            False,
            "Publish it again and dismiss the open reports. The title's numbers are recounted.",
        ),
    ]
}


def plural(n, one, many):
    return f"{n} {one if n == 1 else many}"


def accuracy_text(stats):
    if stats is None or not stats.decided:
        return "no decided reports yet"
    return f"{stats.upheld} of {stats.decided} upheld ({stats.accuracy:.0%})"


def reporter_text(report):
    """Who filed a report and, for a reader, their record with moderators."""
    if report.source == Report.Source.SYSTEM:
        return "The system"
    if report.reporter is None:
        return "A deleted account"
    stats = getattr(report.reporter, "report_stats", None)
    return format_html(
        "{} &lt;{}&gt;<br><small>{}; {}</small>",
        report.reporter.display_name,
        report.reporter.email,
        plural(stats.reports if stats else 0, "report", "reports"),
        accuracy_text(stats),
    )


# The queue's filters ---------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("decided", "Decided"), ("all", "Everything ever reported")]

    def choices(self, changelist):
        value = self.value()
        yield {
            "selected": value is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Needs a decision",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "decided":
            return queryset.filter(open_reports=0).exclude(status=Status.HIDDEN)
        return needs_decision(queryset)


class OrderFilter(admin.SimpleListFilter):
    """Choose the queue's order (ModelAdmin.get_ordering reads it)."""

    title = "order"
    parameter_name = "order"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in ORDERS.items() if key != DEFAULT_ORDER]

    def choices(self, changelist):
        value = self.value() if self.value() in ORDERS else None
        yield {
            "selected": value is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": ORDERS[DEFAULT_ORDER][0],
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset


class ReasonFilter(admin.SimpleListFilter):
    title = "reason reported"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Reason.choices

    def queryset(self, request, queryset):
        if self.value() in Reason.values:
            return queryset.filter(
                pk__in=Report.objects.filter(reason=self.value()).values("review_id")
            )
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "reported by"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("user", "Readers"), ("system", "The system")]

    def queryset(self, request, queryset):
        if self.value() in Report.Source.values:
            return queryset.filter(
                pk__in=Report.objects.filter(source=self.value()).values("review_id")
            )
        return queryset


# Inlines ----------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportInline(ReadOnlyInline):
    model = Report
    fk_name = "review"
    verbose_name_plural = "reports (readers' comments are for moderators only)"
    fields = ("created_at", "who", "reason", "comment", "status", "resolved")
    readonly_fields = fields
    ordering = ("status", "-created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter__report_stats", "resolved_by")

    @admin.display(description="Reported by")
    def who(self, report):
        return reporter_text(report)

    @admin.display(description="Decided")
    def resolved(self, report):
        if report.resolved_at is None:
            return "-"
        return f"{report.resolved_at:%Y-%m-%d %H:%M} by {report.resolved_by or 'someone'}"


class HistoryInline(ReadOnlyInline):
    model = ModerationAction
    fk_name = "review"
    verbose_name_plural = "moderation history"
    fields = ("created_at", "action", "by", "reason", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("moderator")

    @admin.display(description="By")
    def by(self, entry):
        return entry.moderator or "System"


# The queue ----------------------------------------


@admin.register(ReportedReview)
class ReportedReviewAdmin(admin.ModelAdmin):
    list_display = (
        "review",
        "title_name",
        "author_name",
        "reports",
        "reasons",
        "status_label",
        "waiting",
    )
    list_display_links = None  # the headline in the first column links to the review
    list_filter = (
        QueueFilter,
        OrderFilter,
        ReasonFilter,
        SourceFilter,
        "status",
        "title__kind",
    )
    search_fields = (
        "headline",
        "body",
        "author__display_name",
        "author__email",
        "title__name",
    )
    list_per_page = 50
    # The total of everything ever reported is one more count over the whole queue;
    # the filtered count ("needs a decision") is what a moderator reads.
    show_full_result_count = False
    actions = [
        "keep_selected",
        "hide_selected",
        "remove_selected",
        "restore_selected",
        "suspend_authors",
    ]
    fieldsets = (
        (
            "The review",
            {
                "fields": (
                    "title_link",
                    "author_record",
                    "status",
                    "reports_summary",
                    "age_rating",
                    "stars",
                    "headline",
                    "body",
                    "contains_spoilers",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = (
        "title_link",
        "author_record",
        "status",
        "reports_summary",
        "age_rating",
        "stars",
        "headline",
        "body",
        "contains_spoilers",
        "created_at",
        "updated_at",
    )
    inlines = [ReportInline, HistoryInline]

    def get_queryset(self, request):
        return moderation_queue(super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Moderation queue: reviews waiting for a decision"}
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        order = request.GET.get(OrderFilter.parameter_name, DEFAULT_ORDER)
        return ORDERS.get(order, ORDERS[DEFAULT_ORDER])[1]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def has_suspend_permission(self, request):
        return request.user.has_perm(SUSPEND_PERMISSION)

    # Columns -------------------------------------------------------------------------

    @admin.display(description="Review")
    def review(self, review):
        return format_html(
            "<a href='{}'><strong>{}</strong></a><br><span class='review-excerpt'>{}</span>",
            self._page_url(review),
            review.headline,
            truncatechars(review.body, 140),
        )

    @admin.display(description="Title", ordering="title__name")
    def title_name(self, review):
        return f"{review.title.name} ({review.title.year})"

    @admin.display(description="Author", ordering="author__display_name")
    def author_name(self, review):
        if review.author_suspended:
            return format_html("{}<br><strong>suspended</strong>", review.author.display_name)
        return review.author.display_name

    @admin.display(description="Open reports", ordering="people_reporting")
    def reports(self, review):
        parts = []
        if review.people_reporting:
            parts.append(plural(review.people_reporting, "person", "people"))
        if review.system_flags:
            parts.append(plural(review.system_flags, "system flag", "system flags"))
        return format_html(
            "{}<br><small>priority {}</small>",
            " + ".join(parts) or "none open",
            f"{review.priority:.2f}",
        )

    @admin.display(description="Reasons")
    def reasons(self, review):
        """Readers' reasons, most given first, then the system's."""
        readers, system = Counter(), []
        for report in review.open_report_list:
            if report.source == Report.Source.SYSTEM:
                system.append(report.get_reason_display())
            else:
                readers[report.get_reason_display()] += 1
        lines = [f"{label} ×{n}" if n > 1 else label for label, n in readers.most_common()]
        lines += [f"System: {label}" for label in system]
        return format_html_join("", "{}<br>", ((line,) for line in lines)) or "-"

    @admin.display(description="Status", ordering="status")
    def status_label(self, review):
        return review.get_status_display()

    @admin.display(description="Waiting", ordering="waiting_since")
    def waiting(self, review):
        if review.waiting_since is None:
            return "-"
        return format_html(
            "<span title='{}'>{}</span>",
            f"{review.waiting_since:%Y-%m-%d %H:%M}",
            timesince(review.waiting_since, timezone.now()).split(",")[0],
        )

    # The review's page ---------------------------------------------------------------

    @admin.display(description="Title")
    def title_link(self, review):
        return format_html(
            "<a href='{}'>{} ({})</a>",
            review.title.get_absolute_url(),
            review.title.name,
            review.title.year,
        )

    @admin.display(description="Author")
    def author_record(self, review):
        author = review.author
        reviews = CommunityReview.objects.filter(author=author)
        removed = reviews.filter(status=Status.REMOVED).count()
        suspension = Suspension.objects.active().filter(user=author).first()
        lines = [
            f"{author.display_name} <{author.email}>, {author.get_role_display().lower()}, "
            f"joined {author.date_joined:%Y-%m-%d}",
            f"{reviews.count()} reviews, {removed} removed by moderators",
        ]
        if suspension:
            until = f"{suspension.ends_at:%Y-%m-%d}" if suspension.ends_at else "lifted"
            lines.append(
                f"Suspended from posting until {until} ({suspension.get_reason_display()})"
            )
        return format_html_join("", "{}<br>", ((line,) for line in lines))

    @admin.display(description="Open reports")
    def reports_summary(self, review):
        return format_html(
            "{} from readers, {} from the system (priority {})",
            review.people_reporting,
            review.system_flags,
            f"{review.priority:.2f}",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {})}
        if review is not None:
            extra_context.update(
                decisions=[
                    decision for decision in DECISIONS.values() if decision.applies_to(review)
                ]
                if self.has_moderate_permission(request)
                else [],
                can_suspend=self.has_suspend_permission(request)
                and not (review.author.is_staff or review.author_suspended),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/decide/<slug:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="{}_{}_decide".format(*info),
            ),
            path(
                "<path:object_id>/suspend-author/",
                self.admin_site.admin_view(self.suspend_view),
                name="{}_{}_suspend".format(*info),
            ),
            *super().get_urls(),
        ]

    def _queue_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def _page_url(self, review):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[review.pk]
        )

    def _confirmation(self, request, *, title, reviews, form, submit, explanation, action=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "subtitle": None,
            "reviews": reviews,
            "form": form,
            "submit": submit,
            "explanation": explanation,
            "action": action,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "queue_url": self._queue_url(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/moderation/decide.html", context)

    def decide_view(self, request, object_id, decision):
        """Ask for the reason and note for one decision on one review, then take it."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        spec = DECISIONS.get(decision)
        review = self.get_object(request, unquote(object_id))
        if spec is None or review is None:
            raise Http404("No such review in the queue, or no such decision.")
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            reason_required=spec.reason_required,
        )
        if form.is_bound and form.is_valid():
            try:
                spec.service(
                    review=review,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ModerationRefused as refusal:
                messages.error(request, refusal.messages[0])
                return HttpResponseRedirect(self._page_url(review))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"“{review.headline}” is {spec.done}.")
                return HttpResponseRedirect(self._queue_url())
        return self._confirmation(
            request,
            title=f"{spec.label} this review?",
            reviews=[review],
            form=form,
            submit=f"{spec.label} this review",
            explanation=spec.explanation,
        )

    def suspend_view(self, request, object_id):
        """Suspend the review's author from posting, with a reason and an optional end."""
        if not self.has_suspend_permission(request):
            raise PermissionDenied
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404("No such review in the queue.")
        form = SuspensionForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                suspend_author(
                    user=review.author,
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                    ends_at=form.ends_at,
                    note=form.cleaned_data["note"],
                    review=review,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"{review.author.display_name} is suspended from posting."
                )
                return HttpResponseRedirect(self._page_url(review))
        return self._confirmation(
            request,
            title=f"Suspend {review.author.display_name} from posting?",
            reviews=[review],
            form=form,
            submit="Suspend the author",
            explanation=(
                "They will not be able to write or edit reviews, report reviews or suggest "
                "updates. Their published reviews are queued for a look. They are told why "
                "by email and on their profile."
            ),
        )

    # Bulk actions --------------------------------------------------------------------

    def _decide_selected(self, request, queryset, key):
        spec = DECISIONS[key]
        reviews = list(queryset)
        form = DecisionForm(
            request.POST if "confirm" in request.POST else None,
            reason_required=spec.reason_required,
        )
        if form.is_bound and form.is_valid():
            done, skipped = 0, []
            for review in reviews:
                try:
                    spec.service(
                        review=review,
                        moderator=request.user,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                    )
                    done += 1
                except ValidationError as error:
                    skipped.append(f"“{review.headline}”: {error.messages[0]}")
            messages.success(request, f"{done} review{'s' * (done != 1)} {spec.done}.")
            for line in skipped:
                messages.warning(request, f"Left as it was. {line}")
            return None
        return self._confirmation(
            request,
            title=f"{spec.label} {len(reviews)} review{'s' * (len(reviews) != 1)}?",
            reviews=reviews,
            form=form,
            submit=f"{spec.label} them",
            explanation=spec.explanation,
            action=f"{key}_selected",
        )

    @admin.action(description="Keep: dismiss the reports", permissions=["moderate"])
    def keep_selected(self, request, queryset):
        return self._decide_selected(request, queryset, "keep")

    @admin.action(description="Hide while you look further", permissions=["moderate"])
    def hide_selected(self, request, queryset):
        return self._decide_selected(request, queryset, "hide")

    @admin.action(description="Remove: uphold the reports", permissions=["moderate"])
    def remove_selected(self, request, queryset):
        return self._decide_selected(request, queryset, "remove")

    @admin.action(description="Restore: publish again", permissions=["moderate"])
    def restore_selected(self, request, queryset):
        return self._decide_selected(request, queryset, "restore")

    @admin.action(description="Suspend the authors from posting", permissions=["suspend"])
    def suspend_authors(self, request, queryset):
        reviews = list(queryset)
        form = SuspensionForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, skipped, seen = 0, [], set()
            for review in reviews:
                if review.author_id in seen:
                    continue
                seen.add(review.author_id)
                try:
                    suspend_author(
                        user=review.author,
                        moderator=request.user,
                        reason=form.cleaned_data["reason"],
                        ends_at=form.ends_at,
                        note=form.cleaned_data["note"],
                        review=review,
                    )
                    done += 1
                except ValidationError as error:
                    skipped.append(f"{review.author.display_name}: {error.messages[0]}")
            messages.success(request, f"{done} author{'s' * (done != 1)} suspended from posting.")
            for line in skipped:
                messages.warning(request, f"Not suspended. {line}")
            return None
        return self._confirmation(
            request,
            title="Suspend these authors from posting?",
            reviews=reviews,
            form=form,
            submit="Suspend them",
            explanation="Each author of the selected reviews is suspended once.",
            action="suspend_authors",
        )


# Every report, the log ----------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "on_review", "who", "reason", "comment_excerpt", "status")
    list_filter = ("status", "source", "reason", "created_at")
    search_fields = (
        "comment",
        "reporter__display_name",
        "reporter__email",
        "review__headline",
        "review__title__name",
    )
    list_select_related = ("review__title", "reporter__report_stats")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    readonly_fields = (
        "on_review",
        "who",
        "source",
        "reason",
        "comment",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    @admin.display(description="Review", ordering="review__headline")
    def on_review(self, report):
        url = reverse("admin:moderation_reportedreview_change", args=[report.review_id])
        return format_html(
            "<a href='{}'>{}</a> ({})", url, report.review.headline, report.review.title.name
        )

    @admin.display(description="Reported by")
    def who(self, report):
        return reporter_text(report)

    @admin.display(description="Comment")
    def comment_excerpt(self, report):
        return truncatechars(report.comment, 80)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The audit log: read-only for everyone."""

    list_display = ("when", "action", "by", "on_review", "reason", "note_excerpt")
    list_filter = ("action", "reason", ("moderator", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "headline",
        "body",
        "note",
        "author__display_name",
        "author__email",
        "moderator__display_name",
        "title__name",
    )
    list_select_related = ("moderator", "author", "title", "review")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "action",
        "by",
        "on_review",
        "author",
        "title",
        "reason",
        "note",
        "status_before",
        "status_after",
        "reports_resolved",
        "headline",
        "body",
    )
    readonly_fields = fields

    @admin.display(description="When", ordering="created_at")
    def when(self, entry):
        return f"{timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description="By", ordering="moderator__display_name")
    def by(self, entry):
        return entry.moderator or "System"

    @admin.display(description="Review or account")
    def on_review(self, entry):
        """The review judged (linked while it exists), its author and title."""
        author = entry.author.display_name if entry.author else "a deleted account"
        if not entry.headline:
            return f"Account: {author}"
        context = f"by {author}" + (f" on {entry.title.name}" if entry.title else "")
        if entry.review_id is None:
            return format_html("{}<br><small>{} (since deleted)</small>", entry.headline, context)
        url = reverse("admin:moderation_reportedreview_change", args=[entry.review_id])
        return format_html("<a href='{}'>{}</a><br><small>{}</small>", url, entry.headline, context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Moderation log: every decision, newest first"}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Note")
    def note_excerpt(self, entry):
        return truncatechars(entry.note, 80)


# Blocked phrases, suspensions ----------------------------------------


@admin.register(BlockedPhrase)
class BlockedPhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "action", "is_active", "note", "updated_at")
    list_editable = ("action", "is_active")
    list_filter = ("action", "is_active")
    search_fields = ("phrase", "note")
    fields = ("phrase", "action", "is_active", "note")


class SuspensionAdminForm(forms.ModelForm):
    class Meta:
        model = Suspension
        fields = ("user", "reason", "ends_at", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reason" in self.fields:
            self.fields["reason"].choices = (
                DecisionForm(reason_required=True).fields["reason"].choices
            )

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None:
            try:
                validate_suspension(user=user, ends_at=cleaned.get("ends_at"))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class InForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force"), ("no", "Ended or lifted")]

    def queryset(self, request, queryset):
        active = Suspension.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    form = SuspensionAdminForm
    list_display = ("user", "reason", "starts_at", "ends_at", "in_force", "created_by", "lifted")
    list_filter = (InForceFilter, "reason")
    search_fields = ("user__display_name", "user__email", "note")
    list_select_related = ("user", "created_by", "lifted_by")
    autocomplete_fields = ("user",)
    actions = ["lift_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "reason", "ends_at", "note")
        return ("user", "reason", "note", "starts_at", "ends_at", "created_by", "lifted")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return request.user.has_perm(SUSPEND_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_suspend_permission(self, request):
        return request.user.has_perm(SUSPEND_PERMISSION)

    @admin.display(description="In force", boolean=True)
    def in_force(self, suspension):
        return suspension.is_active

    @admin.display(description="Lifted")
    def lifted(self, suspension):
        if suspension.lifted_at is None:
            return "-"
        return f"{suspension.lifted_at:%Y-%m-%d %H:%M} by {suspension.lifted_by or 'someone'}"

    def save_model(self, request, obj, form, change):
        """Suspend through the service (which logs it and tells the account's owner)."""
        suspension = suspend_author(
            user=obj.user,
            moderator=request.user,
            reason=obj.reason,
            ends_at=obj.ends_at,
            note=obj.note,
        )
        obj.pk = suspension.pk
        obj.starts_at = suspension.starts_at
        obj._state.adding = False

    @admin.action(description="Lift the selected suspensions now", permissions=["suspend"])
    def lift_selected(self, request, queryset):
        lifted = 0
        for suspension in queryset:
            try:
                lift_suspension(suspension=suspension, moderator=request.user)
                lifted += 1
            except ValidationError:
                pass
        messages.success(request, f"{lifted} suspension{'s' * (lifted != 1)} lifted.")
