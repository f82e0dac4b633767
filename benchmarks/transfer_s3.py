"""Transfer between a POSIX endpoint and an S3 endpoint against ``rclone copy`` to the same
S3 server, side by side in one run.

    .venv/bin/python benchmarks/transfer_s3.py [--rounds 3] [--small-files 200]
                                               [--small-kib 4] [--big-mib 128]
                                               [--only TEXT]

The S3 server is moto's (``python -m moto.server``, a child process); both sides talk to it
over HTTP with the same credentials. The platform is ``globus-local serve`` in a child
process with a POSIX endpoint on a temporary folder and an S3 endpoint on
``s3://bench/data``. rclone reaches the same bucket through a remote configured by
environment variables (``RCLONE_CONFIG_MOTO_*``), with its default parallelism (4
transfers), as the mover uses its default 4 threads.

Cases, each way (POSIX -> S3 and S3 -> POSIX): ``--small-files`` files of ``--small-kib``
KiB in one folder, and one file of ``--big-mib`` MiB. Every copy goes to a new, empty
destination prefix or folder. The mover's time is from just before ``POST /transfer`` to
the moment the task's long-poll (``GET /task/<id>/wait``) answers it ended, as a client
sees it; rclone's is from starting its process to its exit. The order of the two sides
turns round each round, one uncounted round warms both first, and the median of the
rounds counts. A ratio above 1 means the mover was faster (rclone time / mover time).

The S3 requests each side made in the last round are counted by method from moto's
request log and printed per file: where the time goes on an object store is mostly in
the number of requests.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_RS = "transfer.api.globus.org"
BUCKET = "bench"
PREFIX = "data"  # the S3 endpoint's root inside the bucket
KEY = SECRET = "testing"
REGION = "us-east-1"
DIR_MARKER = ".globus-local-keep"  # what keeps a folder made on an object store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_answering(url: str, what: str) -> None:
    for _ in range(600):
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")


class Moto:
    """moto's S3 server in a child process, with the benchmark's bucket."""

    def __init__(self, log: Path) -> None:
        import boto3

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        _wait_answering(self.url, "moto")
        self.client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )
        self.client.create_bucket(Bucket=BUCKET)

    def storage_options(self) -> dict[str, t.Any]:
        return {
            "key": KEY,
            "secret": SECRET,
            "client_kwargs": {"endpoint_url": self.url, "region_name": REGION},
        }

    def rclone_env(self) -> dict[str, str]:
        # A CA bundle for AWS is of no use over plain HTTP, and rclone refuses one there.
        env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
        return {
            **env,
            "RCLONE_CONFIG_MOTO_TYPE": "s3",
            "RCLONE_CONFIG_MOTO_PROVIDER": "Other",
            "RCLONE_CONFIG_MOTO_ACCESS_KEY_ID": KEY,
            "RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY": SECRET,
            "RCLONE_CONFIG_MOTO_ENDPOINT": self.url,
            "RCLONE_CONFIG_MOTO_REGION": REGION,
        }

    def requests_since(self, offset: int) -> tuple[Counter[str], int]:
        """S3 requests by method logged since ``offset``, and the log's new end."""
        with self.log.open("rb") as log:
            log.seek(offset)
            text = log.read()
        methods: Counter[str] = Counter()
        plain = re.sub(r"\x1b\[[0-9;]*m", "", text.decode(errors="replace"))  # its colours
        for line in plain.splitlines():
            if '] "' in line:
                method = line.split('] "', 1)[1].split(" ", 1)[0]
                if "/moto-api" not in line:
                    methods[method] += 1
        return methods, offset + len(text)

    def keys(self, prefix: str) -> dict[str, int]:
        """Every object under ``prefix`` (relative to the endpoint root), with its size."""
        found: dict[str, int] = {}
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=BUCKET, Prefix=f"{PREFIX}/{prefix}/"):
            for obj in page.get("Contents", []):
                found[obj["Key"].split(f"{PREFIX}/{prefix}/", 1)[1]] = obj["Size"]
        return found

    def drop(self, prefix: str) -> None:
        for key in self.keys(prefix):
            self.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{prefix}/{key}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Platform:
    """``globus-local serve`` in a child process, a user, and the two endpoints."""

    def __init__(self, data_dir: Path, posix_root: Path, moto: Moto) -> None:
        from globus_local.app import prepare_schema
        from globus_local.config import Settings
        from globus_local.db import Database
        from globus_local.services.auth import admin
        from globus_local.services.transfer.admin import create_endpoint

        self.port = _free_port()
        settings = Settings.from_env(data_dir=data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.database_url)
        prepare_schema(self.db)
        env = {
            **os.environ,
            "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
            "GLOBUS_LOCAL_DATABASE_URL": settings.database_url,
        }
        command = [sys.executable, "-m", "globus_local.cli", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=(data_dir / "serve.log").open("wb")
        )
        self.url = f"http://127.0.0.1:{self.port}/"
        _wait_answering(self.url + "transfer/v0.10/submission_id", "globus-local")

        username = f"bench-{secrets.token_hex(4)}@example.org"
        admin.create_user(self.db, username, secrets.token_urlsafe(12))
        tokens = admin.issue_token(self.db, username, [TRANSFER_ALL])
        token = next(
            d["access_token"]
            for d in [tokens, *tokens.get("other_tokens", [])]
            if d.get("resource_server") == TRANSFER_RS
        )
        self.base = self.url + "transfer/v0.10/"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.posix = create_endpoint(self.db, username, "bench-posix", str(posix_root))["id"]
        s3_url = f"s3://{BUCKET}/{PREFIX}"
        self.s3 = create_endpoint(
            self.db, username, "bench-s3", s3_url, storage_options=moto.storage_options()
        )["id"]

    def transfer(self, src: str, source: str, dst: str, destination: str) -> float:
        """Seconds from submitting a recursive transfer to learning it SUCCEEDED."""
        doc = {
            "DATA_TYPE": "transfer",
            "source_endpoint": src,
            "destination_endpoint": dst,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": source,
                    "destination_path": destination,
                    "recursive": True,
                }
            ],
        }
        started = time.perf_counter()
        response = self.http.post(self.base + "transfer", json=doc, timeout=60)
        response.raise_for_status()
        task_id = response.json()["task_id"]
        while True:
            waited = self.http.get(
                self.base + f"task/{task_id}/wait", params={"timeout": "20"}, timeout=60
            )
            waited.raise_for_status()
            task = waited.json()
            if task["status"] != "ACTIVE":
                break
        elapsed = time.perf_counter() - started
        if task["status"] != "SUCCEEDED":
            raise SystemExit(f"task {task_id} ended {task['status']}: {task}")
        return elapsed

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.db.dispose()


Side = t.Callable[[], float]


class Bench:
    """The four cases; each round runs both sides of one, in turn, into new destinations."""

    def __init__(self, platform: Platform, moto: Moto, posix: Path) -> None:
        self.platform, self.moto, self.posix = platform, moto, posix
        self.env = moto.rclone_env()
        self.remote = f"moto:{BUCKET}/{PREFIX}"
        self.log_end = 0
        # S3 requests of each side in its latest run: {(case, side): Counter(method)}
        self.requests: dict[tuple[str, str], Counter[str]] = {}

    def seed(self) -> None:
        """The S3 -> POSIX cases' source, put there by rclone once."""
        for what in ("small", "big"):
            _rclone(self.env, str(self.posix / what), f"{self.remote}/seed/{what}")
        _, self.log_end = self.moto.requests_since(self.log_end)

    def cases(self) -> dict[str, t.Callable[[int, bool], tuple[float, float]]]:
        return {
            "small files, POSIX -> S3": lambda n, first: self.upload("small", n, first),
            "small files, S3 -> POSIX": lambda n, first: self.download("small", n, first),
            "one large file, POSIX -> S3": lambda n, first: self.upload("big", n, first),
            "one large file, S3 -> POSIX": lambda n, first: self.download("big", n, first),
        }

    def upload(self, what: str, n: int, mover_first: bool) -> tuple[float, float]:
        p = self.platform
        mover_to, rclone_to = f"up-mover-{n}/{what}", f"up-rclone-{n}/{what}"
        mover, rclone = self._both(
            f"{what} up",
            lambda: p.transfer(p.posix, f"/{what}/", p.s3, f"/{mover_to}/"),
            lambda: _rclone(self.env, str(self.posix / what), f"{self.remote}/{rclone_to}"),
            mover_first,
        )
        _check_same(self.moto.keys(mover_to), self.moto.keys(rclone_to))
        for prefix in (mover_to, rclone_to):
            self.moto.drop(prefix)
        _, self.log_end = self.moto.requests_since(self.log_end)
        return mover, rclone

    def download(self, what: str, n: int, mover_first: bool) -> tuple[float, float]:
        p = self.platform
        mover_to, rclone_to = f"down-mover-{n}/{what}", f"down-rclone-{n}/{what}"
        mover, rclone = self._both(
            f"{what} down",
            lambda: p.transfer(p.s3, f"/seed/{what}/", p.posix, f"/{mover_to}/"),
            lambda: _rclone(self.env, f"{self.remote}/seed/{what}", str(self.posix / rclone_to)),
            mover_first,
        )
        _check_same(_sizes(self.posix / mover_to), _sizes(self.posix / rclone_to))
        return mover, rclone

    def _both(self, case: str, mover: Side, rclone: Side, mover_first: bool) -> tuple[float, float]:
        sides = {"mover": mover, "rclone": rclone}
        times: dict[str, float] = {}
        for name in ("mover", "rclone") if mover_first else ("rclone", "mover"):
            subprocess.run(["sync"], check=True)
            times[name] = sides[name]()
            self.requests[(case, name)], self.log_end = self.moto.requests_since(self.log_end)
        return times["mover"], times["rclone"]


def _rclone(env: dict[str, str], source: str, destination: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["rclone", "copy", "-q", source, destination],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def _write_data(root: Path, files: int, kib: int, big_mib: int) -> None:
    (root / "small").mkdir(parents=True)
    for n in range(files):
        (root / "small" / f"f{n:05d}.dat").write_bytes(os.urandom(kib * 1024))
    (root / "big").mkdir()
    with open(root / "big" / "big.bin", "wb") as out:
        for _ in range(big_mib):
            out.write(os.urandom(1024 * 1024))


def _sizes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def _check_same(ours: dict[str, int], theirs: dict[str, int]) -> None:
    """The same files (the mover's folder marker objects aside)."""
    ours = {k: v for k, v in ours.items() if not k.endswith(DIR_MARKER)}
    if ours != theirs or not ours:
        raise SystemExit(f"the two copies differ: {len(ours)} vs {len(theirs)} files")


def _per_file(methods: Counter[str], files: int) -> str:
    return ", ".join(f"{m} {c / files:.1f}" for m, c in sorted(methods.items())) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small-files", type=int, default=200)
    parser.add_argument("--small-kib", type=int, default=4)
    parser.add_argument("--big-mib", type=int, default=128)
    parser.add_argument("--only", help="run only the cases whose name contains this")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()

    if shutil.which("rclone") is None:
        raise SystemExit("rclone is not installed")
    work = Path(tempfile.mkdtemp(prefix="bench-s3-", dir=args.workdir))
    posix = work / "posix"
    _write_data(posix, args.small_files, args.small_kib, args.big_mib)
    moto = Moto(work / "moto.log")
    platform = Platform(work / "state", posix, moto)
    bench = Bench(platform, moto, posix)
    try:
        bench.seed()
        print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
        rows = []
        for name, case in bench.cases().items():
            if args.only and args.only not in name:
                continue
            case(0, True)  # warm both sides, uncounted
            movers, rclones = [], []
            for n in range(1, args.rounds + 1):
                mover, rclone = case(n, n % 2 == 0)
                movers.append(mover)
                rclones.append(rclone)
            mover_s, rclone_s = statistics.median(movers), statistics.median(rclones)
            rows.append((name, mover_s, rclone_s))
            print(f"{name}: mover {mover_s:.3f} s, rclone {rclone_s:.3f} s", flush=True)
        print(f"load average at end: {os.getloadavg()[0]:.2f}\n")
        print(
            f"{args.small_files} files of {args.small_kib} KiB; one file of {args.big_mib} MiB; "
            f"median of {args.rounds} rounds\n"
        )
        print("| case | mover s | rclone copy s | ratio (rclone / mover) |")
        print("|---|---:|---:|---:|")
        for name, mover_s, rclone_s in rows:
            print(f"| {name} | {mover_s:.3f} | {rclone_s:.3f} | {rclone_s / mover_s:.2f} |")
        print("\nS3 requests per file in the last round (method count / files):\n")
        print("| case | mover | rclone copy |")
        print("|---|---|---|")
        for case_name, files in (
            ("small up", args.small_files),
            ("small down", args.small_files),
            ("big up", 1),
            ("big down", 1),
        ):
            if (case_name, "mover") in bench.requests:
                mover_req = _per_file(bench.requests[(case_name, "mover")], files)
                rclone_req = _per_file(bench.requests[(case_name, "rclone")], files)
                print(f"| {case_name} | {mover_req} | {rclone_req} |")
    finally:
        platform.stop()
        moto.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
