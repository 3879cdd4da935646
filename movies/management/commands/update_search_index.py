"""
Rebuild every title's search fields (and, on PostgreSQL, its search vector).

Saving a title, credit, person or studio keeps them current on its own; run this after
changes that skip model saves, such as bulk inserts or raw SQL.
"""

from django.core.management.base import BaseCommand

from movies.search import update_search_fields


class Command(BaseCommand):
    help = "Rebuild the search fields of every title (after bulk imports)."

    def handle(self, *args, **options):
        count = update_search_fields()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {count} titles."))
