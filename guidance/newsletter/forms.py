import re

from django import forms
from django.contrib.auth.base_user import BaseUserManager

from guidance.newsletter.models import MAX_KID_AGE, MAX_KIDS, MIN_KID_AGE


class SubscribeForm(forms.Form):
    """The newsletter sign-up: an email address and, if they like, their kids' ages."""

    email = forms.EmailField(
        label="Your email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.com"}),
    )
    kids_ages = forms.CharField(
        label="Your kids' ages (optional)",
        required=False,
        max_length=60,
        help_text="Separate them with commas, like 6, 9. We pick reviews that fit them.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_email(self):
        return BaseUserManager.normalize_email(self.cleaned_data["email"].strip())

    def clean_kids_ages(self):
        """Read "6, 9" (commas, spaces or "and" between) as [6, 9]."""
        text = self.cleaned_data.get("kids_ages", "")
        parts = [part for part in re.split(r"[,;/\s]+|\band\b", text) if part]
        ages = []
        for part in parts:
            # ASCII digits only: "²".isdigit() is true, but it is no age (and int() fails).
            if not re.fullmatch(r"[0-9]{1,2}", part) or not MIN_KID_AGE <= int(part) <= MAX_KID_AGE:
                raise forms.ValidationError(
                    f"“{part[:10]}” is not an age we can use: give whole numbers from "
                    f"{MIN_KID_AGE} to {MAX_KID_AGE}, like 6, 9."
                )
            ages.append(int(part))
        ages = sorted(set(ages))
        if len(ages) > MAX_KIDS:
            raise forms.ValidationError(f"Up to {MAX_KIDS} different ages, please.")
        return ages
