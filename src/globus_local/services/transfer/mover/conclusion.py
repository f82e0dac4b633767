"""The end of a run: the task's final status, or the state it is left in for a later run.

Only the job's holder may end the task, so the transaction is fenced, except when the run
ends because the task is gone or the job was lost. The renames recorded since the last
flush land in the same transaction.
"""

from __future__ import annotations

from globus_local.db import Database
from globus_local.services.transfer.models_tasks import ACTIVE, FAILED, SUCCEEDED, TransferTask
from globus_local.services.transfer.mover import progress
from globus_local.services.transfer.mover.recording import Fence, Recorder
from globus_local.services.transfer.mover.state import HaltReason, RunOutcome, RunState


def conclude(
    db: Database, task_id: str, fence: Fence, state: RunState, recorder: Recorder
) -> RunOutcome:
    """Record how the run ended (see :meth:`RunState.ending`) and say what it came to."""
    ending = state.ending()
    with db.session() as session:
        if ending is None or ending[0] not in (HaltReason.GONE, HaltReason.LOST):
            fence(session)
        recorder.mark_renamed(session)
        if ending is None:
            task = session.get(TransferTask, task_id)
            if task is None:
                return RunOutcome.MISSING
            numbers = recorder.final_numbers(session, task)
            status = FAILED if numbers["subtasks_failed"] else SUCCEEDED
            summary = (
                f"files={numbers['files_transferred']} skipped={numbers['files_skipped']} "
                f"bytes={numbers['bytes_transferred']}"
            )
            progress.finish(
                session,
                task_id,
                status,
                event=("SUCCEEDED", summary, False),
                numbers=numbers,
            )
            return RunOutcome(status)
        reason, message = ending
        if reason == HaltReason.GONE:
            return RunOutcome(message) if message else RunOutcome.GONE
        if reason == HaltReason.LOST:
            return RunOutcome.LOST
        if reason == HaltReason.PAUSE:
            task = session.get(TransferTask, task_id)
            if task is not None and task.cancel_requested:
                # Canceled while this run was stopping for the pause: no run will follow
                # to see the cancel, so it ends here.
                reason, message = HaltReason.CANCEL, ""
        if reason == HaltReason.PAUSE:
            task = session.get(TransferTask, task_id)
            if task is not None and task.status == ACTIVE:
                task.is_paused = True
                task.nice_status = "PAUSED_BY_ADMIN" if task.admin_paused else "PAUSED"
                task.nice_status_short_description = "paused"
                task.nice_status_details = message
                progress.save_progress(session, task_id)
                progress.add_event(session, task_id, "PAUSED", message)
            return RunOutcome.PAUSED
        if reason == HaltReason.CANCEL:
            task = session.get(TransferTask, task_id)
            by_admin = task is not None and task.canceled_by_admin is not None
            progress.finish(
                session,
                task_id,
                FAILED,
                fatal_error={"code": "CANCELED", "description": "canceled"},
                event=("CANCELED", message or "The task was canceled", False),
                leftover="subtasks_canceled",
            )
            return RunOutcome.CANCELED_BY_ADMIN if by_admin else RunOutcome.CANCELED
        if reason == HaltReason.DEADLINE:
            progress.finish(
                session,
                task_id,
                FAILED,
                fatal_error={"code": "DEADLINE", "description": "deadline exceeded"},
                event=("DEADLINE", message, True),
                leftover="subtasks_expired",
            )
            return RunOutcome.FAILED
        fault = state.fatal
        assert fault is not None
        progress.finish(
            session,
            task_id,
            FAILED,
            fatal_error={"code": fault.code, "description": fault.description},
            event=(fault.code, fault.description, True),
        )
        return RunOutcome.FAILED
