from django import template

from guidance.moderation.models import ModerationAction
from guidance.moderation.services import active_suspension
from guidance.reviews.models import CommunityReview

register = template.Library()

# The decisions that explain why a review is not public.
TAKEDOWNS = [
    ModerationAction.Action.AUTO_HIDDEN,
    ModerationAction.Action.HIDDEN,
    ModerationAction.Action.REMOVED,
]


@register.simple_tag
def moderation_notices(user):
    """
    Return what moderation says to `user`: their suspension (or None) and, for each of
    their reviews that is hidden or removed now, the latest decision that explains it.

    Two queries, however many reviews the person has.
    """
    if not user.is_authenticated:
        return {"suspension": None, "decisions": []}
    latest = {}
    decisions = (
        ModerationAction.objects.filter(
            author=user,
            action__in=TAKEDOWNS,
            review__status__in=[CommunityReview.Status.HIDDEN, CommunityReview.Status.REMOVED],
        )
        .select_related("review__title")
        .order_by("-created_at", "-pk")
    )
    for decision in decisions:
        latest.setdefault(decision.review_id, decision)
    return {"suspension": active_suspension(user), "decisions": list(latest.values())}
