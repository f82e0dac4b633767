"""Which function runs each kind of job; services register theirs at import time."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

if t.TYPE_CHECKING:
    from globus_local.db import Database


class LeaseLost(Exception):
    """This worker no longer holds the job (its lease lapsed and another worker took it)."""


class JobError(Exception):
    """Raise from a handler to fail the job at once, without further attempts."""


@dataclass
class JobContext:
    """What a handler gets: the job, the database, and a way to keep its lease alive."""

    job_id: str
    kind: str
    payload: dict[str, t.Any]
    attempt: int
    db: Database
    _heartbeat: t.Callable[[], bool] = field(repr=False)
    _fence: t.Callable[[t.Any], bool] | None = field(default=None, repr=False)

    def heartbeat(self) -> None:
        """Extend the lease; raises :class:`LeaseLost` when the job was taken over."""
        if not self._heartbeat():
            raise LeaseLost(f"job {self.job_id} is no longer held by this worker")

    def fence(self, session: t.Any) -> None:
        """Extend the lease inside ``session``'s transaction, so that transaction's writes
        commit only while this worker holds the job; raises :class:`LeaseLost` otherwise."""
        held = self._fence(session) if self._fence is not None else self._heartbeat()
        if not held:
            raise LeaseLost(f"job {self.job_id} is no longer held by this worker")


Handler = t.Callable[[JobContext], "dict[str, t.Any] | None"]

_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> t.Callable[[Handler], Handler]:
    """Register ``fn(ctx) -> dict | None`` as the runner of jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and _qualname(existing) != _qualname(fn):
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _HANDLERS[kind] = fn
        return fn

    return register


def _qualname(fn: t.Callable[..., t.Any]) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def get_handler(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


def unregister(kind: str) -> None:
    """Forget a handler (tests register throwaway kinds)."""
    _HANDLERS.pop(kind, None)
