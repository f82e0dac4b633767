"""Endpoint managers' pause rules as they edit them: list, create, change, delete. A rule
changed or deleted lets the tasks it held run again (:func:`task_control.resume_if_free`);
which rules are in force is :mod:`.pauses`."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest, Forbidden, NotFound
from globus_local.kit.params import parse_bool, parse_csv, parse_datetime, parse_uuid
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints, pauses, task_queries
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import PAUSE_FLAGS, PauseRule
from globus_local.services.transfer.task_access import MANAGER_ROLES
from globus_local.services.transfer.task_control import resume_if_free


def _rule_endpoint(session: Session, ctx: AuthContext, endpoint_id: t.Any) -> Endpoint:
    if not endpoint_id:
        raise BadRequest("A pause rule needs 'endpoint_id'")
    endpoint = access.endpoint_for(session, ctx, str(endpoint_id), need="monitor")
    if not access.effective_roles(session, ctx, endpoint) & MANAGER_ROLES:
        raise Forbidden(
            "You need the activity_manager role on this endpoint", code="PermissionDenied"
        )
    return endpoint


def _apply(rule: PauseRule, body: dict[str, t.Any]) -> None:
    if "message" in body:
        message = body["message"]
        if message is not None and not isinstance(message, str):
            raise BadRequest("Invalid value for 'message'")
        rule.message = message
    if "identity_id" in body:
        identity = body["identity_id"]
        rule.identity_id = parse_uuid(identity, "identity_id") if identity else None
    if "start_time" in body:
        start = body["start_time"]
        rule.start_time = parse_datetime(start, "start_time") if start else None
    for flag in PAUSE_FLAGS:
        if flag in body:
            setattr(rule, flag, parse_bool(body[flag], flag))


def get_rule(session: Session, ctx: AuthContext, rule_id: str) -> PauseRule:
    """A rule on an endpoint the caller manages."""
    rule = session.get(PauseRule, rule_id)
    if rule is None:
        raise NotFound(f"No pause rule '{rule_id}'", code="PauseRuleNotFound")
    _rule_endpoint(session, ctx, rule.endpoint_id)
    return rule


def rules_monitored(
    session: Session, ctx: AuthContext, filter_endpoint: str | None
) -> list[PauseRule]:
    """Rules on endpoints where the caller is (at least) an activity monitor.

    ``filter_endpoint`` narrows to those endpoints and the endpoints they host; the caller
    must monitor a filter endpoint itself, as the Transfer docs say.
    """
    monitored = {
        e.id: e for e in endpoints.endpoints_with_roles(session, ctx, access.MONITOR_ROLES)
    }
    wanted = set(parse_csv(filter_endpoint))
    ids = [
        eid
        for eid, endpoint in monitored.items()
        if not wanted or eid in wanted or endpoint.host_endpoint_id in wanted & monitored.keys()
    ]
    return list(
        session.scalars(
            select(PauseRule).where(PauseRule.endpoint_id.in_(ids)).order_by(PauseRule.created)
        )
    )


def rules_on_endpoint(
    session: Session, ctx: AuthContext, endpoint_id: str
) -> tuple[Endpoint, list[PauseRule]]:
    """An endpoint the caller can see, and the rules on it (and on its host) that apply to
    them, started or not."""
    endpoint = access.endpoint_for(session, ctx, endpoint_id, need="read")
    identities = access.identities(ctx)
    return endpoint, pauses.rules_applying(
        session, pauses.governing_endpoints(endpoint), identities
    )


def create_rule(session: Session, ctx: AuthContext, body: t.Any) -> PauseRule:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a pause_rule document")
    endpoint = _rule_endpoint(session, ctx, body.get("endpoint_id"))
    rule = PauseRule(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        modified_by_id=ctx.identity_id,
        created=utcnow(),
        created_by_host_manager=False,
        editable=True,
        # A flag the document leaves out pauses: the real service creates a rule given none
        # of them with all six set (seen in the Globus SDK's integration tests against it).
        **dict.fromkeys(PAUSE_FLAGS, True),
    )
    _apply(rule, body)
    session.add(rule)
    session.flush()
    return rule


def _resume_endpoint_tasks(session: Session, endpoint_id: str) -> None:
    session.flush()
    for task in task_queries.paused_tasks_on(session, endpoint_id):
        resume_if_free(session, task)


def update_rule(session: Session, ctx: AuthContext, rule_id: str, body: t.Any) -> PauseRule:
    rule = get_rule(session, ctx, rule_id)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a pause_rule document")
    _apply(rule, body)
    rule.modified_by_id = ctx.identity_id
    _resume_endpoint_tasks(session, rule.endpoint_id)
    return rule


def delete_rule(session: Session, ctx: AuthContext, rule_id: str) -> None:
    rule = get_rule(session, ctx, rule_id)
    endpoint_id = rule.endpoint_id
    session.delete(rule)
    _resume_endpoint_tasks(session, endpoint_id)
