import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from guidance.moderation.models import (
    COMMENT_MAX,
    DECISION_REASONS,
    NOTE_MAX,
    REASON_HELP,
    USER_REASONS,
    Reason,
)


class ReportForm(forms.Form):
    """A reader's report: one reason from the list and an optional comment."""

    reason = forms.ChoiceField(
        label="What is wrong with this review?",
        choices=[
            (
                reason.value,
                format_html(
                    "{} <span class='reason-help'>{}</span>", reason.label, REASON_HELP[reason]
                ),
            )
            for reason in USER_REASONS
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what is wrong with this review.",
            "invalid_choice": "Choose one of the reasons on the list.",
        },
    )
    comment = forms.CharField(
        label="Anything our moderators should know? (optional)",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        help_text=(
            "Only our moderators read this; the review's author never sees it or who you are. "
            "Required when you choose “Something else”."
        ),
        error_messages={"max_length": f"Please keep your comment under {COMMENT_MAX} characters."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form carries the token

    def clean_comment(self):
        return self.cleaned_data["comment"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Reason.OTHER and not cleaned.get("comment"):
            self.add_error("comment", "Tell us what is wrong with this review.")
        return cleaned


def decision_reason_choices(blank_label):
    return [("", blank_label)] + [(reason.value, reason.label) for reason in DECISION_REASONS]


class DecisionForm(forms.Form):
    """A moderator's reason (told to the author) and note (for moderators) for a decision."""

    reason = forms.ChoiceField(
        label="Reason the author is told",
        required=False,
        choices=decision_reason_choices("No reason given"),
    )
    note = forms.CharField(
        label="Note for other moderators",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the moderation log; the author never sees it.",
    )

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:
            field = self.fields["reason"]
            field.required = True
            field.choices = decision_reason_choices("Choose a reason")
            field.error_messages["required"] = "Choose the reason the author will be told."


class SuspensionForm(forms.Form):
    """Suspend an author from posting: a reason, an optional last day, a note."""

    reason = forms.ChoiceField(
        label="Reason the author is told", choices=decision_reason_choices("Choose a reason")
    )
    ends_on = forms.DateField(
        label="Suspended until (the end of this day)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to suspend until a moderator lifts it.",
    )
    note = forms.CharField(
        label="Note for other moderators",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on is not None and ends_on < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day, or leave it empty.")
        return ends_on

    @property
    def ends_at(self):
        """The end of the chosen day, as an aware datetime (or None)."""
        ends_on = self.cleaned_data.get("ends_on")
        if ends_on is None:
            return None
        return timezone.make_aware(dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time()))
