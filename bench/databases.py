"""
The benchmark's databases: where they live, the environment that points Django at them,
and the data step that fills them once.

Each database gets the real catalog (`import_titles --source bokeh`, 17,472 films) and a
generated community (`generate_community --reviews N --seed 1`), then `check_community`
must find every aggregate consistent. A marker file records what was built, and for
which database (the PostgreSQL database's oid, the SQLite file's inode), so a later run
reuses the data; a database without a matching marker (another size, changed code that
builds the data, a build that was interrupted) is dropped and built again. Nothing here
imports Django: each step is a `manage.py` subprocess, because Django reads DATABASE_URL
once, when it starts.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"
LOG_DIR = DATA_DIR / "logs"
# Bump when the recipe changes (a new step, other arguments): old data is rebuilt.
RECIPE_VERSION = 1
# The code that shapes the community: when it changes, the data is built again with it.
# (The importer is left out: it reads a pinned data set, and changes for other reasons.)
RECIPE_FILES = [
    "guidance/reviews/synthetic.py",
    "guidance/reviews/management/commands/generate_community.py",
]
# Never a production key: it only signs the benchmark's own sessions.
# The environment variables subprocesses inherit; the site's settings are set explicitly.
INHERITED = {"PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM"}
SECRET_KEY = "bench-only-secret-key-not-for-any-real-site-0123456789abcdefghij"


@dataclass
class Database:
    """One benchmark database: SQLite (a file) or PostgreSQL (a database on a server)."""

    vendor: str  # "sqlite" or "postgres"
    sqlite_file: Path | None = None
    server_url: str = ""  # postgres://user@host:port, without a database name
    name: str = ""  # the PostgreSQL database's name

    @property
    def label(self):
        return "SQLite" if self.vendor == "sqlite" else "PostgreSQL"

    @property
    def url(self):
        if self.vendor == "sqlite":
            return f"sqlite:///{self.sqlite_file}"
        return f"{self.server_url.rstrip('/')}/{self.name}"

    @property
    def short_name(self):
        """A name for this database's files: sqlite-bench, postgres-guidance_bench."""
        return (
            f"sqlite-{self.sqlite_file.stem}"
            if self.vendor == "sqlite"
            else f"postgres-{self.name}"
        )

    @property
    def marker_path(self):
        if self.vendor == "sqlite":
            return self.sqlite_file.with_name(self.sqlite_file.name + ".built.json")
        return DATA_DIR / f"postgres-{self.name}.built.json"

    # Existence and identity ---------------------------------------------------------------

    def _admin_connection(self):
        import psycopg

        return psycopg.connect(f"{self.server_url.rstrip('/')}/postgres", autocommit=True)

    def identity(self):
        """What tells this database from a recreated one of the same name (None: missing)."""
        if self.vendor == "sqlite":
            return self.sqlite_file.stat().st_ino if self.sqlite_file.exists() else None
        with self._admin_connection() as connection:
            row = connection.execute(
                "SELECT oid FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
        return row[0] if row else None

    def create_empty(self):
        """Drop the database if it exists and create it empty."""
        if self.vendor == "sqlite":
            self.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
            return
        from psycopg import sql

        with self._admin_connection() as connection:
            name = sql.Identifier(self.name)
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            connection.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def analyze(self):
        """
        Give PostgreSQL's planner statistics for the freshly loaded tables, as autovacuum
        soon would on a live site (SQLite has no autovacuum counterpart: left as is).
        """
        if self.vendor != "postgres":
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")

    # The marker ---------------------------------------------------------------------------

    def wanted_marker(self, reviews):
        return {
            "recipe": RECIPE_VERSION,
            "code": recipe_fingerprint(),
            "reviews": reviews,
            "seed": 1,
            "titles": "bokeh",
        }

    def is_built(self, reviews):
        """True when the marker says this very database holds the wanted data."""
        try:
            marker = json.loads(self.marker_path.read_text())
        except (OSError, ValueError):
            return False
        identity = self.identity()
        return identity is not None and marker == {
            **self.wanted_marker(reviews),
            "identity": identity,
        }

    def write_marker(self, wanted):
        """Record `wanted` (taken before the build, with the code it ran) as built."""
        marker = {**wanted, "identity": self.identity()}
        self.marker_path.parent.mkdir(parents=True, exist_ok=True)
        self.marker_path.write_text(json.dumps(marker, indent=2) + "\n")


def recipe_fingerprint():
    """A digest of the code that builds the data (RECIPE_FILES)."""
    digest = hashlib.sha256()
    for name in RECIPE_FILES:
        path = ROOT / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()[:16]


def environment(database, *, redis_url="", extra=None):
    """The environment of every subprocess that runs Django against `database`."""
    # Only the basics are inherited: a DJANGO_... or TITLE_PAGE_... variable left in the
    # shell must not change what is measured.
    env = {key: value for key, value in os.environ.items() if key in INHERITED}
    env.update(
        DATABASE_URL=database.url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def manage(database, *args, redis_url="", log=None):
    """Run one manage.py command against `database`; stop the benchmark if it fails."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    started = time.monotonic()
    print(f"  {database.label}: manage.py {' '.join(args)}", file=sys.stderr, flush=True)
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=environment(database, redis_url=redis_url),
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    if result.returncode != 0:
        where = f" (output in {log.name})" if log else ""
        raise SystemExit(
            f"manage.py {' '.join(args)} failed on {database.label}, "
            f"exit status {result.returncode}{where}."
        )
    return time.monotonic() - started


def has_command(name):
    """True when some app of the project defines the management command `name`."""
    for folder in (ROOT / "movies", *sorted((ROOT / "guidance").iterdir())):
        if (folder / "management" / "commands" / f"{name}.py").exists():
            return True
    return False


def ensure_data(database, *, reviews, rebuild=False, redis_url=""):
    """
    Bring `database` up to date (migrate) and fill it once; returns the seconds each
    step took ({} when the data was already there).
    """
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"data-{database.short_name}.log"
    if not rebuild and database.is_built(reviews):
        with log_path.open("a") as log:
            manage(database, "migrate", "--noinput", redis_url=redis_url, log=log)
        return {}
    for command in ("generate_community", "check_community"):
        if not has_command(command):
            raise SystemExit(
                f"This version of the site has no `manage.py {command}`, which builds the "
                "benchmark's community; run with --use-existing to measure a database "
                "as it is."
            )
    print(
        f"Building the {database.label} benchmark database ({reviews:,} reviews); "
        f"this takes a while, once. Log: {log_path}",
        file=sys.stderr,
        flush=True,
    )
    wanted = database.wanted_marker(reviews)
    database.marker_path.unlink(missing_ok=True)
    database.create_empty()
    steps = {}
    with log_path.open("w") as log:
        steps["migrate"] = manage(database, "migrate", "--noinput", redis_url=redis_url, log=log)
        steps["import_titles"] = manage(
            database,
            "import_titles",
            "--source",
            "bokeh",
            "--no-progress",
            redis_url=redis_url,
            log=log,
        )
        steps["generate_community"] = manage(
            database,
            "generate_community",
            "--reviews",
            str(reviews),
            "--seed",
            "1",
            "--force",  # DEBUG is off, as measured; this is the benchmark's own database
            "--no-progress",
            redis_url=redis_url,
            log=log,
        )
        steps["check_community"] = manage(database, "check_community", redis_url=redis_url, log=log)
    started = time.monotonic()
    database.analyze()
    if database.vendor == "postgres":
        steps["vacuum_analyze"] = time.monotonic() - started
    database.write_marker(wanted)
    return steps


def collect_static(database):
    """Collect the static files the manifest storage needs (quick when nothing changed)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (LOG_DIR / "collectstatic.log").open("w") as log:
        manage(database, "collectstatic", "--noinput", log=log)
