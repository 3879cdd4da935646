from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Catalog"

    def ready(self):
        # Connect the receivers that keep the titles' search fields, the browse page's
        # cached counts and the title page's cached copy up to date.
        from movies import browse, search, signals  # noqa: F401
