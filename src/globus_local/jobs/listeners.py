"""Telling the rest of this process, at once, that a handler's attempt ended.

A service whose readers wait on the rows a job writes (a Transfer task's waiters) learns
here of an attempt's end the moment its handler returns or raises, in the worker's thread,
before the job row itself is settled: whatever the handler committed is visible by then,
and a reader told of it need not wait for its next look. Jobs run by other processes are
not seen here; their readers keep looking at the database.
"""

from __future__ import annotations

import logging
import threading
import typing as t

log = logging.getLogger("globus_local.jobs")

# (database URL, job id, payload, what the handler returned or stopped with: None when
# it raised). Called in a worker's thread: quick, and never blocking on that worker.
Listener = t.Callable[[str, str, dict[str, t.Any], "dict[str, t.Any] | None"], None]

_lock = threading.Lock()
_listeners: dict[str, tuple[Listener, ...]] = {}


def on_run_end(kind: str, listener: Listener) -> None:
    """Call ``listener`` each time a handler of ``kind`` ends an attempt in this process
    (registering the same listener again changes nothing)."""
    with _lock:
        known = _listeners.get(kind, ())
        if listener not in known:
            _listeners[kind] = (*known, listener)


def remove(kind: str, listener: Listener) -> None:
    with _lock:
        left = tuple(fn for fn in _listeners.get(kind, ()) if fn != listener)
        if left:
            _listeners[kind] = left
        else:
            _listeners.pop(kind, None)


def run_ended(
    database: str,
    kind: str,
    job_id: str,
    payload: dict[str, t.Any],
    result: dict[str, t.Any] | None,
) -> None:
    """Tell the listeners of ``kind`` (the worker calls this; a listener's failure is
    logged, never the job's)."""
    for listener in _listeners.get(kind, ()):
        try:
            listener(database, job_id, payload, result)
        except Exception:
            log.warning("job %s (%s): a run-end listener failed", job_id, kind, exc_info=True)
