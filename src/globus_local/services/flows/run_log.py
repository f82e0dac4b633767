"""Appending to a run's log: entries numbered in order, in the caller's transaction, so a
transition and the entries that tell of it are stored together or not at all."""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.services.flows.models import Run, RunLogEntry


def append(session: Session, run: Run, entries: t.Iterable[dict[str, t.Any]]) -> None:
    now = utcnow()
    for entry in entries:
        session.add(
            RunLogEntry(
                run_id=run.id,
                seq=run.log_count,
                time=now,
                code=str(entry.get("code", "")),
                description=str(entry.get("description", "")),
                details=entry.get("details") or {},
            )
        )
        run.log_count += 1
