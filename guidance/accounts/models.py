from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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


# The family profile ---------------------------------------------------------------------
#
# A parent's children and the limits that say what fits each of them. The rules that turn
# these rows into per-child limits (age defaults, family caps) live in
# guidance/accounts/family.py, which also reads the same shape from a visitor's session.

MAX_CHILDREN = 8
CHILD_MAX_AGE = 18
NICKNAME_MAX_LENGTH = 30


class FamilyProfile(models.Model):
    """One account's family: its children, and limits and topics that apply to all of them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="family_profile")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Family of {self.user}"


class Child(models.Model):
    """A child in a family profile: a nickname (never a real name needed) and a birth year."""

    profile = models.ForeignKey(FamilyProfile, on_delete=models.CASCADE, related_name="children")
    nickname = models.CharField(max_length=NICKNAME_MAX_LENGTH)
    birth_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["profile", "order", "pk"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(
                "profile", Lower("nickname"), name="accounts_child_nickname_unique"
            ),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2100),
                name="accounts_child_birth_year_range",
            ),
        ]

    def __str__(self):
        return self.nickname

    @property
    def age_this_year(self):
        """The age this child turns this calendar year."""
        return timezone.localdate().year - self.birth_year


class CategoryLimit(models.Model):
    """
    The most of one content category (0-5) a family, or one child, is comfortable with.

    Exactly one of `profile` (a limit for every child) and `child` (that child's own) is set.
    """

    profile = models.ForeignKey(
        FamilyProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="limits"
    )
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="limits"
    )
    category = models.ForeignKey(
        "ratings.ContentCategory", on_delete=models.CASCADE, related_name="+"
    )
    max_level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_level__gte=0) & Q(max_level__lte=5),
                name="accounts_limit_level_range",
            ),
            models.CheckConstraint(
                condition=Q(profile__isnull=False, child__isnull=True)
                | Q(profile__isnull=True, child__isnull=False),
                name="accounts_limit_profile_xor_child",
            ),
            models.UniqueConstraint(
                fields=["profile", "category"],
                condition=Q(profile__isnull=False),
                name="accounts_limit_one_per_family_category",
            ),
            models.UniqueConstraint(
                fields=["child", "category"],
                condition=Q(child__isnull=False),
                name="accounts_limit_one_per_child_category",
            ),
        ]

    def __str__(self):
        return f"{self.category_id} at most {self.max_level}"


class AvoidedTopic(models.Model):
    """A topic (a Tag of kind "topic") a family, or one child, would rather not watch."""

    profile = models.ForeignKey(
        FamilyProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="avoided_topics",
    )
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="avoided_topics"
    )
    tag = models.ForeignKey(
        "movies.Tag",
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "topic"},
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, child__isnull=True)
                | Q(profile__isnull=True, child__isnull=False),
                name="accounts_avoid_profile_xor_child",
            ),
            models.UniqueConstraint(
                fields=["profile", "tag"],
                condition=Q(profile__isnull=False),
                name="accounts_avoid_one_per_family_tag",
            ),
            models.UniqueConstraint(
                fields=["child", "tag"],
                condition=Q(child__isnull=False),
                name="accounts_avoid_one_per_child_tag",
            ),
        ]

    def __str__(self):
        return f"Avoid topic {self.tag_id}"


# What the family filter reads -----------------------------------------------------------


class Source(models.TextChoices):
    EXPERT = "expert", "Our expert"
    COMMUNITY = "community", "The community"


class EffectiveFacts(models.Model):
    """
    A title's age and content-concern levels as family verdicts see them: our expert's
    where the published expert review gives them, else the community's typical ones.

    Rebuilt by guidance.accounts.services.refresh_effective_levels whenever an expert
    review, its grid or the community summary changes. `levels` holds one character per
    content category, at the position of the category's id (the first character is
    category 1): its level "0" to "5", or "-" for no data; `sources` says at the same
    position whose level it is ("e" our expert, "c" the community). One narrow row per
    title lets browse test all of a family's limits in one pass over one table, a
    substring test per limit, instead of joining a row per category (see
    guidance.accounts.family.FitRule.as_q and verdicts.pack_levels).
    """

    title = models.OneToOneField(
        "movies.Title", on_delete=models.CASCADE, primary_key=True, related_name="effective_facts"
    )
    age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None: nobody said.")
    age_source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    levels = models.TextField(blank=True)
    sources = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "effective facts"
        indexes = [models.Index(fields=["age"], name="accounts_efffacts_age_idx")]

    def __str__(self):
        return f"Family facts of title {self.title_id}"
