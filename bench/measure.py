"""
Server-side latency and query counts of the benchmark's pages, on one database.

    python bench/measure.py --out results.json [--requests 300] [--warmup 30] [--only KEY,...]

bench/run.py runs this once per database, with the environment bench/databases.py
builds (Django reads DATABASE_URL when it starts). Each request goes through Django's
whole WSGI handler and middleware (django.test.Client) and is timed with
time.perf_counter. The pages take turns, one request each per round, so that a noisy
neighbour on the machine slows every page alike and the ratios to the bare view hold.
Writes JSON: the data sizes, versions, per-page latencies and query counts, and a
signed-in session for the throughput run.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not bench/

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import PROXY_HEADERS, build_pages, load_fixtures, session_cookie  # noqa: E402

MIN_REQUESTS = 30


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (fraction 0.95 for p95)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class Requester:
    """Sends a page's request as its visitor, under its settings, and checks the answer."""

    def __init__(self, fixtures, pages):
        # The site's own values of every setting some page changes, for the other pages.
        names = {name for page in pages for name in page.settings}
        self.defaults = {name: getattr(settings, name, None) for name in names}
        self.clients = {"anonymous": Client(), "reader": Client(), "moderator": Client()}
        self.clients["reader"].force_login(fixtures.reader)
        self.clients["moderator"].force_login(fixtures.moderator)
        self.reader_name = fixtures.reader.display_name

    def prepare(self, page):
        """
        Apply the page's settings. They are assigned, not overridden (override_settings
        would empty Django's cache of settings on every request and slow the page down).
        """
        for name, default in self.defaults.items():
            setattr(settings, name, page.settings.get(name, default))

    @contextmanager
    def first_visit(self, page):
        """
        For a page counted afresh, a catalog version of its own during the request, so
        that browse counts its facets again; then the version every other page reads is
        put back, so that their counts stay cached as on a site with regular visitors.
        """
        if not page.cold:
            yield
            return
        from django.core.cache import cache

        from movies.browse import CATALOG_VERSION_KEY, catalog_version

        shared = catalog_version()
        cache.set(CATALOG_VERSION_KEY, f"bench-first-visit-{time.time_ns()}", None)
        try:
            yield
        finally:
            cache.set(CATALOG_VERSION_KEY, shared, None)

    def get(self, page):
        """One timed request; returns (seconds, response)."""
        client = self.clients[page.who]
        self.prepare(page)
        with self.first_visit(page):
            started = time.perf_counter()
            response = client.get(page.url, headers=PROXY_HEADERS)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(
                f"{page.url} ({page.label}) answered {response.status_code}, not 200:\n"
                + response.content.decode(errors="replace")[:1000]
            )
        return elapsed, response

    def check(self, page, response):
        """The page is what it claims to be: a signed-in page shows who is signed in."""
        if page.who == "reader" and self.reader_name.encode() not in response.content:
            raise SystemExit(f"{page.url} ({page.label}) does not look signed in.")


def measure_latency(requester, pages, *, requests, warmup, budget):
    """
    Time every page `requests` times after `warmup` untimed requests, in turns.

    A slow page leaves the rotation early once its timed requests add up to `budget`
    seconds (after at least MIN_REQUESTS of them), and stops warming up after a tenth of
    that: a page that takes seconds is slow whatever its p99 says, and the run must end.
    """
    timings = {page.key: [] for page in pages}
    warm = {page.key: 0.0 for page in pages}
    for page in pages:
        _, response = requester.get(page)
        requester.check(page, response)
    started = time.monotonic()
    for round_number in range(warmup + requests):
        for page in pages:
            spent = sum(timings[page.key])
            if round_number < warmup:
                if warm[page.key] < budget / 10:
                    warm[page.key] += requester.get(page)[0]
            elif len(timings[page.key]) < MIN_REQUESTS or spent < budget:
                timings[page.key].append(requester.get(page)[0])
        if round_number and round_number % 50 == 0:
            print(
                f"    round {round_number}/{warmup + requests}, {time.monotonic() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    return timings


class SqlTimer:
    """An execute wrapper that adds up the time spent in the database, per request."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def measure_queries(requester, pages, *, samples=9, budget=60):
    """Per page: the queries of one request, and the median time spent in SQL."""
    result = {}
    for page in pages:
        with CaptureQueriesContext(connection) as captured:
            requester.get(page)
        queries = [
            {"sql": query["sql"], "ms": float(query["time"]) * 1000}
            for query in captured.captured_queries
        ]
        sql_seconds, spent = [], 0.0
        while len(sql_seconds) < samples and spent < budget / 6:
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                spent += requester.get(page)[0]
            sql_seconds.append(timer.seconds)
        slowest = max(queries, key=lambda query: query["ms"], default=None)
        result[page.key] = {
            "count": len(queries),
            "sql_ms_median": statistics.median(sql_seconds) * 1000,
            "slowest": slowest,
        }
    return result


def data_sizes():
    from guidance.accounts.models import User
    from guidance.moderation.models import Report
    from guidance.ratings.models import ExpertReview
    from guidance.reviews.models import CommunityReview, HelpfulVote
    from movies.models import Title

    return {
        "titles": Title.objects.count(),
        "expert reviews": ExpertReview.objects.count(),
        "users": User.objects.count(),
        "community reviews": CommunityReview.objects.count(),
        "helpful votes": HelpfulVote.objects.count(),
        "reports": Report.objects.count(),
    }


def versions():
    found = {"Python": platform.python_version(), "Django": django.get_version()}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            found["PostgreSQL"] = cursor.fetchone()[0].split()[0]
        else:
            import sqlite3

            found["SQLite"] = sqlite3.sqlite_version
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="where to write the JSON results")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per page first")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds of timed requests per page at most"
    )
    parser.add_argument("--only", default="", help="comma-separated page keys (and the bare)")
    args = parser.parse_args()

    fixtures = load_fixtures()
    pages = build_pages(fixtures)
    if args.only:
        wanted = {"bare", *args.only.split(",")}
        pages = [page for page in pages if page.key in wanted]
    has_title_cache = hasattr(settings, "TITLE_PAGE_CACHE_SECONDS")
    requester = Requester(fixtures, pages)
    print(
        f"  {connection.vendor}: {len(pages)} pages x ({args.warmup} + {args.requests}) requests",
        file=sys.stderr,
        flush=True,
    )
    timings = measure_latency(
        requester,
        [page for page in pages if page.timed],
        requests=args.requests,
        warmup=args.warmup,
        budget=args.budget,
    )
    queries = measure_queries(requester, pages, budget=args.budget)
    cookie_name, cookie_value = session_cookie(fixtures.reader)
    results = {
        "vendor": connection.vendor,
        "versions": versions(),
        "sizes": data_sizes(),
        "title_cache_setting": has_title_cache,
        "requests": args.requests,
        "warmup": args.warmup,
        "budget": args.budget,
        "popular": {
            "name": str(fixtures.popular),
            "url": fixtures.popular.get_absolute_url(),
            "reviews": fixtures.popular.community_review_count,
        },
        **{
            which: {
                "name": str(title),
                "url": title.get_absolute_url(),
                "reviews": title.community_review_count,
            }
            for which, title in (("quiet", fixtures.quiet), ("medium", fixtures.medium))
            if title is not None
        },
        "session_cookie": f"{cookie_name}={cookie_value}",
        "reader_name": fixtures.reader.display_name,
        "pages": [
            {
                "key": page.key,
                "label": page.label,
                "url": page.url,
                "kind": page.kind,
                "who": page.who,
                "cold": page.cold,
                "same_queries_as": page.same_queries_as,
                "timed": page.timed,
                "requests": len(timings.get(page.key, [])),
                "ms": {
                    name: percentile(timings[page.key], fraction) * 1000
                    for name, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
                }
                if page.timed
                else None,
                "queries": queries[page.key],
            }
            for page in pages
        ],
    }
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
