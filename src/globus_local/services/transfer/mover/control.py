"""What may stop a running task from outside: cancel, deadline, pauses (by an endpoint
manager, or by pause rules on its endpoints)."""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.services.transfer.models_tasks import ACTIVE, PauseRule, TransferTask
from globus_local.services.transfer.mover.progress import deadline_passed
from globus_local.services.transfer.pauses import rules_in_force


def task_endpoints(task: TransferTask) -> dict[str, str]:
    """Endpoint id -> the side it is on, host endpoints of shares included."""
    sides: dict[str, str] = {}
    for key, side in (
        ("source_endpoint_id", "source"),
        ("source_host_endpoint_id", "source"),
        ("destination_endpoint_id", "destination"),
        ("destination_host_endpoint_id", "destination"),
    ):
        value = getattr(task, key)
        if value:
            sides.setdefault(value, side)
    return sides


def pause_rules_for(session: Session, task: TransferTask) -> list[PauseRule]:
    """The pause rules in force that pause ``task``."""
    sides = task_endpoints(task)
    found = []
    # A rule naming any of the owner's linked identities applies, as on file operations.
    owners = list(task.owner_identity_set or ()) or [task.owner_id]
    for rule in rules_in_force(session, sides, owners):
        side = sides.get(rule.endpoint_id)
        if task.type == "DELETE":
            hit = rule.pause_task_delete
        elif side == "source":
            hit = rule.pause_task_transfer_read
        else:
            hit = rule.pause_task_transfer_write
        if task.type == "TRANSFER" and task.source_endpoint_id == task.destination_endpoint_id:
            hit = rule.pause_task_transfer_read or rule.pause_task_transfer_write
        if hit:
            found.append(rule)
    return found


def stop_reason(session: Session, task: TransferTask) -> tuple[str, str] | None:
    """Why ``task`` must not run now: (reason, message) with reason one of ``gone``,
    ``cancel``, ``deadline``, ``pause``; None when it may run."""
    if task.status != ACTIVE:
        return "gone", task.status
    if task.cancel_requested:
        return "cancel", task.canceled_by_admin_message or ""
    if deadline_passed(task.deadline):
        return "deadline", "The task's deadline has passed"
    if task.admin_paused:
        return "pause", task.admin_pause_message or "Paused by an endpoint manager"
    rules = pause_rules_for(session, task)
    if rules:
        return "pause", rules[0].message or "Paused by a pause rule on an endpoint"
    return None


def is_paused_now(session: Session, task: TransferTask) -> bool:
    return task.status == ACTIVE and (task.admin_paused or bool(pause_rules_for(session, task)))


__all__: t.Sequence[str] = ["pause_rules_for", "stop_reason", "task_endpoints", "is_paused_now"]
