"""Endpoint managers' pause rules: which ones are in force, for whom, on which endpoints.

A rule is in force once its ``start_time`` has passed (None: at once). It applies to the
identity it names, or to everyone when ``identity_id`` is None. A rule on a host endpoint
also pauses the shared endpoints (guest collections) it hosts. The mover pauses tasks with
the ``pause_task_*`` flags (:mod:`.mover.control`); the synchronous file operations are
refused with the ``pause_ls``, ``pause_mkdir`` and ``pause_rename`` flags
(:func:`check_operation`).
"""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import Conflict
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import PauseRule

# The file operations a pause rule can refuse, and the flag that does it. Symlink creation
# and stat have no flag of their own in the pause rule document (rest-api.md §1.10), so no
# rule refuses them.
OPERATION_FLAGS: dict[str, str] = {
    "ls": "pause_ls",
    "mkdir": "pause_mkdir",
    "rename": "pause_rename",
}

# What a paused operation answers (a 409): rest-api.md names no code for it; see
# docs/decisions.md "409 EndpointPaused for a paused file operation".
PAUSED_CODE = "EndpointPaused"


def rules_applying(
    session: Session, endpoint_ids: Iterable[str | None], identity_ids: Iterable[str]
) -> list[PauseRule]:
    """The rules on any of ``endpoint_ids`` that apply to someone holding ``identity_ids``
    (rules for everyone included), started or not, oldest first."""
    endpoints = sorted({e for e in endpoint_ids if e})
    identities = sorted(set(identity_ids))
    if not endpoints:
        return []
    return list(
        session.scalars(
            select(PauseRule)
            .where(
                PauseRule.endpoint_id.in_(endpoints),
                or_(PauseRule.identity_id.is_(None), PauseRule.identity_id.in_(identities)),
            )
            .order_by(PauseRule.created, PauseRule.id)
        )
    )


def rules_in_force(
    session: Session,
    endpoint_ids: Iterable[str | None],
    identity_ids: Iterable[str],
    *,
    now: dt.datetime | None = None,
) -> list[PauseRule]:
    """The rules of :func:`rules_applying` that have started."""
    now = now or utcnow()
    rules = rules_applying(session, endpoint_ids, identity_ids)
    return [r for r in rules if r.start_time is None or r.start_time <= now]


def governing_endpoints(endpoint: Endpoint) -> list[str]:
    """The endpoint and, for a shared endpoint, its host: the rules on either apply."""
    return [endpoint.id] + ([endpoint.host_endpoint_id] if endpoint.host_endpoint_id else [])


def operation_pause_rule(
    session: Session, ctx: AuthContext, endpoint: Endpoint, operation: str
) -> PauseRule | None:
    """The (oldest) rule in force that pauses ``operation`` on ``endpoint`` for the caller."""
    flag = OPERATION_FLAGS.get(operation)
    if flag is None:
        return None
    identities = ctx.identity_set or (ctx.identity_id,)
    for rule in rules_in_force(session, governing_endpoints(endpoint), identities):
        if getattr(rule, flag):
            return rule
    return None


def check_operation(session: Session, ctx: AuthContext, endpoint: Endpoint, operation: str) -> None:
    """Refuse ``operation`` (``ls``, ``mkdir``, ``rename``) when a pause rule stops it."""
    rule = operation_pause_rule(session, ctx, endpoint, operation)
    if rule is None:
        return
    message = f"{operation} operations on endpoint '{endpoint.id}' are paused"
    if rule.message:
        message += f": {rule.message}"
    raise Conflict(message, code=PAUSED_CODE)


__all__: t.Sequence[str] = [
    "OPERATION_FLAGS",
    "check_operation",
    "governing_endpoints",
    "operation_pause_rule",
    "rules_applying",
    "rules_in_force",
]
