"""
Send the weekly newsletter: the week's new expert reviews to every confirmed subscriber.

Run it once a week (cron, a scheduler); running it again for the same week sends nothing
to anybody who already got that week's email.

    python manage.py send_newsletter                   # the last complete week
    python manage.py send_newsletter --week 2026-11-16 --dry-run
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from guidance.newsletter.services import last_complete_week, send_weekly_newsletter


def monday(value):
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--week wants a date like 2026-11-16, not {value!r}.") from error
    if day.weekday() != 0:
        raise CommandError(f"--week must be a Monday; {day} is a {day:%A}.")
    return day


class Command(BaseCommand):
    help = "Email the week's new reviews to confirmed subscribers (once per person per week)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            type=str,
            help="The Monday of the week to send (default: the last complete week).",
        )
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SITE_URL", "http://127.0.0.1:8000"),
            help="The site's address, for the links in the email (default: SITE_URL).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count who would get it; send nothing."
        )

    def handle(self, *args, week=None, base_url, dry_run, **options):
        week = monday(week) if week else last_complete_week()
        report = send_weekly_newsletter(week=week, base_url=base_url, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            f"Week of {week:%d %B %Y}: {report.reviews} new review(s); {verb} {report.sent}, "
            f"already sent {report.already_sent}, nothing for {report.nothing_to_send}, "
            f"failed {report.failed}."
        )
        if report.failed:
            raise CommandError(f"{report.failed} email(s) failed; run again to retry them.")
