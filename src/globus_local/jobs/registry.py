"""Which function runs each kind of job; services register theirs at import time."""

from __future__ import annotations

import typing as t

from globus_local.jobs.context import JobContext, JobError, JobStopped, LeaseLost

__all__ = [
    "Handler",
    "JobContext",
    "JobError",
    "JobStopped",
    "LeaseLost",
    "get_handler",
    "job_handler",
    "registered_kinds",
    "unregister",
]

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
