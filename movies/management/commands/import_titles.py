"""
Import titles from the bokeh-sampledata film set or from a CSV or JSON file.

    python manage.py import_titles --source bokeh
    python manage.py import_titles movies/import_examples/titles.csv

Safe to run again: titles are matched by their stable key, so nothing is duplicated and
an unchanged title is not written. The README describes the file formats.
"""

import sys
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from movies.importers import (
    BokehSource,
    CsvSource,
    JsonSource,
    SourceError,
    import_titles,
)


class Command(BaseCommand):
    help = "Import titles from the bokeh film set (--source bokeh) or a CSV or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a .csv or .json file in our format")
        parser.add_argument(
            "--source", choices=["bokeh"], help="import a built-in source instead of a file"
        )
        parser.add_argument(
            "--format", choices=["csv", "json"], help="the file's format (default: its suffix)"
        )
        parser.add_argument("--limit", type=int, help="import only the first N rows")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="rows per transaction (default 500)"
        )
        parser.add_argument(
            "--fill-only",
            action="store_true",
            help="keep the values titles already have; only fill blanks, add genres and credits",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, then roll everything back"
        )
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, file=None, source=None, limit=None, batch_size=500, **options):
        if bool(file) == bool(source):
            raise CommandError("Give either a FILE or --source bokeh (not both).")
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        try:
            rows = self.open_source(file, source, options["format"], limit)
        except SourceError as error:
            raise CommandError(str(error)) from None
        total = rows.total if limit is None or rows.total is None else min(limit, rows.total)
        bar = tqdm(
            total=total,
            unit=" rows",
            desc="Importing",
            disable=True if options["no_progress"] else None,  # None: only on a terminal
            file=sys.stderr,
        )

        def report_bad_row(bad):
            with tqdm.external_write_mode(file=sys.stderr):
                self.stderr.write(f"Bad row, {bad}")

        # Each batch commits on its own (so an interrupted run keeps what it finished);
        # a dry run wraps them all in one transaction that is rolled back.
        try:
            with transaction.atomic() if options["dry_run"] else nullcontext():
                summary = import_titles(
                    rows=self.limited(rows, limit),
                    batch_size=batch_size,
                    fill_only=options["fill_only"],
                    on_bad_row=report_bad_row,
                    on_progress=bar.update,
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except SourceError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        self.stdout.write(
            ("Dry run, nothing saved. " if options["dry_run"] else "")
            + f"Created {summary.created}, updated {summary.updated}, "
            f"skipped (unchanged) {summary.unchanged}, bad {len(summary.bad)}. "
            f"New people {summary.people_created}, genres {summary.genres_created}, "
            f"studios {summary.studios_created}."
        )

    def open_source(self, file, source, file_format, limit):
        if source == "bokeh":
            return BokehSource(limit=limit)
        file_format = file_format or file.rsplit(".", 1)[-1].lower()
        if file_format not in ("csv", "json"):
            raise SourceError(f"Cannot tell the format of {file}: pass --format csv or json.")
        try:
            return CsvSource(file) if file_format == "csv" else JsonSource(file)
        except OSError as error:
            raise SourceError(f"Cannot read {file}: {error.strerror}.") from None

    def limited(self, rows, limit):
        for number, row in enumerate(rows):
            if limit is not None and number >= limit:
                return
            yield row
