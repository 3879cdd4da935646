from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from movies.images import (
    make_thumbnail,
    random_upload_path,
    reencode_new_upload,
    validate_image_upload,
)
from movies.querysets import TitleQuerySet


class Studio(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=220, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """
    A genre, topic, character strength or inclusion tag.

    One table for the four kinds keeps the title page to one query for all of them and
    gives browse one way to filter by any of them; editors still see four fields.
    """

    class Kind(models.TextChoices):
        GENRE = "genre", "Genre"
        TOPIC = "topic", "Topic"
        STRENGTH = "strength", "Character strength"
        INCLUSION = "inclusion", "Inclusion"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="movies_tag_kind_slug_unique"),
            models.UniqueConstraint(fields=["kind", "name"], name="movies_tag_kind_name_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display().lower()})"


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["name"], name="movies_person_name_idx")]

    def __str__(self):
        return self.name


class Title(models.Model):
    """A movie (and later a show, book or game) that parents look up."""

    class Kind(models.TextChoices):
        MOVIE = "movie", "Movie"
        TV = "tv", "TV show"
        BOOK = "book", "Book"
        GAME = "game", "Game"

    class MPAA(models.TextChoices):
        G = "G", "G"
        PG = "PG", "PG"
        PG13 = "PG-13", "PG-13"
        R = "R", "R"
        NC17 = "NC-17", "NC-17"
        NOT_RATED = "NR", "Not rated"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOVIE)
    name = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=280, unique=True, help_text="Used in the address, like run-2020."
    )
    source_key = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        help_text='Where an import found this title, like "wikidata:Q595"; the next import '
        "finds the title by it. Empty for titles made here.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1870), MaxValueValidator(2100)]
    )
    tagline = models.CharField(max_length=255, blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(
        "run time (minutes)", null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    mpaa_rating = models.CharField("MPAA rating", max_length=5, choices=MPAA.choices, blank=True)
    mpaa_explanation = models.CharField(
        "MPAA explanation",
        max_length=300,
        blank=True,
        help_text='The official reason, like "some violence/terror, and language".',
    )
    theatrical_release = models.DateField("in theaters", null=True, blank=True)
    streaming_release = models.DateField("on DVD or streaming", null=True, blank=True)
    studio = models.ForeignKey(
        Studio, null=True, blank=True, on_delete=models.SET_NULL, related_name="titles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="titles")
    poster = models.ImageField(
        upload_to=random_upload_path, blank=True, validators=[validate_image_upload]
    )
    # Community aggregates, kept exact by guidance.reviews.services on every change.
    community_review_count = models.PositiveIntegerField(default=0, editable=False)
    community_rating = models.FloatField(
        default=0, editable=False, help_text="Bayesian average of community stars."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(
        "last updated",
        default=timezone.now,
        help_text="Moves when what the title page shows changes.",
    )
    # What the search box looks at, normalised (lowercase, no accents or punctuation) and
    # rewritten by movies.search after any change to the title, its credits, a person or
    # its studio; `search_vector` is their weighted PostgreSQL document (NULL on SQLite).
    search_name = models.CharField(max_length=255, blank=True, editable=False)
    search_people = models.TextField(blank=True, editable=False)
    search_studio = models.CharField(max_length=200, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = TitleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "year"]
        indexes = [
            models.Index(fields=["status", "kind", "year"], name="movies_title_kind_year_idx"),
            models.Index(fields=["year"], name="movies_title_year_idx"),
            models.Index(fields=["mpaa_rating"], name="movies_title_mpaa_idx"),
            models.Index(fields=["-community_rating"], name="movies_title_comm_rating_idx"),
            models.Index(fields=["-community_review_count"], name="movies_title_comm_count_idx"),
            models.Index(fields=["name"], name="movies_title_name_idx"),
            # Browse's default order (newest first) within the published titles.
            models.Index(fields=["status", "-year", "name", "id"], name="movies_title_newest_idx"),
            models.Index(fields=["status", "year", "name", "id"], name="movies_title_oldest_idx"),
            # Search also has GIN indexes on PostgreSQL (the vector; trigrams on the three
            # search copies), made by migration 0002 there alone and kept out of this list
            # because SQLite cannot build them.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1870) & Q(year__lte=2100), name="movies_title_year_range"
            ),
            # A partial unique index rather than unique=True: SQLite adds it without
            # rebuilding the table (whose state holds PostgreSQL-only indexes).
            models.UniqueConstraint(
                fields=["source_key"],
                condition=Q(source_key__isnull=False),
                name="movies_title_source_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        reencode_new_upload(self.poster)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("movies:detail", kwargs={"slug": self.slug})

    def unique_slug(self):
        """Return "name-year", with a counter added if another title has it."""
        base = slugify(f"{self.name} {self.year}")[:270] or "title"
        slug, n = base, 2
        while Title.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def tags_of(self, kind):
        """Return this title's tags of one kind, from the prefetched `tags` if any."""
        return [tag for tag in self.tags.all() if tag.kind == kind]

    @property
    def genres(self):
        return self.tags_of(Tag.Kind.GENRE)

    @property
    def topics(self):
        return self.tags_of(Tag.Kind.TOPIC)

    @property
    def character_strengths(self):
        return self.tags_of(Tag.Kind.STRENGTH)

    @property
    def inclusion_tags(self):
        return self.tags_of(Tag.Kind.INCLUSION)

    def credits_of(self, role):
        return [credit for credit in self.credits.all() if credit.role == role]

    @property
    def cast(self):
        return self.credits_of(Credit.Role.ACTOR)

    @property
    def directors(self):
        return self.credits_of(Credit.Role.DIRECTOR)

    @property
    def writers(self):
        return self.credits_of(Credit.Role.WRITER)


class Credit(models.Model):
    class Role(models.TextChoices):
        ACTOR = "actor", "Actor"
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ACTOR)
    character = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title", "role", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "person", "role"], name="movies_credit_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"], name="movies_credit_person_idx")]

    def __str__(self):
        if self.character:
            return f"{self.person} as {self.character}"
        return f"{self.person} ({self.get_role_display().lower()})"


class StreamingService(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    url = models.URLField("home page", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Offer(models.Model):
    """Where to watch: a title on a service, by subscription, rent, buy or free."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription"
        RENT = "rent", "Rent"
        BUY = "buy", "Buy"
        FREE = "free", "Free"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="offers")
    service = models.ForeignKey(StreamingService, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SUBSCRIPTION)
    url = models.URLField("link", blank=True)
    price = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["title", "kind", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "service", "kind"], name="movies_offer_unique_kind"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="movies_offer_price_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["service", "title"], name="movies_offer_service_idx")]

    def __str__(self):
        return f"{self.title} on {self.service} ({self.get_kind_display().lower()})"


class Photo(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=random_upload_path, validators=[validate_image_upload])
    thumbnail = models.ImageField(upload_to=random_upload_path, blank=True, editable=False)
    caption = models.CharField(max_length=200, blank=True)
    alt_text = models.CharField(
        max_length=200, blank=True, help_text="What the photo shows, for screen readers."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title", "order", "pk"]

    def __str__(self):
        return self.caption or f"Photo {self.pk} of {self.title}"

    def save(self, *args, **kwargs):
        if reencode_new_upload(self.image):
            self.thumbnail = make_thumbnail(self.image)
        super().save(*args, **kwargs)


class Video(models.Model):
    class Kind(models.TextChoices):
        TRAILER = "trailer", "Trailer"
        CLIP = "clip", "Clip"
        FEATURETTE = "featurette", "Featurette"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="videos")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TRAILER)
    url = models.URLField(help_text="A link to the video (it opens on the video's site).")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title", "order", "pk"]

    def __str__(self):
        return self.name


class EditorialList(models.Model):
    """ "Our Editors Recommend": an ordered, published list of titles."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=True)
    titles = models.ManyToManyField(Title, through="EditorialListItem", related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("editorial-list", kwargs={"slug": self.slug})


class EditorialListItem(models.Model):
    editorial_list = models.ForeignKey(
        EditorialList, on_delete=models.CASCADE, related_name="items"
    )
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="list_items")
    blurb = models.CharField(max_length=300, blank=True, help_text="Why it is on the list.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["editorial_list", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["editorial_list", "title"], name="movies_listitem_unique_title"
            ),
        ]

    def __str__(self):
        return f"{self.title} in {self.editorial_list}"
