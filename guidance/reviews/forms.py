from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms

from guidance.ratings.models import MAX_AGE, MIN_AGE
from guidance.reviews.models import BODY_MAX, BODY_MIN, HEADLINE_MAX, HEADLINE_MIN, CommunityReview

AGE_CHOICES = [("", "Choose an age")] + [
    (age, f"Appropriate for age {age}+") for age in range(MIN_AGE, MAX_AGE + 1)
]
STAR_CHOICES = [
    (1, "1 star: not for us"),
    (2, "2 stars: disappointing"),
    (3, "3 stars: fine"),
    (4, "4 stars: good"),
    (5, "5 stars: loved it"),
]
LEVEL_PREFIX = "level_"


class ReviewForm(forms.ModelForm):
    """A community review, plus one optional level field per grid category."""

    age_rating = forms.TypedChoiceField(
        label="What age is it appropriate for?",
        choices=AGE_CHOICES,
        coerce=int,
        error_messages={
            "required": "Choose the youngest age you think it suits.",
            "invalid_choice": f"Choose an age from {MIN_AGE} to {MAX_AGE}.",
        },
    )
    stars = forms.TypedChoiceField(
        label="Your stars",
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Give it between 1 and 5 stars.",
            "invalid_choice": "Give it between 1 and 5 stars.",
        },
    )

    class Meta:
        model = CommunityReview
        fields = ["age_rating", "stars", "headline", "body", "contains_spoilers"]
        labels = {
            "headline": "Headline",
            "body": "Your review",
            "contains_spoilers": "My review gives away part of the plot (contains spoilers)",
        }
        help_texts = {
            "headline": f"Sum it up in a few words ({HEADLINE_MIN} to {HEADLINE_MAX} characters).",
            "body": (
                f"What should other families know? {BODY_MIN} to {BODY_MAX} characters. "
                "Plain text: links and HTML are shown as typed."
            ),
        }
        widgets = {
            "headline": forms.TextInput(attrs={"maxlength": HEADLINE_MAX}),
            "body": forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX}),
        }
        error_messages = {
            "headline": {"required": "Give your review a headline."},
            "body": {"required": "Write a few sentences for other families."},
        }

    def __init__(self, *args, categories=(), initial_levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        initial_levels = initial_levels or {}
        for category in self.categories:
            meanings = {meaning.level: meaning.meaning for meaning in category.levels.all()}
            choices = [("", "No answer")] + [
                (level, f"{level}: {meanings[level]}" if level in meanings else str(level))
                for level in range(0, 6)
            ]
            self.fields[LEVEL_PREFIX + category.slug] = forms.TypedChoiceField(
                label=category.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": "Choose a level from 0 to 5, or no answer."},
                initial=initial_levels.get(category.pk),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Your verdict",
                "age_rating",
                Div("stars", css_class="star-choices"),
            ),
            Fieldset("Your words", "headline", "body", "contains_spoilers"),
            Fieldset(
                "How much of each? (optional)",
                HTML(
                    '<p class="small text-body-secondary">Answer only the ones you noticed. '
                    "0 is none at all and 5 is a lot; for the positive rows more is better. "
                    "</p>"
                ),
                Div(
                    *[LEVEL_PREFIX + category.slug for category in self.categories],
                    css_class="level-choices",
                ),
            ),
            Submit("submit", "Save my review", css_class="btn-primary btn-lg mt-2"),
        )

    def clean_headline(self):
        headline = " ".join(self.cleaned_data["headline"].split())
        if len(headline) < HEADLINE_MIN:
            raise forms.ValidationError(
                f"Make the headline at least {HEADLINE_MIN} characters long."
            )
        return headline

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if len(body) < BODY_MIN:
            raise forms.ValidationError(
                f"Please write at least {BODY_MIN} characters (you wrote {len(body)}), "
                "so other families learn something from it."
            )
        if len(body) > BODY_MAX:
            raise forms.ValidationError(
                f"Please keep it under {BODY_MAX} characters (you wrote {len(body)})."
            )
        return body

    def levels(self):
        """Return {category: level or None} from the cleaned data."""
        return {
            category: self.cleaned_data.get(LEVEL_PREFIX + category.slug)
            for category in self.categories
        }
