"""
The suggestion forms: one proposal form per kind of change, plus the source and message.

A proposal form turns its fields into the structured proposal its EditableField validates
(editable.py holds the rules; a form only collects the values). The admin reuses the same
forms, filled with a suggestion's proposal, so that an editor can trim or correct it before
accepting (partial acceptance).
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from guidance.ratings.models import MAX_LEVEL, MIN_LEVEL
from guidance.suggestions import editable as fields
from guidance.suggestions.editable import MAX_TEXT_LENGTH, GridLevelField
from guidance.suggestions.services import MAX_SOURCE_LENGTH
from movies.models import Credit, Offer, StreamingService


class ProposalForm(forms.Form):
    """A proposed change to one part of a title, checked by that part's EditableField."""

    field_key = ""

    def __init__(self, data=None, *, title, editable=None, proposal=None, **kwargs):
        self.title = title
        self.editable = editable or (
            fields.suggestable_field(self.field_key) if self.field_key else None
        )
        self.proposal = None
        super().__init__(data, **kwargs)
        self.setup(proposal or {})
        if proposal:
            self.initial.update(self.initial_from(proposal))

    def setup(self, proposal):
        """Set choices that depend on the title (and on a proposal being edited)."""

    def initial_from(self, proposal):
        """The form's initial values for an existing proposal."""
        return dict(proposal)

    def build_proposal(self, data):
        raise NotImplementedError

    def unavailable_reason(self):
        """Why this change can't be suggested for this title, or "" if it can."""
        return ""

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.proposal = self.editable.validate(self.title, self.build_proposal(cleaned))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def current_lines(self):
        """What the page says now, as lines of text (the "Now on the page" column)."""
        return self.editable.show(self.editable.read(self.title))


class ScalarProposalForm(ProposalForm):
    """A new value for one detail: run time, a release date, the MPAA rating..."""

    def setup(self, proposal):
        model_field = self.editable.model_field
        field = model_field.formfield(required=False)
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if isinstance(field, forms.CharField) and model_field.max_length > 200:
            field.widget = forms.Textarea(attrs={"rows": 2})
        field.label = f"{self.editable.label}: what it should be"
        field.help_text = "Leave it empty if the page should not show this at all."
        self.fields["value"] = field

    def initial_from(self, proposal):
        return {"value": self.editable.from_json(proposal.get("value"))}

    def build_proposal(self, data):
        return {"value": data.get("value")}


class StudioProposalForm(ScalarProposalForm):
    field_key = "studio"

    def setup(self, proposal):
        self.fields["value"] = forms.CharField(
            label="Studio: what it should be",
            max_length=200,
            required=False,
            help_text="The company that made or released it. Leave it empty to remove it.",
        )


def _field_form(key):
    return type(
        f"{key.title().replace('_', '')}ProposalForm", (ScalarProposalForm,), {"field_key": key}
    )


class TagsProposalForm(ProposalForm):
    """Tags to add (from our list, or new ones) and tags to remove."""

    add = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    new = forms.CharField(
        required=False,
        max_length=300,
        label="Not in our list? Type it here",
        help_text="Separate several with commas.",
    )
    remove = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def setup(self, proposal):
        current = self.editable.read(self.title)
        present = {name.casefold() for name in current}
        offered = [
            tag.name for tag in self.editable.vocabulary() if tag.name.casefold() not in present
        ]
        extra_add = [name for name in proposal.get("add", []) if name not in offered]
        extra_remove = [name for name in proposal.get("remove", []) if name not in current]
        label = self.editable.label.lower()
        self.fields["add"].choices = [(name, name) for name in [*offered, *extra_add]]
        self.fields["add"].label = f"Add to {label}"
        self.fields["remove"].choices = [(name, name) for name in [*current, *extra_remove]]
        self.fields["remove"].label = f"Remove from {label}"
        for name in ("add", "remove"):
            if not self.fields[name].choices:
                del self.fields[name]

    def initial_from(self, proposal):
        return {"add": proposal.get("add", []), "remove": proposal.get("remove", [])}

    def build_proposal(self, data):
        new = [name for name in (data.get("new") or "").split(",") if name.strip()]
        return {"add": [*data.get("add", []), *new], "remove": data.get("remove", [])}


def _tags_form(key):
    return type(
        f"{key.title().replace('_', '')}ProposalForm", (TagsProposalForm,), {"field_key": key}
    )


class CreditAddForm(ProposalForm):
    field_key = "credits"

    role = forms.ChoiceField(choices=Credit.Role.choices, label="Role")
    name = forms.CharField(max_length=200, label="Name", help_text="As the film credits them.")
    character = forms.CharField(
        max_length=200, required=False, label="Character", help_text="For actors: the part."
    )

    def build_proposal(self, data):
        return {
            "action": "add",
            "role": data["role"],
            "name": data["name"],
            "character": data.get("character", ""),
        }


class CreditCorrectForm(ProposalForm):
    field_key = "credits"

    credit = forms.TypedChoiceField(coerce=int, label="Which credit is wrong?")
    name = forms.CharField(
        max_length=200,
        required=False,
        label="The right name",
        help_text="Leave it empty if the name is right.",
    )
    character = forms.CharField(
        max_length=200,
        required=False,
        label="The right character",
        help_text="Leave it empty if the character is right.",
    )

    def setup(self, proposal):
        self.credits = {item["id"]: item for item in self.editable.read(self.title)}
        self.fields["credit"].choices = [("", "Choose a credit")] + [
            (pk, self.editable.item_label(item)) for pk, item in self.credits.items()
        ]

    def unavailable_reason(self):
        return "" if self.credits else "This page lists no cast or crew yet; add someone instead."

    def build_proposal(self, data):
        item = self.credits[data["credit"]]
        return {
            "action": "correct",
            "credit": data["credit"],
            "name": data.get("name") or item["name"],
            "character": data.get("character") or item["character"],
        }


class OfferAddForm(ProposalForm):
    field_key = "offers"

    service = forms.CharField(
        max_length=100,
        label="Service",
        widget=forms.TextInput(attrs={"list": "known-services", "autocomplete": "off"}),
        help_text="Like Netflix or Disney+.",
    )
    kind = forms.ChoiceField(choices=Offer.Kind.choices, label="How")
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Link to the title there",
        help_text="Optional.",
    )

    def known_services(self):
        return StreamingService.objects.order_by("name").values_list("name", flat=True)

    def build_proposal(self, data):
        return {
            "action": "add",
            "service": data["service"],
            "kind": data["kind"],
            "url": data.get("url", ""),
        }


class OfferRemoveForm(ProposalForm):
    field_key = "offers"

    offer = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label="Which one is no longer available?"
    )

    def setup(self, proposal):
        current = self.editable.read(self.title)
        self.fields["offer"].choices = [
            (item["id"], self.editable.item_label(item)) for item in current
        ]

    def unavailable_reason(self):
        if self.fields["offer"].choices:
            return ""
        return "This page lists nowhere to watch yet; add a place instead."

    def build_proposal(self, data):
        return {"action": "remove", "offer": data["offer"]}


class GridProposalForm(ProposalForm):
    """Disagree with one level of the content grid: which category, what level, and why."""

    category = forms.ChoiceField(label="Category")
    level = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(MIN_LEVEL, MAX_LEVEL + 1)],
        label=f"The level you would give ({MIN_LEVEL} to {MAX_LEVEL})",
    )
    why = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT_LENGTH,
        label="Why?",
        help_text="What happens on screen that makes you think so.",
    )

    def setup(self, proposal):
        review = getattr(self.title, "expert_review", None)
        grades = list(review.grades.all()) if review else []
        grades.sort(key=lambda grade: grade.category.order)
        self.grades = {grade.category.slug: grade for grade in grades}
        self.fields["category"].choices = [("", "Choose a category")] + [
            (slug, grade.category.name) for slug, grade in self.grades.items()
        ]

    def initial_from(self, proposal):
        initial = {"level": proposal.get("level"), "why": proposal.get("why", "")}
        if self.editable is not None:
            initial["category"] = self.editable.category.slug
        return initial

    def unavailable_reason(self):
        if self.grades:
            return ""
        return "We have not rated this title's content yet, so there is no grid to disagree with."

    def clean(self):
        slug = self.cleaned_data.get("category")
        if slug in self.grades:
            self.editable = GridLevelField(self.grades[slug].category)
        return super().clean()

    def build_proposal(self, data):
        return {"level": data["level"], "why": data["why"]}

    def current_lines(self):
        return [
            f"{grade.category.name}: {grade.level} out of {MAX_LEVEL}"
            for grade in self.grades.values()
        ]


class OtherProposalForm(ProposalForm):
    field_key = "other"

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT_LENGTH,
        label="What should we change?",
        help_text="Say what is wrong or missing, and what the page should say instead.",
    )

    def build_proposal(self, data):
        return {"text": data["text"]}

    def current_lines(self):
        return ["Everything on the title page."]


class SuggestionNoteForm(forms.Form):
    """Where the suggester saw it, and anything they want the editors to know."""

    source = forms.CharField(
        max_length=MAX_SOURCE_LENGTH,
        required=False,
        label="Source or evidence",
        help_text="A link, or where you saw it: the film's credits, the studio's site...",
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        label="Message to the editors",
        help_text="Optional. Only our editors read it.",
    )


class BulkDecisionForm(forms.Form):
    """An editor's note for the suggesters of the suggestions decided together."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=MAX_TEXT_LENGTH,
        required=False,
        label="Note to the suggester",
        help_text="They see it on their profile and in the email. Required to reject.",
    )


class DecisionForm(BulkDecisionForm):
    """An editor's decision: a note for the suggester and, when stale, an explicit go."""

    allow_stale = forms.BooleanField(
        required=False,
        label="Apply it anyway: I compared the value when suggested with the value now.",
    )


@dataclass(frozen=True)
class Change:
    """One entry of the "what would you like to change?" list."""

    key: str
    label: str
    group: str
    form_class: type


CHANGES = {
    change.key: change
    for change in [
        Change(
            "inclusion_tags",
            "Add or remove tags",
            "Inclusion information",
            _tags_form("inclusion_tags"),
        ),
        Change("runtime_minutes", "Run time", "Details", _field_form("runtime_minutes")),
        Change(
            "theatrical_release",
            "Release date in theaters",
            "Details",
            _field_form("theatrical_release"),
        ),
        Change(
            "streaming_release",
            "Release date on DVD or streaming",
            "Details",
            _field_form("streaming_release"),
        ),
        Change("mpaa_rating", "MPAA rating", "Details", _field_form("mpaa_rating")),
        Change("mpaa_explanation", "MPAA explanation", "Details", _field_form("mpaa_explanation")),
        Change("studio", "Studio", "Details", StudioProposalForm),
        Change("genres", "Genres", "Details", _tags_form("genres")),
        Change("topics", "Topics", "Details", _tags_form("topics")),
        Change(
            "character_strengths",
            "Character strengths",
            "Details",
            _tags_form("character_strengths"),
        ),
        Change("credit-add", "Add someone to the cast or crew", "Cast and crew", CreditAddForm),
        Change("credit-correct", "Correct a name or character", "Cast and crew", CreditCorrectForm),
        Change("offer-add", "Add a place to watch it", "Where to watch", OfferAddForm),
        Change("offer-remove", "Remove a place to watch it", "Where to watch", OfferRemoveForm),
        Change("grid", "Disagree with a level", "Content grid", GridProposalForm),
        Change("other", "Tell us in your own words", "Something else", OtherProposalForm),
    ]
}


def change_for(suggestion):
    """The CHANGES entry whose form edits this suggestion's proposal."""
    if suggestion.field in CHANGES:
        return CHANGES[suggestion.field]
    if suggestion.field.startswith(fields.GRID_PREFIX):
        return CHANGES["grid"]
    action = suggestion.proposed.get("action")
    prefix = {"credits": "credit", "offers": "offer"}.get(suggestion.field)
    return CHANGES.get(f"{prefix}-{action}") or CHANGES["other"]
