"""Threads for units of small files, one destination folder to a lane.

Creating files in one folder is serialised by the kernel (the folder's lock), so two
threads working in the same folder only wait on each other and on the GIL. A folder's
units therefore always go to the same single-thread lane while it has any in flight, and a
new folder goes to the least busy lane: different folders are copied side by side.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import Future, ThreadPoolExecutor

from globus_local.services.transfer.mover.posix_fast import split
from globus_local.services.transfer.mover.subtasks import Row
from globus_local.storage.errors import StorageError

T = t.TypeVar("T")


class Lanes:
    def __init__(self, count: int, name: str = "transfer-mover-lane") -> None:
        self.pools = [ThreadPoolExecutor(1, thread_name_prefix=f"{name}-{n}") for n in range(count)]
        self.load = [0] * count
        self.folders: dict[str, tuple[int, int]] = {}  # folder -> (lane, units in flight)
        self.running: dict[Future[t.Any], str] = {}

    def submit(self, fn: t.Callable[[list[Row]], T], unit: list[Row]) -> Future[T]:
        folder = _folder(unit[0])
        lane, count = self.folders.get(folder, (-1, 0))
        if lane < 0:
            lane = min(range(len(self.pools)), key=self.load.__getitem__)
        self.folders[folder] = (lane, count + 1)
        self.load[lane] += 1
        future = self.pools[lane].submit(fn, unit)
        self.running[future] = folder
        return future

    def settled(self, future: Future[t.Any]) -> None:
        """Tell the lanes a future they ran has been collected (call from the submitting thread)."""
        folder = self.running.pop(future, None)
        if folder is None:
            return
        lane, count = self.folders[folder]
        self.load[lane] -= 1
        if count <= 1:
            del self.folders[folder]
        else:
            self.folders[folder] = (lane, count - 1)

    def __enter__(self) -> Lanes:
        return self

    def __exit__(self, *exc: object) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True)


def _folder(row: Row) -> str:
    try:
        return split(row.destination_path or "/")[0]
    except StorageError:  # an odd path: its own lane choice is as good as any
        return row.destination_path or "/"
