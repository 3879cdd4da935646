"""
Keep the title page's cached copy (movies.pagecache) in step with what the page shows.

Every write that changes a title page reaches one of these receivers: the services,
the admin (inlines included), accepted suggestions and management commands all save
through the models. Writes that bypass the models' signals are caught at the row they
always save as well: every change of a community review's status recounts the title's
ReviewSummary; helpful counts move with a HelpfulVote row; an accepted suggestion (a grid
level and "Last updated" are bulk updates) saves the Suggestion. Which changes renew one
title's version and which the whole catalog's is explained in movies.pagecache.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from guidance.ratings.models import ContentCategory, ContentGrade, ExpertReview
from guidance.reviews.models import CommunityReview, HelpfulVote, ReviewSummary
from guidance.suggestions.models import Suggestion
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
from movies.pagecache import invalidate_all_title_pages, invalidate_title_pages

User = get_user_model()

# What other titles' pages show of a title and its expert review: the "Our Editors
# Recommend" cards (name, year, poster, age, stars), their links (slug), which titles
# may appear there (status) and their order (stars).
SHOWN_ON_OTHER_PAGES = {
    Title: ["slug", "name", "year", "poster", "status"],
    ExpertReview: ["title_id", "status", "age_rating", "stars"],
    User: ["display_name"],
}
BEFORE = "_title_page_before"


def _stored_values(instance, fields, *, using, update_fields):
    """The saved values of `fields` for a row about to be saved again, if it may change them."""
    if instance._state.adding or instance.pk is None:
        return None
    if update_fields is not None and not set(update_fields) & set(fields):
        return None
    return (
        type(instance)._default_manager.using(using).filter(pk=instance.pk).values(*fields).first()
    )


def _changed(instance, before) -> bool:
    """Whether any of the fields read before the save differ from what was saved."""
    meta = instance._meta
    return any(
        meta.get_field(name).get_prep_value(meta.get_field(name).value_from_object(instance))
        != value
        for name, value in before.items()
    )


@receiver(pre_save, sender=Title, dispatch_uid="pagecache.remember_title")
@receiver(pre_save, sender=ExpertReview, dispatch_uid="pagecache.remember_expert_review")
@receiver(pre_save, sender=User, dispatch_uid="pagecache.remember_user")
def remember_what_other_pages_show(sender, instance, raw=False, using=None, **kwargs):
    """Read what other pages show of this row before it is saved over (one query)."""
    if raw:
        return
    before = _stored_values(
        instance,
        SHOWN_ON_OTHER_PAGES[sender],
        using=using,
        update_fields=kwargs.get("update_fields"),
    )
    setattr(instance, BEFORE, before)


def _shown_elsewhere_changed(instance, *, created, raw) -> bool:
    before = instance.__dict__.pop(BEFORE, None)
    if raw:
        return True
    return (not created) and before is not None and _changed(instance, before)


@receiver(post_save, sender=Title, dispatch_uid="pagecache.title_saved")
def title_saved(sender, instance, created, raw=False, using=None, **kwargs):
    invalidate_title_pages(slugs=[instance.slug], using=using)
    if _shown_elsewhere_changed(instance, created=created, raw=raw):
        invalidate_all_title_pages(using=using)


@receiver(post_delete, sender=Title, dispatch_uid="pagecache.title_deleted")
def title_deleted(sender, instance, using=None, **kwargs):
    invalidate_title_pages(slugs=[instance.slug], using=using)
    invalidate_all_title_pages(using=using)


@receiver(m2m_changed, sender=Title.tags.through, dispatch_uid="pagecache.title_tags")
def title_tags_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """A title's tags: its page; a genre also the other pages whose related lists use it."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # tag.titles.add(...): `instance` is the tag
        if pk_set is None:
            invalidate_all_title_pages(using=using)
            return
        invalidate_title_pages(title_ids=pk_set, using=using)
        genres = instance.kind == Tag.Kind.GENRE
    else:
        invalidate_title_pages(slugs=[instance.slug], using=using)
        genres = (
            pk_set is None
            or Tag.objects.using(using).filter(pk__in=pk_set, kind=Tag.Kind.GENRE).exists()
        )
    if genres:
        invalidate_all_title_pages(using=using)


@receiver(post_save, sender=Credit, dispatch_uid="pagecache.credit_saved")
@receiver(post_delete, sender=Credit, dispatch_uid="pagecache.credit_deleted")
@receiver(post_save, sender=Offer, dispatch_uid="pagecache.offer_saved")
@receiver(post_delete, sender=Offer, dispatch_uid="pagecache.offer_deleted")
@receiver(post_save, sender=Photo, dispatch_uid="pagecache.photo_saved")
@receiver(post_delete, sender=Photo, dispatch_uid="pagecache.photo_deleted")
@receiver(post_save, sender=Video, dispatch_uid="pagecache.video_saved")
@receiver(post_delete, sender=Video, dispatch_uid="pagecache.video_deleted")
@receiver(post_save, sender=CommunityReview, dispatch_uid="pagecache.community_review_saved")
@receiver(post_delete, sender=CommunityReview, dispatch_uid="pagecache.community_review_deleted")
@receiver(post_save, sender=ReviewSummary, dispatch_uid="pagecache.review_summary_saved")
@receiver(post_delete, sender=ReviewSummary, dispatch_uid="pagecache.review_summary_deleted")
def title_row_changed(sender, instance, using=None, **kwargs):
    """A row shown on its title's page only."""
    invalidate_title_pages(title_ids=[instance.title_id], using=using)


@receiver(post_save, sender=ExpertReview, dispatch_uid="pagecache.expert_review_saved")
def expert_review_saved(sender, instance, created, raw=False, using=None, **kwargs):
    invalidate_title_pages(title_ids=[instance.title_id], using=using)
    changed = _shown_elsewhere_changed(instance, created=created, raw=raw)
    if changed or (created and instance.is_published):
        invalidate_all_title_pages(using=using)


@receiver(post_delete, sender=ExpertReview, dispatch_uid="pagecache.expert_review_deleted")
def expert_review_deleted(sender, instance, using=None, **kwargs):
    invalidate_title_pages(title_ids=[instance.title_id], using=using)
    if instance.is_published:
        invalidate_all_title_pages(using=using)


def _title_id_of(instance, relation, model, *, using):
    """The title id of `instance`'s parent row (`relation`, a review), from memory if loaded."""
    descriptor = getattr(type(instance), relation)
    if descriptor.is_cached(instance):
        return getattr(getattr(instance, relation), "title_id", None)
    parent_id = getattr(instance, f"{relation}_id")
    return (
        model._default_manager.using(using)
        .filter(pk=parent_id)
        .values_list("title_id", flat=True)
        .first()
    )


@receiver(post_save, sender=ContentGrade, dispatch_uid="pagecache.grade_saved")
@receiver(post_delete, sender=ContentGrade, dispatch_uid="pagecache.grade_deleted")
def grade_changed(sender, instance, using=None, **kwargs):
    title_id = _title_id_of(instance, "review", ExpertReview, using=using)
    invalidate_title_pages(title_ids=[title_id], using=using)


@receiver(post_save, sender=HelpfulVote, dispatch_uid="pagecache.helpful_vote_saved")
@receiver(post_delete, sender=HelpfulVote, dispatch_uid="pagecache.helpful_vote_deleted")
def helpful_vote_changed(sender, instance, using=None, **kwargs):
    """A vote moves the review's helpful count, which its title's page shows."""
    title_id = _title_id_of(instance, "review", CommunityReview, using=using)
    invalidate_title_pages(title_ids=[title_id], using=using)


@receiver(post_save, sender=Suggestion, dispatch_uid="pagecache.suggestion_saved")
def suggestion_saved(sender, instance, using=None, **kwargs):
    """Accepting a suggestion changes its title's page (partly with bulk updates)."""
    if instance.status == Suggestion.Status.ACCEPTED:
        invalidate_title_pages(title_ids=[instance.title_id], using=using)


@receiver(post_save, sender=Tag, dispatch_uid="pagecache.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="pagecache.tag_deleted")
@receiver(post_save, sender=Studio, dispatch_uid="pagecache.studio_saved")
@receiver(post_delete, sender=Studio, dispatch_uid="pagecache.studio_deleted")
@receiver(post_save, sender=Person, dispatch_uid="pagecache.person_saved")
@receiver(post_delete, sender=Person, dispatch_uid="pagecache.person_deleted")
@receiver(post_save, sender=StreamingService, dispatch_uid="pagecache.service_saved")
@receiver(post_delete, sender=StreamingService, dispatch_uid="pagecache.service_deleted")
@receiver(post_save, sender=ContentCategory, dispatch_uid="pagecache.category_saved")
@receiver(post_delete, sender=ContentCategory, dispatch_uid="pagecache.category_deleted")
def shared_name_changed(sender, instance, created=False, using=None, **kwargs):
    """A name shown on the pages of every title using it (a new one is on none yet)."""
    if not created:
        invalidate_all_title_pages(using=using)


@receiver(post_save, sender=EditorialList, dispatch_uid="pagecache.list_saved")
@receiver(post_delete, sender=EditorialList, dispatch_uid="pagecache.list_deleted")
@receiver(post_save, sender=EditorialListItem, dispatch_uid="pagecache.list_item_saved")
@receiver(post_delete, sender=EditorialListItem, dispatch_uid="pagecache.list_item_deleted")
def editorial_list_changed(sender, instance, using=None, **kwargs):
    """Editors' lists choose the first "Our Editors Recommend" titles of their members."""
    invalidate_all_title_pages(using=using)


@receiver(post_save, sender=User, dispatch_uid="pagecache.user_saved")
def display_name_changed(sender, instance, created, raw=False, using=None, **kwargs):
    """A display name shows on every review its owner wrote and every byline."""
    if _shown_elsewhere_changed(instance, created=created, raw=raw):
        invalidate_all_title_pages(using=using)
