"""Group operations other than batch membership actions: CRUD, policies, preferences,
membership fields and the my-groups listing."""

from __future__ import annotations

import typing as t

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.documents import new_id
from globus_local.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from globus_local.kit.params import parse_csv_values, parse_uuid
from globus_local.services.groups.access import (
    VIEWING_STATUSES,
    Caller,
    GroupAccess,
    allowed_actions,
    load_group,
    memberships_of,
    visible_memberships,
)
from globus_local.services.groups.documents import group_document, policies_document
from globus_local.services.groups.models import (
    GROUP_VISIBILITIES,
    MEMBER_VISIBILITIES,
    SIGNUP_FIELDS,
    STATUSES,
    Group,
    IdentityPreference,
    Membership,
    MembershipStatus,
)
from globus_local.services.groups.validation import (
    expect_object,
    get_bool,
    get_choice,
    get_str,
    present,
)

INCLUDES = ("memberships", "my_memberships", "policies", "allowed_actions", "child_ids")
# Fields an identity may record on its membership: the signup fields plus name/org.
MEMBERSHIP_FIELD_NAMES = ("first_name", "last_name", "organization", *SIGNUP_FIELDS)


def parse_includes(values: t.Iterable[str] | None) -> set[str]:
    includes = set(parse_csv_values(values))
    unknown = sorted(includes - set(INCLUDES))
    if unknown:
        raise BadRequest(
            f"Unknown include value(s) {', '.join(unknown)}; allowed: {', '.join(INCLUDES)}"
        )
    return includes


def _child_ids(session: Session, group_id: str) -> list[str]:
    return list(
        session.scalars(select(Group.id).where(Group.parent_id == group_id).order_by(Group.id))
    )


def render_group(session: Session, access: GroupAccess, includes: set[str]) -> dict[str, t.Any]:
    members = visible_memberships(session, access) if "memberships" in includes else None
    return group_document(
        access.group,
        my_memberships=access.mine if "my_memberships" in includes else None,
        memberships=members,
        policies="policies" in includes,
        allowed_actions=allowed_actions(access) if "allowed_actions" in includes else None,
        child_ids=_child_ids(session, access.group.id) if "child_ids" in includes else None,
    )


# -- listing -------------------------------------------------------------------------------
def my_groups(session: Session, caller: Caller, statuses: list[str]) -> list[dict[str, t.Any]]:
    wanted = set(statuses or [MembershipStatus.ACTIVE])
    unknown = sorted(wanted - set(STATUSES))
    if unknown:
        raise BadRequest(f"Unknown status(es) {', '.join(unknown)}; allowed: {', '.join(STATUSES)}")
    rows = session.scalars(
        select(Membership)
        .where(
            Membership.identity_id.in_(sorted(caller.identity_set)),
            Membership.status.in_(sorted(wanted)),
        )
        .order_by(Membership.id)
    )
    by_group: dict[str, list[Membership]] = {}
    for m in rows:
        by_group.setdefault(m.group_id, []).append(m)
    if not by_group:
        return []
    groups = session.scalars(select(Group).where(Group.id.in_(sorted(by_group))))
    return [
        group_document(g, my_memberships=by_group[g.id])
        for g in sorted(groups, key=lambda g: (g.name.lower(), g.id))
    ]


def status_counts(session: Session, caller: Caller) -> dict[str, dict[str, int]]:
    """Membership counts per status for every group the caller administers or manages."""
    managed = session.scalars(
        select(Membership.group_id).where(
            Membership.identity_id.in_(sorted(caller.identity_set)),
            Membership.status == MembershipStatus.ACTIVE,
            Membership.role.in_(("admin", "manager")),
        )
    )
    group_ids = sorted(set(managed))
    counts = {gid: dict.fromkeys(STATUSES, 0) for gid in group_ids}
    if group_ids:
        rows = session.execute(
            select(Membership.group_id, Membership.status, func.count())
            .where(Membership.group_id.in_(group_ids))
            .group_by(Membership.group_id, Membership.status)
        )
        for gid, status, n in rows:
            counts[gid][status] = n
    return counts


def children(session: Session, access: GroupAccess, includes: set[str]) -> dict[str, t.Any]:
    docs = []
    for child in session.scalars(
        select(Group).where(Group.parent_id == access.group.id).order_by(Group.id)
    ):
        child_access = GroupAccess(
            child, access.caller, memberships_of(session, child.id, access.caller.identity_set)
        )
        if child_access.can_view_group:
            docs.append(render_group(session, child_access, includes))
    return {"children": docs}


# -- create / update / delete ------------------------------------------------------------
def _apply_policies(group: Group, body: dict[str, t.Any], *, partial: bool) -> None:
    """Validate and store policies; with ``partial`` only the given keys change."""
    required = not partial
    values = {
        "is_high_assurance": get_bool(body, "is_high_assurance", required=required),
        "group_visibility": get_choice(
            body, "group_visibility", GROUP_VISIBILITIES, required=required
        ),
        "group_members_visibility": get_choice(
            body, "group_members_visibility", MEMBER_VISIBILITIES, required=required
        ),
        "join_requests": get_bool(body, "join_requests", required=required),
    }
    if "signup_fields" in body and body["signup_fields"] is not None:
        fields = body["signup_fields"]
        if not isinstance(fields, list) or any(f not in SIGNUP_FIELDS for f in fields):
            raise BadRequest(f"signup_fields must be a list of: {', '.join(SIGNUP_FIELDS)}")
        values["signup_fields"] = list(dict.fromkeys(fields))
    elif required:
        raise BadRequest("signup_fields is required")
    timeout = body.get("authentication_assurance_timeout")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
            raise BadRequest("authentication_assurance_timeout must be a positive integer")
        values["authentication_assurance_timeout"] = timeout
    for key, value in values.items():
        if present(value):
            setattr(group, key, value)


MAX_NAME = 255


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise BadRequest("name must not be empty")
    if len(name) > MAX_NAME:
        raise BadRequest(f"name must be at most {MAX_NAME} characters")
    return name


def create_group(session: Session, caller: Caller, body: t.Any) -> dict[str, t.Any]:
    body = expect_object(body)
    name = _check_name(get_str(body, "name", required=True))
    description = get_str(body, "description")
    terms = get_str(body, "terms_and_conditions")
    parent_id = get_str(body, "parent_id")
    parent: GroupAccess | None = None
    if present(parent_id) and parent_id is not None:
        parent = load_group(session, parse_uuid(parent_id, "parent_id"), caller)
        if not parent.is_admin:
            raise Forbidden("Only admins of the parent group may create subgroups")
    now = utcnow()
    group = Group(
        id=new_id(),
        name=name,
        description=description if present(description) else None,
        terms_and_conditions=terms if present(terms) else None,
        parent_id=parent.group.id if parent else None,
        created=now,
        updated=now,
    )
    policies = body.get("policies")
    if policies is not None:
        _apply_policies(group, expect_object(policies, "policies"), partial=True)
    session.add(group)
    session.flush()
    admin = Membership(
        group_id=group.id,
        identity_id=caller.identity_id,
        username=caller.username,
        role="admin",
        status=MembershipStatus.ACTIVE,
        membership_fields={},
        created=now,
        updated=now,
    )
    session.add(admin)
    session.flush()
    access = GroupAccess(group, caller, [admin])
    return render_group(session, access, {"my_memberships", "policies"})


def update_group(session: Session, access: GroupAccess, body: t.Any) -> dict[str, t.Any]:
    access.require_admin()
    body = expect_object(body)
    group = access.group
    name = get_str(body, "name")
    if present(name) and name is not None:
        group.name = _check_name(name)
    for key in ("description", "terms_and_conditions"):
        value = get_str(body, key)
        if present(value):
            setattr(group, key, value)
    verified = get_str(body, "subscription_admin_verified_id")
    if present(verified):
        if verified is not None:
            raise Forbidden("Only subscription admins may set subscription_admin_verified_id")
        group.subscription_admin_verified_id = None
    group.updated = utcnow()
    session.flush()
    return render_group(session, access, {"my_memberships", "policies"})


def delete_group(session: Session, access: GroupAccess) -> dict[str, t.Any]:
    access.require_admin()
    if _child_ids(session, access.group.id):
        raise Conflict("A group with subgroups cannot be deleted")
    doc = render_group(session, access, {"my_memberships", "policies"})
    session.execute(delete(Membership).where(Membership.group_id == access.group.id))
    session.delete(access.group)
    session.flush()
    return doc


# -- policies ------------------------------------------------------------------------------
def get_policies(access: GroupAccess) -> dict[str, t.Any]:
    return policies_document(access.group)


def set_policies(session: Session, access: GroupAccess, body: t.Any) -> dict[str, t.Any]:
    access.require_admin()
    _apply_policies(access.group, expect_object(body), partial=True)
    access.group.updated = utcnow()
    session.flush()
    return policies_document(access.group)


# -- identity preferences ------------------------------------------------------------------
def get_preferences(session: Session, caller: Caller) -> dict[str, dict[str, bool]]:
    rows = session.scalars(
        select(IdentityPreference).where(
            IdentityPreference.identity_id.in_(sorted(caller.identity_set))
        )
    )
    stored = {p.identity_id: p.allow_add for p in rows}
    return {i: {"allow_add": stored.get(i, True)} for i in sorted(caller.identity_set)}


def set_preferences(session: Session, caller: Caller, body: t.Any) -> dict[str, dict[str, bool]]:
    body = expect_object(body)
    updates: dict[str, bool] = {}
    for raw_id, prefs in body.items():
        identity_id = parse_uuid(raw_id, "identity id")
        if identity_id not in caller.identity_set:
            raise Forbidden(f"Identity {identity_id} is not in your identity set")
        allow_add = get_bool(expect_object(prefs, f"preferences of {identity_id}"), "allow_add")
        if present(allow_add):
            updates[identity_id] = allow_add
    for identity_id, allow_add in updates.items():
        row = session.get(IdentityPreference, identity_id)
        if row is None:
            session.add(IdentityPreference(identity_id=identity_id, allow_add=allow_add))
        else:
            row.allow_add = allow_add
            row.updated = utcnow()
    session.flush()
    return get_preferences(session, caller)


# -- membership fields ---------------------------------------------------------------------
def get_membership_fields(access: GroupAccess) -> dict[str, dict[str, t.Any]]:
    return {
        m.identity_id: dict(m.membership_fields or {})
        for m in access.mine
        if m.status in VIEWING_STATUSES
    }


def set_membership_fields(
    session: Session, access: GroupAccess, body: t.Any
) -> dict[str, dict[str, t.Any]]:
    body = expect_object(body)
    mine = {m.identity_id: m for m in access.mine if m.status in VIEWING_STATUSES}
    updates: dict[str, dict[str, t.Any]] = {}
    for raw_id, fields in body.items():
        identity_id = parse_uuid(raw_id, "identity id")
        if identity_id not in access.caller.identity_set:
            raise Forbidden(f"Identity {identity_id} is not in your identity set")
        if identity_id not in mine:
            raise NotFound(f"Identity {identity_id} has no membership in this group")
        fields = expect_object(fields, f"membership fields of {identity_id}")
        unknown = sorted(set(fields) - set(MEMBERSHIP_FIELD_NAMES))
        if unknown:
            raise BadRequest(f"Unknown membership field(s): {', '.join(unknown)}")
        for key, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise BadRequest(f"membership field {key} must be a string or null")
        updates[identity_id] = fields
    now = utcnow()
    for identity_id, fields in updates.items():
        m = mine[identity_id]
        merged = dict(m.membership_fields or {})
        merged.update(fields)
        m.membership_fields = {k: v for k, v in merged.items() if v is not None}
        m.updated = now
    session.flush()
    return get_membership_fields(access)
