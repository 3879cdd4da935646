from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "guidance.reviews"
    label = "reviews"
    verbose_name = "Community reviews"
