"""An action's life, the same for every provider: started once per request_id, looked
at (its provider says where it stands; only a change of status is written), cancelled,
resumed, released, and failed when its deadline passes.

A provider's hook runs in a savepoint: a service error it raises (a missing endpoint, a
path the caller may not write) undoes what the hook wrote and fails the action with that
error's code, as the real providers report such failures.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.db import utcnow
from globus_local.kit.documents import iso, new_id
from globus_local.kit.errors import ServiceError
from globus_local.kit.tokens import AuthContext
from globus_local.services.actions import access
from globus_local.services.actions.action_request import ActionRequest, parse_request
from globus_local.services.actions.documents import log_page, status_document
from globus_local.services.actions.errors import action_conflict, action_not_found
from globus_local.services.actions.models import (
    FINAL_STATES,
    RUNNING_STATES,
    Action,
    ActionState,
)
from globus_local.services.actions.providers.base import Progress, Provider, StartCall, failed

# Most actions one enumeration lists, newest first.
MAX_LISTED = 1000
STATUS_WORDS = {s.value.lower(): s for s in ActionState}
ROLE_WORDS = ("creator_id", "monitor_by", "manage_by")


# -- the log and transitions ---------------------------------------------------------------
def _entry(code: str, description: str, **details: t.Any) -> dict[str, t.Any]:
    entry: dict[str, t.Any] = {"time": iso(utcnow()), "code": code, "description": description}
    if details:
        entry["details"] = details
    return entry


def _ended_entry(action: Action) -> dict[str, t.Any]:
    if action.status == ActionState.SUCCEEDED:
        return _entry("ActionSucceeded", "The action completed successfully")
    if action.status == ActionState.FAILED:
        return _entry("ActionFailed", "The action failed", details=action.details)
    return _entry("ActionInactive", "The action is waiting", details=action.details)


def apply(action: Action, progress: Progress) -> None:
    """Store where the action now stands, logging a change of status and, once it has
    ended, when it will be released."""
    changed = progress.status != action.status
    action.status = progress.status
    action.details = progress.details
    action.display_status = progress.display_status or progress.status.value
    if progress.state:
        action.state = {**action.state, **progress.state}
    if progress.status in FINAL_STATES and action.completion_time is None:
        action.completion_time = utcnow()
        action.release_at = action.completion_time + dt.timedelta(seconds=action.release_after)
    if changed:
        action.log = [*action.log, _ended_entry(action)]


def look(session: Session, provider: Provider, action: Action) -> Progress | None:
    """Where a running action stands now (None when it has ended or its provider reports
    nothing new); one past its deadline is stopped and failed."""
    if action.status not in RUNNING_STATES:
        return None
    if action.deadline is not None and utcnow() >= action.deadline:
        try:
            with session.begin_nested():
                provider.cancel(session, action)
        except ServiceError:
            pass
        return failed("DeadlineExceeded", "The action did not complete before its deadline")
    return provider.refresh(session, action)


def advance(session: Session, provider: Provider, action: Action) -> Progress | None:
    """Look at a running action and store a change of status; the live progress."""
    progress = look(session, provider, action)
    if progress is not None and progress.status != action.status:
        session.refresh(action, with_for_update=True)
        if action.status in RUNNING_STATES:
            apply(action, progress)
            session.flush()
        return None
    return progress


# -- finding actions -----------------------------------------------------------------------------
def _by_request(
    session: Session, provider: Provider, creator_id: str, request_id: str
) -> Action | None:
    return session.scalar(
        select(Action).where(
            Action.provider == provider.key,
            Action.creator_id == creator_id,
            Action.request_id == request_id,
        )
    )


def _get(session: Session, provider: Provider, action_id: str) -> Action:
    storable = len(action_id) <= 36 and "\x00" not in action_id
    action = session.get(Action, action_id) if storable else None
    if action is None or action.provider != provider.key:
        raise action_not_found(action_id)
    return action


# -- the routes' work ----------------------------------------------------------------------------
def _repeat(
    session: Session, provider: Provider, existing: Action, request: ActionRequest
) -> dict[str, t.Any]:
    if existing.request_hash != request.fingerprint:
        raise action_conflict(
            f"Request with id {request.request_id} was already used for a different request"
        )
    return status_document(existing, advance(session, provider, existing))


def run(
    session: Session, ctx: AuthContext, settings: Settings, provider: Provider, raw: t.Any
) -> tuple[dict[str, t.Any], bool]:
    """Start an action, or find the one this request_id started: (ActionStatus, created)."""
    now = utcnow()
    creator = access.IDENTITY_URN + ctx.identity_id
    request = parse_request(raw, provider.description.input_schema, creator, now)
    existing = _by_request(session, provider, ctx.identity_id, request.request_id)
    if existing is not None:
        return _repeat(session, provider, existing, request), False
    action = Action(
        id=new_id(),
        provider=provider.key,
        creator_id=ctx.identity_id,
        request_id=request.request_id,
        request_hash=request.fingerprint,
        status=ActionState.ACTIVE,
        display_status=ActionState.ACTIVE.value,
        label=request.label,
        monitor_by=request.monitor_by,
        manage_by=request.manage_by,
        start_time=now,
        deadline=request.deadline,
        release_after=request.release_after,
        details={},
        state={},
        log=[_entry("ActionStarted", "The action started")],
    )
    try:
        with session.begin_nested():
            session.add(action)
            session.flush()
    except IntegrityError:  # the same request_id raced in
        existing = _by_request(session, provider, ctx.identity_id, request.request_id)
        if existing is None:
            raise
        return _repeat(session, provider, existing, request), False
    call = StartCall(session, ctx, settings, action.id)
    try:
        with session.begin_nested():
            progress = provider.start(call, request.body)
    except ServiceError as err:
        progress = failed(err.code, err.message, http_status=err.http_status)
    apply(action, progress)
    session.flush()
    return status_document(action), True


def status(
    session: Session, ctx: AuthContext, provider: Provider, action_id: str
) -> dict[str, t.Any]:
    action = _get(session, provider, action_id)
    access.require_monitor(session, ctx, action)
    return status_document(action, advance(session, provider, action))


def cancel(
    session: Session, ctx: AuthContext, provider: Provider, action_id: str
) -> dict[str, t.Any]:
    action = _get(session, provider, action_id)
    access.require_manage(session, ctx, action)
    advance(session, provider, action)
    if action.status in FINAL_STATES:
        raise action_conflict(f"Action {action.id} has already completed")
    session.refresh(action, with_for_update=True)
    with session.begin_nested():
        progress = provider.cancel(session, action)
    action.log = [*action.log, _entry("ActionCanceled", "A cancel was requested")]
    apply(action, progress)
    return status_document(action)


def release(
    session: Session, ctx: AuthContext, provider: Provider, action_id: str
) -> dict[str, t.Any]:
    """The final status of an ended action, which is then forgotten."""
    action = _get(session, provider, action_id)
    access.require_manage(session, ctx, action)
    advance(session, provider, action)
    if action.status in RUNNING_STATES:
        raise action_conflict(
            f"Action {action.id} has status '{action.status}' but must have status in "
            "{'SUCCEEDED', 'FAILED'} to be released"
        )
    document = status_document(action)
    session.delete(action)
    return document


def resume(
    session: Session, ctx: AuthContext, provider: Provider, action_id: str
) -> dict[str, t.Any]:
    """Resume an INACTIVE action (its provider looks again at once); others are as they are."""
    action = _get(session, provider, action_id)
    access.require_manage(session, ctx, action)
    live = advance(session, provider, action)
    if action.status == ActionState.INACTIVE:
        action.log = [*action.log, _entry("ActionResumed", "The action was resumed")]
        live = advance(session, provider, action)
    return status_document(action, live)


def log(
    session: Session,
    ctx: AuthContext,
    provider: Provider,
    action_id: str,
    *,
    limit: int,
    offset: int,
    reverse_order: bool,
) -> dict[str, t.Any]:
    action = _get(session, provider, action_id)
    access.require_monitor(session, ctx, action)
    advance(session, provider, action)
    return log_page(action, limit=limit, offset=offset, reverse_order=reverse_order)


def enumerate_actions(
    session: Session,
    ctx: AuthContext,
    provider: Provider,
    statuses: list[ActionState],
    roles: list[str],
) -> list[dict[str, t.Any]]:
    """The caller's actions of this provider in the given statuses, by the given roles
    (``creator_id``, ``monitor_by``, ``manage_by``), newest first."""
    query = select(Action).where(Action.provider == provider.key)
    if roles == ["creator_id"]:
        query = query.where(Action.creator_id == ctx.identity_id)
    rows = session.scalars(query.order_by(Action.start_time.desc()).limit(MAX_LISTED))
    held = access.principals(session, ctx)
    found = []
    for action in rows:
        in_role = (
            ("creator_id" in roles and action.creator_id == ctx.identity_id)
            or ("monitor_by" in roles and bool(held & set(action.monitor_by)))
            or ("manage_by" in roles and bool(held & set(action.manage_by)))
        )
        if not in_role:
            continue
        live = advance(session, provider, action)
        if ActionState(action.status) in statuses:
            found.append(status_document(action, live))
    return found
