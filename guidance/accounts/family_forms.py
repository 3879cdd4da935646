"""
The family page's forms: one small form per child (a formset) and one for the family.

The same forms check what a signed-in parent saves to their account and what a visitor
keeps in their session; `family_from_forms` turns either into a `Family`.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils import timezone

from guidance.accounts.family import Family, build_family, default_limit
from guidance.accounts.models import CHILD_MAX_AGE, MAX_CHILDREN, NICKNAME_MAX_LENGTH
from guidance.ratings.models import MAX_LEVEL, MIN_LEVEL


@dataclass
class FamilyChoices:
    """What the forms offer: the content concerns (with what each level means) and topics."""

    categories: list = field(default_factory=list)
    topics: list = field(default_factory=list)

    @classmethod
    def load(cls):
        """Three queries: the concerns, their level meanings, the topics."""
        from guidance.ratings.models import ContentCategory
        from movies.models import Tag

        categories = list(
            ContentCategory.objects.filter(kind=ContentCategory.Kind.CONCERN).prefetch_related(
                "levels"
            )
        )
        topics = list(Tag.objects.filter(kind=Tag.Kind.TOPIC).only("name", "kind"))
        return cls(categories=categories, topics=topics)

    def level_choices(self, category):
        meanings = {meaning.level: meaning.meaning for meaning in category.levels.all()}
        return [
            (str(level), f"At most {level}: {meanings.get(level, '')}".rstrip(": "))
            for level in range(MIN_LEVEL, MAX_LEVEL + 1)
        ]

    def topic_choices(self):
        return [(str(tag.pk), tag.name) for tag in self.topics]


def limit_field_name(category):
    return f"limit_{category.pk}"


def _limit_field(choices, category, *, empty_label, help_text=""):
    return forms.TypedChoiceField(
        label=category.name,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", empty_label), *choices.level_choices(category)],
        help_text=help_text,
    )


def _avoid_field(choices, label):
    return forms.TypedMultipleChoiceField(
        label=label,
        required=False,
        coerce=int,
        choices=choices.topic_choices(),
        widget=forms.CheckboxSelectMultiple,
    )


class ChildForm(forms.Form):
    """One child: a nickname, a birth year, and optionally their own limits and topics."""

    key = forms.CharField(required=False, widget=forms.HiddenInput)
    nickname = forms.CharField(
        label="Nickname",
        max_length=NICKNAME_MAX_LENGTH,
        help_text="Any name you like; it stays private.",
        error_messages={"required": "Give this child a nickname (any name you like)."},
    )
    birth_year = forms.TypedChoiceField(
        label="Year born",
        coerce=int,
        error_messages={
            "required": "Choose the year this child was born.",
            "invalid_choice": "Choose a year from the list.",
        },
    )

    def __init__(self, *args, choices: FamilyChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        this_year = timezone.localdate().year
        self.fields["birth_year"].choices = [("", "Choose a year")] + [
            (str(year), f"{year} (turns {this_year - year} this year)")
            for year in range(this_year, this_year - CHILD_MAX_AGE - 1, -1)
        ]
        self.fields["nickname"].widget.attrs.update(autocomplete="off")
        year = self.initial.get("birth_year")
        age = this_year - int(year) if year else None
        for category in choices.categories:
            help_text = ""
            if age is not None:
                level = default_limit(age, category.slug)
                help_text = f"Based on age {age}: at most {level}."
            self.fields[limit_field_name(category)] = _limit_field(
                choices, category, empty_label="Based on age", help_text=help_text
            )
        self.fields["avoid"] = _avoid_field(choices, "Topics to avoid for this child")

    def clean_nickname(self):
        nickname = " ".join(self.cleaned_data["nickname"].split())
        if not nickname:
            raise forms.ValidationError("Give this child a nickname (any name you like).")
        if any(not char.isprintable() for char in nickname):
            raise forms.ValidationError("Use letters, numbers and spaces in the nickname.")
        return nickname

    def limit_fields(self):
        return [self[limit_field_name(category)] for category in self.choices.categories]

    def as_child(self):
        data = self.cleaned_data
        return {
            "key": data.get("key") or "",
            "nickname": data["nickname"],
            "birth_year": data["birth_year"],
            "limits": {
                category.pk: data[limit_field_name(category)]
                for category in self.choices.categories
                if data.get(limit_field_name(category)) is not None
            },
            "avoid": data.get("avoid") or [],
        }


class BaseChildFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this child from the family"

    def kept_forms(self):
        """The forms of children on file (unless removed) and of newly filled-in ones."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        removing = any(self._should_delete_form(form) for form in self.forms)
        if not self.kept_forms() and not removing and self.forms:
            # Nothing to save: say what is missing where it goes, in the blank child.
            self.forms[-1].add_error(
                "nickname", "Add a child: a nickname and the year they were born."
            )
            return
        seen = set()
        for form in self.kept_forms():
            nickname = form.cleaned_data.get("nickname", "")
            if nickname.casefold() in seen:
                form.add_error(
                    "nickname", "Two children have this nickname: give each a different one."
                )
            seen.add(nickname.casefold())

    def children(self):
        """The children the parent kept, in the page's order."""
        return [form.as_child() for form in self.kept_forms()]


ChildFormSet = forms.formset_factory(
    ChildForm,
    formset=BaseChildFormSet,
    extra=1,
    max_num=MAX_CHILDREN,
    validate_max=True,
    absolute_max=MAX_CHILDREN + 1,
    can_delete=True,
)


class FamilyLimitsForm(forms.Form):
    """Limits and topics for every child at once (each optional)."""

    def __init__(self, *args, choices: FamilyChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        for category in choices.categories:
            self.fields[limit_field_name(category)] = _limit_field(
                choices, category, empty_label="No family limit"
            )
        self.fields["avoid"] = _avoid_field(choices, "Topics to avoid for everyone")

    def limit_fields(self):
        return [self[limit_field_name(category)] for category in self.choices.categories]

    def limits(self):
        return {
            category.pk: self.cleaned_data[limit_field_name(category)]
            for category in self.choices.categories
            if self.cleaned_data.get(limit_field_name(category)) is not None
        }


def family_forms(*, choices, family=None, data=None):
    """The child formset and the family form, bound to `data` or showing `family`."""
    if data is not None:
        return (
            ChildFormSet(data, prefix="child", form_kwargs={"choices": choices}),
            FamilyLimitsForm(data, prefix="family", choices=choices),
        )
    children, family_initial = [], {}
    if family:
        for child in family.children:
            initial = {
                "key": child.key if family.stored_in == "account" else "",
                "nickname": child.nickname,
                "birth_year": str(child.birth_year),
                "avoid": [str(tag_id) for tag_id in sorted(child.own_avoid_topic_ids)],
            }
            initial.update({f"limit_{pk}": str(level) for pk, level in child.own_limits.items()})
            children.append(initial)
        family_initial = {f"limit_{pk}": str(level) for pk, level in family.limits.items()}
        family_initial["avoid"] = [str(tag_id) for tag_id in sorted(family.avoid_topic_ids)]
    return (
        ChildFormSet(initial=children, prefix="child", form_kwargs={"choices": choices}),
        FamilyLimitsForm(initial=family_initial, prefix="family", choices=choices),
    )


def family_from_forms(formset, family_form, *, stored_in) -> Family:
    """The Family that valid forms describe."""
    children = formset.children()
    if stored_in == "session":
        for position, child in enumerate(children, start=1):
            child["key"] = f"s{position}"
    return build_family(
        children=children,
        limits=family_form.limits(),
        avoid_topic_ids=family_form.cleaned_data.get("avoid") or [],
        stored_in=stored_in,
    )
