"""Account workflows: creating a parent's or a kid's account; keeping a family profile."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guidance.accounts.family import Family, new_facts_version
from guidance.accounts.models import KID_MIN_AGE, FamilyProfile, User


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


# The family profile -------------------------------------------------------------------


@transaction.atomic
def save_family(*, user: User, family: Family) -> FamilyProfile:
    """
    Write `family` (children, limits, avoided topics) to `user`'s family profile, whole.

    A child whose key is the id of one of this profile's children keeps that id, so
    links that name the child keep working; other children are added, and children left
    out are removed.
    """
    from guidance.accounts.models import AvoidedTopic, CategoryLimit, Child

    profile, _ = FamilyProfile.objects.get_or_create(user=user)
    profile = FamilyProfile.objects.select_for_update().get(pk=profile.pk)
    existing = {str(child.pk): child for child in profile.children.all()}
    kept = []
    for order, spec in enumerate(family.children):
        child = existing.pop(spec.key, None) or Child(profile=profile)
        kept.append((child, spec, order))
    Child.objects.filter(pk__in=[child.pk for child in existing.values()]).delete()
    # Two children may swap nicknames in one save: park the renamed ones on a name the
    # form cannot produce (it strips spaces) so that the unique constraint holds.
    renamed = [c.pk for c, spec, _ in kept if c.pk and c.nickname.lower() != spec.nickname.lower()]
    for pk in renamed:
        Child.objects.filter(pk=pk).update(nickname=f" {pk}")
    for child, spec, order in kept:
        child.nickname, child.birth_year, child.order = spec.nickname, spec.birth_year, order
        child.full_clean(exclude=["profile"], validate_constraints=False)
        child.save()

    CategoryLimit.objects.filter(Q(profile=profile) | Q(child__profile=profile)).delete()
    AvoidedTopic.objects.filter(Q(profile=profile) | Q(child__profile=profile)).delete()
    limits = [
        CategoryLimit(profile=profile, category_id=category_id, max_level=level)
        for category_id, level in sorted(family.limits.items())
    ]
    topics = [AvoidedTopic(profile=profile, tag_id=tag) for tag in sorted(family.avoid_topic_ids)]
    for child, spec, _order in kept:
        limits += [
            CategoryLimit(child=child, category_id=category_id, max_level=level)
            for category_id, level in sorted(spec.own_limits.items())
        ]
        topics += [
            AvoidedTopic(child=child, tag_id=tag) for tag in sorted(spec.own_avoid_topic_ids)
        ]
    CategoryLimit.objects.bulk_create(limits)
    AvoidedTopic.objects.bulk_create(topics)
    profile.updated_at = timezone.now()
    profile.save(update_fields=["updated_at"])
    return profile


@transaction.atomic
def delete_family(*, user: User) -> None:
    """Forget `user`'s family profile: children, limits and topics."""
    from guidance.accounts.models import FamilyProfile

    FamilyProfile.objects.filter(user=user).delete()


def refresh_effective_levels(
    *, title_ids: Iterable[int] | None = None, batch_size: int = 1000, apps=None
) -> int:
    """
    Rebuild the stored age and concern levels that family verdicts read (EffectiveFacts)
    for some titles, or for every title when `title_ids` is None.

    Called after anything that moves them: an expert review or its grid saved in admin,
    community reviews recounted, demo or imported content loaded. Each batch of titles is
    its own transaction, so a refresh of the whole catalog does not hold one open.
    Returns how many titles were refreshed. A migration passes its historical `apps`.
    """
    from django.apps import apps as current_apps

    Title = (apps or current_apps).get_model("movies", "Title")
    if title_ids is None:
        ids = Title.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000)
    else:
        ids = sorted(set(title_ids))
    done, batch = 0, []
    for title_id in ids:
        batch.append(title_id)
        if len(batch) >= batch_size:
            done += _refresh_batch(batch, apps=apps)
            batch = []
    if batch:
        done += _refresh_batch(batch, apps=apps)
    return done


def refresh_title_levels(*, title) -> None:
    """Rebuild one title's family facts, holding its row so that saves queue up."""
    from movies.models import Title

    with transaction.atomic():
        list(Title.objects.select_for_update().filter(pk=title.pk).values_list("pk", flat=True))
        _refresh_batch([title.pk])


def compute_effective_facts(title_ids: list[int], *, apps=None) -> list:
    """
    Return the EffectiveFacts rows (unsaved) that some titles should have now, from their
    expert reviews and community summaries; `apps` lets a migration pass its historical
    models. `refresh_effective_levels` stores them; `check_community` compares them.
    """
    from django.apps import apps as current_apps

    from guidance.accounts.verdicts import community_min_reviews, effective_facts, pack_levels

    apps = apps or current_apps
    EffectiveFacts = apps.get_model("accounts", "EffectiveFacts")
    ContentCategory = apps.get_model("ratings", "ContentCategory")
    ContentGrade = apps.get_model("ratings", "ContentGrade")
    ExpertReview = apps.get_model("ratings", "ExpertReview")
    ReviewSummary = apps.get_model("reviews", "ReviewSummary")
    published = "published"
    concern_ids = list(ContentCategory.objects.filter(kind="concern").values_list("pk", flat=True))
    expert_ages = dict(
        ExpertReview.objects.filter(title_id__in=title_ids, status=published).values_list(
            "title_id", "age_rating"
        )
    )
    expert_levels = {title_id: {} for title_id in title_ids}
    for title_id, category_id, level in ContentGrade.objects.filter(
        review__title_id__in=title_ids, review__status=published, category_id__in=concern_ids
    ).values_list("review__title_id", "category_id", "level"):
        expert_levels[title_id][category_id] = level
    summaries = {
        title_id: (parent_age if parent_count else None, levels)
        for title_id, parent_age, parent_count, levels in ReviewSummary.objects.filter(
            title_id__in=title_ids
        ).values_list("title_id", "parent_age", "parent_count", "levels")
    }
    min_reviews = community_min_reviews()
    rows = []
    for title_id in title_ids:
        parent_age, community = summaries.get(title_id, (None, {}))
        facts = effective_facts(
            expert_age=expert_ages.get(title_id),
            expert_levels=expert_levels[title_id],
            parent_age=parent_age,
            community_levels=community or {},
            concern_ids=concern_ids,
            min_reviews=min_reviews,
        )
        levels, sources = pack_levels(facts.levels)
        rows.append(
            EffectiveFacts(
                title_id=title_id,
                age=facts.age,
                age_source=facts.age_source,
                levels=levels,
                sources=sources,
            )
        )
    return rows


@transaction.atomic
def _refresh_batch(title_ids: list[int], *, apps=None) -> int:
    """Refresh a batch of titles; `apps` lets a migration pass its historical models."""
    from django.apps import apps as current_apps

    EffectiveFacts = (apps or current_apps).get_model("accounts", "EffectiveFacts")
    rows = compute_effective_facts(title_ids, apps=apps)
    EffectiveFacts.objects.filter(title_id__in=title_ids).delete()
    EffectiveFacts.objects.bulk_create(rows, batch_size=2000)
    # Whatever was cached from the old facts expires: now, and once more after the commit
    # (in case a page counted from the old rows in between).
    new_facts_version()
    transaction.on_commit(new_facts_version)
    return len(title_ids)
