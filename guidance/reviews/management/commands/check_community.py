"""
Check that every community number matches what it is counted from.

    python manage.py check_community

Exits with an error, listing the first differences, if anything is off (see
guidance/reviews/consistency.py for what is checked). Read-only.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from guidance.reviews.consistency import check_all
from guidance.reviews.models import CommunityReview
from movies.models import Title


class Command(BaseCommand):
    help = "Check review summaries, title ratings, vote and report counts and family facts."

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, default=20, help="differences to list (20)")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, show=20, **options):
        titles, reviews = Title.objects.count(), CommunityReview.objects.count()
        bar = tqdm(
            total=titles + reviews,
            unit=" rows",
            desc="Checking",
            disable=True if options["no_progress"] else None,
            file=sys.stderr,
        )
        problems = 0
        with bar:
            for problem in check_all(progress=lambda step, n: bar.update(n)):
                problems += 1
                if problems <= show:
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{problems:,} numbers do not match what they count.")
        self.stdout.write(f"All consistent: {titles:,} titles and {reviews:,} reviews checked.")
