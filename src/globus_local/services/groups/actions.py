"""Batch membership actions (``POST /v2/groups/{id}``).

The request is validated as a whole (shape, UUIDs, roles, identities unique across all
actions) and the caller must hold the role every requested action needs, otherwise
nothing happens. Then each identity is processed on its own: it either yields the
resulting membership or an entry under ``errors`` — one bad identity never spoils
the others.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest
from globus_local.kit.params import parse_uuid
from globus_local.services.groups import joining
from globus_local.services.groups.access import GroupAccess
from globus_local.services.groups.documents import ACTIONS, membership_document
from globus_local.services.groups.models import (
    ROLES,
    IdentityPreference,
    Membership,
    MembershipStatus,
)
from globus_local.services.groups.validation import storable_str

ROLE_ACTIONS = frozenset({"add", "invite", "change_role"})
MANAGER_ACTIONS = frozenset({"add", "invite", "approve", "reject", "remove"})
ADMIN_ACTIONS = frozenset({"change_role"})
SELF_ACTIONS = frozenset({"accept", "decline", "join", "request_join", "leave"})


@dataclass(frozen=True)
class Item:
    identity_id: str
    role: str = "member"
    status_reason: str | None = None
    invite_email_address: str | None = None


class ItemError(Exception):
    """One identity's action failed; reported under ``errors`` in the response."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _optional_str(entry: dict[str, t.Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None:
        value = storable_str(value, f"{where}.{key}")
    if key == "invite_email_address" and value is not None and len(value) > 255:
        raise BadRequest(f"{where}.{key} must be at most 255 characters")
    return value


def parse_batch(body: t.Any) -> dict[str, list[Item]]:
    """Validate the whole request; raises 400 on any malformed part."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object of action lists")
    batch: dict[str, list[Item]] = {}
    seen: dict[str, int] = {}
    for action in ACTIONS:
        entries = body.get(action)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise BadRequest(f"{action} must be a list")
        items = []
        for i, entry in enumerate(entries):
            where = f"{action}.{i}"
            if not isinstance(entry, dict) or "identity_id" not in entry:
                raise BadRequest(f"{where} must be an object with an identity_id")
            identity_id = parse_uuid(entry["identity_id"], f"{where}.identity_id")
            role = "member"
            if action in ROLE_ACTIONS:
                role = entry.get("role") or "member"
                if role not in ROLES:
                    raise BadRequest(
                        f"{where}.role must be one of {', '.join(ROLES)}, got {role!r}"
                    )
            items.append(
                Item(
                    identity_id=identity_id,
                    role=role,
                    status_reason=_optional_str(entry, "status_reason", where),
                    invite_email_address=(
                        _optional_str(entry, "invite_email_address", where)
                        if action == "invite"
                        else None
                    ),
                )
            )
            seen[identity_id] = seen.get(identity_id, 0) + 1
        batch[action] = items
    duplicates = sorted(i for i, n in seen.items() if n > 1)
    if duplicates:
        raise BadRequest(
            "Identity IDs must be unique across all actions in one request",
            ambiguous_identities=duplicates,
        )
    return batch


def check_permissions(access: GroupAccess, batch: dict[str, list[Item]]) -> None:
    """Acting with no identity allowed to do a requested action fails the whole request."""
    requested = {a for a, items in batch.items() if items}
    if requested & ADMIN_ACTIONS:
        access.require_admin()
    if requested & MANAGER_ACTIONS:
        access.require_manager()


class BatchProcessor:
    """Applies one validated batch to one group, identity by identity."""

    def __init__(self, session: Session, access: GroupAccess) -> None:
        self.session = session
        self.access = access
        self.group = access.group
        self.caller = access.caller
        self.now = utcnow()
        self.memberships: dict[str, Membership] = {}
        self.usernames: dict[str, str] = {}
        self.allow_add: dict[str, bool] = {}

    # -- loading ------------------------------------------------------------------------
    def _load(self, batch: dict[str, list[Item]]) -> None:
        ids = sorted({item.identity_id for items in batch.values() for item in items})
        if not ids:
            return
        rows = self.session.scalars(
            select(Membership).where(
                Membership.group_id == self.group.id, Membership.identity_id.in_(ids)
            )
        )
        self.memberships = {m.identity_id: m for m in rows}
        from globus_local.services.auth.identities import find_identities

        self.usernames = {i.id: i.username for i in find_identities(self.session, ids=ids)}
        prefs = self.session.scalars(
            select(IdentityPreference).where(IdentityPreference.identity_id.in_(ids))
        )
        self.allow_add = {p.identity_id: p.allow_add for p in prefs}

    def _active_admin_count(self) -> int:
        self.session.flush()
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(
                    Membership.group_id == self.group.id,
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.role == "admin",
                )
            )
            or 0
        )

    # -- helpers ------------------------------------------------------------------------
    def _existing(self, item: Item) -> Membership:
        m = self.memberships.get(item.identity_id)
        if m is None:
            raise ItemError("NO_MEMBERSHIP", "Identity has no membership in group.")
        return m

    def _own(self, item: Item) -> None:
        if item.identity_id not in self.caller.identity_set:
            raise ItemError(
                "NOT_IN_IDENTITY_SET",
                "The identity is not in the authenticated user's identity set.",
            )

    def _require_status(self, m: Membership, *statuses: str) -> None:
        if m.status not in statuses:
            raise ItemError(
                f"NOT_{statuses[0].upper()}",
                f"The membership is {m.status}; this action needs it to be "
                + " or ".join(statuses)
                + ".",
            )

    def _not_active(self, item: Item) -> None:
        m = self.memberships.get(item.identity_id)
        if m is not None and m.status == MembershipStatus.ACTIVE:
            raise ItemError(
                "ALREADY_ACTIVE", "The identity is already an active member of the group."
            )

    def _may_grant(self, role: str) -> None:
        if role != "member" and not self.access.is_admin:
            raise ItemError("FORBIDDEN", "Only admins may grant the admin or manager role.")

    def _membership_for(self, item: Item) -> Membership:
        """The existing membership, or a new one for a known identity."""
        m = self.memberships.get(item.identity_id)
        if m is not None:
            return m
        username = self.usernames.get(item.identity_id)
        if username is None:
            if item.identity_id == self.caller.identity_id:
                username = self.caller.username
            else:
                raise ItemError("IDENTITY_NOT_FOUND", "No identity exists with this ID.")
        m = Membership(
            group_id=self.group.id,
            identity_id=item.identity_id,
            username=username,
            role="member",
            status=MembershipStatus.ACTIVE,
            membership_fields={},
            created=self.now,
        )
        self.session.add(m)
        self.memberships[item.identity_id] = m
        return m

    def _set(self, m: Membership, item: Item, status: str, role: str | None = None) -> Membership:
        m.status = status
        if role is not None:
            m.role = role
        if item.status_reason is not None:
            m.status_reason = item.status_reason
        m.updated = self.now
        return m

    # -- the actions ----------------------------------------------------------------------
    def add(self, item: Item) -> Membership:
        self._may_grant(item.role)
        self._not_active(item)
        m = self.memberships.get(item.identity_id)
        if m is not None and m.status == MembershipStatus.LEFT:
            raise ItemError(
                "MEMBER_LEFT", "The identity has left the group; invite it instead of adding it."
            )
        if (
            not self.allow_add.get(item.identity_id, True)
            and item.identity_id not in self.caller.identity_set
        ):
            raise ItemError(
                "ADD_NOT_ALLOWED",
                "The identity does not allow being added to groups; invite it instead.",
            )
        return self._set(self._membership_for(item), item, MembershipStatus.ACTIVE, item.role)

    def invite(self, item: Item) -> Membership:
        self._may_grant(item.role)
        self._not_active(item)
        m = self._set(self._membership_for(item), item, MembershipStatus.INVITED, item.role)
        m.invite_time = self.now
        m.invite_email_address = item.invite_email_address
        return m

    def approve(self, item: Item) -> Membership:
        m = self._existing(item)
        self._require_status(m, MembershipStatus.PENDING)
        return self._set(m, item, MembershipStatus.ACTIVE)

    def reject(self, item: Item) -> Membership:
        m = self._existing(item)
        self._require_status(m, MembershipStatus.PENDING)
        return self._set(m, item, MembershipStatus.REJECTED)

    def remove(self, item: Item) -> Membership:
        if item.identity_id in self.caller.identity_set:
            raise ItemError(
                "CANNOT_REMOVE_SELF", "You cannot remove your own membership; leave instead."
            )
        m = self._existing(item)
        self._require_status(m, MembershipStatus.ACTIVE, MembershipStatus.INVITED)
        if m.role == "admin" and not self.access.is_admin:
            raise ItemError("FORBIDDEN", "Only admins may remove admins.")
        return self._set(m, item, MembershipStatus.REMOVED)

    def change_role(self, item: Item) -> Membership:
        m = self._existing(item)
        self._require_status(m, MembershipStatus.ACTIVE)
        if m.role == "admin" and item.role != "admin" and self._active_admin_count() <= 1:
            raise ItemError("LAST_ADMIN", "The group must keep at least one admin.")
        return self._set(m, item, MembershipStatus.ACTIVE, item.role)

    def accept(self, item: Item) -> Membership:
        self._own(item)
        m = self._existing(item)
        self._require_status(m, MembershipStatus.INVITED)
        return self._set(m, item, MembershipStatus.ACTIVE)

    def decline(self, item: Item) -> Membership:
        self._own(item)
        m = self._existing(item)
        self._require_status(m, MembershipStatus.INVITED)
        return self._set(m, item, MembershipStatus.DECLINED)

    def join(self, item: Item) -> Membership:
        self._own(item)
        try:
            joining.check_join(self.group, self.memberships.get(item.identity_id))
        except joining.JoinRefused as e:
            raise ItemError(e.code, e.detail) from None
        m = self._membership_for(item)
        # an invitation keeps the role it offered; anyone else comes in as a member
        role = None if m.status == MembershipStatus.INVITED else "member"
        return self._set(m, item, MembershipStatus.ACTIVE, role)

    def request_join(self, item: Item) -> Membership:
        self._own(item)
        try:
            joining.check_request_join(self.group, self.memberships.get(item.identity_id))
        except joining.JoinRefused as e:
            raise ItemError(e.code, e.detail) from None
        return self._set(self._membership_for(item), item, MembershipStatus.PENDING, "member")

    def leave(self, item: Item) -> Membership:
        self._own(item)
        m = self._existing(item)
        self._require_status(m, MembershipStatus.ACTIVE)
        if m.role == "admin" and self._active_admin_count() <= 1:
            raise ItemError(
                "LAST_ADMIN", "The last admin cannot leave the group; add another admin first."
            )
        return self._set(m, item, MembershipStatus.LEFT)

    # -- driver -------------------------------------------------------------------------
    def run(self, batch: dict[str, list[Item]]) -> dict[str, t.Any]:
        self._load(batch)
        result: dict[str, t.Any] = {}
        errors: dict[str, list[dict[str, str]]] = {}
        for action, items in batch.items():
            handler: t.Callable[[Item], Membership] = getattr(self, action)
            done, failed = [], []
            for item in items:
                try:
                    done.append(handler(item))
                except ItemError as e:
                    failed.append(
                        {"identity_id": item.identity_id, "code": e.code, "detail": e.detail}
                    )
            self.session.flush()
            result[action] = [membership_document(m) for m in done]
            if failed:
                errors[action] = failed
        result["errors"] = errors
        return result


def apply_batch(session: Session, access: GroupAccess, body: t.Any) -> dict[str, t.Any]:
    batch = parse_batch(body)
    check_permissions(access, batch)
    return BatchProcessor(session, access).run(batch)
