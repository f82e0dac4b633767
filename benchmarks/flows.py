"""Flows benchmark: what the durable engine costs, side by side in one run.

* **Pass chain**: a flow of ``--states`` Pass states run through the engine (a real run
  started over HTTP, worked by the platform's job worker), against a bare loop making the
  same database writes with SQLAlchemy Core: per state one transaction that pushes the
  job's lease, updates the run row (state, document, details, log count) and inserts the
  same log rows. The engine's figure is the time its transitions took, from the times of
  the log entries they wrote (the job's pick-up is shown apart); the bare loop's is its
  wall time.
* **hello_world**: start -> SUCCEEDED of a one-state flow calling the platform's Hello
  World provider, as a user sees it: ``POST /flows/<id>/run`` until ``GET /runs/<id>``
  says SUCCEEDED (polled every 5 ms), over HTTP.

Usage:  .venv/bin/python benchmarks/flows.py [--states 100] [--rounds 5] [--runs 30]
        [--database-url postgresql://...]
Not part of ``make test``. Exit status 1 when an aim is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
import typing as t
import uuid

import requests
from sqlalchemy import Engine, insert, select, update

from globus_local.db import utcnow
from globus_local.jobs.models import Job
from globus_local.services.auth.scopes import FLOWS_ALL, FLOWS_RS
from globus_local.services.flows.models import Run, RunLogEntry
from globus_local.testing import LocalServer

CHAIN_AIM = 2.0  # engine / bare loop, at most
HELLO_AIM = 0.25  # seconds from start to SUCCEEDED, at most (median)
FINAL = ("SUCCEEDED", "FAILED", "ENDED")


def pass_chain(n: int) -> dict[str, t.Any]:
    """``n`` Pass states; each puts its number and the last one's at ``$.last``, so the
    document keeps one size."""
    states: dict[str, t.Any] = {}
    for i in range(n):
        states[f"P{i}"] = {
            "Type": "Pass",
            "Parameters": {"step": i, "from.$": "$.last.step"},
            "ResultPath": "$.last",
            **({"Next": f"P{i + 1}"} if i + 1 < n else {"End": True}),
        }
    return {"StartAt": "P0", "States": states}


HELLO = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string": "bench"},
            "ResultPath": "$.hello",
            "End": True,
        }
    },
}


class Caller:
    """One user calling Flows over HTTP, with a Flows token and each flow's own token."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.username = f"bench-{uuid.uuid4().hex[:8]}@example.org"
        server.create_user(self.username)
        self.base = server.service_url("flows")
        self.http = requests.Session()
        self.token = self._token([FLOWS_ALL], FLOWS_RS)
        self.flow_tokens: dict[str, str] = {}
        self.definitions: dict[str, dict[str, t.Any]] = {}

    def _token(self, scopes: list[str], resource_server: str) -> str:
        minted = self.server.token(self.username, scopes)
        for doc in [minted, *minted.get("other_tokens", [])]:
            if doc["resource_server"] == resource_server:
                return str(doc["access_token"])
        raise KeyError(resource_server)

    def call(self, method: str, path: str, token: str | None = None, **kw: t.Any) -> t.Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        resp = self.http.request(method, self.base + path, headers=headers, timeout=60, **kw)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text}")
        return resp.json()

    def create_flow(self, definition: dict[str, t.Any]) -> str:
        flow = self.call(
            "POST", "flows", json={"title": "bench", "definition": definition, "input_schema": {}}
        )
        self.flow_tokens[flow["id"]] = self._token([flow["globus_auth_scope"]], flow["id"])
        self.definitions[flow["id"]] = definition
        return str(flow["id"])

    def start(self, flow_id: str, body: dict[str, t.Any]) -> str:
        run = self.call(
            "POST", f"flows/{flow_id}/run", self.flow_tokens[flow_id], json={"body": body}
        )
        return str(run["run_id"])

    def wait(self, run_id: str, every: float) -> dict[str, t.Any]:
        while True:
            run = self.call("GET", f"runs/{run_id}")
            if run["status"] in FINAL:
                return t.cast(dict[str, t.Any], run)
            time.sleep(every)


# -- the Pass chain ------------------------------------------------------------------------
def engine_round(caller: Caller, flow_id: str) -> tuple[float, float, str]:
    """(seconds for the run's transitions, seconds from the request to the first entry the
    job wrote, run id). The first and last entries' times span all transitions but the
    first, so that span is scaled by states / (states - 1)."""
    sent = utcnow()
    run_id = caller.start(flow_id, {"last": {"step": -1}})
    run = caller.wait(run_id, every=0.01)
    assert run["status"] == "SUCCEEDED", run
    with caller.server.db.session() as session:
        times = session.scalars(
            select(RunLogEntry.time).where(RunLogEntry.run_id == run_id).order_by(RunLogEntry.seq)
        ).all()
    # entry 0 is FlowStarted, written by the request; entry 1 is the job's first
    states = len(caller.definitions[flow_id]["States"])
    span = (times[-1] - times[1]).total_seconds() * states / (states - 1)
    return span, (times[1] - sent).total_seconds(), run_id


def transitions_of(engine: Engine, run_id: str) -> list[list[dict[str, t.Any]]]:
    """The engine's log rows of ``run_id`` after FlowStarted, one list per state (the
    last state's with FlowSucceeded)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(RunLogEntry.code, RunLogEntry.description, RunLogEntry.details)
            .where(RunLogEntry.run_id == run_id, RunLogEntry.seq > 0)
            .order_by(RunLogEntry.seq)
        ).all()
    groups: list[list[dict[str, t.Any]]] = []
    for code, description, details in rows:
        entry = {"code": code, "description": description, "details": details}
        if code.endswith("Started") or not groups:
            groups.append([])
        groups[-1].append(entry)
    return groups


def bare_round(engine: Engine, template_run: str, steps: list[list[dict[str, t.Any]]]) -> float:
    """The same writes as the engine's transitions, with no interpreter, ORM or queue:
    seconds for all of them. Writes to a copy of the engine's run row and a job row."""
    run_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
    runs, jobs, log = Run.__table__, Job.__table__, RunLogEntry.__table__
    with engine.begin() as conn:
        row = dict(conn.execute(select(runs).where(runs.c.id == template_run)).mappings().one())
        conn.execute(
            insert(runs).values({**row, "id": run_id, "status": "ACTIVE", "job_id": job_id})
        )
        job = dict(conn.execute(select(jobs).limit(1)).mappings().one())
        conn.execute(insert(jobs).values({**job, "id": job_id}))
    document: dict[str, t.Any] = {"last": {"step": -1}}
    state_entries: dict[str, int] = {"P0": 1}
    seq = 1
    started = time.perf_counter()
    for i, entries in enumerate(steps):
        document = {**document, "last": {"step": i, "from": document["last"]["step"]}}
        state_entries = {**state_entries, f"P{i + 1}": 1}
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(lease_expires_at=now + dt.timedelta(seconds=60))
            )
            conn.execute(
                insert(log),
                [
                    {"run_id": run_id, "seq": seq + k, "time": now, **entry}
                    for k, entry in enumerate(entries)
                ],
            )
            seq += len(entries)
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    state_name=f"P{i + 1}",
                    document=document,
                    state_entries=state_entries,
                    details=entries[-1],
                    log_count=seq,
                )
            )
    return time.perf_counter() - started


# -- hello_world -----------------------------------------------------------------------------
def hello_round(caller: Caller, flow_id: str) -> float:
    started = time.perf_counter()
    run_id = caller.start(flow_id, {})
    run = caller.wait(run_id, every=0.005)
    elapsed = time.perf_counter() - started
    assert run["status"] == "SUCCEEDED", run
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--states", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="Pass-chain rounds (each side)")
    parser.add_argument("--runs", type=int, default=30, help="hello_world runs")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with LocalServer(database_url=args.database_url) as server:
        print(f"database: {server.db.dialect}")
        caller = Caller(server)
        chain = caller.create_flow(pass_chain(args.states))
        hello = caller.create_flow(HELLO)
        engine_round(caller, chain)  # warm both paths once
        hello_round(caller, hello)

        engine_times, pickups, bare_times = [], [], []
        for _ in range(args.rounds):  # alternate, so drift on the machine hits both
            took, pickup, run_id = engine_round(caller, chain)
            engine_times.append(took)
            pickups.append(pickup)
            steps = transitions_of(server.db.engine, run_id)
            assert len(steps) == args.states, (len(steps), args.states)
            bare_times.append(bare_round(server.db.engine, run_id, steps))
        hellos = sorted(hello_round(caller, hello) for _ in range(args.runs))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    engine_med, bare_med = statistics.median(engine_times), statistics.median(bare_times)
    ratio = engine_med / bare_med
    hello_med = statistics.median(hellos)
    hello_p90 = hellos[min(len(hellos) - 1, int(0.9 * len(hellos)))]
    chain_ok, hello_ok = ratio <= CHAIN_AIM, hello_med <= HELLO_AIM
    n = args.states
    print()
    print("| case | median s | per state ms | vs bare | aim | result |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| bare loop, {n} transactions of the same writes | {bare_med:.3f} | "
          f"{1000 * bare_med / n:.2f} | 1.00x | - | - |")  # fmt: skip
    print(f"| engine, {n}-state Pass chain (its transitions) | {engine_med:.3f} | "
          f"{1000 * engine_med / n:.2f} | {ratio:.2f}x | <= {CHAIN_AIM:.1f}x | "
          f"{'PASS' if chain_ok else 'MISS'} |")  # fmt: skip
    print(f"| engine, the job's pick-up (request to first entry) | "
          f"{statistics.median(pickups):.3f} | - | - | - | - |")  # fmt: skip
    print(f"| hello_world, start -> SUCCEEDED over HTTP (p90 {hello_p90:.3f}) | "
          f"{hello_med:.3f} | - | - | <= {HELLO_AIM:.2f} s | "
          f"{'PASS' if hello_ok else 'MISS'} |")  # fmt: skip
    print(f"\n{args.rounds} rounds each side for the chain, {args.runs} hello_world runs")
    return 0 if chain_ok and hello_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
