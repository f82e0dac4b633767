"""Transfer data mover against the usual local copy tools, side by side on the same data.

    .venv/bin/python benchmarks/transfer.py [--rounds 3] [--big-mib 64,1024]
        [--small-files 10000 100000 1000000] [--verify-mib 1024] [--latency-runs 20]
        [--cases big,verify,small,latency] [--database-url URL] [--workdir DIR]

Cases (each timed ``--rounds`` times, alternating tools; the median counts):

* one large file of each ``--big-mib`` size: the mover (no verification) vs ``cp``, also
  as a user polling every ``POLL_SECONDS`` sees it;
* a ``--verify-mib`` file with ``verify_checksum``: vs ``cp`` then ``md5sum`` of both files;
* many 4 KiB files, for each ``--small-files`` count, in folders of 1,000: the mover (with
  ``preserve_timestamp``, as the tools keep mtimes) vs ``rsync -a``, ``rclone copy`` and
  the bare loop, every side into an empty destination. Time per file and peak resident
  memory per side: the server's with its copy processes (their peak is reset before each
  copy), a tool's process tree's. Counts over ``BIG_COUNT`` take one round each, and
  their warm-up is one uncounted bare loop; their copies are removed before the next count;
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
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_RS = "transfer.api.globus.org"
POLL_SECONDS = 0.1  # how often GET /task is polled to learn that a task ended
PROGRESS_SECONDS = 10.0  # a long copy prints its progress this often
PEAK_SECONDS = 0.05  # how often a tool's memory is sampled
BIG_COUNT = 100_000  # a small-file count above this takes one round and a light warm-up
FOLDER_FILES = 1000  # small files per source folder
MIB = 1024 * 1024

# The peak resident memory (MiB) and the CPU seconds of the copy that ran last, set by
# each side's run: CPU time tells the sides apart even on a machine others keep busy.
_last_peak: list[float | None] = [None]
_last_cpu: list[float] = [0.0]


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

    def tree(self) -> list[int]:
        """The server's process and its descendants (the copy processes, their fork server)."""
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    pass
        return found

    def reset_peak(self) -> None:
        """Start every process of the server's tree's peak resident memory again from now
        (``clear_refs`` 5 resets ``VmHWM``)."""
        for pid in self.tree():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass

    def peak_mib(self) -> float:
        """The sum of each process's peak resident memory since :meth:`reset_peak`."""
        total = 0
        for pid in self.tree():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        return total / 1024

    def cpu_seconds(self) -> float:
        """User and system CPU time of the server's tree so far (its own processes')."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.tree():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.db.dispose()


class Mover:
    """A user with two endpoints on the benchmark server."""

    seen: list[float]  # when a poll saw each task ended (seconds after its submission)

    def __init__(self, server: Server, src: Path, dst: Path, wait: str = "poll") -> None:
        self.server = server
        self.wait = wait
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
        from globus_sdk import AccessTokenAuthorizer, TransferClient

        self.sdk = TransferClient(base_url=self.base, authorizer=AccessTokenAuthorizer(token))
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

        self.server.reset_peak()
        cpu = self.server.cpu_seconds()
        began = time.time()
        start = time.perf_counter()
        try:
            response = self.http.post(self.base + "transfer", json=doc, timeout=60)
        except requests.ConnectionError:
            response = self.http.post(self.base + "transfer", json=doc, timeout=60)
        response.raise_for_status()
        task_id = response.json()["task_id"]
        told = start
        while self.wait == "task_wait":  # as the SDK's user waits: a long-poll where offered
            if self.sdk.task_wait(task_id, timeout=3600, polling_interval=1):
                elapsed = time.perf_counter() - start
                task = self.http.get(self.base + f"task/{task_id}", timeout=60).json()
                break
        while self.wait != "task_wait":
            task = self.http.get(self.base + f"task/{task_id}", timeout=60).json()
            elapsed = time.perf_counter() - start
            if task["status"] != "ACTIVE":
                break
            if elapsed - (told - start) >= PROGRESS_SECONDS:
                told = time.perf_counter()
                print(
                    f"    ... {elapsed:.0f} s: {task['files_transferred']} of "
                    f"{task['files']} files, {task['subtasks_pending']} subtasks pending",
                    flush=True,
                )
            time.sleep(POLL_SECONDS)
        if task["status"] != "SUCCEEDED":
            raise SystemExit(f"transfer failed: {task['fatal_error']}")
        _last_peak[0] = self.server.peak_mib()
        _last_cpu[0] = self.server.cpu_seconds() - cpu
        self.seen.append(elapsed)
        with self.db.session() as session:
            ended = session.get(TransferTask, task_id)
            assert ended is not None and ended.completion_time is not None
            return ended.completion_time.timestamp() - began


def tree_peak_kib(root: int) -> int:
    """The sum of the peak resident memory (``VmHWM``, KiB) of ``root`` and its descendants."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def timed(command: list[str]) -> float:
    """Run ``command``: its lifetime in seconds (its tree's peak memory in ``_last_peak``,
    sampled every ``PEAK_SECONDS`` from ``/proc``: ``wait4``'s maximum would count the
    image this process forked before the command replaced it)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    ended = threading.Event()

    def sample() -> None:  # on a thread, so the wait below sees the exit at once
        while not ended.wait(PEAK_SECONDS):
            peak[0] = max(peak[0], tree_peak_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    ended.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command)
    _last_peak[0] = peak[0] / 1024
    _last_cpu[0] = usage.ru_utime + usage.ru_stime
    return elapsed


def bare_loop(src: Path, dst: Path) -> float:
    """The mover's per-file system calls with nothing around them: no HTTP, no database, no
    threads, one process. Each file is opened relative to its folder's handle, copied with
    ``copy_file_range`` into an anonymous file (``O_TMPFILE``) in the destination folder,
    given its mtime and linked in at its name, as the mover does for a destination that
    was free. No
    single-process copier with the mover's guarantee (no half file under a final name) can
    do the same work faster."""
    _last_peak[0] = None  # in this process: not its own
    cpu = time.process_time()
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
    elapsed = time.perf_counter() - start
    _last_cpu[0] = time.process_time() - cpu
    return elapsed


def timed_all(commands: list[list[str]]) -> float:
    total, peak, cpu = 0.0, 0.0, 0.0
    for command in commands:
        total += timed(command)
        peak = max(peak, _last_peak[0] or 0.0)
        cpu += _last_cpu[0]
    _last_peak[0], _last_cpu[0] = peak, cpu
    return total


def warm(path: Path) -> None:
    """Read every byte under ``path`` so the copy that follows finds it in the page cache."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for name in files:
        with open(name, "rb", buffering=0) as f:
            while f.read(1 << 24):
                pass


Run = t.Callable[[str], float]  # runs one copy into the named destination, returns seconds


Row = tuple[str, str, float, float, float]  # case, compared with, mover s, tool s, ratio
Side = tuple[str, float, float | None, float]  # label, median s, median peak MiB, CPU s


def compare(
    name: str,
    rounds: int,
    ours: Run,
    theirs: dict[str, Run],
    before: t.Callable[[], None],
    seen: list[float] | None = None,
    warm_ups: list[tuple[str, Run]] | None = None,
) -> tuple[list[Row], list[Side]]:
    """Time every side ``rounds`` times into a new destination name each; ``before`` runs
    ahead of each copy (warming its source, flushing). The order turns each round. Each
    side first copies once, uncounted (or ``warm_ups`` do)."""
    sides: list[tuple[str, Run]] = [("mover", ours), *theirs.items()]
    samples: dict[str, list[float]] = {label: [] for label, _ in sides}
    peaks: dict[str, list[float]] = {label: [] for label, _ in sides}
    cpus: dict[str, list[float]] = {label: [] for label, _ in sides}
    for n, (label, fn) in enumerate(sides if warm_ups is None else warm_ups):
        before()
        print(f"  {name} / {label}: warm-up {fn(f'w{n}'):.3f}", flush=True)
    for r in range(rounds):
        turn = r % len(sides)
        for n, (label, fn) in enumerate(sides[turn:] + sides[:turn]):
            before()
            samples[label].append(fn(f"r{r}-{n}"))
            if _last_peak[0] is not None:
                peaks[label].append(_last_peak[0])
            cpus[label].append(_last_cpu[0])
            if rounds == 1:
                peak = "-" if _last_peak[0] is None else f"{_last_peak[0]:.0f} MiB"
                print(
                    f"  {name} / {label}: {samples[label][-1]:.3f} s, "
                    f"CPU {_last_cpu[0]:.3f} s, peak {peak}, "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for label, times in samples.items():
        print(f"  {name} / {label}: " + " ".join(f"{x:.3f}" for x in times), flush=True)
    if seen:
        print(
            f"  {name} / mover, seen by its waiter: " + " ".join(f"{x:.3f}" for x in seen[-rounds:])
        )
    mine = statistics.median(samples["mover"])
    rows = []
    for label in theirs:
        other = statistics.median(samples[label])
        rows.append((name, label, mine, other, other / mine))
    medians = [
        (
            label,
            statistics.median(times),
            statistics.median(peaks[label]) if peaks[label] else None,
            statistics.median(cpus[label]),
        )
        for label, times in samples.items()
    ]
    return rows, medians


def write_small(folder: Path, count: int) -> None:
    """``count`` files of 4 KiB of random data, in folders of ``FOLDER_FILES``."""
    folder.mkdir()
    data = os.urandom(4096 * 64)
    width = max(5, len(str(count - 1)))
    for n in range(count):
        sub = folder / f"{n // FOLDER_FILES:04d}"
        if n % FOLDER_FILES == 0:
            sub.mkdir()
        if n and n % 100_000 == 0:
            print(f"    ... {n} files written", flush=True)
        offset = (n % 63) * 4096 + (n // 63) % 4096  # distinct contents, cheaply
        (sub / f"{n:0{width}d}.dat").write_bytes(data[offset : offset + 4096])


def counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big-mib", type=counts, default=[64, 1024])
    parser.add_argument("--verify-mib", type=int, default=1024)
    parser.add_argument(
        "--small-files",
        type=counts,
        nargs="+",
        default=[[10000]],
        help="file counts, by commas or spaces: --small-files 10000 100000 1000000",
    )
    parser.add_argument("--latency-runs", type=int, default=20)
    parser.add_argument("--cases", type=lambda x: set(x.split(",")), default=set(CASES))
    parser.add_argument(
        "--wait",
        choices=("poll", "task_wait"),
        default="poll",
        help="how the end of a task is seen: GET /task every POLL_SECONDS, or the SDK's "
        "task_wait (its long-poll where the server offers one)",
    )
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", help="where the data goes (default: a temp dir)")
    args = parser.parse_args()
    args.small_files = [count for group in args.small_files for count in group]
    # Stopped from outside, the server and the data still go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    for tool in ("cp", "md5sum", "rsync", "rclone"):
        if shutil.which(tool) is None:
            print(f"missing {tool}: apt-get install -y rsync rclone", file=sys.stderr)
            return 1

    work = Path(tempfile.mkdtemp(prefix="transfer-bench-", dir=args.workdir))
    src, dst = work / "src", work / "dst"
    src.mkdir()
    dst.mkdir()
    rows: list[Row] = []
    small_sides: list[tuple[int, list[Side]]] = []
    latencies: list[float] = []
    seen: list[float] = []
    try:
        (src / "one.txt").write_bytes(b"one small file\n")
        os.sync()
        load_before = os.getloadavg()
        server = Server(work / "state", args.database_url)
        try:
            mover = Mover(server, src, dst, args.wait)

            def big_case(mib: int, verify: bool) -> list[Row]:
                big = src / f"big-{mib}.bin"
                if not big.exists():
                    print(f"writing a {mib} MiB file", flush=True)
                    with open(big, "wb") as out:
                        chunk = os.urandom(MIB)
                        for _ in range(mib):
                            out.write(chunk)
                    os.sync()

                def before() -> None:
                    for old in dst.glob("big-*"):
                        old.unlink()
                    warm(big)
                    os.sync()

                def copy(n: str) -> list[str]:
                    return ["cp", str(big), str(dst / f"big-{n}.bin")]

                if not verify:
                    found, _ = compare(
                        f"{mib} MiB file",
                        args.rounds,
                        lambda n: mover.transfer(f"/{big.name}", f"/big-{n}.bin"),
                        {"cp": lambda n: timed(copy(n))},
                        before,
                        mover.seen,
                    )
                    mine = statistics.median(mover.seen[-args.rounds :])
                    other = found[0][3]
                    seen_by = "task_wait" if args.wait == "task_wait" else "a poll"
                    found.append(
                        (f"{mib} MiB file, seen by {seen_by}", "cp", mine, other, other / mine)
                    )
                    return found
                found, _ = compare(
                    f"{mib} MiB file, verify_checksum",
                    args.rounds,
                    lambda n: mover.transfer(f"/{big.name}", f"/big-{n}.bin", verify_checksum=True),
                    {
                        "cp + md5sum both": lambda n: timed_all(
                            [copy(n), ["md5sum", str(big)], ["md5sum", str(dst / f"big-{n}.bin")]]
                        )
                    },
                    before,
                    mover.seen,
                )
                return found

            if "big" in args.cases:
                for mib in args.big_mib:
                    rows += big_case(mib, verify=False)
            if "verify" in args.cases:
                rows += big_case(args.verify_mib, verify=True)
            for old in list(dst.glob("big-*")) + list(src.glob("big-*")):
                old.unlink()

            for count in args.small_files if "small" in args.cases else []:
                small = src / f"small-{count}"
                print(f"writing {count} files of 4 KiB in {small}", flush=True)
                write_small(small, count)
                os.sync()

                def small_before(small: Path = small) -> None:
                    warm(small)
                    os.sync()

                def fresh(tag: str, n: str, count: int = count) -> str:
                    return str(dst / f"small-{count}-{tag}-{n}") + "/"

                sides: dict[str, Run] = {
                    "rsync -a": lambda n, small=small: timed(
                        ["rsync", "-a", f"{small}/", fresh("rsync", n)]
                    ),
                    "rclone copy": lambda n, small=small: timed(
                        ["rclone", "copy", "--config", "/dev/null", f"{small}/", fresh("rclone", n)]
                    ),
                    "bare loop (no HTTP, no database)": lambda n, small=small: bare_loop(
                        small, Path(fresh("bare", n))
                    ),
                }
                heavy = count > BIG_COUNT
                found, medians = compare(
                    f"{count} x 4 KiB files",
                    1 if heavy else args.rounds,
                    lambda n, small=small, count=count: mover.transfer(
                        f"/{small.name}/",
                        f"/small-{count}-mover-{n}/",
                        recursive=True,
                        preserve_timestamp=True,
                    ),
                    sides,
                    small_before,
                    mover.seen,
                    # The first copy after the data is written is the slow one, whoever
                    # makes it: at this size one bare loop takes it for every side.
                    [("bare loop", sides["bare loop (no HTTP, no database)"])] if heavy else None,
                )
                rows += found
                small_sides.append((count, medians))
                print(f"  removing the copies of {count} files", flush=True)
                for old in list(dst.glob(f"small-{count}-*")) + [small]:
                    shutil.rmtree(old, ignore_errors=True)

            if "latency" in args.cases:
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
    if small_sides:
        print()
        print(
            "| files | side | s | ms per file | CPU ms per file | peak RSS (MiB) "
            "| side s / mover s |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|")
        for count, medians in small_sides:
            mine = medians[0][1]
            for label, secs, peak, cpu in medians:
                rss = f"{peak:.0f}" if peak is not None else "-"
                print(
                    f"| {count} | {label} | {secs:.3f} | {1000 * secs / count:.4f} "
                    f"| {1000 * cpu / count:.4f} | {rss} | {secs / mine:.2f}x |"
                )
        first = small_sides[0][1][0][1] / small_sides[0][0]
        for count, medians in small_sides[1:]:
            per_file = medians[0][1] / count
            print(f"mover per file at {count} / at {small_sides[0][0]}: {per_file / first:.2f}x")
    if latencies:
        print()
        print(
            f"one small file, submit -> SUCCEEDED: median {statistics.median(latencies):.3f} s, "
            f"min {min(latencies):.3f} s, max {max(latencies):.3f} s ({len(latencies)} runs); "
            f"seen by its waiter ({args.wait}): median {statistics.median(seen):.3f} s"
        )
    return 0


CASES = ("big", "verify", "small", "latency")


if __name__ == "__main__":
    sys.exit(main())
