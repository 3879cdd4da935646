"""
The browse page's form: every query parameter of /movies/, validated one by one.

A parameter that is unknown or malformed never causes an error: it is dropped, and the
form keeps a note for the page to show ("We ignored age=abc: ..."). Everything the form
accepts round-trips through the URL, so a result page can be shared or bookmarked.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils.text import Truncator

from guidance.ratings.models import MAX_AGE, MAX_LEVEL, MAX_STARS, MIN_AGE, MIN_LEVEL
from guidance.ratings.templatetags.ratings_tags import LEVEL_WORDS
from movies.models import Tag, Title
from movies.search import MAX_QUERY_LENGTH, normalise

SORT_CHOICES = [
    ("relevance", "Best match"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("age", "Youngest age rating first"),
    ("stars", "Our stars, best first"),
    ("community", "Parents' and kids' rating"),
    ("reviews", "Most reviewed by families"),
]
# Parameters the page understands besides the form's fields.
PAGE_PARAM = "page"
TAG_FILTERS = {"genre": Tag.Kind.GENRE, "topic": Tag.Kind.TOPIC, "strength": Tag.Kind.STRENGTH}
MIN_YEAR, MAX_YEAR = 1870, 2100


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """A multiple choice that keeps the valid values and sets aside the others."""

    def clean(self, value):
        values = self.to_python(value)
        self.rejected = [item for item in values if not self.valid_value(item)]
        return list(dict.fromkeys(item for item in values if self.valid_value(item)))


@dataclass
class BrowseChoices:
    """What the filters offer: loaded once per request, three queries."""

    tags: dict = field(default_factory=dict)  # kind -> [Tag]
    services: list = field(default_factory=list)
    categories: list = field(default_factory=list)

    @classmethod
    def load(cls):
        from guidance.ratings.models import ContentCategory
        from movies.models import StreamingService

        tags = {kind: [] for kind in TAG_FILTERS.values()}
        for tag in Tag.objects.filter(kind__in=list(tags)).only("kind", "name", "slug"):
            tags[tag.kind].append(tag)
        return cls(
            tags=tags,
            services=list(StreamingService.objects.only("name", "slug")),
            categories=list(ContentCategory.objects.only("name", "slug", "kind", "order")),
        )


def grade_field_name(category):
    """The parameter for a category: max_<slug> for a concern, min_<slug> for a positive."""
    prefix = "max" if category.is_concern else "min"
    return f"{prefix}_{category.slug}"


class BrowseForm(forms.Form):
    """Search, filters and sort of the browse page; bound to request.GET."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title, actor, director…"}),
    )
    age = forms.TypedChoiceField(
        label="For my kid's age",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Titles we rate suitable at this age or younger.",
    )
    fits = forms.ChoiceField(
        label="Fits my family",
        required=False,
        help_text="Within each child's age and limits (from your family profile).",
    )
    genre = forms.ChoiceField(label="Genre", required=False)
    topic = forms.ChoiceField(label="Topic", required=False)
    strength = forms.ChoiceField(label="Character strength", required=False)
    service = LenientMultipleChoiceField(
        label="On the services we have",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mpaa = LenientMultipleChoiceField(
        label="MPAA rating",
        required=False,
        choices=Title.MPAA.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Title.Kind.choices]
    )
    year_from = forms.IntegerField(
        label="From year", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    year_to = forms.IntegerField(
        label="To year", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    stars = forms.TypedChoiceField(label="Our stars", required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, choices, family=None):
        super().__init__(data)
        self.choices = choices
        self.family = family  # guidance.accounts.family.Family, or None
        self.notes = []
        self.fields["fits"].choices = [("", "Anyone")] + (family.choices() if family else [])
        if not family:
            self.fields["fits"].error_messages["invalid_choice"] = (
                "you have not set up your family yet (see “Your family”)."
            )
        elif self.data.get("fits") and family.key_for(self.data["fits"]) != self.data["fits"]:
            # "fits=family" in a family of one means that child: show it chosen as such.
            self.data = self.data.copy()
            self.data["fits"] = family.key_for(self.data["fits"])
        self.fields["age"].choices = [("", "Any age")] + [
            (str(age), str(age)) for age in range(MIN_AGE, MAX_AGE)
        ]
        for name, kind in TAG_FILTERS.items():
            plural = {"genre": "Any genre", "topic": "Any topic", "strength": "Any strength"}
            self.fields[name].choices = [("", plural[name])] + [
                (tag.slug, tag.name) for tag in choices.tags.get(kind, [])
            ]
        self.fields["service"].choices = [(s.slug, s.name) for s in choices.services]
        self.fields["stars"].choices = [("", "Any")] + [
            (str(n), f"{n}+ stars") for n in range(MAX_STARS, 0, -1)
        ]
        self.grade_fields = {}
        for category in choices.categories:
            name = grade_field_name(category)
            if category.is_concern:
                options = [("", "Any amount")] + [
                    (str(level), f"At most {level}: {LEVEL_WORDS[level]}")
                    for level in range(MIN_LEVEL, MAX_LEVEL)
                ]
            else:
                options = [("", "Any amount")] + [
                    (str(level), f"At least {level}: {LEVEL_WORDS[level]}")
                    for level in range(MAX_LEVEL, MIN_LEVEL, -1)
                ]
            self.fields[name] = forms.TypedChoiceField(
                label=category.name,
                required=False,
                coerce=int,
                empty_value=None,
                choices=options,
            )
            self.grade_fields[name] = category
        # The default sort is offered as "" so that it stays out of the address; "Best
        # match" needs a search and is not offered without one (still understood).
        searching = bool((self.data.get("q") or "").strip())
        default_sort = "relevance" if searching else "newest"
        self.fields["sort"].widget.choices = [
            ("" if value == default_sort else value, label)
            for value, label in SORT_CHOICES
            if searching or value != "relevance"
        ]

    @property
    def open_groups(self):
        """The folded filter groups that hold a filter in use, to show them unfolded."""
        filters, groups = self.filters, set()
        if any(name in filters for name in TAG_FILTERS):
            groups.add("about")
        if any(name in filters for name in ("stars", "mpaa", "kind", "year_from", "year_to")):
            groups.add("ratings")
        if any(field.name in filters for field in self.positive_fields()):
            groups.add("good")
        return groups

    def concern_fields(self):
        """The "at most" fields of the content to consider, like Violence & Scariness."""
        return [self[name] for name, category in self.grade_fields.items() if category.is_concern]

    def positive_fields(self):
        """The "at least" fields of the positive content, like Positive Messages."""
        return [
            self[name] for name, category in self.grade_fields.items() if not category.is_concern
        ]

    # Validation: drop what is wrong, keep a note ---------------------------------

    def clean(self):
        cleaned = super().clean()
        for name, errors in list(self.errors.items()):
            if name == NON_FIELD_ERRORS:
                continue
            self.ignore(name, self._shown_value(name), errors[0])
        self._errors = ErrorDict()  # every problem is now a note
        for name in ("service", "mpaa"):
            for value in getattr(self.fields[name], "rejected", []):
                self.ignore(name, value, "it is not one of the choices.", keep=True)
        query = cleaned.get("q") or ""
        if query and not normalise(query):
            self.ignore("q", query, "it has no letters or numbers to search for.")
            cleaned["q"] = ""
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from and year_to and year_from > year_to:
            cleaned["year_from"], cleaned["year_to"] = year_to, year_from
            self.notes.append(
                f"The years were the wrong way round, so we searched {year_to} to {year_from}."
            )
        if cleaned.get("sort") == "relevance" and not cleaned.get("q"):
            cleaned["sort"] = ""
            self.notes.append('"Best match" needs a search, so we sorted newest first.')
        for key in self.data:
            if key not in self.fields and key != PAGE_PARAM:
                self.notes.append(
                    f"We ignored “{self._short(key)}”: it is not a filter this page knows."
                )
        return cleaned

    def ignore(self, name, value, reason, *, keep=False):
        """Note that a parameter's value was ignored (and drop it unless `keep`)."""
        self.notes.append(f"We ignored “{name}={self._short(value)}”: {self._reason(reason)}")
        if not keep:
            self.cleaned_data.pop(name, None)

    def _shown_value(self, name):
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return ", ".join(values) if values else self.data.get(name, "")

    @staticmethod
    def _short(text):
        """Shorten a value for a note, without control characters."""
        printable = "".join(char if char.isprintable() else "?" for char in str(text))
        return Truncator(printable).chars(40)

    @staticmethod
    def _reason(error):
        text = str(error).rstrip(".")
        if "Select a valid choice" in text:
            return "it is not one of the choices."
        return text[0].lower() + text[1:] + "." if text else "it is not valid."

    def counted_fields(self):
        """The filters whose options show how many titles they leave."""
        return ["age", *TAG_FILTERS, "service", "mpaa", "kind", "stars", *self.grade_fields]

    def show_counts(self, counts):
        """Add to each option how many titles choosing it would leave: "Comedy (12)"."""
        for name in self.counted_fields():
            field, options = self.fields[name], counts.get(name, {})
            field.choices = [
                (value, f"{label} ({options.get(str(value), 0)})" if value != "" else label)
                for value, label in field.choices
            ]

    # What the form asks for -----------------------------------------------------

    @property
    def filters(self):
        """The cleaned values that are set (empty ones left out)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "", [], ()) and name != "sort"
        }

    @property
    def query(self):
        return self.filters.get("q", "")

    @property
    def sort_order(self):
        """The chosen sort, or the default: best match for a search, else newest."""
        chosen = self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else ""
        return chosen or ("relevance" if self.query else "newest")

    def grade_limits(self):
        """[(category, field name, level)] for every grade filter that is set."""
        filters = self.filters
        return [
            (category, name, filters[name])
            for name, category in self.grade_fields.items()
            if name in filters
        ]

    def params(self, *, without=(), drop_value=None, sort=True):
        """
        The accepted parameters as (name, value) pairs, in a stable order: the URL of
        this page with some filters taken away (`without` names; `drop_value` a
        (name, value) pair taken out of a multi-value filter).
        """
        pairs = []
        for name, value in self.filters.items():
            if name in without:
                continue
            values = value if isinstance(value, list) else [value]
            for item in values:
                if drop_value == (name, str(item)):
                    continue
                pairs.append((name, str(item)))
        chosen_sort = self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else ""
        if sort and chosen_sort:
            pairs.append(("sort", chosen_sort))
        return pairs

    def query_string(self, **kwargs):
        return urlencode(self.params(**kwargs))
