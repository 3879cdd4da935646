from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    verbose_name = "Catalog"

    def ready(self):
        # Connect the receivers that keep the titles' search fields and the browse
        # page's cached counts up to date.
        from movies import browse, search  # noqa: F401
