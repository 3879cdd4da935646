from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "guidance.moderation"
    label = "moderation"
    verbose_name = "Moderation"
