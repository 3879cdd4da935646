"""
Where a page's time goes, on a benchmark database: a pyinstrument profile, or the plans.

    python bench/profile.py title-popular                  # a page of the benchmark, by key
    python bench/profile.py /movies/?q=batman --db postgres --requests 50
    python bench/profile.py search-batman --db postgres --explain

A page is one of bench/pages.py's keys (who asks, the title cache, counted afresh: as
measured) or an address, asked anonymously unless --as says otherwise, with the title
page cache off. The profile covers
--requests requests after two untimed ones; it is written to bench/profiles/<name>.html
and summed up as text here. --explain instead runs the page once, then shows every query
it made with its time and the database's plan: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL
(SELECTs only: ANALYZE runs the query), EXPLAIN QUERY PLAN on SQLite. Build the
databases first (`make bench`, or `bench/run.py --data-only`).
"""

import sys
from pathlib import Path

# The project instead of bench/ on the path: bench/ would also hide the standard
# library's `profile` module behind this file.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402

from bench.databases import DATA_DIR, ROOT, Database, environment  # noqa: E402

PROFILE_DIR = ROOT / "bench" / "profiles"


def parse_args():
    parser = argparse.ArgumentParser(
        prog="bench/profile.py", description=__doc__.split("\n\n")[0].strip()
    )
    parser.add_argument("page", help="a page key from bench/pages.py, or an address (/movies/)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20, help="profiled requests (20)")
    parser.add_argument(
        "--as",
        dest="who",
        choices=["anonymous", "reader", "moderator"],
        help="who asks for an address (a page key says it itself)",
    )
    parser.add_argument("--explain", action="store_true", help="show each query's plan")
    parser.add_argument("--name", help="the profile's file name (default: from the page)")
    parser.add_argument("--sqlite-file", type=Path, default=DATA_DIR / "bench.sqlite3")
    parser.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-name", default="guidance_bench")
    return parser.parse_args()


def find_page(args, pages):
    from bench.pages import Page

    by_key = {page.key: page for page in pages}
    if args.page in by_key:
        page = by_key[args.page]
        if args.who:
            page.who = args.who
        return page
    if not args.page.startswith("/"):
        raise SystemExit(f"{args.page!r} is neither an address nor one of: {', '.join(by_key)}")
    return Page(
        "address",
        args.page,
        args.page,
        "address",
        who=args.who or "anonymous",
        settings={"TITLE_PAGE_CACHE_SECONDS": 0},
    )


def profile(requester, page, *, requests, name):
    from pyinstrument import Profiler

    for _ in range(2):
        requester.get(page)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(requests):
        requester.get(page)
    profiler.stop()
    mean_ms = (time.perf_counter() - started) / requests * 1000
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    path = PROFILE_DIR / f"{name}.html"
    path.write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False))
    flat = profiler.output_text(unicode=True, color=False, flat=True).strip().splitlines()
    print("The functions that spent the most time themselves:")
    print("\n".join([line for line in flat if line.strip()[:1].isdigit()][:20]))
    print(f"{page.label} ({page.url}): {requests} requests, {mean_ms:.1f} ms each under")
    print(f"the profiler (which adds to it). Profile: {path}")


class Recorder:
    """An execute wrapper that keeps each query with its parameters and time."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, many, time.perf_counter() - started))


def literal(value):
    """A parameter as SQL would spell it, to show a query the way it ran."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def explain(requester, page):
    from django.db import connection

    requester.get(page)  # warm, so that the plans are those of a served page
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        requester.get(page)
    print(f"{page.label} ({page.url}): {len(recorder.queries)} queries on {connection.vendor}")
    total = sum(seconds for *_, seconds in recorder.queries)
    print(f"{total * 1000:.1f} ms in the database.\n")
    for number, (sql, params, many, seconds) in enumerate(recorder.queries, 1):
        print(f"--- query {number}: {seconds * 1000:.2f} ms")
        try:
            print(sql if params is None or many else sql % tuple(map(literal, params)))
        except (TypeError, ValueError):
            print(sql, params)
        if many or not re.match(r"\s*(SELECT|WITH)\b", sql, re.I):
            print("(not a read: no plan)\n")
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                depth = {0: -1}
                for node, parent, _unused, detail in cursor.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    print("  " * depth[node] + detail)
        print()
    ranked = sorted(enumerate(recorder.queries, 1), key=lambda item: -item[1][3])
    print("Slowest: " + ", ".join(f"query {n} {q[3] * 1000:.1f} ms" for n, q in ranked[:5]))


def main():
    args = parse_args()
    database = (
        Database("sqlite", sqlite_file=args.sqlite_file.resolve())
        if args.db == "sqlite"
        else Database("postgres", server_url=args.pg_server, name=args.pg_name)
    )
    if database.identity() is None:
        raise SystemExit(f"No {database.label} database at {database.url}: build it first.")
    os.environ.clear()
    os.environ.update(environment(database))

    import django

    django.setup()

    from bench.measure import Requester
    from bench.pages import build_pages, load_fixtures

    fixtures = load_fixtures()
    pages = build_pages(fixtures)
    page = find_page(args, pages)
    requester = Requester(fixtures, pages)
    if args.explain:
        explain(requester, page)
    else:
        name = args.name or f"{args.db}-{page.key if page.key != 'address' else slug(page.url)}"
        profile(requester, page, requests=args.requests, name=name)


def slug(url):
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


if __name__ == "__main__":
    main()
