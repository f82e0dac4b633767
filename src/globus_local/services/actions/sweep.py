"""The actions' recurring job on the one queue: ends running actions whose work has ended
or whose deadline has passed (so ``release_after`` counts from when they really ended,
whether or not anyone looks), then drops the actions whose ``release_after`` ran out.
Each batch is its own short transaction."""

from __future__ import annotations

import typing as t

from sqlalchemy import delete, select

from globus_local.db import Database, utcnow
from globus_local.jobs import JobContext, recurring_job
from globus_local.services.actions.lifecycle import advance
from globus_local.services.actions.models import RUNNING_STATES, Action
from globus_local.services.actions.providers import PROVIDERS

if t.TYPE_CHECKING:
    from sqlalchemy import CursorResult

JOB_KIND = "actions.sweep"
# How late an action nobody looks at may learn that its work ended.
SWEEP_EVERY = 60.0
BATCH = 200


def advance_running(db: Database, heartbeat: t.Callable[[], None] = lambda: None) -> int:
    """Look at every running action once; how many ended."""
    ended = 0
    after = ""
    while True:
        with db.session() as session:
            ids = list(
                session.scalars(
                    select(Action.id)
                    .where(Action.status.in_(RUNNING_STATES), Action.id > after)
                    .order_by(Action.id)
                    .limit(BATCH)
                )
            )
            for action_id in ids:
                action = session.get(Action, action_id)
                provider = PROVIDERS.get(action.provider) if action is not None else None
                if action is None or provider is None:
                    continue
                advance(session, provider, action)
                ended += action.status not in RUNNING_STATES
        heartbeat()
        if len(ids) < BATCH:
            return ended
        after = ids[-1]


def purge_released(db: Database, heartbeat: t.Callable[[], None] = lambda: None) -> int:
    """Delete ended actions past their ``release_after``; how many went."""
    total = 0
    while True:
        with db.session() as session:
            doomed = select(Action.id).where(Action.release_at < utcnow()).limit(BATCH)
            result = t.cast(
                "CursorResult[t.Any]",
                session.execute(delete(Action).where(Action.id.in_(doomed))),
            )
            deleted = int(result.rowcount or 0)
        total += deleted
        heartbeat()
        if deleted < BATCH:
            return total


def sweep(db: Database, heartbeat: t.Callable[[], None] = lambda: None) -> dict[str, int]:
    return {"ended": advance_running(db, heartbeat), "released": purge_released(db, heartbeat)}


@recurring_job(JOB_KIND, every=SWEEP_EVERY)
def run_sweep(ctx: JobContext) -> dict[str, int]:
    def between_batches() -> None:
        ctx.heartbeat()
        ctx.raise_if_stopped()

    return sweep(ctx.db, between_batches)
