"""The lease keeper: one thread per worker that renews the lease of the job it runs.

The thread outlives the jobs: a job hands it its claim and takes it back, neither of which
waits for another thread. Starting a thread per job (and joining it after) cost each job
two hand-overs of the GIL, which on a busy machine are the scheduler's to grant. An idle
keeper ends after ``idle_seconds`` and is started again by the next job; a worker that
stops closes it at once.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t

from globus_local.jobs.context import StopSignals
from globus_local.jobs.queue import Claim

log = logging.getLogger("globus_local.jobs")

# Renews a claim's lease: None when the job is no longer held, else its cancel flag.
Renew = t.Callable[[Claim], "bool | None"]


class LeaseKeeper:
    """Renews the held claim's lease every ``every`` seconds, taking each renewal's answer
    into the job's :class:`StopSignals` (a cancel, a lost lease)."""

    def __init__(self, renew: Renew, every: float, idle_seconds: float, name: str) -> None:
        self._renew = renew
        self.every = every
        self.idle_seconds = idle_seconds
        self.name = name
        self._cond = threading.Condition()
        self._held: tuple[Claim, StopSignals] | None = None
        self._turn = 0  # counts holds and releases: a renewal is due only within one turn
        self._thread: threading.Thread | None = None
        self._closed = False

    def hold(self, claim: Claim, signals: StopSignals) -> None:
        """Keep ``claim``'s lease from now on, its first renewal ``every`` seconds away."""
        with self._cond:
            self._held = (claim, signals)
            self._turn += 1
            self._closed = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            else:
                self._cond.notify()

    def release(self) -> None:
        """Stop renewing (a renewal already under way still lands: it is fenced, so it
        changes nothing once the job was settled)."""
        with self._cond:
            self._held = None
            self._turn += 1
            self._cond.notify()

    def close(self) -> None:
        """Release, and end the thread now instead of after its idle time."""
        with self._cond:
            self._closed = True
            self._held = None
            self._turn += 1
            self._cond.notify()

    @property
    def alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._next_due()
                if due is None:
                    return
            claim, signals = due
            try:
                if not signals.saw(self._renew(claim)):
                    self._forget(due)  # taken over: nothing left to renew
            except Exception:
                log.exception("job %s: could not extend lease", claim.job_id)

    def _next_due(self) -> tuple[Claim, StopSignals] | None:
        """Wait (lock held) until a renewal is due: the claim it is for, or None when the
        thread is to end (closed, or idle too long)."""
        while True:
            turn, held = self._turn, self._held
            if held is None:
                if self._closed:
                    self._thread = None
                    return None
                if not self._cond.wait(self.idle_seconds) and self._turn == turn:
                    self._thread = None
                    return None
                continue
            due = time.monotonic() + self.every
            while self._turn == turn and (left := due - time.monotonic()) > 0:
                self._cond.wait(left)
            if self._turn == turn:
                return held

    def _forget(self, held: tuple[Claim, StopSignals]) -> None:
        with self._cond:
            if self._held is held:
                self._held = None
                self._turn += 1
