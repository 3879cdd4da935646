"""
Keep the numbers exact when reviews or votes disappear along with something else.

The services handle every change people make to reviews. These receivers cover the
deletions Django cascades: an account deleted in admin takes its reviews and helpful
votes with it, and an admin deleting reviews directly goes around the services. A title
being deleted needs nothing: its summary goes with it.
"""

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from movies.models import Title


def _origin_model(origin):
    if isinstance(origin, QuerySet):
        return origin.model
    return type(origin) if origin is not None else None


def recount_title_after_review_delete(sender, instance, origin=None, **kwargs):
    """Recompute the title's aggregates when a review is deleted outside the services."""
    from guidance.reviews.services import recompute_title_aggregates

    if getattr(instance, "_aggregates_handled", False) or _origin_model(origin) is Title:
        return
    title = Title.objects.filter(pk=instance.title_id).first()
    if title is not None:
        recompute_title_aggregates(title=title)


def uncount_vote_of_deleted_account(sender, instance, origin=None, **kwargs):
    """Take a deleted account's helpful vote off the review's count."""
    from guidance.reviews.models import CommunityReview

    if _origin_model(origin) is get_user_model():
        CommunityReview.objects.filter(pk=instance.review_id, helpful_count__gt=0).update(
            helpful_count=F("helpful_count") - 1
        )
