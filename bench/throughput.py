"""
Throughput: gunicorn as the README deploys it, loaded by wrk over loopback.

gunicorn runs `guidance.wsgi` with two sync workers and the README's timeout and access
log (to a file under bench/data/logs/), on a free port from 8101-8109. wrk drives it with
one thread and a few connections; every run is preceded by a short untimed one, so that
the workers have their database connections and caches warm. A run counts as failed
when wrk saw a socket error or a status other than 2xx/3xx; before any run, one request
must answer 200, so that a redirect cannot pass for a page.
"""

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from bench.databases import LOG_DIR, ROOT

PORTS = range(8101, 8110)
WORKERS = 2
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port in {PORTS.start}-{PORTS.stop - 1} for gunicorn.")


def wrk_path():
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install wrk` (or --skip-throughput to measure "
            "latency only)."
        )
    return path


def wrk_version():
    output = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True)
    match = re.search(r"wrk (\S+)", output.stdout + output.stderr)
    return match.group(1) if match else "unknown"


class Server:
    """gunicorn serving the site on one port; a context manager that stops it."""

    def __init__(self, env, *, name):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"gunicorn-{name}.log"
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "guidance.wsgi",
            "-b",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "30",
            "--access-logfile",
            "-",
        ]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped on start; see {self.log_path}.")
            try:
                self.fetch("/bench/bare/")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within a minute; see {self.log_path}.")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def fetch(self, path, headers=None):
        """GET `path` without following redirects: (status, body)."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    error_detail: str = ""
    latency: dict = field(default_factory=dict)  # percentile -> ms


def parse_wrk(output):
    """Read wrk --latency's report."""

    def number(pattern, default=None):
        match = re.search(pattern, output)
        if match is None:
            if default is None:
                raise SystemExit(f"Could not read wrk's output:\n{output}")
            return default
        return match.groups()

    latency = {
        int(percent): float(value) * UNITS[unit]
        for percent, value, unit in re.findall(
            r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
        )
    }
    (rps,) = number(r"Requests/sec:\s+([\d.]+)")
    (total,) = number(r"(\d+) requests in")
    connect, read, write, timeout = map(
        int,
        number(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
            ("0", "0", "0", "0"),
        ),
    )
    (bad_status,) = number(r"Non-2xx or 3xx responses: (\d+)", ("0",))
    errors = connect + read + write + timeout + int(bad_status)
    detail = (
        f"socket errors: connect {connect}, read {read}, write {write}, timeout {timeout}; "
        f"non-2xx/3xx {bad_status}"
        if errors
        else ""
    )
    if not int(total):
        errors, detail = max(errors, 1), "no request completed"
    return LoadResult(
        requests_per_second=float(rps),
        p50_ms=latency.get(50, 0.0),
        p99_ms=latency.get(99, 0.0),
        requests=int(total),
        errors=errors,
        error_detail=detail,
        latency=latency,
    )


def run_wrk(url, *, headers, seconds, connections):
    command = [
        wrk_path(),
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def load(server, path, *, headers, seconds, connections, expect=b""):
    """Warm up, check one answer, then measure `path` for `seconds`."""
    status, body = server.fetch(path, headers)
    if status != 200 or expect not in body:
        raise SystemExit(
            f"{server.base}{path} answered {status}"
            + ("" if status != 200 else f" without {expect!r}")
            + f" before the load test; see {server.log_path}."
        )
    url = server.base + path
    run_wrk(url, headers=headers, seconds=min(3, seconds), connections=connections)
    print(f"    wrk {path} for {seconds} s", file=sys.stderr, flush=True)
    return run_wrk(url, headers=headers, seconds=seconds, connections=connections)
