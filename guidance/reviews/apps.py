from django.apps import AppConfig
from django.db.models.signals import post_delete


class ReviewsConfig(AppConfig):
    name = "guidance.reviews"
    label = "reviews"
    verbose_name = "Community reviews"

    def ready(self):
        from guidance.reviews import signals
        from guidance.reviews.models import CommunityReview, HelpfulVote

        post_delete.connect(
            signals.recount_title_after_review_delete,
            sender=CommunityReview,
            dispatch_uid="reviews.recount_title_after_review_delete",
        )
        post_delete.connect(
            signals.uncount_vote_of_deleted_account,
            sender=HelpfulVote,
            dispatch_uid="reviews.uncount_vote_of_deleted_account",
        )
