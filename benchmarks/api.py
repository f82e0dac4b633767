"""Per-route throughput with wrk, each route against a do-nothing route of the same app.

    .venv/bin/python benchmarks/api.py [--seconds 5] [--rounds 3] [--database-url URL]
        [--only TEXT ...]

The platform runs in a child process: ``globus-local serve`` itself (its ``cmd_serve``, with
its settings, logging, GIL switch interval and garbage-collector tuning), whose
``create_app`` is wrapped to mount one more route, ``GET /bench/bare`` (``async def``,
returns ``{}``): the framework's ceiling on this machine. No production route is added or
changed. Before the server starts, this script prepares in the same database a user, an
access token for the openid and transfer scopes, a confidential client and three endpoints.

Each case is ``wrk -t1 -c8 -d<seconds>s --latency`` (``benchmarks/api.lua`` sets method,
body and headers) from this machine's loopback; wrk and the server share the machine's
cores, for the bare route as for every other. A round runs, for every case, the bare route
and then the case, so drift on the machine hits both alike; a case's figure is its median
round, and its ratio is that median over the median of the bare runs paired with it.
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "api.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
CONNECTIONS = 8
WARM_UP_SECONDS = 1
STARTUP_SECONDS = 60.0
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
AUTH_RS = "auth.globus.org"
TRANSFER_RS = "transfer.api.globus.org"
BARE_PATH = "/bench/bare"


# -- the server (child process) ----------------------------------------------------------------
def serve_child(port: int) -> int:
    """``globus-local serve --port PORT`` with ``/bench/bare`` mounted on its app."""
    from fastapi.responses import JSONResponse

    import globus_local.app as app_module
    from globus_local import cli

    async def bare() -> JSONResponse:
        return JSONResponse({})

    original = app_module.create_app

    def create_app_with_bare(*args: t.Any, **kwargs: t.Any) -> t.Any:
        app = original(*args, **kwargs)
        app.add_api_route(BARE_PATH, bare, methods=["GET"], include_in_schema=False)
        # First in the platform's router: matched before the web app's pages, so the bare
        # route costs what the framework does and no route-list walk the services skip.
        app.router.routes.insert(0, app.router.routes.pop())
        return app

    # cmd_serve imports create_app from globus_local.app when it runs, so it gets this one.
    app_module.create_app = create_app_with_bare  # type: ignore[assignment]
    return cli.main(["serve", "--port", str(port)])


@dataclass
class Fixtures:
    """What the cases need, made directly in the database before the server starts."""

    auth_token: str
    transfer_token: str
    client_id: str
    client_secret: str
    endpoint_id: str
    dialect: str


def _token_for(response: dict[str, t.Any], resource_server: str) -> str:
    for doc in [response, *response.get("other_tokens", [])]:
        if doc.get("resource_server") == resource_server:
            return str(doc["access_token"])
    raise LookupError(f"no token for {resource_server}")


def prepare(database_url: str, data_dir: Path) -> Fixtures:
    from globus_local.app import prepare_schema
    from globus_local.config import Settings
    from globus_local.db import Database
    from globus_local.services.auth import admin
    from globus_local.services.transfer.admin import create_endpoint

    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    db = Database(database_url)
    try:
        prepare_schema(db)
        username = f"bench-{secrets.token_hex(4)}@example.org"
        admin.create_user(db, username, secrets.token_urlsafe(12))
        tokens = admin.issue_token(db, username, ["openid", TRANSFER_ALL], settings=settings)
        client = admin.create_client(db, "confidential", "api benchmark resource server")
        endpoints = [
            create_endpoint(db, username, f"Lab disk {n}", str(data_dir / f"lab{n}"))["id"]
            for n in range(3)
        ]
        return Fixtures(
            auth_token=_token_for(tokens, AUTH_RS),
            transfer_token=_token_for(tokens, TRANSFER_RS),
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            endpoint_id=endpoints[0],
            dialect=db.dialect,
        )
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, database_url: str, port: int, log: t.IO[str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
        "GLOBUS_LOCAL_DATABASE_URL": database_url,
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-child", str(port)]
    child = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}{BARE_PATH}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited with status {child.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return child
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    stop_server(child)
    raise RuntimeError("the server did not answer in time")


def stop_server(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- the cases ---------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    method: str
    path: str
    body: str = ""
    headers: list[str] = field(default_factory=list)
    aim: float | None = None  # least ratio to the bare route


def build_cases(fx: Fixtures) -> tuple[Case, list[Case]]:
    basic = base64.b64encode(f"{fx.client_id}:{fx.client_secret}".encode()).decode()
    client_auth = [
        f"Authorization: Basic {basic}",
        "Content-Type: application/x-www-form-urlencoded",
    ]
    transfer = [f"Authorization: Bearer {fx.transfer_token}"]
    bare = Case("bare route (async, no work)", "GET", BARE_PATH)
    cases = [
        Case("openid-configuration (no DB)", "GET", "/auth/.well-known/openid-configuration",
             aim=0.8),
        Case("userinfo", "GET", "/auth/v2/oauth2/userinfo",
             headers=[f"Authorization: Bearer {fx.auth_token}"], aim=0.4),
        Case("token introspection", "POST", "/auth/v2/oauth2/token/introspect",
             body=f"token={fx.transfer_token}", headers=client_auth, aim=0.4),
        Case("Transfer GET endpoint/<id>", "GET", f"/transfer/v0.10/endpoint/{fx.endpoint_id}",
             headers=transfer, aim=0.4),
        Case("client_credentials grant", "POST", "/auth/v2/oauth2/token",
             body=f"grant_type=client_credentials&scope={TRANSFER_ALL}", headers=client_auth,
             aim=0.15),
        Case("Transfer endpoint_search", "GET",
             "/transfer/v0.10/endpoint_search?filter_fulltext=lab&limit=10", headers=transfer),
    ]  # fmt: skip
    return bare, cases


# -- running wrk -------------------------------------------------------------------------------
@dataclass
class Sample:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses, socket errors and timeouts

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


Runs = dict[str, dict[str, list[Sample]]]  # case name -> {"case": [...], "bare": [...]}


def run_wrk(root: str, case: Case, seconds: int) -> Sample:
    command = [
        WRK, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency",
        "-s", str(LUA), root + case.path, "--", case.method, case.body, *case.headers,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[k] for k in ("status_errors", "connect", "read", "write", "timeout"))
    return Sample(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )


def median_sample(samples: list[Sample]) -> Sample:
    """The round with the median rate (its latencies with it); errors of every round."""
    ordered = sorted(samples, key=lambda s: s.rate)
    mid = ordered[(len(ordered) - 1) // 2]
    return Sample(mid.requests, mid.seconds, mid.p50_ms, mid.p99_ms, sum(s.errors for s in samples))


def check_once(root: str, case: Case) -> None:
    """One request by hand, so a case that fails says why before it is timed."""
    headers = dict(h.split(": ", 1) for h in case.headers)
    body = case.body.encode() if case.body else None
    request = urllib.request.Request(
        root + case.path, data=body, headers=headers, method=case.method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{case.name}: HTTP {exc.code}: {exc.read()[:300]!r}") from None


def measure(root: str, bare: Case, cases: list[Case], rounds: int, seconds: int) -> Runs:
    for case in [bare, *cases]:
        check_once(root, case)
        run_wrk(root, case, WARM_UP_SECONDS)
    runs: Runs = {c.name: {"case": [], "bare": []} for c in cases}
    for n in range(rounds):
        for case in cases:
            runs[case.name]["bare"].append(run_wrk(root, bare, seconds))
            runs[case.name]["case"].append(run_wrk(root, case, seconds))
        print(f"  round {n + 1}/{rounds} done", flush=True)
    return runs


# -- the table ---------------------------------------------------------------------------------
def verdict(ratio: float, aim: float | None, errors: int) -> str:
    if errors:
        return "ERRORS"
    if aim is None:
        return "-"
    return "PASS" if ratio >= aim else "MISS"


@dataclass
class Row:
    name: str
    sample: Sample
    bare_rate: float  # median rate of the bare runs paired with this case's runs
    aim: float | None

    @property
    def ratio(self) -> float:
        return self.sample.rate / self.bare_rate if self.bare_rate else 0.0


def rows_of(bare: Case, cases: list[Case], runs: Runs) -> list[Row]:
    all_bare = median_sample([s for c in cases for s in runs[c.name]["bare"]])
    rows = [Row(bare.name, all_bare, all_bare.rate, None)]
    for case in cases:
        paired = median_sample(runs[case.name]["bare"])
        rows.append(Row(case.name, median_sample(runs[case.name]["case"]), paired.rate, case.aim))
    return rows


def report(rows: list[Row]) -> bool:
    """Print the table (Markdown); True if every aim was met without errors."""
    print(
        "| case | req/s | p50 ms | p99 ms | bare req/s (paired) | vs bare | aim | result | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    ok = True
    for row in rows:
        result = verdict(row.ratio, row.aim, row.sample.errors)
        ok = ok and result in ("PASS", "-")
        aim = f">= {row.aim:.2f}x" if row.aim is not None else "-"
        print(
            f"| {row.name} | {row.sample.rate:.0f} | {row.sample.p50_ms:.2f} |"
            f" {row.sample.p99_ms:.2f} | {row.bare_rate:.0f} | {row.ratio:.2f}x | {aim} |"
            f" {result} | {row.sample.errors} |"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare/case pairs")
    parser.add_argument("--database-url", help="e.g. postgresql://postgres@127.0.0.1:5432/db")
    parser.add_argument(
        "--only", action="append", metavar="TEXT", help="run only the cases whose name holds TEXT"
    )
    parser.add_argument("--serve-child", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        return serve_child(args.serve_child)

    data_dir = Path(tempfile.mkdtemp(prefix="globus-local-api-bench-"))
    database_url = args.database_url or f"sqlite:///{data_dir / 'globus-local.sqlite3'}"
    try:
        fixtures = prepare(database_url, data_dir)
        port = free_port()
        with open(data_dir / "server.log", "w") as log:
            child = start_server(data_dir, database_url, port, log)
            try:
                bare, cases = build_cases(fixtures)
                if args.only:
                    cases = [c for c in cases if any(o in c.name for o in args.only)]
                print(
                    f"globus-local API benchmark: {fixtures.dialect}, wrk -t1 -c{CONNECTIONS},"
                    f" {args.seconds} s per run, {args.rounds} rounds, {os.cpu_count()} CPUs,"
                    f" load average {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                runs = measure(f"http://127.0.0.1:{port}", bare, cases, args.rounds, args.seconds)
            finally:
                stop_server(child)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        return 0 if report(rows_of(bare, cases, runs)) else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
