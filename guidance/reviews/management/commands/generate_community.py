"""
Generate a synthetic community for a development or benchmark database.

    python manage.py generate_community --reviews 1000000

Import titles first (`import_titles --source bokeh`). Writes accounts
(@generated.example.org, none of which can sign in), expert reviews with their grids,
community reviews, helpful votes, reports and moderation decisions, then rebuilds every
aggregate. Refuses a database that already has a generated community, and refuses to run
with DEBUG off unless given --force (it is not for a live site).
"""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from guidance.reviews.synthetic import AlreadyGenerated, Generator, Plan


def share(value):
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Generate accounts, expert and community reviews, votes and reports in bulk."

    def add_arguments(self, parser):
        defaults = Plan()
        parser.add_argument(
            "--reviews", type=int, default=defaults.reviews, help="community reviews (1000000)"
        )
        parser.add_argument(
            "--users", type=int, help="accounts to write them (default: reviews / 8, min 200)"
        )
        parser.add_argument(
            "--kid-share", type=share, default=defaults.kid_share, help="share of kids (0.2)"
        )
        parser.add_argument(
            "--expert-share",
            type=share,
            default=defaults.expert_share,
            help="share of titles with an expert review (0.25)",
        )
        parser.add_argument(
            "--skew",
            type=float,
            default=defaults.skew,
            help="power-law exponent of popularity (1.5; 0 spreads reviews evenly)",
        )
        parser.add_argument(
            "--votes-per-review",
            type=float,
            default=defaults.votes_per_review,
            help="mean helpful votes per published review (0.6)",
        )
        parser.add_argument(
            "--report-share",
            type=share,
            default=defaults.report_share,
            help="share of published reviews with reports (0.01)",
        )
        parser.add_argument(
            "--level-share",
            type=share,
            default=defaults.level_share,
            help="share of reviews that give their own levels (0.2)",
        )
        parser.add_argument(
            "--moderator-lag",
            type=float,
            default=defaults.moderator_lag_days,
            help="days moderators take to decide on reports (10)",
        )
        parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (1)")
        parser.add_argument(
            "--batch-size", type=int, default=defaults.batch_size, help="rows per insert (5000)"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a live site. Use --force on a benchmark database."
            )
        if options["reviews"] < 0 or (options["users"] is not None and options["users"] < 2):
            raise CommandError("--reviews must be 0 or more and --users 2 or more.")
        if options["batch_size"] < 1 or options["skew"] < 0 or options["votes_per_review"] < 0:
            raise CommandError("--batch-size must be 1 or more; --skew and votes not negative.")
        if options["moderator_lag"] <= 0.04:
            raise CommandError("--moderator-lag must be more than an hour (0.04 days).")
        plan = Plan(
            reviews=options["reviews"],
            users=options["users"],
            kid_share=options["kid_share"],
            expert_share=options["expert_share"],
            skew=options["skew"],
            votes_per_review=options["votes_per_review"],
            report_share=options["report_share"],
            level_share=options["level_share"],
            moderator_lag_days=options["moderator_lag"],
            seed=options["seed"],
            batch_size=options["batch_size"],
        )
        bars = {}
        quiet = options["no_progress"]

        def progress(step, done, total):
            bar = bars.get(step)
            if bar is None:
                bar = bars[step] = tqdm(
                    total=total,
                    desc=f"{step:>17}",
                    unit=" rows",
                    disable=True if quiet else None,
                    file=sys.stderr,
                )
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        started = time.perf_counter()
        try:
            result = Generator(plan, progress=progress).run()
        except (AlreadyGenerated, ValueError) as error:
            raise CommandError(str(error)) from None
        finally:
            for bar in bars.values():
                bar.close()
        counts = ", ".join(f"{name} {n:,}" for name, n in result.counts.items())
        self.stdout.write(f"Generated in {time.perf_counter() - started:.1f} s: {counts}.")
