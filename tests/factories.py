"""Small factories: build valid objects with as few arguments as a test needs."""

import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from movies.models import (
    Credit,
    EditorialList,
    EditorialListItem,
    Offer,
    Person,
    Photo,
    StreamingService,
    Studio,
    Tag,
    Title,
    Video,
)

_seq = itertools.count(1)


def seq():
    return next(_seq)


def make_user(**fields):
    n = seq()
    fields.setdefault("email", f"user{n}@example.com")
    fields.setdefault("display_name", f"User {n}")
    password = fields.pop("password", "a-long-test-password")
    return get_user_model().objects.create_user(password=password, **fields)


def make_staff(groups=(), **fields):
    from django.contrib.auth.models import Group

    user = make_user(is_staff=True, role="staff", **fields)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_tag(kind=Tag.Kind.GENRE, name=None):
    name = name or f"Tag {seq()}"
    tag, _ = Tag.objects.get_or_create(
        kind=kind, name=name, defaults={"slug": name.lower().replace(" ", "-")}
    )
    return tag


def make_title(**fields):
    n = seq()
    fields.setdefault("name", f"Film {n}")
    fields.setdefault("year", 2000 + n % 25)
    return Title.objects.create(**fields)


def make_review(title=None, *, grades=None, **fields):
    """An expert review, published unless told otherwise, with a full grid."""
    title = title or make_title()
    fields.setdefault("reviewer", make_staff(groups=["Reviewers"]))
    fields.setdefault("status", ExpertReview.Status.PUBLISHED)
    fields.setdefault("age_rating", 10)
    fields.setdefault("stars", 4)
    fields.setdefault("summary", f"A summary of {title.name}.")
    fields.setdefault("parents_need_to_know", "Parents need to know this.")
    fields.setdefault("story", "The story.")
    fields.setdefault("is_it_any_good", "It is good.")
    fields.setdefault("talk_to_your_kids", "First question?\nSecond question?")
    review = ExpertReview.objects.create(title=title, **fields)
    grades = grades or {}
    for category in ContentCategory.objects.all():
        ContentGrade.objects.create(
            review=review,
            category=category,
            level=grades.get(category.slug, 1),
            note=f"Note on {category.name}.",
        )
    return review


def make_person(name=None):
    n = seq()
    return Person.objects.create(name=name or f"Person {n}", slug=f"person-{n}")


def make_credit(title, role=Credit.Role.ACTOR, **fields):
    fields.setdefault("person", make_person())
    return Credit.objects.create(title=title, role=role, **fields)


def make_service(name=None):
    n = seq()
    return StreamingService.objects.create(name=name or f"Service {n}", slug=f"service-{n}")


def make_offer(title, **fields):
    fields.setdefault("service", make_service())
    fields.setdefault("kind", Offer.Kind.SUBSCRIPTION)
    return Offer.objects.create(title=title, **fields)


def image_upload(name="picture.jpg", size=(40, 30), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def make_photo(title, **fields):
    fields.setdefault("image", image_upload())
    return Photo.objects.create(title=title, **fields)


def make_video(title, **fields):
    fields.setdefault("name", "Trailer")
    fields.setdefault("url", f"https://video.example.com/{seq()}")
    return Video.objects.create(title=title, **fields)


def make_studio(name=None):
    n = seq()
    return Studio.objects.create(name=name or f"Studio {n}", slug=f"studio-{n}")


def make_list(titles=(), **fields):
    n = seq()
    fields.setdefault("name", f"List {n}")
    fields.setdefault("slug", f"list-{n}")
    editorial_list = EditorialList.objects.create(**fields)
    for order, title in enumerate(titles):
        EditorialListItem.objects.create(editorial_list=editorial_list, title=title, order=order)
    return editorial_list


def make_parent(**fields):
    fields.setdefault("role", "parent")
    return make_user(**fields)


def make_kid(age=15, **fields):
    """A kid account whose birth year makes them `age` this year."""
    from django.utils import timezone

    fields.setdefault("role", "kid")
    fields.setdefault("birth_year", timezone.localdate().year - age)
    return make_user(**fields)


def make_community_review(title=None, author=None, *, levels=None, status=None, **fields):
    """A community review written through the service (published unless told otherwise)."""
    from guidance.reviews.services import set_review_status, submit_review

    title = title or make_title()
    author = author or make_parent()
    fields.setdefault("age_rating", 10)
    fields.setdefault("stars", 4)
    fields.setdefault("headline", f"Review number {seq()}")
    fields.setdefault("body", "A thoughtful review with enough words in it for the minimum. " * 2)
    review, _ = submit_review(author=author, title=title, levels=levels, **fields)
    if status and status != review.status:
        set_review_status(review=review, status=status)
    return review


def make_moderator(**fields):
    """A staff account in the Moderators group."""
    return make_staff(groups=["Moderators"], **fields)


def make_report(review, reporter=None, *, reason="spam", comment=""):
    """A reader's report on `review`, filed through the service (may hide the review)."""
    from guidance.moderation.services import report_review

    reporter = reporter or make_parent()
    return report_review(review=review, reporter=reporter, reason=reason, comment=comment).report


def family_spec(children, *, limits=None, avoid=()):
    """
    A Family from short specs: children as (nickname, age) or (nickname, age, {slug:
    level}, [topic tags]); family `limits` as {category slug: level}; `avoid` topic tags.
    """
    from django.utils import timezone

    from guidance.accounts.family import build_family

    ids = dict(ContentCategory.objects.values_list("slug", "pk"))
    year = timezone.localdate().year
    specs = []
    for n, (nickname, age, *rest) in enumerate(children, start=1):
        own = rest[0] if rest else {}
        topics = rest[1] if len(rest) > 1 else []
        specs.append(
            {
                "key": f"s{n}",
                "nickname": nickname,
                "birth_year": year - age,
                "limits": {ids[slug]: level for slug, level in own.items()},
                "avoid": [tag.pk for tag in topics],
            }
        )
    return build_family(
        children=specs,
        limits={ids[slug]: level for slug, level in (limits or {}).items()},
        avoid_topic_ids=[tag.pk for tag in avoid],
    )


def make_family(user=None, children=(("Maya", 10),), **kwargs):
    """A parent with a family profile saved through the service (see family_spec)."""
    from guidance.accounts.services import save_family

    user = user or make_parent()
    save_family(user=user, family=family_spec(children, **kwargs))
    return user
