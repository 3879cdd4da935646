"""
The parts of a title that change through a reader's suggestion or an editor's admin edit.

Each part is an EditableField that knows how to:

- `read` its value from a title as plain JSON (the snapshot kept with a suggestion, the
  before and after of a recorded change);
- `show` a value as lines people read (the diff in admin, the suggestion form);
- `validate` a proposed change (a dict) against the title as it is now, returning the
  cleaned proposal or raising ValidationError with a message for people;
- compute the value `after` a proposal without writing anything, and `apply` it;
- `describe` a change in one plain sentence for the title's public history.

SUGGESTABLE_FIELDS (plus one "grid:<category>" entry per graded category) is the allow-list
of what readers may propose; anything else is refused with NotSuggestable. RECORDED_FIELDS
is what an admin edit of a title is compared on.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Max, Prefetch
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from guidance.ratings.models import MAX_LEVEL, MIN_LEVEL, ContentCategory, ContentGrade
from guidance.suggestions.models import Suggestion
from movies.models import Credit, Offer, Person, StreamingService, Studio, Tag, Title

MAX_NAME_LENGTH = 200
MAX_TAGS_PER_SUGGESTION = 20
MAX_TEXT_LENGTH = 4000


def with_editable_data(queryset):
    """Load what every EditableField reads, in a fixed number of queries."""
    return queryset.select_related("studio", "expert_review").prefetch_related(
        "tags",
        Prefetch("credits", queryset=Credit.objects.select_related("person")),
        Prefetch("offers", queryset=Offer.objects.select_related("service")),
        "photos",
        "videos",
        Prefetch(
            "expert_review__grades",
            queryset=ContentGrade.objects.select_related("category"),
        ),
    )


def load_title(pk):
    """A fresh copy of a title with everything the editable fields read."""
    return with_editable_data(Title.objects.all()).get(pk=pk)


def unique_slug(model, name, **scope):
    """A slug for `name` not yet used in `model` (within `scope`)."""
    base = slugify(name)[:100] or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def clean_text(value, *, label, max_length=MAX_NAME_LENGTH, required=True, one_line=True):
    """Strip a text value and check it; raise ValidationError saying what is wrong."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{label} must be text.")
    value = " ".join(value.split()) if one_line else value.strip()
    if required and not value:
        raise ValidationError(f"{label} is required.")
    if len(value) > max_length:
        raise ValidationError(f"{label} can be at most {max_length} characters.")
    return value


def join_plain(items):
    """Join words as a person would: "a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class NotSuggestable(ValidationError):
    """Raised for a part of the page that readers cannot change with a suggestion."""

    def __init__(self, key):
        self.key = key
        name = str(key or "").strip()[:60] or "That"
        super().__init__(
            f"“{name}” can't be changed with a suggestion. Choose one of the parts of the "
            "page listed here, or describe the change under “Something else”.",
            code="not_suggestable",
        )


class EditableField:
    """One part of a title page that can be changed and recorded."""

    key = ""
    label = ""
    kind = Suggestion.Kind.DETAIL
    # Public changes move the title's "Last updated" and appear in its history.
    is_public = True
    # False for "Something else": accepting it changes nothing by itself.
    applies_automatically = True

    def read(self, title):
        raise NotImplementedError

    def show(self, value):
        """The value as lines of text."""
        return [str(value)] if value not in (None, "", []) else ["(none)"]

    def validate(self, title, proposal):
        raise NotImplementedError

    def after(self, value, proposal):
        """The value once `proposal` is applied to `value` (nothing is written)."""
        raise NotImplementedError

    def apply(self, title, proposal):
        raise NotImplementedError

    def describe(self, before, after):
        """The change as one sentence for the public history (past tense)."""
        raise NotImplementedError

    def summarize(self, proposal, current):
        """A short line for queues, profiles and emails: what the proposal asks for."""
        after = self.after(current, proposal)
        return f"{self.label}: {'; '.join(self.show(current))} → {'; '.join(self.show(after))}"

    def require_change(self, title, proposal):
        value = self.read(title)
        if self.after(value, proposal) == value:
            raise ValidationError("The page already says this, so there is nothing to change.")


# Single values ------------------------------------------------------------------------


class ScalarField(EditableField):
    """A single column of Title: run time, a date, the MPAA rating, a name..."""

    def __init__(self, attr, label=None, *, kind=Suggestion.Kind.DETAIL, is_public=True):
        self.attr = attr
        self.key = attr
        self.model_field = Title._meta.get_field(attr)
        self.label = label or self.model_field.verbose_name.capitalize()
        self.kind = kind
        self.is_public = is_public

    def to_json(self, value):
        if isinstance(value, date):
            return value.isoformat()
        return value

    def from_json(self, value):
        if value is not None and self.model_field.get_internal_type() == "DateField":
            return date.fromisoformat(value)
        return value

    def empty(self):
        return None if self.model_field.null else ""

    def read(self, title):
        return self.to_json(getattr(title, self.attr))

    def show(self, value):
        if value in (None, ""):
            return ["(not given)"]
        if self.model_field.choices:
            return [str(dict(self.model_field.flatchoices).get(value, value))]
        if self.model_field.get_internal_type() == "DateField":
            return [format_date(date.fromisoformat(value), "F j, Y")]
        if self.attr == "runtime_minutes":
            return [f"{value} minutes"]
        return [str(value)]

    def validate(self, title, proposal):
        if not isinstance(proposal, dict) or "value" not in proposal:
            raise ValidationError("Give the new value.")
        value = proposal["value"]
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            value = self.empty()
        value = self.model_field.clean(value, title)
        cleaned = {"value": self.to_json(value)}
        self.require_change(title, cleaned)
        return cleaned

    def after(self, value, proposal):
        return proposal["value"]

    def apply(self, title, proposal):
        setattr(title, self.attr, self.from_json(proposal["value"]))
        title.save(update_fields=[self.attr])

    def describe(self, before, after):
        if before in (None, ""):
            return f"{self.label} added: {self.show(after)[0]}."
        if after in (None, ""):
            return f"{self.label} removed (it was {self.show(before)[0]})."
        return f"{self.label} changed from {self.show(before)[0]} to {self.show(after)[0]}."


class StudioField(ScalarField):
    """The studio, proposed by name; accepting an unknown name adds the studio."""

    def __init__(self):
        super().__init__("studio", "Studio")

    def read(self, title):
        return title.studio.name if title.studio_id else None

    def show(self, value):
        return [value] if value else ["(not given)"]

    def validate(self, title, proposal):
        if not isinstance(proposal, dict):
            raise ValidationError("Give the studio's name.")
        name = clean_text(proposal.get("value"), label="The studio", required=False) or None
        if name:
            known = Studio.objects.filter(name__iexact=name).first()
            name = known.name if known else name
        cleaned = {"value": name}
        self.require_change(title, cleaned)
        return cleaned

    def apply(self, title, proposal):
        name = proposal["value"]
        studio = None
        if name:
            studio = Studio.objects.filter(name__iexact=name).first()
            if studio is None:
                studio = Studio.objects.create(name=name, slug=unique_slug(Studio, name))
        title.studio = studio
        title.save(update_fields=["studio"])


class PosterField(EditableField):
    """The poster image (admin only): recorded as replaced, added or removed."""

    key = "poster"
    label = "Poster"

    def read(self, title):
        return title.poster.name or ""

    def show(self, value):
        return ["a poster"] if value else ["no poster"]

    def describe(self, before, after):
        if not before:
            return "Poster added."
        if not after:
            return "Poster removed."
        return "New poster."


class StatusField(ScalarField):
    """Published or draft (admin only): kept in the audit trail, not the public history."""

    def __init__(self):
        super().__init__("status", "Status", is_public=False)

    def describe(self, before, after):
        return "Published." if after == Title.Status.PUBLISHED else "Made a draft."


# Tags ---------------------------------------------------------------------------------


class TagsField(EditableField):
    """The tags of one kind: inclusion information, genres, topics, character strengths."""

    def __init__(self, key, label, tag_kind, *, kind=Suggestion.Kind.DETAIL):
        self.key = key
        self.label = label
        self.tag_kind = tag_kind
        self.kind = kind

    def read(self, title):
        return sorted((tag.name for tag in title.tags_of(self.tag_kind)), key=str.casefold)

    def show(self, value):
        return list(value) if value else ["(none listed)"]

    def vocabulary(self):
        return Tag.objects.filter(kind=self.tag_kind).order_by("name")

    def validate(self, title, proposal):
        if not isinstance(proposal, dict):
            raise ValidationError("Choose what to add or remove.")
        add, remove = proposal.get("add") or [], proposal.get("remove") or []
        if not isinstance(add, list) or not isinstance(remove, list):
            raise ValidationError("Choose what to add or remove.")
        if len(add) + len(remove) > MAX_TAGS_PER_SUGGESTION:
            raise ValidationError(
                f"Suggest at most {MAX_TAGS_PER_SUGGESTION} changes at a time, please."
            )
        known = {tag.name.casefold(): tag.name for tag in self.vocabulary()}
        current = {name.casefold() for name in self.read(title)}
        cleaned_add, cleaned_remove = {}, {}
        for raw in add:
            name = clean_text(raw, label="A tag", max_length=100)
            if name.casefold() not in current:
                cleaned_add.setdefault(name.casefold(), known.get(name.casefold(), name))
        for raw in remove:
            name = clean_text(raw, label="A tag", max_length=100)
            if name.casefold() in current:
                cleaned_remove.setdefault(name.casefold(), known.get(name.casefold(), name))
        cleaned_add, cleaned_remove = list(cleaned_add.values()), list(cleaned_remove.values())
        cleaned = {"add": cleaned_add, "remove": cleaned_remove}
        self.require_change(title, cleaned)
        return cleaned

    def after(self, value, proposal):
        removed = {name.casefold() for name in proposal.get("remove", [])}
        names = [name for name in value if name.casefold() not in removed]
        present = {name.casefold() for name in names}
        names += [name for name in proposal.get("add", []) if name.casefold() not in present]
        return sorted(names, key=str.casefold)

    def apply(self, title, proposal):
        for name in proposal["add"]:
            tag = Tag.objects.filter(kind=self.tag_kind, name__iexact=name).first()
            if tag is None:
                tag = Tag.objects.create(
                    kind=self.tag_kind,
                    name=name,
                    slug=unique_slug(Tag, name, kind=self.tag_kind),
                )
            title.tags.add(tag)
        for name in proposal["remove"]:
            title.tags.remove(*Tag.objects.filter(kind=self.tag_kind, name__iexact=name))

    def changes(self, before, after, *, past=True):
        before_set = {name.casefold() for name in before or []}
        after_set = {name.casefold() for name in after or []}
        added = [name for name in after or [] if name.casefold() not in before_set]
        removed = [name for name in before or [] if name.casefold() not in after_set]
        parts = []
        if added:
            parts.append(f"{'added' if past else 'add'} {join_plain(added)}")
        if removed:
            parts.append(f"{'removed' if past else 'remove'} {join_plain(removed)}")
        return f"{self.label}: {'; '.join(parts) or 'no change'}"

    def describe(self, before, after):
        return self.changes(before, after) + "."

    def summarize(self, proposal, current):
        return self.changes(current, self.after(current, proposal), past=False)


# Lists of rows (credits, offers, photos, videos) --------------------------------------


class RowsField(EditableField):
    """Child rows of a title, read as a list of dicts matched by their "id"."""

    def item_label(self, item):
        raise NotImplementedError

    def show(self, value):
        return [self.item_label(item) for item in value] if value else ["(none listed)"]

    def changes(self, before, after, *, past=True):
        before, after = before or [], after or []
        verbs = (
            {"add": "added", "remove": "removed", "change": "changed", "update": "updated"}
            if past
            else {"add": "add", "remove": "remove", "change": "change", "update": "update"}
        )
        old = {item["id"]: item for item in before if item.get("id")}
        new_ids = {item.get("id") for item in after}
        added = [self.item_label(item) for item in after if item.get("id") not in old]
        removed = [self.item_label(item) for item in before if item.get("id") not in new_ids]
        changed = []
        for item in after:
            if item.get("id") in old and old[item["id"]] != item:
                was, now = self.item_label(old[item["id"]]), self.item_label(item)
                changed.append(
                    f"{verbs['update']} {now}"
                    if was == now
                    else f"{verbs['change']} {was} to {now}"
                )
        parts = []
        if added:
            parts.append(f"{verbs['add']} {join_plain(added)}")
        parts.extend(changed)
        if removed:
            parts.append(f"{verbs['remove']} {join_plain(removed)}")
        if not parts:
            kept_order = [item["id"] for item in after if item.get("id") in old]
            if kept_order != [item["id"] for item in before if item["id"] in new_ids]:
                parts.append("order changed")
        return f"{self.label}: {'; '.join(parts) or 'no change'}"

    def describe(self, before, after):
        return self.changes(before, after) + "."

    def summarize(self, proposal, current):
        return self.changes(current, self.after(current, proposal), past=False)


class CreditsField(RowsField):
    """Cast and crew: add a credit, or correct a credited name or character."""

    key = "credits"
    label = "Cast and crew"
    kind = Suggestion.Kind.CREDIT

    def read(self, title):
        return [
            {
                "id": credit.pk,
                "role": credit.role,
                "name": credit.person.name,
                "character": credit.character,
            }
            for credit in title.credits.all()
        ]

    def item_label(self, item):
        if item.get("character"):
            return f"{item['name']} as {item['character']}"
        role = dict(Credit.Role.choices).get(item.get("role"), item.get("role"))
        return f"{item['name']} ({str(role).lower()})"

    def validate(self, title, proposal):
        if not isinstance(proposal, dict) or proposal.get("action") not in {"add", "correct"}:
            raise ValidationError("Choose whether to add a credit or correct one.")
        current = self.read(title)
        name = clean_text(proposal.get("name"), label="The name")
        character = clean_text(proposal.get("character"), label="The character", required=False)
        if proposal["action"] == "add":
            role = proposal.get("role")
            if role not in Credit.Role.values:
                raise ValidationError("Choose a role: actor, director or writer.")
            person = Person.objects.filter(name__iexact=name).first()
            name = person.name if person else name
            for item in current:
                if item["role"] == role and item["name"].casefold() == name.casefold():
                    raise ValidationError(f"{name} is already credited on this page.")
            cleaned = {"action": "add", "role": role, "name": name, "character": character}
        else:
            by_id = {item["id"]: item for item in current}
            credit_id = proposal.get("credit")
            if not isinstance(credit_id, int) or credit_id not in by_id:
                raise ValidationError("That credit is no longer on the page.")
            item = by_id[credit_id]
            person = Person.objects.filter(name__iexact=name).first()
            name = person.name if person else name
            for other in current:
                if (
                    other["id"] != credit_id
                    and other["role"] == item["role"]
                    and other["name"].casefold() == name.casefold()
                ):
                    raise ValidationError(f"{name} is already credited on this page.")
            cleaned = {"action": "correct", "credit": credit_id, "name": name}
            cleaned["character"] = character
        self.require_change(title, cleaned)
        return cleaned

    def after(self, value, proposal):
        if proposal["action"] == "add":
            new = {
                "id": None,
                "role": proposal["role"],
                "name": proposal["name"],
                "character": proposal["character"],
            }
            return sorted([*value, new], key=lambda item: item["role"])
        return [
            {**item, "name": proposal["name"], "character": proposal["character"]}
            if item["id"] == proposal["credit"]
            else item
            for item in value
        ]

    def person_named(self, name):
        person = Person.objects.filter(name__iexact=name).first()
        if person is None:
            person = Person.objects.create(name=name, slug=unique_slug(Person, name))
        return person

    def apply(self, title, proposal):
        if proposal["action"] == "add":
            last = title.credits.filter(role=proposal["role"]).aggregate(last=Max("order"))
            Credit.objects.create(
                title=title,
                person=self.person_named(proposal["name"]),
                role=proposal["role"],
                character=proposal["character"],
                order=(last["last"] + 1) if last["last"] is not None else 0,
            )
            return
        credit = Credit.objects.select_related("person").get(pk=proposal["credit"], title=title)
        if credit.person.name != proposal["name"]:
            credit.person = self.person_named(proposal["name"])
        credit.character = proposal["character"]
        credit.save()


class OffersField(RowsField):
    """Where to watch: add an offer, or remove one that is gone."""

    key = "offers"
    label = "Where to watch"
    kind = Suggestion.Kind.OFFER

    def read(self, title):
        return [
            {
                "id": offer.pk,
                "service": offer.service.name,
                "kind": offer.kind,
                "url": offer.url,
                "price": str(offer.price) if offer.price is not None else None,
            }
            for offer in title.offers.all()
        ]

    def item_label(self, item):
        kind = dict(Offer.Kind.choices).get(item.get("kind"), item.get("kind"))
        return f"{item['service']} ({str(kind).lower()})"

    def validate(self, title, proposal):
        if not isinstance(proposal, dict) or proposal.get("action") not in {"add", "remove"}:
            raise ValidationError("Choose whether to add a place to watch or remove one.")
        current = self.read(title)
        if proposal["action"] == "remove":
            offer_id = proposal.get("offer")
            if not isinstance(offer_id, int) or offer_id not in {item["id"] for item in current}:
                raise ValidationError("That offer is no longer on the page.")
            return {"action": "remove", "offer": offer_id}
        service = clean_text(proposal.get("service"), label="The service", max_length=100)
        known = StreamingService.objects.filter(name__iexact=service).first()
        service = known.name if known else service
        kind = proposal.get("kind")
        if kind not in Offer.Kind.values:
            raise ValidationError("Choose how it is offered: subscription, rent, buy or free.")
        url = clean_text(proposal.get("url"), label="The link", required=False)
        if url:
            URLValidator(schemes=["http", "https"], message="Enter a full web address.")(url)
        for item in current:
            if item["service"].casefold() == service.casefold() and item["kind"] == kind:
                raise ValidationError(f"{self.item_label(item)} is already listed.")
        return {"action": "add", "service": service, "kind": kind, "url": url}

    def after(self, value, proposal):
        if proposal["action"] == "remove":
            return [item for item in value if item["id"] != proposal["offer"]]
        new = {
            "id": None,
            "service": proposal["service"],
            "kind": proposal["kind"],
            "url": proposal["url"],
            "price": None,
        }
        return sorted([*value, new], key=lambda item: (item["kind"], item["service"].casefold()))

    def apply(self, title, proposal):
        if proposal["action"] == "remove":
            Offer.objects.filter(pk=proposal["offer"], title=title).delete()
            return
        service = StreamingService.objects.filter(name__iexact=proposal["service"]).first()
        if service is None:
            service = StreamingService.objects.create(
                name=proposal["service"], slug=unique_slug(StreamingService, proposal["service"])
            )
        Offer.objects.create(
            title=title, service=service, kind=proposal["kind"], url=proposal["url"]
        )


class PhotosField(RowsField):
    """Photos (admin only)."""

    key = "photos"
    label = "Photos"

    def read(self, title):
        return [
            {
                "id": photo.pk,
                "image": photo.image.name,
                "caption": photo.caption,
                "alt_text": photo.alt_text,
                "order": photo.order,
            }
            for photo in title.photos.all()
        ]

    def item_label(self, item):
        return f"“{item['caption']}”" if item.get("caption") else "a photo"


class VideosField(RowsField):
    """Videos (admin only)."""

    key = "videos"
    label = "Videos"

    def read(self, title):
        return [
            {
                "id": video.pk,
                "name": video.name,
                "kind": video.kind,
                "url": video.url,
                "order": video.order,
            }
            for video in title.videos.all()
        ]

    def item_label(self, item):
        return f"“{item['name']}”"


# The content grid ---------------------------------------------------------------------


class GridLevelField(EditableField):
    """One category's level in our content grid, which a reader disagrees with."""

    kind = Suggestion.Kind.GRID

    def __init__(self, category):
        self.category = category
        self.key = f"grid:{category.slug}"
        self.label = f"Content grid: {category.name}"

    def grade(self, title):
        review = getattr(title, "expert_review", None)
        if review is None:
            return None
        return next(
            (grade for grade in review.grades.all() if grade.category_id == self.category.pk),
            None,
        )

    def read(self, title):
        grade = self.grade(title)
        return grade.level if grade else None

    def show(self, value):
        return ["(not rated)"] if value is None else [f"{value} out of {MAX_LEVEL}"]

    def validate(self, title, proposal):
        if self.grade(title) is None:
            raise ValidationError(
                f"We have not rated {self.category.name} for this title yet, so there is no "
                "level to change. Tell us under “Something else”."
            )
        if not isinstance(proposal, dict):
            raise ValidationError("Choose a level.")
        level = proposal.get("level")
        if isinstance(level, str) and level.strip().isdigit():
            level = int(level)
        if not isinstance(level, int) or isinstance(level, bool):
            raise ValidationError("Choose a level.")
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ValidationError(f"A level is a whole number from {MIN_LEVEL} to {MAX_LEVEL}.")
        why = clean_text(
            proposal.get("why"), label="Why", max_length=MAX_TEXT_LENGTH, one_line=False
        )
        cleaned = {"level": level, "why": why}
        self.require_change(title, cleaned)
        return cleaned

    def after(self, value, proposal):
        return proposal["level"]

    def apply(self, title, proposal):
        from guidance.accounts.services import refresh_effective_levels

        grade = self.grade(title)
        ContentGrade.objects.filter(pk=grade.pk).update(level=proposal["level"])
        # A bulk update skips the hooks: renew what family verdicts and browse read.
        refresh_effective_levels(title_ids=[title.pk])

    def describe(self, before, after):
        return (
            f"Content grid, {self.category.name}: level changed from {before} to {after} "
            f"(out of {MAX_LEVEL})."
        )

    def summarize(self, proposal, current):
        return (
            f"Content grid, {self.category.name}: level {current} → {proposal['level']} "
            f"(out of {MAX_LEVEL})"
        )


# Something else -----------------------------------------------------------------------


class OtherField(EditableField):
    """Free text: an editor reads it and makes any change in the title's admin page."""

    key = "other"
    label = "Something else"
    kind = Suggestion.Kind.OTHER
    applies_automatically = False

    def read(self, title):
        return None

    def show(self, value):
        return ["(see the message)"]

    def validate(self, title, proposal):
        if not isinstance(proposal, dict):
            raise ValidationError("Tell us what should change.")
        text = clean_text(
            proposal.get("text"),
            label="What should change",
            max_length=MAX_TEXT_LENGTH,
            one_line=False,
        )
        return {"text": text}

    def after(self, value, proposal):
        return value

    def apply(self, title, proposal):
        """Change nothing: the editor makes the change in the title's admin page."""

    def describe(self, before, after):
        return ""

    def summarize(self, proposal, current):
        text = " ".join(proposal.get("text", "").split())
        return f"Something else: {text if len(text) <= 120 else text[:119] + '…'}"


# The registries -----------------------------------------------------------------------

INCLUSION_TAGS = TagsField(
    "inclusion_tags", "Inclusion information", Tag.Kind.INCLUSION, kind=Suggestion.Kind.INCLUSION
)
DETAIL_FIELDS = [
    ScalarField("runtime_minutes", "Run time"),
    ScalarField("theatrical_release", "In theaters"),
    ScalarField("streaming_release", "On DVD or streaming"),
    ScalarField("mpaa_rating", "MPAA rating"),
    ScalarField("mpaa_explanation", "MPAA explanation"),
    StudioField(),
    TagsField("genres", "Genres", Tag.Kind.GENRE),
    TagsField("topics", "Topics", Tag.Kind.TOPIC),
    TagsField("character_strengths", "Character strengths", Tag.Kind.STRENGTH),
]
CREDITS = CreditsField()
OFFERS = OffersField()
OTHER = OtherField()

SUGGESTABLE_FIELDS = {
    field.key: field for field in [INCLUSION_TAGS, *DETAIL_FIELDS, CREDITS, OFFERS, OTHER]
}
GRID_PREFIX = "grid:"

RECORDED_FIELDS = [
    ScalarField("name", "Title"),
    ScalarField("kind", "Kind"),
    ScalarField("year", "Year"),
    ScalarField("tagline", "Tagline"),
    PosterField(),
    *DETAIL_FIELDS,
    INCLUSION_TAGS,
    CREDITS,
    OFFERS,
    PhotosField(),
    VideosField(),
    ScalarField("slug", "Address", is_public=False),
    StatusField(),
]


def suggestable_field(key):
    """The allow-listed field for `key`, or raise NotSuggestable."""
    if not isinstance(key, str):
        raise NotSuggestable(key)
    if key in SUGGESTABLE_FIELDS:
        return SUGGESTABLE_FIELDS[key]
    if key.startswith(GRID_PREFIX):
        category = ContentCategory.objects.filter(slug=key.removeprefix(GRID_PREFIX)).first()
        if category is not None:
            return GridLevelField(category)
    raise NotSuggestable(key)


def read_title_state(title):
    """Every recorded field's value, keyed by field: compare two to see what changed."""
    return {field.key: field.read(title) for field in RECORDED_FIELDS}
