from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)

    def for_user(self, user):
        """A person's own suggestions, newest first, with their titles, for the profile."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user).select_related("title").order_by("-created_at", "-pk")


class Suggestion(models.Model):
    """
    A proposed change to a title, kept as data until an editor decides.

    `field` names one entry of the allow-list in editable.py; `proposed` holds the
    structured change and `current` the field's value when it was proposed, so that a
    change made since then is caught before it is overwritten.
    """

    class Kind(models.TextChoices):
        INCLUSION = "inclusion", "Inclusion information"
        DETAIL = "detail", "Details"
        CREDIT = "credit", "Cast and crew"
        OFFER = "offer", "Where to watch"
        GRID = "grid", "Content grid"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an editor"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Not accepted"

    title = models.ForeignKey("movies.Title", on_delete=models.CASCADE, related_name="suggestions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field = models.CharField(max_length=120, help_text="Which part of the title page.")
    field_label = models.CharField("what", max_length=200)
    proposed = models.JSONField(help_text="The change, as the suggester proposed it.")
    summary = models.CharField("proposal", max_length=300, blank=True)
    current = models.JSONField(
        null=True, blank=True, help_text="The field's value when the change was proposed."
    )
    message = models.TextField("message to the editors", blank=True)
    source = models.CharField("source or evidence", max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decided_suggestions",
    )
    editor_note = models.TextField("editor's note", blank=True)
    applied = models.JSONField(
        null=True, blank=True, help_text="What was applied, when an editor edited the proposal."
    )
    applied_although_stale = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_suggestion", "Can accept or reject suggestions")]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="suggestions_queue_idx"),
            models.Index(fields=["author", "-created_at"], name="suggestions_author_idx"),
            models.Index(fields=["title", "status"], name="suggestions_title_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="suggestions_decided_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.field_label} on {self.title}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class TitleChange(models.Model):
    """
    One applied change to a title: the public history and the editors' audit trail.

    Written for every accepted suggestion and every edit in the title admin; `description`
    is the plain-language line the public history shows.
    """

    title = models.ForeignKey("movies.Title", on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=120)
    field_label = models.CharField("what", max_length=200)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    description = models.TextField(help_text="Shown in the title's public history.")
    is_public = models.BooleanField(
        default=True, help_text="Off for changes the title page does not show (its address)."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="title_changes",
    )
    suggestion = models.ForeignKey(
        Suggestion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["title", "is_public", "-created_at"], name="suggestions_history_idx"
            ),
            models.Index(fields=["-created_at"], name="suggestions_change_recent_idx"),
        ]

    def __str__(self):
        return f"{self.field_label} on {self.title}"
