"""Hashing threads for a verified copy of a large file.

While the kernel copies, one :class:`FdHasher` hashes the source and another the
destination, following the copy as it grows, so the copy and both checksums overlap
instead of following one another. :class:`Follower` does the same for a destination
that only its storage connector can read.
"""

from __future__ import annotations

import os
import threading
import typing as t

from globus_local.services.transfer.mover.kernel import CHUNK
from globus_local.storage import StorageConnector, new_hasher

# Files at least this large are verified by threads hashing source and destination while
# the kernel copies.
PARALLEL_VERIFY_MIN = 32 * 1024 * 1024


class _Hashing(t.Protocol):
    cond: threading.Condition
    total: int | None
    thread: threading.Thread


def _end_thread(hashing: _Hashing) -> bool:
    """Tell a hashing thread that no more data comes and wait a little for it: whether it
    has ended (only then may what it reads be closed under it)."""
    with hashing.cond:
        if hashing.total is None:
            hashing.total = -1
        hashing.cond.notify()
    hashing.thread.join(timeout=5)
    return not hashing.thread.is_alive()


class FdHasher:
    """Hashes a file through its own descriptor in a thread: the whole file
    (``follow=False``), or, ``follow=True``, only as far as a concurrent copy has written."""

    def __init__(self, fd: int, algorithm: str, stop: threading.Event, *, follow: bool) -> None:
        self.fd = os.dup(fd)
        self.hasher = new_hasher(algorithm)
        self.stop = stop
        self.available = 0 if follow else -1  # -1: no limit but EOF
        self.total: int | None = None
        self.cond = threading.Condition()
        self.error: BaseException | None = None
        self.done = 0
        self.thread = threading.Thread(target=self._run, daemon=True, name="transfer-hash")
        self.thread.start()

    def advance(self, written: int) -> None:
        with self.cond:
            self.available = written
            self.cond.notify()

    def _limit(self) -> int | None:
        """How far it may read now (None: to EOF); waits for the copy when following."""
        with self.cond:
            while (
                self.total is None and 0 <= self.available <= self.done and not self.stop.is_set()
            ):
                self.cond.wait(0.25)
            if self.total is not None and self.total >= 0:
                return self.total
            if self.total is not None or self.stop.is_set():
                return self.done  # abandoned
            return None if self.available < 0 else self.available

    def _run(self) -> None:
        buf = memoryview(bytearray(CHUNK))
        try:
            while True:
                limit = self._limit()
                if limit is not None and self.done >= limit:
                    return
                want = CHUNK if limit is None else min(CHUNK, limit - self.done)
                n = os.preadv(self.fd, [buf[:want]], self.done)
                if not n:
                    if limit is None or self.total is not None:
                        return  # EOF
                    continue
                self.hasher.update(buf[:n])
                self.done += n
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self, total: int | None) -> str:
        """The digest once ``total`` bytes (None: the whole file) were hashed."""
        with self.cond:
            if total is not None:
                self.total = total
            self.cond.notify()
        self.thread.join()
        if self.error is not None:
            raise self.error
        if total is not None and self.done != total:
            return ""  # the file is shorter than what was written: no match
        return self.hasher.hexdigest()

    def close(self) -> None:
        if _end_thread(self):
            os.close(self.fd)


class Follower:
    """Hashes the destination file as the copy writes it, in its own thread, through the
    destination's connector."""

    def __init__(self, conn: StorageConnector, path: str, algorithm: str) -> None:
        self.hasher = new_hasher(algorithm)
        self.reader = conn.open_read(path)
        self.available = 0
        self.total: int | None = None
        self.cond = threading.Condition()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def advance(self, written: int) -> None:
        with self.cond:
            self.available = written
            self.cond.notify()

    def _run(self) -> None:
        done = 0
        try:
            while True:
                with self.cond:
                    while done >= self.available and self.total is None:
                        self.cond.wait()
                    limit = self.available if self.total is None else self.total
                if done >= limit and self.total is not None:
                    return
                chunk = self.reader.read(min(CHUNK, limit - done))
                if not chunk:
                    if self.total is not None:
                        return
                    continue
                self.hasher.update(chunk)
                done += len(chunk)
        except BaseException as exc:  # reported by finish()
            self.error = exc

    def finish(self, total: int) -> str:
        with self.cond:
            self.total = total
            self.cond.notify()
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.hasher.hexdigest()

    def close(self) -> None:
        _end_thread(self)
        self.reader.close()
