"""Work on many small local files done in child processes, outside the server's interpreter.

A server process runs the API, the job workers and the mover's threads under one GIL. For
many small files the mover's threads spend most of their time waiting for it: every
system call gives it up and takes it back while the runner, the API and the other lane
hold it. So three things go to child processes, each with its own interpreter, on the other
core while the server does the database work:

* a unit of plain files: open, kernel copy, mtime and close for each, then a new
  destination's copy is linked in (the runner records it) and any other is left in its
  temp file (the runner stages, records and renames it as before);
* the walk of a recursive local transfer's sources (a stat per file), whose rows come back
  in parts, each stored while the walk goes on;
* the renames of committed temp files into place (the runner records them done as before),
  many split between the processes.

The children (:mod:`children`: a fork server's, each called over its own pipe) are started
at warm-up or first use and shared by every task of the process. A child opens the unit's folders
through :class:`~globus_local.services.transfer.mover.posix_fast.DirHandles` (confined to
the endpoint root, no link followed), exactly as the threads do, and closes them after the
unit. A row it cannot do comes back as None and the runner does it the general way, which
also makes its fault.
"""

from __future__ import annotations

import atexit
import os
import threading
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from globus_local.services.transfer.mover.children import ChildLost, Children
from globus_local.services.transfer.mover.expand import Expansion
from globus_local.services.transfer.mover.faults import Fault

T = t.TypeVar("T")

MIN_ROWS = 16  # a smaller unit is not worth a trip to a child
# Rows in a unit for a child: each unit's round trip costs the server's interpreter time
# (it needs the GIL) while the child waits, so fewer, larger units go faster.
UNIT_ROWS = 256
# Rows a walk sends at a time: the server stores each part while the walk goes on.
WALK_PART = 1000


def processes() -> int:
    """How many copy processes (``GLOBUS_LOCAL_TRANSFER_PROCESSES``, 0 turns them off)."""
    try:
        return max(0, int(os.environ.get("GLOBUS_LOCAL_TRANSFER_PROCESSES", 2)))
    except ValueError:
        return 2


@dataclass(frozen=True)
class UnitSpec:
    """What a child needs for one unit: both roots, the temp naming, and for each row
    (row id, source path, destination path, mtime to set or None, whether the
    destination was new at expansion)."""

    source_root: str
    destination_root: str
    task_id: str
    run: int | None
    rows: list[tuple[int, str, str, float | None, bool]]


_lock = threading.Lock()
_pool: Children | None = None
_pool_pid = 0


def pool() -> Children | None:
    """The process's copy processes (None when turned off)."""
    global _pool, _pool_pid
    count = processes()
    if not count:
        return None
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = Children(count, [__name__])
            _pool_pid = os.getpid()
        return _pool


def _call(
    fn: t.Callable[..., T], *args: t.Any, on_part: t.Callable[[t.Any], None] | None = None
) -> T | None:
    """``fn(*args)`` in a copy process, or None when there is none or the call broke
    (the caller then does the work itself). Parts the call sends go to ``on_part``."""
    children = pool()
    if children is None:
        return None
    try:
        return children.call(fn, *args, on_part=on_part)
    except (ChildLost, OSError, ValueError):
        return None


_warming: threading.Thread | None = None


def warm() -> None:
    """Start the copy processes in the background (they take a second or two to start),
    so the first task does not wait for them."""
    global _warming

    def start() -> None:
        children = pool()
        if children is not None:
            try:
                children.start()
            except (ChildLost, OSError, ValueError):
                pass

    _warming = threading.Thread(target=start, name="transfer-procs-warm-up", daemon=True)
    _warming.start()


def stop() -> None:
    """Stop the copy processes (where the job workers stop). Waits for a warm-up still
    starting them: a child started while its parent exits prints a traceback."""
    global _pool
    warming = _warming
    if warming is not None:
        warming.join(timeout=60)
    with _lock:
        children, _pool = _pool, None
    if children is not None and _pool_pid == os.getpid():
        children.close()


def copy_unit(spec: UnitSpec) -> list[tuple[int, bool] | None]:
    """Run ``spec`` in a child: for each row (size copied, whether it was linked in at its
    destination rather than left in its temp file), or None."""
    done = _call(_copy_unit, spec)
    return [None] * len(spec.rows) if done is None else done


def rename_rows(
    destination_root: str, task_id: str, run: int | None, rows: list[tuple[int, str]]
) -> list[bool] | None:
    """Rename the committed temp files of ``rows`` (row id, destination path) into place
    in a child: for each whether it was renamed, or None when no child could take them
    (the caller renames them itself). A file not renamed is left as it was, for the caller
    to try again and learn why.

    Many rows are split between the copy processes, renamed side by side (the renames of a
    task's last flush are all that is left to do once its copies are done); a part no
    child could take comes back as not renamed."""
    count = processes()
    if count < 2 or len(rows) < 2 * MIN_ROWS:
        return _call(_rename_rows, destination_root, task_id, run, rows)
    size = -(-len(rows) // count)
    parts = [rows[n : n + size] for n in range(0, len(rows), size)]
    others = [
        _helpers().submit(_call, _rename_rows, destination_root, task_id, run, part)
        for part in parts[1:]
    ]
    results = [_call(_rename_rows, destination_root, task_id, run, parts[0])]
    results += [future.result() for future in others]
    return [
        ok
        for part, done in zip(parts, results, strict=True)
        for ok in (done if done is not None else [False] * len(part))
    ]


_helper_pool: ThreadPoolExecutor | None = None


def _helpers() -> ThreadPoolExecutor:
    """Threads that wait on the other copy processes while the caller waits on one."""
    global _helper_pool
    with _lock:
        if _helper_pool is None:
            _helper_pool = ThreadPoolExecutor(
                max(1, processes() - 1), thread_name_prefix="transfer-procs-call"
            )
        return _helper_pool


atexit.register(stop)


def expand_transfer(
    src: t.Any,
    dst: t.Any,
    options: dict[str, t.Any],
    now: t.Any,
    items: list[dict[str, t.Any]],
    on_rows: t.Callable[[list[dict[str, t.Any]]], None] | None = None,
) -> Expansion | None:
    """Walk a transfer's local sources in a child (the walk stats every file, and in the
    server it would share the GIL with the API): the expansion, or None to walk here.
    A fault the walk raises is raised here as it would be. With ``on_rows``, the rows come
    in parts of ``WALK_PART`` as the walk goes, each to ``on_rows`` (in this thread), and
    the expansion returned holds only the last; on None, every part sent was void."""
    from globus_local.storage.posix import PosixConnector

    if not (isinstance(src, PosixConnector) and isinstance(dst, PosixConnector)):
        return None
    if not any(item.get("recursive") for item in items):
        return None  # a few files: not worth a trip to a child
    part = WALK_PART if on_rows is not None else 0
    result = _call(_expand, src.root, dst.root, options, now, items, part, on_part=on_rows)
    if result is None:
        return None
    kind, value = result
    if kind == "fault":
        raise Fault(*value)
    return value if kind == "ok" else None


# -- in the child -------------------------------------------------------------------------------
def _copy_unit(spec: UnitSpec) -> list[tuple[int, bool] | None]:
    from globus_local.services.transfer.mover.local_copy import HeldCopies
    from globus_local.services.transfer.mover.posix_fast import DirHandles

    src, dst = DirHandles(spec.source_root), DirHandles(spec.destination_root)
    try:
        with HeldCopies(src, dst, spec.task_id, spec.run, _go_on) as copies:
            return [copies.copy(*row) for row in spec.rows]
    finally:
        src.close()
        dst.close()


def _rename_rows(
    destination_root: str, task_id: str, run: int | None, rows: list[tuple[int, str]]
) -> list[bool]:
    from globus_local.services.transfer.mover.local_copy import replace_pairs
    from globus_local.services.transfer.mover.posix_fast import DirHandles
    from globus_local.services.transfer.mover.temps import temp_path

    dst = DirHandles(destination_root)
    try:
        pairs = [(temp_path(task_id, row_id, final, run), final) for row_id, final in rows]
        return [error is None for error in replace_pairs(dst, pairs)]
    finally:
        dst.close()


def _expand(
    source_root: str,
    destination_root: str,
    options: dict[str, t.Any],
    now: t.Any,
    items: list[dict[str, t.Any]],
    part: int,
) -> tuple[str, t.Any]:
    from globus_local.services.transfer.mover.children import send_part
    from globus_local.services.transfer.mover.expand import TransferExpander
    from globus_local.storage.posix import PosixConnector

    src, dst = PosixConnector(source_root), PosixConnector(destination_root)
    try:
        expander = TransferExpander(src, dst, options, now)
        if part:
            expander.out.send_every(part, send_part)
        return "ok", expander.expand(items)
    except Fault as fault:  # a dataclass exception does not pickle: send its fields
        return "fault", (fault.code, fault.description, fault.handling, fault.details)
    except Exception:
        return "error", None


def _go_on() -> None:
    """A child is never asked to stop midway: a unit is short."""


__all__ = [
    "MIN_ROWS",
    "UNIT_ROWS",
    "UnitSpec",
    "copy_unit",
    "pool",
    "processes",
    "rename_rows",
    "stop",
    "warm",
]
