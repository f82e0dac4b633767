"""A mixed workload from many concurrent clients, with wrk, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 35,50,200,500]
                                        [--databases sqlite,postgresql] [--drain-seconds 300]
                                        [--postgresql-url postgresql://postgres@127.0.0.1:5432/test]

For each database (SQLite in a temporary data dir; PostgreSQL in a fresh database made on
the ``--postgresql-url`` server and dropped at the end) this starts one ``globus-local
serve`` and one ``globus-local worker`` on the same database and data dir. A user, a
confidential client (the resource server that introspects), two endpoints (a source folder
of three 1 KiB files and an empty destination), a search index of 200 small documents and
four finished transfer tasks are prepared first. Then, for each number of clients, wrk runs
``-t1 -c<clients> -d<seconds>s --timeout 10s`` with ``benchmarks/load.lua``, whose clients
cycle through what a new user does, one request each in turn:

* ``GET /transfer/v0.10/operation/endpoint/<source>/ls`` (three files);
* ``GET /transfer/v0.10/submission_id``, then
* ``POST /transfer/v0.10/transfer`` of the three files into a new folder, with a new
  submission id (the server accepts any id it has not seen from the user: ids it hands out
  are not recorded, so the id from the GET before is as good as one made up by the script);
* ``GET /transfer/v0.10/task/<id>`` of one of the four earlier tasks;
* ``GET /search/v1/index/<id>/search?q=<word>``;
* ``POST /auth/v2/oauth2/token/introspect`` of the user's token (Basic auth of the client).

Recorded per level: req/s, p50/p99/max latency, responses by status class, wrk's timeouts
(requests still unanswered after 10 s, counted by wrk every 2 s per stuck connection, so a
request stuck 20 s counts several times) and socket errors (connect, read, write). After each
level the script waits (at most ``--drain-seconds``) until every transfer task it caused has
ended, and counts those that SUCCEEDED. Last, under the same load with the most clients,
the serve process gets SIGTERM and the time until it exits is measured (then the worker's).

Aims (the exit status is 1 if one is missed): no 5xx and no timeouts at any level; at 200
clients p99 under 2 s and throughput no lower than at 35; every transfer task SUCCEEDED;
SIGTERM stops serve within 10 s. Only 127.0.0.1 is contacted. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
LUA = HERE / "load.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
GLOBUS_LOCAL = str(Path(sys.executable).with_name("globus-local"))
POSTGRESQL_URL = "postgresql://postgres@127.0.0.1:5432/test"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"
TRANSFER_RS = "transfer.api.globus.org"
SEARCH_RS = "search.api.globus.org"
WRK_TIMEOUT = "10s"
STARTUP_SECONDS = 60.0
STOP_AIM_SECONDS = 10.0
STOP_BOUND_SECONDS = 30.0
SIGTERM_AFTER_SECONDS = 2.0  # of load, before the serve process gets SIGTERM
SEED_TASKS = 4
SEARCH_DOCS = 200
WORDS = ["alpha", "beta", "gamma", "delta", "sample", "climate", "genome", "survey"]
ACTIVE = "ACTIVE,INACTIVE"
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Timeout)\b")


# -- the platform ------------------------------------------------------------------------------
@dataclass
class Fixtures:
    transfer_token: str
    search_token: str
    client_basic: str
    source: str
    destination: str
    dialect: str


def _token_for(response: dict[str, t.Any], resource_server: str) -> str:
    for doc in [response, *response.get("other_tokens", [])]:
        if doc.get("resource_server") == resource_server:
            return str(doc["access_token"])
    raise LookupError(f"no token for {resource_server}")


def make_tree(data_dir: Path) -> tuple[Path, Path]:
    """The source folder (three 1 KiB files) and an empty destination folder."""
    source, destination = data_dir / "files" / "source", data_dir / "files" / "destination"
    source.mkdir(parents=True)
    destination.mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_bytes(os.urandom(1024))
    return source, destination


def prepare(database_url: str, data_dir: Path) -> Fixtures:
    """Schema, user, client and endpoints, made in the database before the server starts."""
    from globus_local.app import prepare_schema
    from globus_local.db import Database
    from globus_local.services.auth import admin
    from globus_local.services.transfer.admin import create_endpoint

    source, destination = make_tree(data_dir)
    db = Database(database_url)
    try:
        prepare_schema(db)
        username = f"load-{secrets.token_hex(4)}@example.org"
        admin.create_user(db, username, secrets.token_urlsafe(12))
        tokens = admin.issue_token(db, username, [TRANSFER_ALL, SEARCH_ALL])
        client = admin.create_client(db, "confidential", "load benchmark resource server")
        basic = f"{client['client_id']}:{client['client_secret']}".encode()
        return Fixtures(
            transfer_token=_token_for(tokens, TRANSFER_RS),
            search_token=_token_for(tokens, SEARCH_RS),
            client_basic=base64.b64encode(basic).decode(),
            source=create_endpoint(db, username, "load source", str(source))["id"],
            destination=create_endpoint(db, username, "load destination", str(destination))["id"],
            dialect=db.dialect,
        )
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Platform:
    """One ``globus-local serve`` and one ``globus-local worker`` on one database."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
            "GLOBUS_LOCAL_DATABASE_URL": database_url,
        }
        self.serve = self._spawn("serve", ["serve", "--port", str(self.port)])
        self.worker = self._spawn("worker", ["worker"])
        self._wait_ready()

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.data_dir / f"{name}.log", "w")  # the child writes it; ours closes
        try:
            return subprocess.Popen([GLOBUS_LOCAL, *args], env=self.env, stdout=log, stderr=log)
        finally:
            log.close()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.serve.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log_tail('serve')}")
            try:
                requests.get(self.root + "/auth/.well-known/openid-configuration", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("serve did not answer in time")

    def errors_logged(self, limit: int = 3) -> tuple[int, list[str]]:
        """ERROR records in serve's log: how many, and the first few with their exception."""
        lines = (self.data_dir / "serve.log").read_text(errors="replace").splitlines()
        starts = [n for n, line in enumerate(lines) if " ERROR " in line]
        found = []
        for n in starts[:limit]:
            record = [lines[n]]
            for line in lines[n + 1 :]:
                if line[:4].isdigit():  # the next record's timestamp
                    break
                record.append(line)
            raised = [x for x in record[1:] if EXCEPTION_LINE.match(x)]
            found.append(f"{record[0][:200]} | {(raised[-1] if raised else '')[:300]}")
        return len(starts), found

    def log_tail(self, name: str, lines: int = 20) -> str:
        text = (self.data_dir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @staticmethod
    def terminate(process: subprocess.Popen) -> float:
        """SIGTERM, then seconds until the process exits (killed after STOP_BOUND_SECONDS)."""
        if process.poll() is not None:
            return 0.0
        start = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_BOUND_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return time.perf_counter() - start

    def close(self) -> None:
        for process in (self.serve, self.worker):
            if process.poll() is None:
                process.kill()
                process.wait()


# -- what the clients do -----------------------------------------------------------------------
def http(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def make_index(root: str, fx: Fixtures) -> str:
    """A search index of SEARCH_DOCS small public documents; its id once ingested."""
    search = http(fx.search_token)
    index_id = search.post(root + "/search/v1/index", json={"display_name": "load"}).json()["id"]
    gmeta = [
        {
            "subject": f"doc-{n}",
            "visible_to": ["public"],
            "content": {"title": f"{WORDS[n % len(WORDS)]} {WORDS[n * 3 % len(WORDS)]} {n}"},
        }
        for n in range(SEARCH_DOCS)
    ]
    body = {"ingest_type": "GMetaList", "ingest_data": {"gmeta": gmeta}}
    response = search.post(root + f"/search/v1/index/{index_id}/ingest", json=body)
    response.raise_for_status()
    task = response.json()["task_id"]
    deadline = time.monotonic() + STARTUP_SECONDS
    while get_json(search, root + f"/search/v1/task/{task}")["state"] != "SUCCESS":
        if time.monotonic() > deadline:
            raise RuntimeError("the search ingest did not finish in time")
        time.sleep(0.1)
    return str(index_id)


def transfer_document(fx: Fixtures, submission_id: str) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "transfer",
        "submission_id": submission_id,
        "source_endpoint": fx.source,
        "destination_endpoint": fx.destination,
        "label": "load",
        "DATA": [
            {
                "DATA_TYPE": "transfer_item",
                "source_path": "/",
                "destination_path": f"/{submission_id}/",
                "recursive": True,
            }
        ],
    }


def seed_tasks(root: str, fx: Fixtures, drain_seconds: float) -> list[str]:
    """SEED_TASKS transfers, submitted as the SDK does and waited for: the task GETs' targets."""
    transfer = http(fx.transfer_token)
    base = root + "/transfer/v0.10/"
    ids = []
    for _ in range(SEED_TASKS):
        submission_id = get_json(transfer, base + "submission_id")["value"]
        response = transfer.post(base + "transfer", json=transfer_document(fx, submission_id))
        response.raise_for_status()
        ids.append(str(response.json()["task_id"]))
    drain(root, fx, drain_seconds)
    return ids


def plan_lines(fx: Fixtures, index_id: str, task_ids: list[str]) -> list[str]:
    """The request list load.lua cycles through: one cycle per earlier task."""
    bearer = f"Authorization: Bearer {fx.transfer_token}"
    search = f"Authorization: Bearer {fx.search_token}"
    basic = f"Authorization: Basic {fx.client_basic}"
    submit = json.dumps(transfer_document(fx, "@SID@"), separators=(",", ":"))
    lines = []
    for n, task_id in enumerate(task_ids):
        word = WORDS[n % len(WORDS)]
        requests_ = [
            ("GET", f"/transfer/v0.10/operation/endpoint/{fx.source}/ls?path=/", "-", [bearer]),
            ("GET", "/transfer/v0.10/submission_id", "-", [bearer]),
            ("POST", "/transfer/v0.10/transfer", submit,
             [bearer, "Content-Type: application/json"]),
            ("GET", f"/transfer/v0.10/task/{task_id}", "-", [bearer]),
            ("GET", f"/search/v1/index/{index_id}/search?q={word}&limit=10", "-", [search]),
            ("POST", "/auth/v2/oauth2/token/introspect", f"token={fx.transfer_token}",
             [basic, "Content-Type: application/x-www-form-urlencoded"]),
        ]  # fmt: skip
        lines += [
            "\t".join([method, path, body, *headers]) for method, path, body, headers in requests_
        ]
    return lines


# -- measuring ---------------------------------------------------------------------------------
@dataclass
class Level:
    clients: int
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    s2xx: int = 0
    s4xx: int = 0
    s5xx: int = 0
    other: int = 0  # 1xx/3xx
    accepted: int = 0  # 202 answers to POST /transfer
    timeouts: int = 0
    socket_errors: int = 0
    first_5xx: str = ""
    tasks_ended: int = 0  # transfer tasks of this level that ended (after the drain)
    tasks_succeeded: int = 0
    tasks_unfinished: int = 0
    drain_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_id() -> str:
    return secrets.token_hex(4)


def wrk_command(root: str, plan: Path, clients: int, seconds: float) -> list[str]:
    return [
        WRK, "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", WRK_TIMEOUT, "--latency",
        "-s", str(LUA), root + "/", "--", str(plan), run_id(),
    ]  # fmt: skip


def parse_wrk(clients: int, done: subprocess.CompletedProcess[str]) -> Level:
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOAD_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    d = json.loads(line.removeprefix("LOAD_JSON "))
    return Level(
        clients=clients,
        requests=d["requests"],
        seconds=d["duration_us"] / 1e6,
        p50_ms=d["p50_us"] / 1000,
        p99_ms=d["p99_us"] / 1000,
        max_ms=d["max_us"] / 1000,
        s2xx=d["s2xx"],
        s4xx=d["s4xx"],
        s5xx=d["s5xx"],
        other=d["s1xx"] + d["s3xx"],
        accepted=d["accepted"],
        timeouts=d["timeout"],
        socket_errors=d["connect"] + d["read"] + d["write"],
        first_5xx=d["first_5xx"],
    )


RETRY_STATUSES = (429, 502, 503, 504)


def get_json(session: requests.Session, url: str, params: dict[str, str] | None = None) -> t.Any:
    """GET, retried for up to STARTUP_SECONDS while the server sheds load (429/5xx with
    Retry-After, or refused connections): right after a level it may still be busy."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            response = session.get(url, params=params, timeout=30)
            if response.status_code not in RETRY_STATUSES or time.monotonic() > deadline:
                response.raise_for_status()
                return response.json()
            wait = float(response.headers.get("Retry-After", "0.5") or 0.5)
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise
            wait = 0.5
        time.sleep(min(wait, 5.0))


def task_total(root: str, fx: Fixtures, statuses: str | None = None) -> int:
    params = {"limit": "1", **({"filter_status": statuses} if statuses else {})}
    found = get_json(http(fx.transfer_token), root + "/transfer/v0.10/task_list", params)
    return int(found["total"])


def drain(root: str, fx: Fixtures, bound: float) -> tuple[float, int]:
    """Wait until no transfer task is active (at most ``bound`` s): (seconds, still active)."""
    start = time.perf_counter()
    while True:
        active = task_total(root, fx, ACTIVE)
        if active == 0 or time.perf_counter() - start > bound:
            return time.perf_counter() - start, active
        time.sleep(0.5)


def run_level(root: str, fx: Fixtures, plan: Path, clients: int, args: argparse.Namespace) -> Level:
    ended_before = task_total(root, fx) - task_total(root, fx, ACTIVE)
    succeeded_before = task_total(root, fx, "SUCCEEDED")
    command = wrk_command(root, plan, clients, args.seconds)
    level = parse_wrk(
        clients, subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    )
    level.drain_seconds, level.tasks_unfinished = drain(root, fx, args.drain_seconds)
    level.tasks_ended = task_total(root, fx) - level.tasks_unfinished - ended_before
    level.tasks_succeeded = task_total(root, fx, "SUCCEEDED") - succeeded_before
    return level


def stop_under_load(platform: Platform, plan: Path, clients: int) -> tuple[float, float]:
    """SIGTERM to serve while ``clients`` clients keep asking: (serve, worker) stop seconds."""
    command = wrk_command(platform.root, plan, clients, SIGTERM_AFTER_SECONDS + 8)
    load = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(SIGTERM_AFTER_SECONDS)
        serve_seconds = platform.terminate(platform.serve)
    finally:
        load.wait(60)
    return serve_seconds, platform.terminate(platform.worker)


# -- one database ------------------------------------------------------------------------------
@dataclass
class DatabaseRun:
    name: str
    dialect: str = ""
    levels: list[Level] = field(default_factory=list)
    tasks_total: int = 0
    tasks_succeeded: int = 0
    serve_stop_seconds: float = 0.0
    worker_stop_seconds: float = 0.0
    errors_logged: int = 0  # ERROR records in serve's log
    first_errors: list[str] = field(default_factory=list)
    log_copy: str = ""  # where serve's log was kept, if it logged errors


def run_database(name: str, database_url: str, args: argparse.Namespace) -> DatabaseRun:
    run = DatabaseRun(name)
    data_dir = Path(tempfile.mkdtemp(prefix=f"globus-local-load-{name}-"))
    database_url = database_url or f"sqlite:///{data_dir / 'globus-local.sqlite3'}"
    platform = None
    try:
        fx = prepare(database_url, data_dir)
        run.dialect = fx.dialect
        platform = Platform(data_dir, database_url)
        root = platform.root
        plan = data_dir / "plan.tsv"
        index_id = make_index(root, fx)
        plan.write_text("\n".join(plan_lines(fx, index_id, seed_tasks(root, fx, 60))) + "\n")
        for clients in args.clients:
            print(f"  {name}: {clients} clients for {args.seconds:g} s", flush=True)
            run.levels.append(run_level(root, fx, plan, clients, args))
        run.tasks_total = task_total(root, fx)
        run.tasks_succeeded = task_total(root, fx, "SUCCEEDED")
        run.serve_stop_seconds, run.worker_stop_seconds = stop_under_load(
            platform, plan, max(args.clients)
        )
        run.errors_logged, run.first_errors = platform.errors_logged()
        if run.errors_logged:  # kept for whoever reads the errors: the data dir goes
            run.log_copy = f"{tempfile.gettempdir()}/globus-local-load-{name}-{run_id()}.log"
            shutil.copyfile(data_dir / "serve.log", run.log_copy)
        return run
    except Exception:
        if platform is not None:
            print(f"--- serve log ---\n{platform.log_tail('serve')}", file=sys.stderr)
        raise
    finally:
        if platform is not None:
            platform.close()
        shutil.rmtree(data_dir, ignore_errors=True)


class PostgresDatabase:
    """A fresh database on the server at ``admin_url``, dropped by :meth:`drop`."""

    def __init__(self, admin_url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self.admin_url = admin_url
        self.name = f"globus_local_load_{secrets.token_hex(6)}"
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = make_url(admin_url).set(database=self.name).render_as_string(False)

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def run_named(name: str, args: argparse.Namespace) -> DatabaseRun:
    if name == "sqlite":
        return run_database(name, "", args)
    if name != "postgresql":
        raise SystemExit(f"unknown database {name!r} (sqlite, postgresql)")
    database = PostgresDatabase(args.postgresql_url)
    try:
        return run_database(name, database.url, args)
    finally:
        database.drop()


# -- aims and the table ------------------------------------------------------------------------
def misses(run: DatabaseRun) -> list[str]:
    found = []
    by_clients = {level.clients: level for level in run.levels}
    for level in run.levels:
        if level.s5xx:
            found.append(f"{level.clients} clients: {level.s5xx} 5xx ({level.first_5xx[:200]})")
        if level.timeouts:
            found.append(f"{level.clients} clients: {level.timeouts} timeouts")
        if level.tasks_unfinished or level.tasks_succeeded != level.tasks_ended:
            found.append(
                f"{level.clients} clients: {level.tasks_succeeded} of {level.tasks_ended} ended"
                f" tasks SUCCEEDED, {level.tasks_unfinished} still active after the drain"
            )
    at200, at35 = by_clients.get(200), by_clients.get(35)
    if at200 is not None and at200.p99_ms >= 2000:
        found.append(f"200 clients: p99 {at200.p99_ms:.0f} ms (aim < 2000)")
    if at200 is not None and at35 is not None and at200.rate < at35.rate:
        found.append(f"200 clients: {at200.rate:.0f} req/s < {at35.rate:.0f} at 35")
    if run.tasks_succeeded != run.tasks_total:
        found.append(f"{run.tasks_succeeded} of {run.tasks_total} transfer tasks SUCCEEDED")
    if run.serve_stop_seconds >= STOP_AIM_SECONDS:
        found.append(f"SIGTERM: serve took {run.serve_stop_seconds:.1f} s to stop (aim < 10)")
    return found


def print_table(runs: list[DatabaseRun]) -> None:
    print(
        "| database | clients | req/s | p50 ms | p99 ms | max ms | 2xx | 4xx | 5xx | timeouts |"
        " socket errors | transfers accepted | tasks SUCCEEDED/ended | drain s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        for lv in run.levels:
            print(
                f"| {run.dialect} | {lv.clients} | {lv.rate:.0f} | {lv.p50_ms:.0f} |"
                f" {lv.p99_ms:.0f} | {lv.max_ms:.0f} | {lv.s2xx} | {lv.s4xx} | {lv.s5xx} |"
                f" {lv.timeouts} | {lv.socket_errors} | {lv.accepted} |"
                f" {lv.tasks_succeeded}/{lv.tasks_ended} | {lv.drain_seconds:.1f} |"
            )


def print_summary(runs: list[DatabaseRun]) -> bool:
    ok = True
    for run in runs:
        print(
            f"{run.dialect}: {run.tasks_succeeded} of {run.tasks_total} transfer tasks SUCCEEDED;"
            f" SIGTERM under load stopped serve in {run.serve_stop_seconds:.2f} s"
            f" (worker {run.worker_stop_seconds:.2f} s)"
        )
        if run.errors_logged:
            print(f"  serve logged {run.errors_logged} ERROR records (log: {run.log_copy}):")
            for line in run.first_errors:
                print(f"    {line}")
        missed = misses(run)
        for line in missed:
            print(f"  MISS {line}")
        if not missed:
            print("  PASS every aim")
        ok = ok and not missed
    return ok


def raise_open_files(clients: int) -> None:
    """Room for every client socket in wrk and in the server (children inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * clients + 1024
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each level")
    parser.add_argument("--clients", default="35,50,200,500", help="concurrent connections")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--drain-seconds", type=float, default=300.0, help="wait for tasks")
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL, help="server to use")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    raise_open_files(max(args.clients))
    print(
        f"globus-local load benchmark: {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.2f}, {args.seconds:g} s per level, wrk -t1 --timeout {WRK_TIMEOUT}",
        flush=True,
    )
    runs = [run_named(name, args) for name in args.databases.split(",")]
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print_table(runs)
    return 0 if print_summary(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
