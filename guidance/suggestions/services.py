"""
"Suggest an Update": proposing a change, deciding on it, and recording every applied change.

Views, the admin and its actions call these functions; nothing else writes suggestions or
title changes. Applying a change locks the title's row, so two editors (or an editor and an
accepted suggestion) never interleave their writes to one title.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from guidance.moderation.services import posting_refusal
from guidance.suggestions.editable import (
    MAX_TEXT_LENGTH,
    RECORDED_FIELDS,
    EditableField,
    load_title,
    read_title_state,
    suggestable_field,
)
from guidance.suggestions.models import Suggestion, TitleChange
from movies.models import Title

logger = logging.getLogger(__name__)

MAX_SOURCE_LENGTH = 500
DECIDE_PERMISSION = "suggestions.decide_suggestion"


class StaleSuggestion(ValidationError):
    """The field changed since the suggestion was made: an editor must decide explicitly."""

    def __init__(self, *, field: EditableField, then, now):
        self.field, self.then, self.now = field, then, now
        super().__init__(
            f"{field.label} changed since this suggestion was made (it was "
            f"{'; '.join(field.show(then))}, it is now {'; '.join(field.show(now))}). "
            "Compare them, then apply it anyway or reject it.",
            code="stale",
        )


def can_decide(user) -> bool:
    """Editors (and superusers) accept and reject suggestions; nobody else."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(DECIDE_PERMISSION)
    )


def _lock_title(title_id) -> Title:
    """Lock the title's row until the transaction ends and return a fresh full copy."""
    Title.objects.select_for_update().filter(pk=title_id).values_list("pk", flat=True).get()
    return load_title(title_id)


def _bump_last_updated(title: Title, when) -> None:
    Title.objects.filter(pk=title.pk).update(updated_at=when)
    title.updated_at = when


@transaction.atomic
def suggest_update(
    *,
    title: Title,
    author,
    field: str,
    proposed: dict,
    message: str = "",
    source: str = "",
) -> Suggestion:
    """Record a reader's proposed change to an allow-listed part of a title page."""
    if not (author.is_authenticated and author.is_active):
        raise PermissionDenied("Sign in to suggest an update.")
    refusal = posting_refusal(author)
    if refusal:
        raise PermissionDenied(refusal)
    editable = suggestable_field(field)
    message, source = (message or "").strip(), (source or "").strip()
    if len(message) > MAX_TEXT_LENGTH:
        raise ValidationError(f"The message can be at most {MAX_TEXT_LENGTH} characters.")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ValidationError(f"The source can be at most {MAX_SOURCE_LENGTH} characters.")
    title = load_title(title.pk)
    proposal = editable.validate(title, proposed)
    already = Suggestion.objects.pending().filter(title=title, author=author, field=editable.key)
    if any(earlier.proposed == proposal for earlier in already):
        raise ValidationError(
            "You have already suggested this change; our editors will get to it soon."
        )
    current = editable.read(title)
    return Suggestion.objects.create(
        title=title,
        author=author,
        kind=editable.kind,
        field=editable.key,
        field_label=editable.label,
        proposed=proposal,
        summary=editable.summarize(proposal, current)[:300],
        current=current,
        message=message,
        source=source,
    )


def accept_suggestion(
    *,
    suggestion: Suggestion,
    editor,
    note: str = "",
    proposal: dict | None = None,
    allow_stale: bool = False,
) -> Suggestion:
    """
    Apply a suggestion to its title, record the change and tell the suggester.

    `proposal` is the editor's edited version of the proposal (partial acceptance); by
    default the suggester's own is applied. A suggestion whose field changed since it was
    made raises StaleSuggestion unless `allow_stale` says the editor has compared them.
    """
    if not can_decide(editor):
        raise PermissionDenied("Only editors can accept suggestions.")
    with transaction.atomic():
        title = _lock_title(suggestion.title_id)
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if not suggestion.is_pending:
            raise ValidationError(
                f"This suggestion was already {suggestion.get_status_display().lower()}."
            )
        editable = suggestable_field(suggestion.field)
        before = editable.read(title)
        stale = before != suggestion.current
        if stale and not allow_stale:
            raise StaleSuggestion(field=editable, then=suggestion.current, now=before)
        applied = editable.validate(title, suggestion.proposed if proposal is None else proposal)
        now = timezone.now()
        if editable.applies_automatically:
            editable.apply(title, applied)
            after = editable.read(load_title(title.pk))
            if after != before:
                TitleChange.objects.create(
                    title=title,
                    field=editable.key,
                    field_label=editable.label,
                    before=before,
                    after=after,
                    description=editable.describe(before, after),
                    is_public=editable.is_public,
                    changed_by=editor,
                    suggestion=suggestion,
                    created_at=now,
                )
                if editable.is_public:
                    _bump_last_updated(title, now)
        suggestion.status = Suggestion.Status.ACCEPTED
        suggestion.editor = editor
        suggestion.editor_note = (note or "").strip()
        suggestion.decided_at = now
        suggestion.applied = applied if applied != suggestion.proposed else None
        suggestion.applied_although_stale = stale
        suggestion.save()
        transaction.on_commit(partial(send_decision_email, suggestion_id=suggestion.pk))
    return suggestion


def reject_suggestion(*, suggestion: Suggestion, editor, note: str = "") -> Suggestion:
    """Decline a suggestion with a note for the suggester; the title is not touched."""
    if not can_decide(editor):
        raise PermissionDenied("Only editors can reject suggestions.")
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if not suggestion.is_pending:
            raise ValidationError(
                f"This suggestion was already {suggestion.get_status_display().lower()}."
            )
        suggestion.status = Suggestion.Status.REJECTED
        suggestion.editor = editor
        suggestion.editor_note = (note or "").strip()
        suggestion.decided_at = timezone.now()
        suggestion.save()
        transaction.on_commit(partial(send_decision_email, suggestion_id=suggestion.pk))
    return suggestion


def send_decision_email(*, suggestion_id: int) -> None:
    """Tell the suggester what the editors decided; a failure is logged, never raised."""
    suggestion = (
        Suggestion.objects.select_related("title", "author").filter(pk=suggestion_id).first()
    )
    if suggestion is None or suggestion.author is None or not suggestion.author.email:
        return
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {
        "suggestion": suggestion,
        "title": suggestion.title,
        "accepted": suggestion.status == Suggestion.Status.ACCEPTED,
        "title_url": site + suggestion.title.get_absolute_url(),
        "history_url": site + reverse("suggestions:history", args=[suggestion.title.slug]),
        "site_name": getattr(settings, "SITE_NAME", "Family Screen Guide"),
    }
    subject = " ".join(render_to_string("suggestions/email/decision_subject.txt", context).split())
    body = render_to_string("suggestions/email/decision_body.txt", context)
    try:
        send_mail(subject, body, None, [suggestion.author.email])
    except Exception:
        logger.exception("Could not email the decision on suggestion %s.", suggestion_id)


def lock_title_state(*, title_id: int) -> dict:
    """
    Lock a title for an edit and read what its page shows now.

    Called before an admin edit is saved; pass the result to record_admin_edit afterwards,
    in the same transaction (the admin's change view runs in one).
    """
    return read_title_state(_lock_title(title_id))


@transaction.atomic
def record_admin_edit(*, title: Title, before: dict | None, editor) -> list[TitleChange]:
    """
    Record what an editor's save in the title admin changed, field by field.

    `before` is lock_title_state's result (None for a new title). The title's "Last
    updated" moves only when something the page shows really changed.
    """
    now = timezone.now()
    if before is None:
        change = TitleChange.objects.create(
            title=title,
            field="created",
            field_label="Title",
            description="Added to the catalog.",
            changed_by=editor,
            created_at=now,
        )
        return [change]
    after = read_title_state(load_title(title.pk))
    changes = [
        TitleChange(
            title=title,
            field=field.key,
            field_label=field.label,
            before=before.get(field.key),
            after=after[field.key],
            description=field.describe(before.get(field.key), after[field.key]),
            is_public=field.is_public,
            changed_by=editor,
            created_at=now,
        )
        for field in RECORDED_FIELDS
        if before.get(field.key) != after[field.key]
    ]
    TitleChange.objects.bulk_create(changes)
    if any(change.is_public for change in changes):
        _bump_last_updated(title, now)
    return changes
