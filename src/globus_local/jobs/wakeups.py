"""Waking idle workers in this process when a commit makes jobs ready for them.

A commit that enqueued jobs wakes, per job, one idle worker that serves that database and
kind; waking all of them would only make them race for the same row (on SQLite every
loser still takes the write lock, and the winner's first transaction then waits on them).
"""

from __future__ import annotations

import threading
import typing as t

from sqlalchemy.orm import Session

from globus_local.db.after_commit import after_commit

_wakeup_lock = threading.Lock()
# event -> (database URL or None for any, job kinds or None for any)
_wakeup_events: dict[threading.Event, tuple[str | None, frozenset[str] | None]] = {}
_idle: list[threading.Event] = []  # waiting workers, longest idle first
_relays: set[threading.Event] = set()  # woken by a worker that found a job by polling


def register_wakeup(
    event_: threading.Event,
    *,
    database: str | None = None,
    kinds: t.Collection[str] | None = None,
) -> None:
    """Wake ``event_`` for jobs on ``database`` (a URL) of ``kinds`` (None: any)."""
    with _wakeup_lock:
        _wakeup_events[event_] = (database, frozenset(kinds) if kinds is not None else None)


def unregister_wakeup(event_: threading.Event) -> None:
    with _wakeup_lock:
        _wakeup_events.pop(event_, None)
        _relays.discard(event_)
        if event_ in _idle:
            _idle.remove(event_)


def mark_idle(event_: threading.Event, idle: bool) -> None:
    """A worker says it is (no longer) waiting on ``event_`` for work (only a registered
    worker counts: one unregistered meanwhile must not take a wake-up from the others)."""
    with _wakeup_lock:
        if idle and event_ in _wakeup_events and event_ not in _idle:
            _idle.append(event_)
        elif not idle and event_ in _idle:
            _idle.remove(event_)


def _serves(event_: threading.Event, database: str | None, kind: str | None) -> bool:
    url, kinds = _wakeup_events.get(event_, (None, None))
    if url is not None and database is not None and url != database:
        return False
    return kinds is None or kind is None or kind in kinds


def _pick(
    pool: t.Iterable[threading.Event], taken: list[threading.Event], database: str | None, kind: str
) -> threading.Event | None:
    return next((ev for ev in pool if ev not in taken and _serves(ev, database, kind)), None)


def wake_workers(
    database: str | None = None, kinds: t.Sequence[str] | None = None, *, relay: bool = False
) -> None:
    """Wake every worker (no ``kinds``), or one per job kind listed, idle ones first; a
    busy worker that is woken looks at the queue again as soon as its job ends. With
    ``relay`` a woken worker that finds a job wakes another in turn (:func:`relayed`)."""
    with _wakeup_lock:
        if kinds is None:
            chosen = [ev for ev in _wakeup_events if _serves(ev, database, None)]
        else:
            chosen = []
            for kind in kinds:
                pick = _pick(_idle, chosen, database, kind) or _pick(
                    _wakeup_events, chosen, database, kind
                )
                if pick is not None:
                    chosen.append(pick)
        for ev in chosen:
            if ev in _idle:
                _idle.remove(ev)
            if relay:
                _relays.add(ev)
            ev.set()


def relayed(event_: threading.Event) -> bool:
    """Whether the worker waiting on ``event_`` was woken to relay (and forget it)."""
    with _wakeup_lock:
        if event_ in _relays:
            _relays.discard(event_)
            return True
        return False


def _wake(kinds: list[t.Any], database: str) -> None:
    wake_workers(database, kinds)


def wake_after_commit(session: Session, kind: str) -> None:
    """Wake a worker for a job of ``kind`` once ``session``'s transaction commits."""
    after_commit(session, "jobs.wake", kind, _wake)
