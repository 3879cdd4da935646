"""Fixtures and helpers for the "Suggest an Update" tests."""

import datetime as dt

import pytest
from django.utils import timezone

from guidance.suggestions.services import suggest_update
from movies.models import Credit, Offer, Tag
from tests import factories as f

OLD_DATE = timezone.make_aware(dt.datetime(2024, 1, 15, 12, 0))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash the test users' passwords quickly; these tests are not about passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reader():
    return f.make_user(display_name="Robin Reader")


@pytest.fixture
def editor():
    return f.make_staff(groups=["Editors"], display_name="Ellis Editor")


@pytest.fixture
def title():
    """A published title with a full grid, credits, an offer and one inclusion tag."""
    title = f.make_title(
        name="Little Women",
        year=2019,
        runtime_minutes=135,
        mpaa_rating="PG",
        mpaa_explanation="thematic elements and brief language",
        theatrical_release=dt.date(2019, 12, 25),
        studio=f.make_studio("Columbia Pictures"),
    )
    title.tags.add(
        f.make_tag(Tag.Kind.INCLUSION, "Female actors"),
        f.make_tag(Tag.Kind.GENRE, "Drama"),
    )
    f.make_tag(Tag.Kind.INCLUSION, "Female directors")
    f.make_credit(title, Credit.Role.DIRECTOR, person=f.make_person("Greta Gerwig"))
    f.make_credit(title, person=f.make_person("Saoirse Ronan"), character="Jo Marsh")
    f.make_offer(title, service=f.make_service("Netflix"), kind=Offer.Kind.SUBSCRIPTION)
    f.make_review(title, grades={"language": 1})
    type(title).objects.filter(pk=title.pk).update(updated_at=OLD_DATE)
    title.refresh_from_db()
    return title


def suggest(title, author, field, proposed, **kwargs):
    """Make a suggestion through the service, as the form does."""
    return suggest_update(title=title, author=author, field=field, proposed=proposed, **kwargs)


def title_admin_data(title, **overrides):
    """The POST data of the title's admin change form as it stands, with `overrides`."""
    tags = {kind: [t.pk for t in title.tags.all() if t.kind == kind] for kind in Tag.Kind.values}
    data = {
        "name": title.name,
        "slug": title.slug,
        "kind": title.kind,
        "status": title.status,
        "year": str(title.year),
        "tagline": title.tagline,
        "runtime_minutes": title.runtime_minutes or "",
        "mpaa_rating": title.mpaa_rating,
        "mpaa_explanation": title.mpaa_explanation,
        "theatrical_release": title.theatrical_release or "",
        "streaming_release": title.streaming_release or "",
        "studio": title.studio_id or "",
        "genres": tags["genre"],
        "topics": tags["topic"],
        "character_strengths": tags["strength"],
        "inclusion_tags": tags["inclusion"],
    }
    inlines = {
        "credits": [
            {"person": c.person_id, "role": c.role, "character": c.character, "order": c.order}
            | {"id": c.pk}
            for c in title.credits.all()
        ],
        "offers": [
            {"service": o.service_id, "kind": o.kind, "url": o.url, "price": o.price or ""}
            | {"id": o.pk}
            for o in title.offers.all()
        ],
        "photos": [
            {"caption": p.caption, "alt_text": p.alt_text, "order": p.order, "id": p.pk}
            for p in title.photos.all()
        ],
        "videos": [
            {"name": v.name, "kind": v.kind, "url": v.url, "order": v.order, "id": v.pk}
            for v in title.videos.all()
        ],
    }
    for prefix, rows in inlines.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-title"] = title.pk
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(overrides)
    return data


def proposal_post_data(suggestion):
    """What the admin decision page's proposal fields hold before the editor edits them."""
    from guidance.suggestions.editable import load_title, suggestable_field
    from guidance.suggestions.forms import change_for

    form = change_for(suggestion).form_class(
        title=load_title(suggestion.title_id),
        editable=suggestable_field(suggestion.field),
        proposal=suggestion.proposed,
        prefix="proposal",
    )
    data = {}
    for bound in form:
        value = bound.value()
        if value in (None, "") or value == []:
            continue
        data[bound.html_name] = value
    return data
