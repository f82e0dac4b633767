"""The JSON documents Groups answers with (GroupRead, MembershipRead, policies)."""

from __future__ import annotations

import datetime as dt
import typing as t

from globus_local.services.groups.models import Group, Membership

ACTIONS = (
    "add",
    "change_role",
    "invite",
    "remove",
    "join",
    "request_join",
    "approve",
    "reject",
    "accept",
    "leave",
    "decline",
)


def timestamp(value: dt.datetime | None) -> str | None:
    """ISO-8601 with microseconds and ``+00:00`` (SQLite hands back naive UTC values)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def membership_document(m: Membership) -> dict[str, t.Any]:
    return {
        "group_id": m.group_id,
        "identity_id": m.identity_id,
        "username": m.username,
        "role": m.role,
        "status": m.status,
        "status_reason": m.status_reason,
        "invite_email_address": m.invite_email_address,
        "invite_time": timestamp(m.invite_time),
        "updated": timestamp(m.updated),
        "membership_fields": dict(m.membership_fields or {}),
    }


def policies_document(g: Group) -> dict[str, t.Any]:
    return {
        "is_high_assurance": g.is_high_assurance,
        "authentication_assurance_timeout": g.authentication_assurance_timeout,
        "group_visibility": g.group_visibility,
        "group_members_visibility": g.group_members_visibility,
        "join_requests": g.join_requests,
        "signup_fields": list(g.signup_fields or []),
    }


def group_document(
    g: Group,
    *,
    my_memberships: list[Membership] | None = None,
    memberships: list[Membership] | None = None,
    policies: bool = False,
    allowed_actions: dict[str, list[str]] | None = None,
    child_ids: list[str] | None = None,
) -> dict[str, t.Any]:
    """GroupRead; optional parts appear only when asked for (and allowed)."""
    doc: dict[str, t.Any] = {
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "parent_id": g.parent_id,
        "group_type": g.group_type,
        "enforce_session": g.enforce_session,
        "session_limit": g.session_limit,
        "session_timeouts": {},
        "terms_and_conditions": g.terms_and_conditions,
        "child_ids": child_ids,
        "subscription_id": g.subscription_id,
        "subscription_info": None,
        "subscription_admin_verified_id": g.subscription_admin_verified_id,
    }
    if my_memberships is not None:
        doc["my_memberships"] = [membership_document(m) for m in my_memberships]
    if memberships is not None:
        doc["memberships"] = [membership_document(m) for m in memberships]
    if policies:
        doc["policies"] = policies_document(g)
    if allowed_actions is not None:
        doc["allowed_actions"] = {a: allowed_actions.get(a, []) for a in ACTIONS}
    return doc
