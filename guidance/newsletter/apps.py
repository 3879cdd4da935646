from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "guidance.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
