from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# Kids may have an account from the calendar year they turn this age (see age_this_year).
KID_MIN_AGE = 13


class UserManager(BaseUserManager):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.STAFF)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with an account: a parent, a kid (13+), or staff."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent"
        KID = "kid", "Kid"
        STAFF = "staff", "Staff"

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=50, help_text="Shown beside your reviews. No real name needed."
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PARENT)
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Kids give it at sign-up (13 or older)."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    @property
    def age_this_year(self):
        """The age this person turns this calendar year, from their birth year (or None)."""
        if self.birth_year is None:
            return None
        return timezone.localdate().year - self.birth_year

    @property
    def can_write_reviews(self):
        """Parents, and kids who are 13 or older, may write community reviews."""
        if not self.is_active or self.role not in (self.Role.PARENT, self.Role.KID):
            return False
        if self.role == self.Role.KID:
            age = self.age_this_year
            return age is not None and age >= KID_MIN_AGE
        return True
