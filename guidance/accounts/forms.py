from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils import timezone

from guidance.accounts.models import KID_MIN_AGE, User

# A kid account is for teenagers; someone older picks "parent or other grown-up".
KID_MAX_AGE = 19


class SignUpForm(BaseUserCreationForm):
    """Sign up as a parent (or other grown-up) or as a kid aged 13 or older."""

    role = forms.ChoiceField(
        label="I am",
        choices=[
            (User.Role.PARENT, "A parent or another grown-up"),
            (User.Role.KID, f"A kid aged {KID_MIN_AGE} or older"),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.PARENT,
        error_messages={"required": "Tell us whether you are a parent or a kid."},
    )
    birth_year = forms.IntegerField(
        label="Year you were born (kids only)",
        required=False,
        help_text="We use it only to check that kid accounts are for ages 13 and up.",
        error_messages={"invalid": "Enter the year as four digits, like 2011."},
    )

    class Meta:
        model = User
        fields = ("display_name", "email", "role", "birth_year")
        labels = {"display_name": "Display name", "email": "Email address"}
        help_texts = {
            "display_name": "Shown beside your reviews. Use a nickname, not your full name.",
            "email": "For signing in and resetting your password. Never shown to anyone.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].widget.attrs.update(autofocus=True, autocomplete="nickname")
        self.fields["email"].widget.attrs.pop("autofocus", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password1"].label = "Password"
        self.fields["password2"].label = "Password again"

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Choose a display name of at least 2 characters.")
        if "@" in name:
            raise forms.ValidationError(
                "Choose a name without “@”, so that your email address stays private."
            )
        return name

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "There is already an account with this email address. "
                "Sign in, or reset your password if you have forgotten it."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        role, year = cleaned.get("role"), cleaned.get("birth_year")
        if role != User.Role.KID:
            cleaned["birth_year"] = None
            return cleaned
        this_year = timezone.localdate().year
        if year is None:
            if "birth_year" not in self.errors:
                self.add_error("birth_year", "Kids, please tell us the year you were born.")
        elif year > this_year or year < this_year - 120:
            self.add_error("birth_year", "Enter the year you were born, like 2011.")
        elif this_year - year < KID_MIN_AGE:
            self.add_error(
                None,
                "Thank you for wanting to join in! Kid accounts are for ages 13 and up, "
                "so we can't make one for you just yet. You can still read every rating "
                "and review without an account, and a grown-up in your family can sign up "
                "and share what you think.",
            )
            self.add_error("birth_year", f"Kid accounts start at age {KID_MIN_AGE}.")
        elif this_year - year > KID_MAX_AGE:
            self.add_error(
                "role",
                "Kid accounts are for teenagers. Please choose “A parent or another grown-up”.",
            )
        return cleaned


class SignInForm(AuthenticationForm):
    """Django's sign-in form, asking for an email address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email address and password don't match an account. "
            "Check them and try again (the password is case-sensitive)."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email"}
        )
