"""Throughput of the Auth hot paths, each against a bare endpoint of the same app.

    .venv/bin/python benchmarks/auth.py [--seconds 5] [--threads 4] [--database-url URL]

The platform runs in a child process (``LocalServer``, SQLite in a temp dir unless
``--database-url``), so the load generator does not share its interpreter. The child mounts
two do-nothing routes on the same FastAPI app for the comparison: ``/bench/bare-async`` (the
framework's ceiling) and ``/bench/bare-sync`` (a plain ``def`` route, run in the thread pool
as the Auth routes are). Each case runs on ``--threads`` threads, each with its own
``requests.Session`` (keep-alive), for ``--seconds`` split into ``--rounds`` rounds that
alternate between the cases. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import typing as t
from dataclasses import dataclass

import requests

CC_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


# -- server side (child process) ------------------------------------------------------------
def serve(database_url: str | None) -> None:
    from fastapi.responses import JSONResponse

    from globus_local.testing import LocalServer

    server = LocalServer(database_url=database_url).start()

    async def bare_async() -> JSONResponse:
        return JSONResponse({})

    def bare_sync() -> JSONResponse:
        return JSONResponse({})

    server.app.add_api_route("/bench/bare-async", bare_async, methods=["GET"])
    server.app.add_api_route("/bench/bare-sync", bare_sync, methods=["GET"])

    server.create_user("bench@example.org", "bench-password")
    user_token = server.token("bench@example.org", ["openid", "profile", "email"])
    client = server.create_client("confidential", "bench resource server")
    print(
        json.dumps(
            {
                "url": server.url,
                "auth": server.service_url("auth"),
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "user_token": user_token["access_token"],
                "dialect": server.db.dialect,
            }
        ),
        flush=True,
    )
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


# -- load side --------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def load(
    name: str,
    call: t.Callable[[requests.Session], requests.Response],
    *,
    threads: int,
    seconds: float,
    max_requests: int = 200_000,
) -> Result:
    counts = [0] * threads
    errors = [0] * threads
    start_gate = threading.Barrier(threads + 1)
    deadline = [0.0]

    def run(n: int) -> None:
        with requests.Session() as http:
            call(http)  # open the keep-alive connection before timing
            start_gate.wait()
            while time.perf_counter() < deadline[0] and counts[n] < max_requests:
                resp = call(http)
                if resp.status_code == 200:
                    counts[n] += 1
                else:
                    errors[n] += 1
                    if errors[n] == 1:
                        print(f"  {name}: HTTP {resp.status_code}: {resp.text[:200]}", flush=True)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_gate.wait()
    for w in workers:
        w.join()
    return Result(name, sum(counts), sum(errors), time.perf_counter() - began)


def _median(runs: list[Result]) -> Result:
    ordered = sorted(runs, key=lambda r: r.rate)
    mid = ordered[len(ordered) // 2]
    return Result(mid.name, mid.requests, sum(r.errors for r in runs), mid.seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time spent on each case")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the time is split into")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--database-url", help="e.g. postgresql://postgres@127.0.0.1:5432/db")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.database_url)
        return 0

    child_args = [sys.executable, os.path.abspath(__file__), "--serve"]
    if args.database_url:
        child_args += ["--database-url", args.database_url]
    child = subprocess.Popen(child_args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        root, auth = info["url"], info["auth"]
        basic = (info["client_id"], info["client_secret"])
        cc = requests.post(
            auth + "v2/oauth2/token",
            data={"grant_type": "client_credentials", "scope": CC_SCOPE},
            auth=basic,
        )
        cc.raise_for_status()
        rs_token = cc.json()["access_token"]
        bearer = {"Authorization": f"Bearer {info['user_token']}"}

        cases: list[tuple[str, t.Callable[[requests.Session], requests.Response]]] = [
            ("bare GET (async route)", lambda h: h.get(root + "bench/bare-async")),
            ("bare GET (sync route)", lambda h: h.get(root + "bench/bare-sync")),
            (
                "client_credentials grant",
                lambda h: h.post(
                    auth + "v2/oauth2/token",
                    data={"grant_type": "client_credentials", "scope": CC_SCOPE},
                    auth=basic,
                ),
            ),
            (
                "token introspection",
                lambda h: h.post(
                    auth + "v2/oauth2/token/introspect", data={"token": rs_token}, auth=basic
                ),
            ),
            (
                "authenticated GET userinfo",
                lambda h: h.get(auth + "v2/oauth2/userinfo", headers=bearer),
            ),
        ]
        print(
            f"globus-local Auth benchmark: {info['dialect']}, {args.threads} client threads,"
            f" {args.seconds:g} s per case in {args.rounds} rounds (median shown),"
            f" {os.cpu_count()} CPUs",
            flush=True,
        )
        # Cases take turns in short rounds so a burst of other load on the machine hits
        # all of them alike; each case's figure is its median round.
        rounds: dict[str, list[Result]] = {name: [] for name, _ in cases}
        for _ in range(args.rounds):
            for name, call in cases:
                rounds[name].append(
                    load(name, call, threads=args.threads, seconds=args.seconds / args.rounds)
                )
        results = [_median(runs) for runs in rounds.values()]
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(60)

    bare_async, bare_sync = results[0].rate, results[1].rate
    print(f"{'case':<28} {'req/s':>8} {'vs async bare':>14} {'vs sync bare':>13} {'errors':>7}")
    for r in results:
        print(
            f"{r.name:<28} {r.rate:>8.0f} {r.rate / bare_async:>13.2f}x"
            f" {r.rate / bare_sync:>12.2f}x {r.errors:>7}"
        )
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
