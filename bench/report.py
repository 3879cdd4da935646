"""
The benchmark's report: one Markdown page from bench/run.py's results.

It opens with the targets (met or not, with the figure that decides), then the machine,
versions and data sizes, the latency table of each database (milliseconds, and each
percentile as a multiple of the bare view's same percentile), query counts, the
throughput table, and the slowest query of each page.
"""

TITLE_P95_RATIO = 3.0
CACHED_THROUGHPUT_RATIO = 0.8
SEARCH_BROWSE_P95_MS = 50.0


def ms(value):
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def times(value):
    return f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def verdict(ok):
    return "met" if ok else "**NOT met**"


def shorten_sql(sql, length=240):
    """A query's gist: its select list elided (it names every column), then cut short."""
    sql = " ".join(sql.split())
    if sql.startswith("SELECT "):
        depth = 0
        for position, char in enumerate(sql):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and sql.startswith(" FROM ", position):
                sql = "SELECT …" + sql[position:]
                break
    return sql if len(sql) <= length else sql[: length - 1] + "…"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def page_ratios(latency):
    """{page key: {p50/p95/p99: multiple of the bare view's}}."""
    bare = next(page for page in latency["pages"] if page["key"] == "bare")["ms"]
    return {
        page["key"]: {name: page["ms"][name] / bare[name] for name in ("p50", "p95", "p99")}
        for page in timed(latency)
    }


def timed(latency):
    return [page for page in latency["pages"] if page["timed"]]


def query_groups(latency):
    """Pages that must run as many queries as another page over different data."""
    counts = {page["key"]: page["queries"]["count"] for page in latency["pages"]}
    labels = {page["key"]: page["label"] for page in latency["pages"]}
    groups = {}
    for page in latency["pages"]:
        other = page["same_queries_as"]
        if other and other in counts:
            groups.setdefault(other, [other]).append(page["key"])
    return [
        {
            "pages": [(labels[key], counts[key]) for key in keys],
            "fixed": len({counts[key] for key in keys}) == 1,
        }
        for keys in groups.values()
    ]


# Targets -------------------------------------------------------------------------------


def title_target(latency):
    ratios = page_ratios(latency)
    p95 = {page["key"]: page["ms"]["p95"] for page in timed(latency)}
    found = [(key, ratios[key]["p95"]) for key in ("title-popular", "title-quiet") if key in ratios]
    if not found:
        return "not measured"
    text = ", ".join(
        f"{key.removeprefix('title-')} {times(ratio)} ({ms(p95[key])} ms)" for key, ratio in found
    )
    text += f"; bare {ms(p95['bare'])} ms"
    extra = [
        f"signed in {times(ratios[key]['p95'])}"
        for key in ("title-popular-reader",)
        if key in ratios
    ]
    note = f" ({'; '.join(extra)}: not a target)" if extra else ""
    return f"{verdict(all(ratio <= TITLE_P95_RATIO for _, ratio in found))}: {text}{note}"


def throughput_target(runs):
    cached = next((run for run in runs if run["key"] == "title-cached"), None)
    if cached is None:
        return "not measured"
    ok = cached["ratio"] >= CACHED_THROUGHPUT_RATIO and not cached["errors"]
    return (
        f"{verdict(ok)}: {times(cached['ratio'])} "
        f"({cached['rps']:,.0f} vs {cached['bare_rps']:,.0f} req/s)"
    )


def search_browse_target(latency):
    pages = [page for page in timed(latency) if page["kind"] in ("search", "browse")]
    if not pages:
        return "not measured"
    worst = max(pages, key=lambda page: page["ms"]["p95"])
    over = [page for page in pages if page["ms"]["p95"] >= SEARCH_BROWSE_P95_MS]
    ok = not over
    detail = f"worst {ms(worst['ms']['p95'])} ms ({worst['label']})"
    if over:
        detail += f"; {len(over)} of {len(pages)} pages at 50 ms or more"
    return f"{verdict(ok)}: {detail}"


def queries_target(latency):
    groups = query_groups(latency)
    if not groups:
        return "not measured"
    broken = [group for group in groups if not group["fixed"]]
    if not broken:
        return f"{verdict(True)}: each of {len(groups)} pages the same over less data or reordered"
    detail = "; ".join(
        " vs ".join(f"{label} {count}" for label, count in group["pages"]) for group in broken
    )
    return f"{verdict(False)}: {detail}"


# The report ----------------------------------------------------------------------------


def commits(databases):
    """The commit each database was measured at, said once when they agree."""
    found = {database["latency"].get("commit", "unknown") for database in databases}
    if len(found) == 1:
        return f"commit {found.pop()}"
    return ", ".join(
        f"commit {database['latency'].get('commit', 'unknown')} ({database['label']})"
        for database in databases
    )


def render(results):
    databases = results["databases"]
    labels = [database["label"] for database in databases]
    out = ["# Benchmark results", ""]
    machine = results["machine"]
    out += [
        f"Measured {results['date']} on {machine['cpu']} ({machine['cores']} cores), "
        f"{machine['memory_gb']:.1f} GB RAM, {machine['system']}; load average "
        f"{machine['load_start']} when the run started, {machine['load_end']} when it ended.",
        "",
        "Versions: "
        + ", ".join(f"{name} {value}" for name, value in results["versions"].items())
        + f". Site at {commits(databases)}.",
        "",
        f"Command: `{results['command']}`.",
        "",
        "## Targets",
        "",
    ]
    rows = [
        ["Title page p95 ≤ 3× the bare view's, uncached"]
        + [title_target(database["latency"]) for database in databases],
        ["Anonymous title page throughput ≥ 0.8× the bare view's, cached"]
        + [throughput_target(database.get("throughput", [])) for database in databases],
        ["Search and browse p95 < 50 ms"]
        + [search_browse_target(database["latency"]) for database in databases],
        ["Query counts fixed (no growth with data)"]
        + [queries_target(database["latency"]) for database in databases],
    ]
    out += [table(["Target", *labels], rows), ""]

    out += ["## Data", ""]
    sizes = [database["latency"]["sizes"] for database in databases]
    rows = [[name] + [f"{size[name]:,}" for size in sizes] for name in sizes[0]]
    for which in ("popular", "medium", "quiet"):
        titles = [database["latency"].get(which) for database in databases]
        rows.append(
            [f"{which} title (its reviews)"]
            + [f"{title['name']} ({title['reviews']:,})" if title else "none" for title in titles]
        )
    out += [table(["", *labels], rows), ""]
    built = [
        f"{database['label']}: "
        + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in database["data_steps"].items())
        for database in databases
        if database.get("data_steps")
    ]
    if built:
        out += ["Built in this run: " + "; ".join(built) + ".", ""]

    first = databases[0]["latency"]
    out += [
        "## Server-side latency",
        "",
        "Each request goes through Django's whole handler and middleware in one process "
        "(django.test.Client, timed with time.perf_counter), DEBUG off. The pages take "
        f"turns, one request each per round: {first['warmup']} untimed requests per page, "
        f"then up to {first['requests']} timed ones (a page stops after {first['budget']:.0f} s "
        'of timed requests, and at least 30). "× bare" divides each percentile by the '
        'bare view\'s same percentile from the same run. "Counted afresh": browse and '
        "search count their facets again on every request (a new catalog version first), "
        "as for a first visitor; otherwise the counts come from the cache. Queries: one "
        "request's; SQL: median time in the database per request.",
        "",
    ]
    for database in databases:
        latency = database["latency"]
        ratios = page_ratios(latency)
        rows = []
        for page in timed(latency):
            ratio = ratios[page["key"]]
            rows.append(
                [
                    f"{page['label']}<br>`{page['url']}`",
                    page["requests"],
                    ms(page["ms"]["p50"]),
                    ms(page["ms"]["p95"]),
                    ms(page["ms"]["p99"]),
                    " / ".join(times(ratio[name]) for name in ("p50", "p95", "p99")),
                    page["queries"]["count"],
                    ms(page["queries"]["sql_ms_median"]),
                ]
            )
        out += [
            f"### {database['label']}",
            "",
            table(
                [
                    "Page",
                    "n",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "× bare p50 / p95 / p99",
                    "queries",
                    "SQL ms",
                ],
                rows,
            ),
            "",
        ]

    out += [
        "## Query counts that must not change",
        "",
        "The same page over a hundredth of the data (a title like the popular one: our "
        "review, its levels, a full page of reviews), in another order or on another page.",
        "",
    ]
    for database in databases:
        groups = query_groups(database["latency"])
        lines = [
            "- "
            + " = ".join(f"{label}: {count}" for label, count in group["pages"])
            + ("" if group["fixed"] else " **(differs)**")
            for group in groups
        ]
        out += [f"{database['label']}:", "", *lines, ""]

    with_throughput = [database for database in databases if database.get("throughput")]
    if with_throughput:
        wrk = results["wrk"]
        out += [
            "## Throughput",
            "",
            f"gunicorn `guidance.wsgi` with {wrk['workers']} sync workers (the README's "
            "command, --timeout 30, access log to a file), on loopback; "
            f"wrk -t1 -c{wrk['connections']} for {wrk['seconds']} s after a 3 s warm-up. "
            f"Cache: {wrk['cache']}. Each page's run sits between two runs of the bare view "
            "on the same server; its ratio is to their mean, so that a drift in the "
            "machine's load cancels out. Errors are socket errors plus responses other than "
            "2xx/3xx, in the page's run or the bare runs beside it.",
            "",
        ]
        rows = []
        for database in with_throughput:
            for run in database["throughput"]:
                rows.append(
                    [
                        database["label"],
                        run["label"],
                        f"{run['rps']:,.0f}",
                        f"{run['bare_rps_before']:,.0f} / {run['bare_rps_after']:,.0f}",
                        times(run["ratio"]),
                        ms(run["p50_ms"]),
                        ms(run["p99_ms"]),
                        f"{run['requests']:,}",
                        run["errors"] if not run["errors"] else f"**{run['errors']}**",
                    ]
                )
        out += [
            table(
                [
                    "Database",
                    "Page",
                    "req/s",
                    "bare req/s before / after",
                    "× bare",
                    "p50 ms",
                    "p99 ms",
                    "requests",
                    "errors",
                ],
                rows,
            ),
            "",
        ]

    out += [
        "## The slowest query of each page",
        "",
        "From the request whose queries were counted; `python bench/profile.py` shows where "
        "a page's time goes, and `--explain` prints PostgreSQL's plans.",
        "",
    ]
    for database in databases:
        rows = []
        for page in timed(database["latency"]):
            slowest = page["queries"]["slowest"]
            if slowest is None or slowest["ms"] < 1:
                continue
            sql = shorten_sql(slowest["sql"])
            rows.append([page["label"], ms(slowest["ms"]), f"`{sql.replace('|', '¦')}`"])
        rows.sort(key=lambda row: -float(row[1].replace(",", "")))
        out += [f"### {database['label']}", "", table(["Page", "ms", "SQL"], rows[:10]), ""]
    return "\n".join(out).rstrip() + "\n"
