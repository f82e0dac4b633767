"""Starting runs and what their owners and managers do with them: change labels and
roles, cancel, resume, release, read the log.

Starting a run checks the caller's flow token and the input, gets the providers' tokens
by dependent-token grant, stores the run with its first log entry and queues its job,
all in the request's transaction: the run exists, and is worked, iff the request commits.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, replace

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.db import utcnow
from globus_local.flow_language.interpreter import start
from globus_local.flow_language.validation import validate_input
from globus_local.jobs import Job, enqueue, request_cancel
from globus_local.kit.documents import new_id
from globus_local.kit.errors import BadRequest, Conflict
from globus_local.kit.paging import decode_marker, encode_marker
from globus_local.kit.params import parse_bool, query_int
from globus_local.kit.tokens import AuthContext
from globus_local.services.auth.identities import get_identity
from globus_local.services.auth.tokens import lookup_token
from globus_local.services.flows import run_log
from globus_local.services.flows.access import (
    RUN_LISTS,
    FlowAccess,
    RunAccess,
    check_principals,
    identity_urn,
    run_roles,
)
from globus_local.services.flows.documents import log_entry_document, private_names_for
from globus_local.services.flows.errors import missing_scope, state_conflict
from globus_local.services.flows.flows import expect_object
from globus_local.services.flows.models import Run, RunLogEntry, RunRole, RunStatus
from globus_local.services.flows.run_tokens import (
    grant_run_tokens,
    keep_role_tokens,
    take_role_tokens,
)

JOB_KIND = "flows.run"
# Tries of one job of a run (a worker that dies holding it uses one).
MAX_ATTEMPTS = 5
MAX_LABEL = 255
MAX_TAGS = 100
LOG_LIMIT_MAX = 100
ENDED = ("ENDED", "SUCCEEDED", "FAILED")


@dataclass(frozen=True)
class RunRequest:
    """The body of a run request, in either the current or the legacy (AP-style) shape."""

    body: dict[str, t.Any]
    request_id: str | None
    label: str
    tags: list[str]
    run_managers: list[str]
    run_monitors: list[str]
    notification_policy: dict[str, t.Any]

    @classmethod
    def parse(cls, raw: t.Any) -> RunRequest:
        raw = expect_object(raw)
        body = raw.get("body", {})
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object (the run's input)")
        managers = raw.get("run_managers", raw.get("manage_by"))
        monitors = raw.get("run_monitors", raw.get("monitor_by"))
        policy = raw.get("activity_notification_policy") or {"status": ["INACTIVE"]}
        if not isinstance(policy, dict):
            raise BadRequest("activity_notification_policy must be an object")
        request_id = raw.get("request_id")
        if request_id is not None and (
            not isinstance(request_id, str)
            or not 0 < len(request_id) <= 255
            or "\x00" in request_id
        ):
            raise BadRequest("request_id must be a string of 1 to 255 characters, without NUL")
        return cls(
            body=body,
            request_id=request_id,
            label=_label(raw.get("label")),
            tags=_tags(raw.get("tags")),
            run_managers=check_principals(managers, "run_managers", RUN_LISTS["run_managers"]),
            run_monitors=check_principals(monitors, "run_monitors", RUN_LISTS["run_monitors"]),
            notification_policy=policy,
        )


def _label(value: t.Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_LABEL or "\x00" in value:
        raise BadRequest(f"label must be a string of at most {MAX_LABEL} characters, without NUL")
    return value


def _tags(value: t.Any) -> list[str]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > MAX_TAGS
        or not all(isinstance(x, str) and 0 < len(x) <= 255 for x in value)
    ):
        raise BadRequest(f"tags must be a list of at most {MAX_TAGS} non-empty strings")
    return list(value)


def require_flow_token(access: FlowAccess, ctx: AuthContext) -> None:
    """Starting a run takes a token for the flow's own scope (resource server: the flow)."""
    flow = access.flow
    if ctx.resource_server != flow.id or flow.scope_string not in ctx.scopes:
        raise missing_scope(flow.scope_string)


def check_input(access: FlowAccess, body: dict[str, t.Any]) -> None:
    """The run input against the flow's ``input_schema``: a 400 naming each failing path."""
    problems = validate_input(access.flow.input_schema, body)
    if problems:
        raise BadRequest("Input does not match the flow's input_schema: " + "; ".join(problems))


def _context(
    session: Session, run_id: str, flow_id: str, ctx: AuthContext, token: str
) -> dict[str, t.Any]:
    """What ``$._context`` reads during the run."""
    identity = get_identity(session, ctx.identity_id)
    row = lookup_token(session, token)
    issued = row.issued_at if row is not None else None
    return {
        "flow_id": flow_id,
        "run_id": run_id,
        "action_id": run_id,
        "username": ctx.username,
        "email": identity.email if identity is not None else None,
        "user_id": identity_urn(ctx.identity_id),
        "identities": [identity_urn(i) for i in ctx.identity_set],
        "token_info": {
            "exp": row.expires_at if row is not None else None,
            "iat": issued,
            "nbf": issued,
        },
    }


def start_run(
    session: Session,
    settings: Settings,
    access: FlowAccess,
    ctx: AuthContext,
    token: str,
    raw: t.Any,
) -> RunAccess:
    access.require_starter()
    require_flow_token(access, ctx)
    request, role_tokens = _parse_run_request(access, raw)
    flow = access.flow
    earlier = _same_request(session, flow.id, ctx.identity_id, request)
    if earlier is not None:
        return RunAccess(earlier, flow, access.caller, run_roles(earlier, flow, access.caller))
    run_id = new_id()
    now = utcnow()
    run = Run(
        id=run_id,
        flow_id=flow.id,
        flow_title=flow.title,
        flow_last_updated=flow.updated_at,
        definition=flow.definition,
        input_schema=flow.input_schema,
        action_scopes=flow.action_scopes,
        owner_id=ctx.identity_id,
        request_id=request.request_id,
        label=request.label,
        tags=request.tags,
        run_managers=request.run_managers,
        run_monitors=request.run_monitors,
        activity_notification_policy=request.notification_policy,
        status=RunStatus.ACTIVE.value,
        details={
            "code": "FlowStarting",
            "description": "The Flow is starting execution",
            "details": {"input": request.body},
        },
        input=request.body,
        context=_context(session, run_id, flow.id, ctx, token),
        public_root=settings.root_url,
        start_time=now,
        state_name=start(flow.definition),
        document=request.body,
    )
    run.state_entries = {run.state_name: 1} if run.state_name else {}
    session.add(run)
    session.flush()
    _set_roles(session, run)
    grant_run_tokens(session, settings, run_id, flow.id, token)
    keep_role_tokens(session, run_id, role_tokens)
    run_log.append(
        session,
        run,
        [
            {
                "code": "FlowStarted",
                "description": "The Flow Instance started execution",
                "details": {"input": request.body},
            }
        ],
    )
    run.job_id = enqueue(session, JOB_KIND, {"run_id": run_id}, max_attempts=MAX_ATTEMPTS)
    session.flush()
    return RunAccess(run, flow, access.caller, run_roles(run, flow, access.caller))


def _same_request(session: Session, flow_id: str, owner_id: str, request: RunRequest) -> Run | None:
    """The run an earlier request with this request_id started: the same run for the same
    input, a conflict for another (as action providers treat a repeated request_id)."""
    if request.request_id is None:
        return None
    earlier = session.scalar(
        select(Run).where(
            Run.flow_id == flow_id, Run.owner_id == owner_id, Run.request_id == request.request_id
        )
    )
    if earlier is not None and earlier.input != request.body:
        raise Conflict(f"request_id {request.request_id} was already used with another input")
    return earlier


def _set_roles(session: Session, run: Run) -> None:
    session.execute(delete(RunRole).where(RunRole.run_id == run.id))
    rows = {("run_owner", identity_urn(run.owner_id))}
    rows.update(("run_managers", p) for p in run.run_managers)
    rows.update(("run_monitors", p) for p in run.run_monitors)
    session.add_all(RunRole(run_id=run.id, role=r, principal=p) for r, p in sorted(rows))


def update_run(session: Session, access: RunAccess, raw: t.Any) -> RunAccess:
    """``PUT /runs/{id}``: label, tags (replaced whole) and the run's role lists."""
    access.require_manage()
    raw = expect_object(raw)
    run = access.run
    if "label" in raw:
        run.label = _label(raw["label"])
    if "tags" in raw:
        run.tags = _tags(raw["tags"])
    for name, specials in RUN_LISTS.items():
        if name in raw:
            setattr(run, name, check_principals(raw[name], name, specials))
    _set_roles(session, run)
    session.flush()
    return access


def cancel_run(session: Session, access: RunAccess) -> RunAccess:
    """End the run at once (FAILED, ``FlowCanceled``); its job is asked to stop and a new
    one cancels the action the run was waiting on, if any, and drops its tokens."""
    access.require_manage()
    run = _locked(session, access.run)
    if RunStatus(run.status).final:
        return access
    details = {
        "code": "FlowCanceled",
        "description": "The Flow Instance was canceled by the user",
        "details": {},
        "time": utcnow().isoformat(),
    }
    finish(session, run, RunStatus.FAILED, details, [details])
    if run.job_id:
        _ask_job_to_stop(session, run.job_id)
    run.job_id = enqueue(session, JOB_KIND, {"run_id": run.id}, max_attempts=MAX_ATTEMPTS)
    session.flush()
    return access


def _ask_job_to_stop(session: Session, job_id: str) -> None:
    """Ask the run's job to stop, unless its row is locked: its worker may be in a fenced
    write (job row, then run row) waiting for the run lock held here, and waiting for the
    job row in turn would deadlock the two. Left alone, the job finds the run handed to
    another job at its next write, and stops there."""
    free = session.scalar(select(Job.id).where(Job.id == job_id).with_for_update(skip_locked=True))
    if free is not None:
        request_cancel(session, job_id, detail="run canceled")


def _locked(session: Session, run: Run) -> Run:
    """The run's row locked and read afresh (the engine may have moved it since).

    The lock is taken by an UPDATE that changes nothing: SQLite has no ``FOR UPDATE``, and
    a read before the transaction's first write would let the engine commit a log entry
    between this read and the entry written here, both numbered alike."""
    session.execute(
        update(Run).where(Run.id == run.id).values(id=Run.id),
        execution_options={"synchronize_session": False},
    )
    return session.get(Run, run.id, populate_existing=True) or run


def finish(
    session: Session,
    run: Run,
    status: RunStatus,
    details: dict[str, t.Any],
    entries: list[dict[str, t.Any]],
) -> None:
    """A run's end: its status, details and completion time, with its last log entries."""
    run.status = status.value
    run.details = details
    run.completion_time = utcnow()
    run.state_name = None
    run.wait_until = None
    run.wait_then = None
    run_log.append(session, run, entries)


def resume_run(
    session: Session, settings: Settings, access: RunAccess, ctx: AuthContext, token: str
) -> RunAccess:
    """An INACTIVE run goes on; with a token for the flow's scope, its provider tokens are
    first renewed from it (the consent the run waited for)."""
    access.require_manage()
    run = _locked(session, access.run)
    if run.status != RunStatus.INACTIVE:
        return access
    if access.flow is not None and ctx.resource_server == run.flow_id:
        grant_run_tokens(session, settings, run.id, run.flow_id, token)
    run.status = RunStatus.ACTIVE.value
    run.details = {"code": "FlowResumed", "description": "The Flow Instance was resumed"}
    if run.action is not None and run.action_id is not None:
        run.action = {**run.action, "resume": True}
    run_log.append(session, run, [dict(run.details)])
    run.job_id = enqueue(session, JOB_KIND, {"run_id": run.id}, max_attempts=MAX_ATTEMPTS)
    session.flush()
    return access


def release_run(session: Session, access: RunAccess) -> RunAccess:
    """Forget an ended run; one still going is a 409."""
    access.require_manage()
    run = access.run
    if run.status not in ENDED:
        raise state_conflict(
            f"Run {run.id} has status '{run.status}' but must have status in "
            "{'ENDED', 'SUCCEEDED', 'FAILED'} for requested operation"
        )
    run.released = True
    session.flush()
    return access


def log_page(
    session: Session, access: RunAccess, query: t.Mapping[str, t.Any]
) -> tuple[list[RunLogEntry], dict[str, t.Any]]:
    """A page of the run's log, oldest first (newest first with ``reverse_order``)."""
    limit = query_int(
        query.get("limit") or query.get("per_page"), "limit", 10, minimum=1, maximum=LOG_LIMIT_MAX
    )
    reverse = (
        parse_bool(query["reverse_order"], "reverse_order") if query.get("reverse_order") else False
    )
    position = decode_marker(query.get("marker") or query.get("pagination_token"))
    stmt = select(RunLogEntry).where(RunLogEntry.run_id == access.run.id)
    if position is not None:
        after = position.get("seq")
        if not isinstance(after, int) or position.get("rev") != reverse:
            raise BadRequest("The marker belongs to a different query")
        stmt = stmt.where(RunLogEntry.seq < after if reverse else RunLogEntry.seq > after)
    order = RunLogEntry.seq.desc() if reverse else RunLogEntry.seq.asc()
    rows = list(session.scalars(stmt.order_by(order).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    doc: dict[str, t.Any] = {"limit": limit, "has_next_page": more}
    if more:
        doc["marker"] = encode_marker({"seq": page[-1].seq, "rev": reverse})
    return page, doc


def log_document(
    session: Session, access: RunAccess, query: t.Mapping[str, t.Any]
) -> dict[str, t.Any]:
    """``GET /runs/{id}/log``: the page with private values hidden from non-admins."""
    entries, doc = log_page(session, access, query)
    private = private_names_for(access)
    return {**doc, "entries": [log_entry_document(e, private) for e in entries]}


def validate_run(access: FlowAccess, raw: t.Any) -> RunRequest:
    """What starting a run checks of the caller and the request, without starting it."""
    access.require_starter()
    return _parse_run_request(access, raw)[0]


def _parse_run_request(access: FlowAccess, raw: t.Any) -> tuple[RunRequest, dict[str, str]]:
    """The request with the RunAs roles' tokens taken out of its input, and those tokens;
    the rest of the input checked against the flow's ``input_schema``."""
    request = RunRequest.parse(raw)
    body, role_tokens = take_role_tokens(access.flow.definition, request.body)
    request = replace(request, body=body)
    check_input(access, request.body)
    return request, role_tokens


def dry_run(access: FlowAccess, raw: t.Any) -> dict[str, t.Any]:
    """Legacy Automate dry run: the checked request and where the run would begin."""
    request = validate_run(access, raw)
    return {
        "flow_id": access.flow.id,
        "valid": True,
        "start_at": start(access.flow.definition),
        "input": request.body,
        "label": request.label,
        "required_scope": access.flow.scope_string,
    }
