from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "guidance.suggestions"
    label = "suggestions"
    verbose_name = "Suggestions"
