"""Work that must wait until a transaction commits (waking a worker for a job just queued,
telling a running job of its cancel, forgetting revoked tokens): queued on the session,
run once it commits, dropped if it rolls back, so nothing acts on a change that did not
happen or before others can see it."""

from __future__ import annotations

import typing as t

from sqlalchemy import event
from sqlalchemy.orm import Session

# Runs with the items queued under its key and the URL of the session's database.
Action = t.Callable[[list[t.Any], str], None]

_PENDING = "globus_local.after_commit"


def after_commit(session: Session, key: str, item: t.Any, action: Action) -> None:
    """Queue ``item`` under ``key``; once ``session`` commits, ``action(items, url)`` runs
    once for all items queued under that key."""
    pending: dict[str, tuple[Action, list[t.Any], str]] = session.info.setdefault(_PENDING, {})
    if key not in pending:
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        pending[key] = (action, [], url)
    pending[key][1].append(item)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    for action, items, url in session.info.pop(_PENDING, {}).values():
        action(items, url)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)
