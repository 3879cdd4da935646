from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "guidance.ratings"
    label = "ratings"
    verbose_name = "Expert ratings"
