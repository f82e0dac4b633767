"""A few long-lived child processes, each called over its own pipe by one thread at a time.

Used by :mod:`procs` instead of a ``ProcessPoolExecutor``: there, every call passes
through two more threads of the server (one pickles it into a queue, one reads the result
and completes a future), and each needs the GIL that the API and the mover already
contend for. Here the calling thread sends the call and waits on the pipe itself, without
holding the GIL.

The children come from a ``forkserver`` (never a fork of the threaded server). A child
that dies breaks only its own call, which then raises :class:`ChildLost`; the child is
replaced at the next call.

A call may also hand back parts of its result before it ends (:func:`send_part`): the
caller takes each as it comes (the walk of a large tree is stored while it goes on).
"""

from __future__ import annotations

import collections
import multiprocessing
import threading
import typing as t
from multiprocessing.connection import Connection

T = t.TypeVar("T")


class ChildLost(Exception):
    """The call did not return: the child died or its pipe broke (or, as
    :class:`CallFailed`, the function raised)."""


class CallFailed(ChildLost):
    """The function raised in the child (which lives on)."""


class Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self, context: t.Any) -> None:
        mine, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs,), name="globus-local-copy", daemon=True
        )
        self.process.start()
        theirs.close()
        self.conn: Connection = mine
        self.busy = threading.Lock()

    def call(
        self, fn: t.Callable[..., T], *args: t.Any, on_part: t.Callable[[t.Any], None] | None = None
    ) -> T:
        """``fn(*args)`` in the child (``fn`` must be a module-level function); each part it
        sends first goes to ``on_part``, in this thread."""
        failed: BaseException | None = None
        try:
            self.conn.send((fn, args))
            while True:
                status, value = self.conn.recv()
                if status != _PART:
                    break
                if on_part is not None and failed is None:
                    try:
                        on_part(value)
                    except BaseException as exc:  # read the call to its end: the pipe stays in step
                        failed = exc
        except (EOFError, OSError) as exc:
            raise ChildLost(str(exc)) from None
        if failed is not None:
            raise failed
        if not status:
            raise CallFailed(value)
        return t.cast(T, value)

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.conn.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)


class Turns:
    """Up to ``count`` holders at once, the waiting ones served in arrival order.

    A plain semaphore lets the thread that just released it take it back at once, ahead
    of those waiting: the lanes of a task with a million files, each calling again as
    soon as its call returns, would keep every other task's units off the copy processes
    for as long as they run. Here a release hands the turn to the longest waiting."""

    def __init__(self, count: int) -> None:
        self.free = count
        self.lock = threading.Lock()
        self.waiting: collections.deque[threading.Event] = collections.deque()

    def acquire(self) -> None:
        with self.lock:
            if self.free and not self.waiting:
                self.free -= 1
                return
            turn = threading.Event()
            self.waiting.append(turn)
        turn.wait()

    def release(self) -> None:
        with self.lock:
            if self.waiting:
                self.waiting.popleft().set()  # the turn passes on without being free
            else:
                self.free += 1


class Children:
    """``count`` children; a call takes an idle one, or waits its turn for one to be free."""

    def __init__(self, count: int, preload: list[str]) -> None:
        self.context = multiprocessing.get_context("forkserver")
        # Imported once by the fork server, not by every child.
        self.context.set_forkserver_preload(preload)
        self.count = count
        self.slots: list[Child | None] = [None] * count
        self.lock = threading.Lock()
        self.free = Turns(count)
        self.closed = False

    def start(self) -> None:
        """Start every child now (the first takes a second or two: the fork server)."""
        for n in range(self.count):
            self._child(n)

    def call(
        self, fn: t.Callable[..., T], *args: t.Any, on_part: t.Callable[[t.Any], None] | None = None
    ) -> T:
        self.free.acquire()
        try:
            with self.lock:
                n = next(i for i, c in enumerate(self.slots) if c is None or not c.busy.locked())
                child = self._child(n)
                child.busy.acquire()
            try:
                return child.call(fn, *args, on_part=on_part)
            except CallFailed:
                raise
            except ChildLost:
                with self.lock:
                    if self.slots[n] is child:
                        self.slots[n] = None
                threading.Thread(target=child.close, daemon=True).start()
                raise
            finally:
                child.busy.release()
        finally:
            self.free.release()

    def _child(self, n: int) -> Child:
        if self.closed:
            raise ChildLost("the copy processes were stopped")
        child = self.slots[n]
        if child is None:
            child = self.slots[n] = Child(self.context)
        return child

    def close(self) -> None:
        with self.lock:
            self.closed = True
            children, self.slots = [c for c in self.slots if c is not None], [None] * self.count
        for child in children:
            child.close()


_PART = "part"
_conn: Connection | None = None  # in a child: the pipe of the call it is running


def send_part(value: t.Any) -> None:
    """In a child, during a call: send ``value`` to the caller now, as a part of the result
    (outside a child: nothing)."""
    if _conn is not None:
        _conn.send((_PART, value))


def _serve(conn: Connection) -> None:
    """The child's loop: run each call it is sent, send back (ok, result or error)."""
    global _conn
    _conn = conn
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message
        try:
            reply: tuple[bool, t.Any] = (True, fn(*args))
        except Exception as exc:  # reported to the caller, which goes the general way
            reply = (False, f"{type(exc).__name__}: {exc}")
        conn.send(reply)


__all__ = ["CallFailed", "ChildLost", "Children", "Turns", "send_part"]
