"""
Load the demo catalog: real films with facts, our own expert reviews, editors' lists and
staff accounts. Idempotent: a second run changes nothing.

The content lives in movies/demo/*.json (one file per title, plus lists.json).
"""

import io
import json
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from guidance.accounts.services import refresh_effective_levels
from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from movies.models import (
    Credit,
    EditorialList,
    EditorialListItem,
    Offer,
    Person,
    StreamingService,
    Studio,
    Tag,
    Title,
    Video,
)

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

# Staff accounts for trying the admin locally; README.md lists them.
DEMO_STAFF = [
    {
        "email": "admin@example.com",
        "display_name": "Site Admin",
        "password": "demo-admin-2026",
        "superuser": True,
        "groups": [],
    },
    {
        "email": "editor@example.com",
        "display_name": "Ellis Editor",
        "password": "demo-editor-2026",
        "superuser": False,
        "groups": ["Editors"],
    },
    {
        "email": "moderator@example.com",
        "display_name": "Morgan Moderator",
        "password": "demo-moderator-2026",
        "superuser": False,
        "groups": ["Moderators"],
    },
]

TAG_KEYS = {
    "genres": Tag.Kind.GENRE,
    "topics": Tag.Kind.TOPIC,
    "character_strengths": Tag.Kind.STRENGTH,
    "inclusion": Tag.Kind.INCLUSION,
}


def upsert(model, defaults=None, **lookup):
    """
    Get or create a row and write `values` only where they differ.

    Unlike update_or_create, an unchanged row is not saved again, so a second run of
    the command changes nothing (not even auto_now timestamps).
    """
    values = defaults or {}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return obj, False


def _date(value):
    return date.fromisoformat(value) if value else None


def draw_poster(name, year, colors):
    """Draw a simple typographic poster: the name and year on a two-colour gradient."""
    width, height = 600, 900
    top, bottom = (_hex(c) for c in colors)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    title_font = ImageFont.load_default(size=72)
    year_font = ImageFont.load_default(size=40)
    words, lines, line = name.upper().split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=title_font) > width - 80 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = height // 2 - 45 * len(lines)
    for text in lines:
        x = (width - draw.textlength(text, font=title_font)) / 2
        draw.text((x, y), text, font=title_font, fill="white")
        y += 90
    year_text = str(year)
    draw.text(
        ((width - draw.textlength(year_text, font=year_font)) / 2, y + 20),
        year_text,
        font=year_font,
        fill=(255, 255, 255),
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _hex(color):
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


class Command(BaseCommand):
    help = "Load the demo titles, expert reviews, editors' lists and staff accounts."

    def handle(self, *args, **options):
        files = sorted(DEMO_DIR.glob("title-*.json"))
        if not files:
            raise CommandError(f"No demo titles found in {DEMO_DIR}.")
        with transaction.atomic():
            reviewers = self.load_staff()
            titles = [self.load_title(json.loads(f.read_text()), reviewers) for f in files]
            lists_file = DEMO_DIR / "lists.json"
            if lists_file.exists():
                self.load_lists(json.loads(lists_file.read_text()))
            # The ages and levels family verdicts filter on, from the reviews just loaded.
            refresh_effective_levels(title_ids=[title.pk for title in titles])
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: {len(titles)} titles."))

    def load_staff(self):
        User = get_user_model()
        for spec in DEMO_STAFF:
            user = User.objects.filter(email__iexact=spec["email"]).first()
            if user is None:
                user = User(email=spec["email"])
                user.set_password(spec["password"])
            user.display_name = spec["display_name"]
            user.role = User.Role.STAFF
            user.is_staff = True
            user.is_superuser = spec["superuser"]
            user.save()
            user.groups.set(Group.objects.filter(name__in=spec["groups"]))
        # Reviewers appear as bylines; they have no password until an admin sets one.
        reviewers = {}
        for spec in json.loads((DEMO_DIR / "reviewers.json").read_text()):
            user, created = upsert(
                User,
                email=spec["email"],
                defaults={
                    "display_name": spec["display_name"],
                    "role": User.Role.STAFF,
                    "is_staff": True,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.set(Group.objects.filter(name="Reviewers"))
            reviewers[spec["key"]] = user
        return reviewers

    def load_title(self, data, reviewers):
        studio = None
        if data.get("studio"):
            studio, _ = Studio.objects.get_or_create(
                slug=slugify(data["studio"]), defaults={"name": data["studio"]}
            )
        title, _ = upsert(
            Title,
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "kind": data.get("kind", Title.Kind.MOVIE),
                "status": Title.Status.PUBLISHED,
                "year": data["year"],
                "tagline": data.get("tagline", ""),
                "runtime_minutes": data.get("runtime_minutes"),
                "mpaa_rating": data.get("mpaa_rating", ""),
                "mpaa_explanation": data.get("mpaa_explanation", ""),
                "theatrical_release": _date(data.get("theatrical_release")),
                "streaming_release": _date(data.get("streaming_release")),
                "studio": studio,
            },
        )
        tags = []
        for key, kind in TAG_KEYS.items():
            for name in data.get(key, []):
                tag, _ = Tag.objects.get_or_create(
                    kind=kind, slug=slugify(name), defaults={"name": name}
                )
                tags.append(tag)
        title.tags.set(tags)

        keep = []
        for order, spec in enumerate(data.get("credits", [])):
            person, _ = Person.objects.get_or_create(
                slug=slugify(spec["name"]), defaults={"name": spec["name"]}
            )
            credit, _ = upsert(
                Credit,
                title=title,
                person=person,
                role=spec["role"],
                defaults={"character": spec.get("character", ""), "order": order},
            )
            keep.append(credit.pk)
        title.credits.exclude(pk__in=keep).delete()

        keep = []
        for spec in data.get("offers", []):
            service, _ = StreamingService.objects.get_or_create(
                slug=slugify(spec["service"]),
                defaults={"name": spec["service"], "url": spec.get("service_url", "")},
            )
            offer, _ = upsert(
                Offer,
                title=title,
                service=service,
                kind=spec["kind"],
                defaults={"url": spec.get("url", ""), "price": spec.get("price")},
            )
            keep.append(offer.pk)
        title.offers.exclude(pk__in=keep).delete()

        keep = []
        for order, spec in enumerate(data.get("videos", [])):
            video, _ = upsert(
                Video,
                title=title,
                url=spec["url"],
                defaults={
                    "name": spec["name"],
                    "kind": spec.get("kind", "trailer"),
                    "order": order,
                },
            )
            keep.append(video.pk)
        title.videos.exclude(pk__in=keep).delete()

        if not title.poster and data.get("poster_colors"):
            jpeg = draw_poster(title.name, title.year, data["poster_colors"])
            title.poster.save(f"{title.slug}.jpg", ContentFile(jpeg), save=True)

        if data.get("review"):
            self.load_review(title, data["review"], reviewers)
        return title

    def load_review(self, title, data, reviewers):
        review, _ = upsert(
            ExpertReview,
            title=title,
            defaults={
                "reviewer": reviewers[data["reviewer"]],
                "status": ExpertReview.Status.PUBLISHED,
                "age_rating": data["age_rating"],
                "stars": data["stars"],
                "summary": data["summary"],
                "parents_need_to_know": data["parents_need_to_know"],
                "story": data["story"],
                "is_it_any_good": data["is_it_any_good"],
                "talk_to_your_kids": "\n".join(data["talk_to_your_kids"]),
            },
        )
        categories = {c.slug: c for c in ContentCategory.objects.all()}
        missing = set(categories) - set(data["grades"])
        if missing:
            raise CommandError(f"{title}: the grid lacks {', '.join(sorted(missing))}.")
        for slug, (level, note) in data["grades"].items():
            upsert(
                ContentGrade,
                review=review,
                category=categories[slug],
                defaults={"level": level, "note": note},
            )

    def load_lists(self, lists):
        for spec in lists:
            editorial_list, _ = upsert(
                EditorialList,
                slug=spec["slug"],
                defaults={
                    "name": spec["name"],
                    "description": spec["description"],
                    "is_published": True,
                },
            )
            keep = []
            for order, (slug, blurb) in enumerate(spec["items"]):
                title = Title.objects.get(slug=slug)
                item, _ = upsert(
                    EditorialListItem,
                    editorial_list=editorial_list,
                    title=title,
                    defaults={"blurb": blurb, "order": order},
                )
                keep.append(item.pk)
            editorial_list.items.exclude(pk__in=keep).delete()
