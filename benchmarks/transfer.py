"""Transfer data mover against the usual local copy tools, side by side on the same data.

    .venv/bin/python benchmarks/transfer.py [--rounds 3] [--big-mib 1024] [--small-files 10000]
                                            [--database-url URL] [--workdir DIR]

Cases (each timed ``--rounds`` times, alternating tools; the median counts):

* one large file: the mover (no verification) vs ``cp``;
* the same with ``verify_checksum``: vs ``cp`` then ``md5sum`` of both files;
* many 4 KiB files: the mover (with ``preserve_timestamp``, as both tools keep mtimes) vs
  ``rsync -a`` and vs ``rclone copy``, every side into an empty destination;
* one small file: time from ``POST /transfer`` to seeing SUCCEEDED.

The mover's time is from just before ``POST /transfer`` to the moment the server recorded
the task SUCCEEDED (its ``completion_time``, to the microsecond, read from the database
this script shares with the server, which runs in a child process; same clock), so it
includes the API, the job queue, the database and the end of the task. ``GET /task`` is
polled only to learn that the task ended, every ``POLL_SECONDS`` (0.1 s: ten times as
often as the SDK's ``task_wait`` may poll at most, once a second). This script first
timed the moment a poll saw SUCCEEDED, polling every 2 ms at first and then every 2% of
the time elapsed: each poll cost the server 2.5-4.5 ms of CPU on these 2-core machines,
about 130 polls for a 0.5 s copy, so the measuring slowed what it measured (10,000 small
files: 8% slower than with gentler polling, side by side). Polling every 10% of the time
elapsed (10-100 ms) still cost the server 30 ms of CPU in a 0.25 s task, and the task
16% of its time (measured side by side). The time a poll saw SUCCEEDED is printed
too. A tool's time is from starting its process to its exit. A ratio above 1 means the
mover was faster (tool time / mover time).

Fairness between the sides, each learnt from a skewed run:

* The order of the sides turns round by one place each round, so none always goes first,
  and each side copies once, uncounted, before the rounds (the first copy after the data
  is written was 2-3x slower, whoever made it).
* Right before each copy its source is read through (``warm``): the machine may page out
  cold page cache in the background (DAMON reclaim on these VMs), and a side that found
  its source evicted would read the disk while the next one did not.
* Dirty data is flushed with ``sync`` before each copy, so no side pays for the write-back
  of the one before it.
* Each small-file copy goes into a new, empty folder, and nothing is deleted until the end:
  ext4 without a journal makes every file creation step over the inodes deleted in the
  last minutes (``recently_deleted``), which charged a deleted destination's cost to
  whichever side ran next (0.4 s to 6 s for the same 10,000 files).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_RS = "transfer.api.globus.org"
POLL_SECONDS = 0.1  # how often GET /task is polled to learn that a task ended


class Server:
    """``globus-local serve`` in a child process (so polling here never competes with the
    mover for one interpreter), sharing its database with this process for admin work."""

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        from globus_local.app import prepare_schema
        from globus_local.config import Settings
        from globus_local.db import Database

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.settings.database_url)
        prepare_schema(self.db)
        env = {
            **os.environ,
            "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
            "GLOBUS_LOCAL_DATABASE_URL": self.settings.database_url,
        }
        script = Path(sys.executable).with_name("globus-local")
        self.proc = subprocess.Popen(
            [str(script), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/"
        for _ in range(300):
            try:
                requests.get(self.url + "transfer/v0.10/submission_id", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.db.dispose()


class Mover:
    """A user with two endpoints on the benchmark server."""

    seen: list[float]  # when a poll saw each task ended (seconds after its submission)

    def __init__(self, server: Server, src: Path, dst: Path) -> None:
        self.db = server.db
        self.seen = []
        from globus_local.services.auth import admin
        from globus_local.services.transfer.admin import create_endpoint

        username = f"bench-{secrets.token_hex(4)}@example.org"
        admin.create_user(server.db, username, secrets.token_urlsafe(12))
        tokens = admin.issue_token(server.db, username, [TRANSFER_ALL])
        token = next(
            d["access_token"]
            for d in [tokens, *tokens.get("other_tokens", [])]
            if d.get("resource_server") == TRANSFER_RS
        )
        self.base = server.url + "transfer/v0.10/"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.src = create_endpoint(server.db, username, "bench-src", str(src))["id"]
        self.dst = create_endpoint(server.db, username, "bench-dst", str(dst))["id"]

    def transfer(self, source: str, destination: str, **options: t.Any) -> float:
        doc = {
            "DATA_TYPE": "transfer",
            "source_endpoint": self.src,
            "destination_endpoint": self.dst,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": source,
                    "destination_path": destination,
                    "recursive": options.pop("recursive", False),
                }
            ],
            **options,
        }
        # As the SDK does: a submission id first, so a POST that meets a keep-alive
        # connection the server just closed (idle for over 5 s) can safely be sent again.
        doc["submission_id"] = self.http.get(self.base + "submission_id", timeout=60).json()[
            "value"
        ]
        from globus_local.services.transfer.models_tasks import TransferTask

        began = time.time()
        start = time.perf_counter()
        try:
            response = self.http.post(self.base + "transfer", json=doc, timeout=60)
        except requests.ConnectionError:
            response = self.http.post(self.base + "transfer", json=doc, timeout=60)
        response.raise_for_status()
        task_id = response.json()["task_id"]
        while True:
            task = self.http.get(self.base + f"task/{task_id}", timeout=60).json()
            elapsed = time.perf_counter() - start
            if task["status"] != "ACTIVE":
                break
            time.sleep(POLL_SECONDS)
        if task["status"] != "SUCCEEDED":
            raise SystemExit(f"transfer failed: {task['fatal_error']}")
        self.seen.append(elapsed)
        with self.db.session() as session:
            ended = session.get(TransferTask, task_id)
            assert ended is not None and ended.completion_time is not None
            return ended.completion_time.timestamp() - began


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bare_loop(src: Path, dst: Path) -> float:
    """The mover's per-file system calls with nothing around them: no HTTP, no database, no
    threads, one process. Each file is opened relative to its folder's handle, copied with
    ``copy_file_range`` into an anonymous file (``O_TMPFILE``) in the destination folder,
    given its mtime and linked in at its name, as the mover does for a destination that
    was free. No
    single-process copier with the mover's guarantee (no half file under a final name) can
    do the same work faster."""
    start = time.perf_counter()
    tree = [
        (folder, os.path.join(dst, os.path.relpath(folder, src)), files)
        for folder, _, files in os.walk(src)
    ]
    for _, out, _ in tree:  # folders first, as the mover (and rsync's generator) make them
        os.makedirs(out, exist_ok=True)
    for folder, out, files in tree:
        fd_in_dir = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        fd_out_dir = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name in files:
                fd_in = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd_in_dir)
                fd_out = os.open(".", os.O_WRONLY | os.O_TMPFILE, 0o666, dir_fd=fd_out_dir)
                while os.copy_file_range(fd_in, fd_out, 1 << 26):
                    pass
                mtime = os.fstat(fd_in).st_mtime_ns
                os.utime(fd_out, ns=(mtime, mtime))
                os.link(f"/proc/self/fd/{fd_out}", name, dst_dir_fd=fd_out_dir)
                os.close(fd_out)
                os.close(fd_in)
        finally:
            os.close(fd_in_dir)
            os.close(fd_out_dir)
    return time.perf_counter() - start


def timed_all(commands: list[list[str]]) -> float:
    return sum(timed(c) for c in commands)


def warm(path: Path) -> None:
    """Read every byte under ``path`` so the copy that follows finds it in the page cache."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for name in files:
        with open(name, "rb", buffering=0) as f:
            while f.read(1 << 24):
                pass


Run = t.Callable[[str], float]  # runs one copy into the named destination, returns seconds


def compare(
    name: str,
    rounds: int,
    ours: Run,
    theirs: dict[str, Run],
    before: t.Callable[[], None],
    seen: list[float] | None = None,
) -> list[tuple[str, str, float, float, float]]:
    """Time every side ``rounds`` times into a new destination name each; ``before`` runs
    ahead of each copy (warming its source, flushing). The order turns each round."""
    sides: list[tuple[str, Run]] = [("mover", ours), *theirs.items()]
    samples: dict[str, list[float]] = {label: [] for label, _ in sides}
    for n, (label, fn) in enumerate(sides):  # one copy each first, not counted
        before()
        print(f"  {name} / {label}: warm-up {fn(f'w{n}'):.3f}", flush=True)
    for r in range(rounds):
        turn = r % len(sides)
        for n, (label, fn) in enumerate(sides[turn:] + sides[:turn]):
            before()
            samples[label].append(fn(f"r{r}-{n}"))
    for label, times in samples.items():
        print(f"  {name} / {label}: " + " ".join(f"{x:.3f}" for x in times), flush=True)
    if seen:
        print(f"  {name} / mover, seen by a poll: " + " ".join(f"{x:.3f}" for x in seen[-rounds:]))
    mine = statistics.median(samples["mover"])
    rows = []
    for label in theirs:
        other = statistics.median(samples[label])
        rows.append((name, label, mine, other, other / mine))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--small-files", type=int, default=10000)
    parser.add_argument("--latency-runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", help="where the data goes (default: a temp dir)")
    args = parser.parse_args()

    for tool in ("cp", "md5sum", "rsync", "rclone"):
        if shutil.which(tool) is None:
            print(f"missing {tool}: apt-get install -y rsync rclone", file=sys.stderr)
            return 1

    work = Path(tempfile.mkdtemp(prefix="transfer-bench-", dir=args.workdir))
    src, dst = work / "src", work / "dst"
    src.mkdir()
    dst.mkdir()
    try:
        print(f"writing {args.big_mib} MiB file and {args.small_files} small files in {work}")
        with open(src / "big.bin", "wb") as out:
            chunk = os.urandom(1024 * 1024)
            for _ in range(args.big_mib):
                out.write(chunk)
        (src / "small").mkdir()
        for n in range(args.small_files):
            folder = src / "small" / f"{n // 1000:02d}"
            folder.mkdir(exist_ok=True)
            (folder / f"{n:05d}.dat").write_bytes(os.urandom(4096))
        (src / "one.txt").write_bytes(b"one small file\n")
        os.sync()

        load_before = os.getloadavg()
        server = Server(work / "state", args.database_url)
        try:
            mover = Mover(server, src, dst)
            big = src / "big.bin"

            def big_before() -> None:
                for old in dst.glob("big-*"):
                    old.unlink()
                warm(big)
                os.sync()

            rows = compare(
                f"{args.big_mib} MiB file",
                args.rounds,
                lambda n: mover.transfer("/big.bin", f"/big-{n}.bin"),
                {"cp": lambda n: timed(["cp", str(big), str(dst / f"big-{n}.bin")])},
                big_before,
                mover.seen,
            )
            rows += compare(
                f"{args.big_mib} MiB file, verify_checksum",
                args.rounds,
                lambda n: mover.transfer("/big.bin", f"/big-{n}.bin", verify_checksum=True),
                {
                    "cp + md5sum both": lambda n: timed_all(
                        [
                            ["cp", str(big), str(dst / f"big-{n}.bin")],
                            ["md5sum", str(big)],
                            ["md5sum", str(dst / f"big-{n}.bin")],
                        ]
                    )
                },
                big_before,
                mover.seen,
            )
            big_before()
            small = src / "small"

            def small_before() -> None:
                warm(small)
                os.sync()

            def fresh(tag: str, n: str) -> str:
                return str(dst / f"small-{tag}-{n}") + "/"

            rows += compare(
                f"{args.small_files} x 4 KiB files",
                args.rounds,
                lambda n: mover.transfer(
                    "/small/", f"/small-mover-{n}/", recursive=True, preserve_timestamp=True
                ),
                {
                    "rsync -a": lambda n: timed(["rsync", "-a", f"{small}/", fresh("rsync", n)]),
                    "rclone copy": lambda n: timed(
                        ["rclone", "copy", "--config", "/dev/null", f"{small}/", fresh("rclone", n)]
                    ),
                    "bare loop (no HTTP, no database)": lambda n: bare_loop(
                        small, Path(fresh("bare", n))
                    ),
                },
                small_before,
                mover.seen,
            )
            latencies = []
            one = src / "one.txt"
            for n in range(args.latency_runs):
                warm(one)
                os.sync()
                latencies.append(mover.transfer("/one.txt", f"/one-{n}.txt"))
            seen = mover.seen[-len(latencies) :]
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load_after = os.getloadavg()
    print()
    print(
        f"{os.cpu_count()} CPUs; load average (1/5/15 min) before "
        + "/".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + "/".join(f"{x:.2f}" for x in load_after)
    )
    print("| case | compared with | mover (s) | tool (s) | ratio (tool/mover) |")
    print("|---|---|---:|---:|---:|")
    for name, label, mine, other, ratio in rows:
        print(f"| {name} | {label} | {mine:.3f} | {other:.3f} | {ratio:.2f}x |")
    print()
    print(
        f"one small file, submit -> SUCCEEDED: median {statistics.median(latencies):.3f} s, "
        f"min {min(latencies):.3f} s, max {max(latencies):.3f} s ({len(latencies)} runs); "
        f"seen by a poll: median {statistics.median(seen):.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
