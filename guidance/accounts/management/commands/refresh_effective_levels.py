"""Rebuild the ages and levels that family verdicts and the "fits my family" filter read."""

from django.core.management.base import BaseCommand

from guidance.accounts.services import refresh_effective_levels


class Command(BaseCommand):
    help = (
        "Work out again, for every title (or the ones given), the age and content levels "
        "family verdicts use: our expert's where given, else the community's. Run it after "
        "loading expert reviews or community reviews in bulk (imports, benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("title_ids", nargs="*", type=int, help="Only these title ids.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, title_ids, batch_size, **options):
        count = refresh_effective_levels(title_ids=title_ids or None, batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"Refreshed family facts for {count} titles."))
