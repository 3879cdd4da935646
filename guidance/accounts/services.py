"""Account workflows: creating a parent's or a kid's account."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guidance.accounts.models import KID_MIN_AGE, User


@transaction.atomic
def register_user(
    *,
    email: str,
    password: str,
    display_name: str,
    role: str,
    birth_year: int | None = None,
) -> User:
    """
    Create a parent's or a kid's account (never staff).

    A kid gives a birth year and must turn 13 this year or earlier; a parent's birth
    year is not asked for and not kept.
    """
    if role not in (User.Role.PARENT, User.Role.KID):
        raise ValidationError("An account is for a parent or a kid.")
    if role == User.Role.KID:
        if birth_year is None:
            raise ValidationError("Kids give the year they were born.")
        if timezone.localdate().year - birth_year < KID_MIN_AGE:
            raise ValidationError(f"Kid accounts are for ages {KID_MIN_AGE} and up.")
    else:
        birth_year = None
    return User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name,
        role=role,
        birth_year=birth_year,
    )
