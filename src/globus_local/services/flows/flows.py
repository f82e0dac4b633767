"""Creating, changing, deleting and validating flows.

A definition is checked by the flow language (a rule it breaks is a 422 naming the state
and the rule), its providers' scopes found, and the flow's own scope registered with them
as dependencies, all before the flow is stored.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import delete
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.flow_language.validation import (
    DefinitionError,
    check_definition,
    check_input_schema,
)
from globus_local.kit.documents import new_id
from globus_local.kit.errors import BadRequest
from globus_local.kit.params import parse_uuid
from globus_local.services.flows.access import (
    FLOW_LISTS,
    Caller,
    FlowAccess,
    check_principals,
    flow_roles,
)
from globus_local.services.flows.errors import unprocessable
from globus_local.services.flows.flow_scopes import (
    find_action_scopes,
    flow_scope_string,
    register_flow_scope,
    scopes_by_run_as,
)
from globus_local.services.flows.models import Flow, FlowRole

TEXT_LIMITS = {"title": 128, "subtitle": 128, "description": 4096}
MAX_KEYWORDS = 1024


def expect_object(body: t.Any, what: str = "request body") -> dict[str, t.Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"The {what} must be a JSON object")
    return body


def _text(body: dict[str, t.Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise unprocessable(f"{key} is required", [key])
        return None
    if not isinstance(value, str) or len(value) > TEXT_LIMITS[key] or "\x00" in value:
        raise unprocessable(
            f"{key} must be a string of at most {TEXT_LIMITS[key]} characters, without NUL",
            [key],
        )
    if required and not value.strip():
        raise unprocessable(f"{key} must not be empty", [key])
    return value


def _keywords(value: t.Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise unprocessable("keywords must be a list of strings", ["keywords"])
    if sum(len(k) for k in value) > MAX_KEYWORDS:
        raise unprocessable(f"keywords may total at most {MAX_KEYWORDS} characters", ["keywords"])
    return list(value)


def checked_definition(definition: t.Any) -> dict[str, t.Any]:
    """The definition if the flow language accepts it; a 422 naming state and rule if not."""
    if not isinstance(definition, dict):
        raise unprocessable("definition must be a JSON object", ["definition"])
    try:
        check_definition(definition)
    except DefinitionError as err:
        loc: list[str | int] = ["definition"]
        if err.state:
            loc += ["States", err.state]
        where = f"State {err.state}: " if err.state else ""
        raise unprocessable(f"{where}{err.message} (rule: {err.rule})", loc) from None
    return definition


def checked_input_schema(schema: t.Any) -> dict[str, t.Any]:
    if schema is None:
        return {}
    if not isinstance(schema, dict):
        raise unprocessable("input_schema must be a JSON object", ["input_schema"])
    try:
        check_input_schema(schema)
    except DefinitionError as err:
        raise unprocessable(f"input_schema: {err.message}", ["input_schema"]) from None
    return schema


def validate_flow(body: t.Any, public_root: str) -> dict[str, t.Any]:
    """``POST /flows/validate``: the definition and schema checked, and the scopes each
    RunAs role's token must cover; nothing stored."""
    body = expect_object(body)
    definition = checked_definition(body.get("definition"))
    checked_input_schema(body.get("input_schema"))
    scopes = find_action_scopes(definition, public_root)
    return {"scopes": scopes_by_run_as(definition, scopes)}


def _set_roles(session: Session, flow: Flow) -> None:
    """The roles table mirrors the flow's principal lists (and its owner)."""
    session.execute(delete(FlowRole).where(FlowRole.flow_id == flow.id))
    rows = {("flow_owner", f"urn:globus:auth:identity:{flow.owner_id}")}
    for name in FLOW_LISTS:
        rows.update((name, p) for p in getattr(flow, name))
    session.add_all(FlowRole(flow_id=flow.id, role=r, principal=p) for r, p in sorted(rows))


def create_flow(session: Session, caller: Caller, body: t.Any, public_root: str) -> FlowAccess:
    body = expect_object(body)
    title = _text(body, "title", required=True)
    definition = checked_definition(body.get("definition"))
    input_schema = checked_input_schema(body.get("input_schema"))
    lists = {name: check_principals(body.get(name), name, s) for name, s in FLOW_LISTS.items()}
    keywords = _keywords(body.get("keywords") or [])
    action_scopes = find_action_scopes(definition, public_root)
    flow_id = new_id()
    now = utcnow()
    flow = Flow(
        id=flow_id,
        title=title,
        subtitle=_text(body, "subtitle") or "",
        description=_text(body, "description") or "",
        keywords=keywords,
        definition=definition,
        input_schema=input_schema,
        owner_id=caller.identity_id,
        created_by=caller.identity_id,
        subscription_id=_subscription(body.get("subscription_id")),
        scope_string=flow_scope_string(flow_id),
        action_scopes=action_scopes,
        created_at=now,
        updated_at=now,
        **lists,
    )
    session.add(flow)
    session.flush()
    register_flow_scope(session, flow_id, definition, action_scopes)
    _set_roles(session, flow)
    session.flush()
    return FlowAccess(flow, caller, flow_roles(flow, caller))


def _subscription(value: t.Any) -> str | None:
    if value is None or value == "DEFAULT":
        return None
    return parse_uuid(value, "subscription_id")


def update_flow(session: Session, access: FlowAccess, body: t.Any, public_root: str) -> FlowAccess:
    """``PUT /flows/{id}``: only the given keys change; the owner alone hands the flow on."""
    access.require_admin()
    body = expect_object(body)
    flow = access.flow
    if "definition" in body:
        flow.definition = checked_definition(body["definition"])
        flow.action_scopes = find_action_scopes(flow.definition, public_root)
        register_flow_scope(session, flow.id, flow.definition, flow.action_scopes)
    if "input_schema" in body:
        flow.input_schema = checked_input_schema(body["input_schema"])
    for key in ("title", "subtitle", "description"):
        if key in body:
            setattr(flow, key, _text(body, key, required=key == "title") or "")
    if "keywords" in body:
        flow.keywords = _keywords(body["keywords"] or [])
    if "subscription_id" in body:
        flow.subscription_id = _subscription(body["subscription_id"])
    for name, specials in FLOW_LISTS.items():
        if name in body:
            setattr(flow, name, check_principals(body[name], name, specials))
    if body.get("flow_owner") is not None:
        flow.owner_id = _new_owner(access, body["flow_owner"])
    flow.updated_at = utcnow()
    _set_roles(session, flow)
    session.flush()
    return FlowAccess(flow, access.caller, flow_roles(flow, access.caller))


def _new_owner(access: FlowAccess, value: t.Any) -> str:
    urn = check_principals([value], "flow_owner", frozenset())[0]
    if not urn.startswith("urn:globus:auth:identity:"):
        raise unprocessable("flow_owner must be an identity URN", ["flow_owner"])
    owner = urn.rsplit(":", 1)[1]
    if owner != access.flow.owner_id:
        access.require_owner()
    return owner


def delete_flow(session: Session, access: FlowAccess) -> FlowAccess:
    """The flow is marked deleted (its runs keep naming it) and drops out of every view."""
    access.require_admin()
    access.flow.deleted_at = utcnow()
    session.execute(delete(FlowRole).where(FlowRole.flow_id == access.flow.id))
    session.flush()
    return access
