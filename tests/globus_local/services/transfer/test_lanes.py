"""Small-file lanes: one folder never runs on two threads at once; folders spread out."""

from __future__ import annotations

import threading
import time

from globus_local.services.transfer.mover.lanes import Lanes
from globus_local.services.transfer.mover.subtasks import Row


def _unit(folder: str, n: int) -> list[Row]:
    return [Row(n, "file", f"{folder}/{n}", f"{folder}/{n}", 1)]


def test_a_folder_stays_on_one_lane_and_folders_spread() -> None:
    seen: dict[str, set[str]] = {}
    lock = threading.Lock()

    def work(unit: list[Row]) -> str:
        time.sleep(0.01)
        folder = (unit[0].destination_path or "").rsplit("/", 1)[0]
        with lock:
            seen.setdefault(folder, set()).add(threading.current_thread().name)
        return folder

    with Lanes(2) as lanes:
        futures = [lanes.submit(work, _unit(f, n)) for n in range(4) for f in ("/a", "/b")]
        for future in futures:
            future.result()
            lanes.settled(future)
        assert lanes.folders == {} and lanes.load == [0, 0]
    assert len(seen["/a"]) == 1 and len(seen["/b"]) == 1
    assert seen["/a"] != seen["/b"]


def test_a_settled_folder_may_move_to_the_least_busy_lane() -> None:
    with Lanes(2) as lanes:
        first = lanes.submit(lambda unit: None, _unit("/a", 1))
        first.result()
        lanes.settled(first)
        busy = lanes.submit(lambda unit: time.sleep(0.05), _unit("/b", 2))
        lane_of_b = lanes.folders["/b"][0]
        again = lanes.submit(lambda unit: None, _unit("/a", 3))
        assert lanes.folders["/a"][0] != lane_of_b
        for future in (busy, again):
            future.result()
            lanes.settled(future)
