from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Catalog"

    def ready(self):
        # Connect the receivers that keep the titles' search fields up to date.
        from movies import search  # noqa: F401
