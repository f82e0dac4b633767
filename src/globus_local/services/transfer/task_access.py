"""Which tasks the caller may see or act on: their own, and those on endpoints they
monitor or manage. A task whose job the queue gave up on is shown as FAILED on the way."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from globus_local.db import utcnow
from globus_local.jobs import FAILED as JOB_FAILED
from globus_local.jobs import Job
from globus_local.kit.errors import Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import ACTIVE, FAILED, TransferTask
from globus_local.services.transfer.mover import progress

# Roles that may cancel, pause and resume others' tasks on an endpoint.
MANAGER_ROLES = frozenset({"administrator", "activity_manager"})


def task_not_found(task_id: str) -> NotFound:
    return NotFound(f"Task '{task_id}' not found", code="TaskNotFound")


GaveUp = tuple[TransferTask, str, dt.datetime]


def _given_up(session: Session, tasks: t.Iterable[TransferTask]) -> list[GaveUp]:
    """ACTIVE tasks whose job the queue gave up on (its workers kept dying), with the
    job's error and when it ended."""
    active = {task.job_id: task for task in tasks if task.status == ACTIVE and task.job_id}
    if not active:
        return []
    rows = session.execute(
        select(Job.id, Job.error, Job.finished_at).where(
            Job.id.in_(sorted(active)), Job.state == JOB_FAILED
        )
    ).all()
    return [(active[row.id], row.error or "", row.finished_at or utcnow()) for row in rows]


def _failure(error: str) -> dict[str, str]:
    return {"code": "INTERNAL_ERROR", "description": error or "the task failed"}


def show_settled(session: Session, tasks: t.Iterable[TransferTask]) -> None:
    """Show tasks whose job the queue gave up on as FAILED, writing nothing: reads must
    not take the database's write lock. Their rows stay ACTIVE until a request that
    writes anyway stores the failure (:func:`settle`)."""
    for task, error, ended in _given_up(session, tasks):
        values = {
            "status": FAILED,
            "completion_time": ended,
            "fatal_error": _failure(error),
            "nice_status": None,
            "nice_status_details": None,
            "nice_status_short_description": None,
            "is_paused": False,
        }
        for key, value in values.items():
            set_committed_value(task, key, value)


def settle(session: Session, tasks: t.Iterable[TransferTask]) -> None:
    """Store the failure of tasks whose job the queue gave up on, for requests that write."""
    for task, error, ended in _given_up(session, tasks):
        progress.finish(
            session,
            task.id,
            FAILED,
            fatal_error=_failure(error),
            event=("INTERNAL_ERROR", error, True),
            extra={"completion_time": ended},
        )
        session.refresh(task)


def ended_task_ids(session: Session, task_ids: t.Collection[str]) -> set[str]:
    """Which of ``task_ids`` a reader would no longer see ACTIVE: ended or paused into
    INACTIVE, their job given up on (:func:`show_settled`), or gone. One query."""
    rows = session.execute(
        select(TransferTask.id, TransferTask.status, Job.state)
        .outerjoin(Job, Job.id == TransferTask.job_id)
        .where(TransferTask.id.in_(sorted(task_ids)))
    ).all()
    ended = {row.id for row in rows if row.status != ACTIVE or row.state == JOB_FAILED}
    return ended | (set(task_ids) - {row.id for row in rows})


def endpoint_names(session: Session, endpoint_ids: t.Iterable[str | None]) -> dict[str, str]:
    """Current display names of endpoints, by id."""
    ids = sorted({e for e in endpoint_ids if e})
    if not ids:
        return {}
    rows = session.execute(
        select(Endpoint.id, Endpoint.display_name).where(Endpoint.id.in_(ids))
    ).all()
    return {row.id: row.display_name for row in rows}


def display_names(session: Session, tasks: t.Iterable[TransferTask]) -> dict[str, str]:
    """Current display names of the tasks' source and destination endpoints."""
    return endpoint_names(
        session, (e for x in tasks for e in (x.source_endpoint_id, x.destination_endpoint_id))
    )


def own_task(
    session: Session, ctx: AuthContext, task_id: str, *, writing: bool = False
) -> TransferTask:
    """The caller's task; a request ``writing`` anyway stores a failure it finds
    (:func:`settle`), a read only shows it (:func:`show_settled`)."""
    task = session.get(TransferTask, str(task_id))
    if task is None or task.owner_id not in access.identities(ctx):
        raise task_not_found(task_id)
    (settle if writing else show_settled)(session, [task])
    return task


def endpoint_roles(session: Session, ctx: AuthContext, endpoint_ids: t.Iterable[str]) -> set[str]:
    """Every role the caller holds on any of ``endpoint_ids``."""
    roles: set[str] = set()
    urns = access.principal_urns(session, ctx)
    for endpoint_id in endpoint_ids:
        endpoint = session.get(Endpoint, endpoint_id)
        if endpoint is not None:
            roles |= access.effective_roles(session, ctx, endpoint, urns)
    return roles


def source_endpoints(task: TransferTask) -> set[str]:
    """The task's source endpoint and, for a share, its host."""
    return {e for e in (task.source_endpoint_id, task.source_host_endpoint_id) if e}


def destination_endpoints(task: TransferTask) -> set[str]:
    """The task's destination endpoint and, for a share, its host (none for a delete)."""
    return {e for e in (task.destination_endpoint_id, task.destination_host_endpoint_id) if e}


def managed_task(
    session: Session, ctx: AuthContext, task_id: str, *, manage: bool = False
) -> TransferTask:
    """A task on an endpoint the caller monitors (``manage``: may cancel/pause it, and the
    request writes, so a failure found is stored rather than only shown)."""
    task = session.get(TransferTask, str(task_id))
    if task is None:
        raise task_not_found(task_id)
    roles = endpoint_roles(session, ctx, source_endpoints(task) | destination_endpoints(task))
    wanted = MANAGER_ROLES if manage else access.MONITOR_ROLES
    if not roles & wanted:
        if roles & access.MONITOR_ROLES:
            raise Forbidden(
                "You need the activity_manager role for this task", code="PermissionDenied"
            )
        raise task_not_found(task_id)
    (settle if manage else show_settled)(session, [task])
    return task


def admin_side(session: Session, ctx: AuthContext, task: TransferTask) -> str:
    """Which side(s) of ``task`` the caller manages: SOURCE, DESTINATION or BOTH."""
    on_src = bool(endpoint_roles(session, ctx, source_endpoints(task)) & MANAGER_ROLES)
    on_dst = bool(endpoint_roles(session, ctx, destination_endpoints(task)) & MANAGER_ROLES)
    return "BOTH" if on_src and on_dst else ("SOURCE" if on_src else "DESTINATION")
