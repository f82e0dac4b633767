"""What may stop a running task from outside: cancel, deadline, pauses (by an endpoint
manager, or by pause rules on its endpoints), and another worker taking its job over."""

from __future__ import annotations

import time
import typing as t

from sqlalchemy.orm import Session

from globus_local.db import Database
from globus_local.jobs import LeaseLost
from globus_local.services.transfer.models_tasks import ACTIVE, PauseRule, TransferTask
from globus_local.services.transfer.mover.progress import deadline_passed
from globus_local.services.transfer.mover.state import HaltReason, RunState
from globus_local.services.transfer.pauses import rules_in_force

HEARTBEAT_SECONDS = 0.5  # also how soon a run notices it lost its job to another


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


def stop_reason(session: Session, task: TransferTask) -> tuple[HaltReason, str] | None:
    """Why ``task`` must not run now: (reason, message); None when it may run. A task no
    longer ACTIVE is ``gone`` with its status as the message."""
    if task.status != ACTIVE:
        return HaltReason.GONE, task.status
    if task.cancel_requested:
        return HaltReason.CANCEL, task.canceled_by_admin_message or ""
    if deadline_passed(task.deadline):
        return HaltReason.DEADLINE, "The task's deadline has passed"
    if task.admin_paused:
        return HaltReason.PAUSE, task.admin_pause_message or "Paused by an endpoint manager"
    rules = pause_rules_for(session, task)
    if rules:
        return HaltReason.PAUSE, rules[0].message or "Paused by a pause rule on an endpoint"
    return None


def is_paused_now(session: Session, task: TransferTask) -> bool:
    return task.status == ACTIVE and (task.admin_paused or bool(pause_rules_for(session, task)))


class Watch:
    """Keeps a running task's job lease and looks for what may stop the run, between
    flushes (the threads see the stop flag it sets)."""

    def __init__(
        self,
        db: Database,
        task_id: str,
        heartbeat: t.Callable[[], None],
        state: RunState,
        handing_back: t.Callable[[], bool],
    ) -> None:
        self.db = db
        self.task_id = task_id
        self.heartbeat = heartbeat
        self.state = state
        self.handing_back = handing_back

    def check_lease(self) -> None:
        """Renew the lease; raise :class:`LeaseLost` if another worker has taken this
        task's job over."""
        self.state.last_beat = time.monotonic()
        try:
            self.heartbeat()
        except LeaseLost:
            self.state.halt(HaltReason.LOST)
            raise

    def look(self) -> None:
        """Look for cancel, pause or deadline (and keep the lease): any of them stops the
        run. A task well again after a retried fault shows OK again. A job going back to
        the queue stops the run as a lost lease does: another worker resumes it."""
        state = self.state
        if self.handing_back():
            state.halt(HaltReason.LOST, "handed back to the queue")
            return
        if time.monotonic() - state.last_beat >= HEARTBEAT_SECONDS:
            self.check_lease()
        with self.db.session() as session:
            task = session.get(TransferTask, self.task_id)
            reason = stop_reason(session, task) if task is not None else (HaltReason.GONE, "")
            if reason is None and task is not None and task.nice_status not in ("OK",):
                if not state.retrying:
                    task.nice_status = "OK"
                    task.nice_status_details = None
                    task.nice_status_short_description = None
        if reason is not None:
            state.halt(*reason)


__all__: t.Sequence[str] = [
    "Watch",
    "is_paused_now",
    "pause_rules_for",
    "stop_reason",
    "task_endpoints",
]
