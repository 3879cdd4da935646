"""
The benchmark: the site's pages at scale on SQLite and PostgreSQL, as a Markdown report.

    make bench                                  # both databases, 1M reviews
    make bench BENCH_ARGS="--db sqlite --skip-throughput"

Builds each database once (bench/databases.py), measures server-side latency and query
counts of every page in a Django process per database (bench/measure.py), then the
throughput of gunicorn under wrk (bench/throughput.py), and writes bench/RESULTS.md
(bench/report.py). bench/README.md says what each figure means.
"""

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not bench/

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from importlib.metadata import version  # noqa: E402

from bench import throughput  # noqa: E402
from bench.databases import (  # noqa: E402
    DATA_DIR,
    ROOT,
    Database,
    collect_static,
    ensure_data,
    environment,
    manage,
)
from bench.report import render  # noqa: E402

WRK_CONNECTIONS = 4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Measure the site's pages at scale; writes bench/RESULTS.md.",
    )
    parser.add_argument(
        "--db", choices=["sqlite", "postgres", "both"], default="both", help="(default both)"
    )
    parser.add_argument(
        "--reviews",
        type=int,
        default=1_000_000,
        help="community reviews to generate (default 1000000); a new size rebuilds",
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="timed requests per page (default 300)"
    )
    parser.add_argument(
        "--warmup", type=int, default=30, help="untimed requests per page first (default 30)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="seconds of timed requests per page before a slow page stops (default 60)",
    )
    parser.add_argument(
        "--only", default="", help="measure only these pages (comma-separated keys; see README)"
    )
    parser.add_argument("--skip-throughput", action="store_true", help="no gunicorn/wrk runs")
    parser.add_argument(
        "--duration", type=int, default=15, help="seconds of each wrk run (default 15)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the benchmark databases and build them again"
    )
    parser.add_argument(
        "--data-only", action="store_true", help="build the databases, measure nothing"
    )
    parser.add_argument(
        "--use-existing",
        action="store_true",
        help="measure the databases as they are: no data step (only migrate)",
    )
    parser.add_argument(
        "--sqlite-file",
        type=Path,
        default=DATA_DIR / "bench.sqlite3",
        help="the SQLite database (default bench/data/bench.sqlite3)",
    )
    parser.add_argument(
        "--pg-server",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database (default postgres://postgres@127.0.0.1:5432)",
    )
    parser.add_argument(
        "--pg-name", default="guidance_bench", help="the PostgreSQL database (guidance_bench)"
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="cache in this Redis database, as in production (default: local memory)",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "RESULTS.md", help="the report's file"
    )
    return parser.parse_args(argv)


def machine():
    cpu = platform.processor() or platform.machine()
    memory_gb = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "system": platform.platform(terse=True),
        "load_start": load_average(),
    }


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def commit():
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "guidance", "movies")
    return head + (" (with uncommitted changes)" if dirty else "")


def measure_latency(database, args):
    """Run bench/measure.py against `database`; its JSON results."""
    out = DATA_DIR / f"latency-{database.vendor}.json"
    command = [
        sys.executable,
        str(ROOT / "bench" / "measure.py"),
        "--out",
        str(out),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--budget",
        str(args.budget),
    ]
    if args.only:
        command += ["--only", args.only]
    print(f"Latency on {database.label}", file=sys.stderr, flush=True)
    env = environment(database, redis_url=args.redis_url)
    if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
        raise SystemExit(f"Measuring latency on {database.label} failed.")
    return json.loads(out.read_text())


def measure_throughput(database, latency, args):
    """
    gunicorn + wrk: the title page anonymous (cache on and off) and signed in.

    Each page's run sits between two runs of the bare view on the same server, and its
    ratio is to their mean: on a shared machine the load drifts, and a drift during the
    three runs cancels out (to first order) instead of landing on one side of the ratio.
    """
    popular = latency["popular"]["url"]
    slug = popular.strip("/").split("/")[-1].encode()
    proxy = {"X-Forwarded-Proto": "https"}
    signed_in = {**proxy, "Cookie": latency["session_cookie"]}
    reader = latency["reader_name"].encode()
    plan = [
        (
            "300",
            [
                ("title-cached", "Title page, anonymous, cached", popular, proxy, slug),
                ("title-reader", "Title page, signed in (family)", popular, signed_in, reader),
            ],
        ),
        ("0", [("title-uncached", "Title page, anonymous, uncached", popular, proxy, slug)]),
    ]
    runs = []
    print(f"Throughput on {database.label}", file=sys.stderr, flush=True)
    for seconds, pages in plan:
        env = environment(
            database, redis_url=args.redis_url, extra={"TITLE_PAGE_CACHE_SECONDS": seconds}
        )
        with throughput.Server(env, name=f"{database.vendor}-cache-{seconds}") as server:

            def load(path, headers, expect):
                return throughput.load(
                    server,
                    path,
                    headers=headers,
                    seconds=args.duration,
                    connections=WRK_CONNECTIONS,
                    expect=expect,
                )

            bare_before = load("/bench/bare/", proxy, b"Hello")
            for key, label, path, headers, expect in pages:
                result = load(path, headers, expect)
                bare_after = load("/bench/bare/", proxy, b"Hello")
                bare_rps = (bare_before.requests_per_second + bare_after.requests_per_second) / 2
                bare_errors = bare_before.errors + bare_after.errors
                runs.append(
                    {
                        "key": key,
                        "label": label,
                        "url": path,
                        "cache_seconds": int(seconds),
                        "rps": result.requests_per_second,
                        "bare_rps_before": bare_before.requests_per_second,
                        "bare_rps_after": bare_after.requests_per_second,
                        "bare_rps": bare_rps,
                        "ratio": result.requests_per_second / bare_rps,
                        "p50_ms": result.p50_ms,
                        "p99_ms": result.p99_ms,
                        "bare_p50_ms": (bare_before.p50_ms + bare_after.p50_ms) / 2,
                        "requests": result.requests,
                        "errors": result.errors + bare_errors,
                        "error_detail": "; ".join(
                            f"{name}: {run.error_detail}"
                            for name, run in (
                                (label, result),
                                ("bare view before", bare_before),
                                ("bare view after", bare_after),
                            )
                            if run.errors
                        ),
                    }
                )
                bare_before = bare_after
    return runs


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    vendors = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    databases = [
        Database("sqlite", sqlite_file=args.sqlite_file.resolve())
        if vendor == "sqlite"
        else Database("postgres", server_url=args.pg_server, name=args.pg_name)
        for vendor in vendors
    ]
    measuring = not args.data_only
    wrk_version = None
    if measuring and not args.skip_throughput:
        wrk_version = throughput.wrk_version()  # stops here, with advice, without wrk
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "make bench"
        + (f' BENCH_ARGS="{shlex.join(argv or sys.argv[1:])}"' if (argv or sys.argv[1:]) else ""),
        "databases": [],
    }

    steps = {}
    for database in databases:
        if args.use_existing:
            if database.identity() is None:
                raise SystemExit(
                    f"--use-existing: there is no {database.label} database at {database.url}."
                )
            manage(database, "migrate", "--noinput", redis_url=args.redis_url)
            steps[database.vendor] = {}
        else:
            steps[database.vendor] = ensure_data(
                database, reviews=args.reviews, rebuild=args.rebuild, redis_url=args.redis_url
            )
    if not measuring:
        print("The benchmark databases are ready.", file=sys.stderr)
        return 0
    collect_static(databases[0])

    failed = []
    versions = {}
    for database in databases:
        measured_commit = commit()
        latency = measure_latency(database, args)
        latency["commit"] = measured_commit
        versions.update(latency["versions"])
        entry = {
            "vendor": database.vendor,
            "label": database.label,
            "latency": latency,
            "data_steps": steps[database.vendor],
        }
        if not args.skip_throughput:
            entry["throughput"] = measure_throughput(database, latency, args)
            failed += [
                f"{database.label}, {run['label']}: {run['error_detail']}"
                for run in entry["throughput"]
                if run["errors"]
            ]
        results["databases"].append(entry)

    versions["gunicorn"] = version("gunicorn")
    if wrk_version:
        versions["wrk"] = wrk_version
    results["versions"] = versions
    results["wrk"] = {
        "workers": throughput.WORKERS,
        "connections": WRK_CONNECTIONS,
        "seconds": args.duration,
        "cache": f"Redis ({args.redis_url})" if args.redis_url else "local memory, per worker",
    }
    results["machine"]["load_end"] = load_average()
    report = render(results)
    (DATA_DIR / "results.json").write_text(json.dumps(results, indent=2))
    args.output.write_text(report)
    print(report)
    minutes = (time.monotonic() - started) / 60
    print(f"Wrote {args.output} ({minutes:.0f} min).", file=sys.stderr)
    if failed:
        print("Load test errors (must be zero):\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
