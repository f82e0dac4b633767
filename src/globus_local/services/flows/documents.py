"""The JSON documents Flows answers with: flows, runs, run definitions and log entries."""

from __future__ import annotations

import datetime as dt
import typing as t

from globus_local.flow_language import hide_private, private_names, strip_private
from globus_local.services.flows.access import (
    FLOW_LISTS,
    FlowAccess,
    RunAccess,
    identity_urn,
    top_flow_role,
)
from globus_local.services.flows.models import Flow, Run, RunLogEntry


def timestamp(value: dt.datetime | None) -> str | None:
    """ISO-8601 in UTC with microseconds, as Flows writes its times."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def flow_document(access: FlowAccess, flows_url: str) -> dict[str, t.Any]:
    """FlowResponse as the caller may see it: principal lists and private parameters
    only for the flow's owner and administrators."""
    flow = access.flow
    admin = access.is_admin
    lists = {name: list(getattr(flow, name)) if admin else [] for name in FLOW_LISTS}
    url = f"{flows_url}flows/{flow.id}"
    doc: dict[str, t.Any] = {
        "id": flow.id,
        "title": flow.title,
        "subtitle": flow.subtitle,
        "description": flow.description,
        "keywords": list(flow.keywords),
        "definition": flow.definition if admin else strip_private(flow.definition),
        "input_schema": flow.input_schema,
        "globus_auth_scope": flow.scope_string,
        "globus_auth_scopes_by_RunAs": {"User": flow.scope_string},
        "globus_auth_username": f"{flow.id}@clients.auth.globus.org",
        "principal_urn": identity_urn(flow.id),
        "flow_owner": identity_urn(flow.owner_id),
        "created_by": identity_urn(flow.created_by),
        **lists,
        "visible_to": lists["flow_viewers"],
        "runnable_by": lists["flow_starters"],
        "administered_by": lists["flow_administrators"],
        "user_role": top_flow_role(access.roles),
        "user_roles": list(access.roles),
        "created_at": timestamp(flow.created_at),
        "updated_at": timestamp(flow.updated_at),
        "synchronous": False,
        "log_supported": True,
        "types": ["Action"],
        "api_version": "1.0",
        "action_url": url,
        "flow_url": url,
        "subscription_id": flow.subscription_id,
        "is_high_assurance": False,
    }
    if flow.deleted_at is not None:
        doc["deleted_at"] = timestamp(flow.deleted_at)
    return doc


def flow_description(flow: Flow) -> dict[str, t.Any]:
    """The part of a flow a run document carries when asked (``include_flow_description``)."""
    doc = {
        "id": flow.id,
        "title": flow.title,
        "subtitle": flow.subtitle,
        "description": flow.description,
        "keywords": list(flow.keywords),
        "flow_owner": identity_urn(flow.owner_id),
        "created_at": timestamp(flow.created_at),
        "updated_at": timestamp(flow.updated_at),
    }
    if flow.deleted_at is not None:
        doc["deleted_at"] = timestamp(flow.deleted_at)
    return doc


def run_document(access: RunAccess, *, include_flow_description: bool = False) -> dict[str, t.Any]:
    """The Run document; private values hidden from everyone but the flow's admins."""
    run = access.run
    managers, monitors = list(run.run_managers), list(run.run_monitors)
    details = run.details
    if not _sees_private(access):
        details = hide_private(details, _private_names(run))
    doc: dict[str, t.Any] = {
        "run_id": run.id,
        "action_id": run.id,
        "flow_id": run.flow_id,
        "flow_title": run.flow_title,
        "flow_last_updated": timestamp(run.flow_last_updated),
        "start_time": timestamp(run.start_time),
        "completion_time": timestamp(run.completion_time),
        "status": run.status,
        "display_status": run.status,
        "details": details,
        "run_owner": identity_urn(run.owner_id),
        "created_by": identity_urn(run.owner_id),
        "run_managers": managers,
        "run_monitors": monitors,
        "manage_by": managers,
        "monitor_by": monitors,
        "user_role": access.user_role,
        "user_roles": list(access.roles),
        "label": run.label,
        "tags": list(run.tags),
        "blocking_web_input_id": None,
        "search": {"task_id": None},
    }
    if include_flow_description and access.flow is not None:
        doc["flow_description"] = flow_description(access.flow)
    return doc


def run_definition_document(run: Run) -> dict[str, t.Any]:
    return {"flow_id": run.flow_id, "definition": run.definition, "input_schema": run.input_schema}


def log_entry_document(entry: RunLogEntry, private: set[str] | None) -> dict[str, t.Any]:
    details = entry.details if private is None else hide_private(entry.details, private)
    return {
        "time": timestamp(entry.time),
        "code": entry.code,
        "description": entry.description,
        "details": details,
    }


def private_names_for(access: RunAccess) -> set[str] | None:
    """The names to hide from this caller's view of the run (None: hide nothing)."""
    return None if _sees_private(access) else _private_names(access.run)


def _sees_private(access: RunAccess) -> bool:
    flow = access.flow
    return flow is not None and (
        flow.owner_id in access.caller.identity_set or access.caller.holds(flow.flow_administrators)
    )


def _private_names(run: Run) -> set[str]:
    names: set[str] = set()
    for state in (run.definition.get("States") or {}).values():
        if isinstance(state, dict) and isinstance(state.get("Parameters"), dict):
            names |= private_names(state["Parameters"])
    return names
