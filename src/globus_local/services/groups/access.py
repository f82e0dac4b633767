"""Who may see and do what in a group.

Visibility follows the Groups API rules: a group is visible to every authenticated user
when its policy is ``authenticated``, otherwise only to identities with an active,
invited or pending membership. Memberships are visible to active admins and managers,
and to active members when the policy is ``members``. Invisible groups are answered
with 404, so their existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Forbidden, NotFound, ServiceError
from globus_local.kit.params import parse_uuid
from globus_local.services.groups import joining
from globus_local.services.groups.models import Group, Membership, MembershipStatus

MANAGING_ROLES = frozenset({"admin", "manager"})
# Membership statuses that let an identity see a private group.
VIEWING_STATUSES = frozenset(
    {MembershipStatus.ACTIVE, MembershipStatus.INVITED, MembershipStatus.PENDING}
)


@dataclass(frozen=True)
class Caller:
    """The authenticated user as Groups sees them: one effective identity plus its set."""

    identity_id: str
    username: str
    identity_set: frozenset[str]


def not_found(group_id: str) -> ServiceError:
    return NotFound(f"Group {group_id} not found")


@dataclass
class GroupAccess:
    """A group together with the caller's own memberships in it."""

    group: Group
    caller: Caller
    mine: list[Membership] = field(default_factory=list)

    def _active(self) -> list[Membership]:
        return [m for m in self.mine if m.status == MembershipStatus.ACTIVE]

    @property
    def admin_ids(self) -> list[str]:
        return [m.identity_id for m in self._active() if m.role == "admin"]

    @property
    def manager_ids(self) -> list[str]:
        return [m.identity_id for m in self._active() if m.role in MANAGING_ROLES]

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_ids)

    @property
    def is_manager(self) -> bool:
        return bool(self.manager_ids)

    @property
    def is_member(self) -> bool:
        return bool(self._active())

    @property
    def can_view_group(self) -> bool:
        if self.group.group_visibility == "authenticated":
            return True
        return any(m.status in VIEWING_STATUSES for m in self.mine)

    @property
    def can_view_members(self) -> bool:
        if self.is_manager:
            return True
        return self.is_member and self.group.group_members_visibility == "members"

    def require_manager(self) -> None:
        if not self.is_manager:
            raise Forbidden("Only admins and managers of the group may do this")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only admins of the group may do this")


def memberships_of(
    session: Session, group_id: str, identity_ids: frozenset[str]
) -> list[Membership]:
    if not identity_ids:
        return []
    rows = session.scalars(
        select(Membership).where(
            Membership.group_id == group_id, Membership.identity_id.in_(sorted(identity_ids))
        )
    )
    return list(rows)


def load_group(session: Session, group_id: str, caller: Caller) -> GroupAccess:
    """The group as the caller may see it; 404 when unknown or invisible to them."""
    gid = parse_uuid(group_id, "group_id")
    group = session.get(Group, gid)
    if group is None:
        raise not_found(gid)
    access = GroupAccess(group, caller, memberships_of(session, gid, caller.identity_set))
    if not access.can_view_group:
        raise not_found(gid)
    return access


def visible_memberships(session: Session, access: GroupAccess) -> list[Membership] | None:
    """All memberships for managers, active ones for members (if allowed), else None."""
    if not access.can_view_members:
        return None
    query = select(Membership).where(Membership.group_id == access.group.id)
    if not access.is_manager:
        query = query.where(Membership.status == MembershipStatus.ACTIVE)
    return list(session.scalars(query.order_by(Membership.id)))


def allowed_actions(access: GroupAccess) -> dict[str, list[str]]:
    """For each action, the caller's identities that may perform it."""
    mine = access.mine
    managers = access.manager_ids
    by_status: dict[str, list[str]] = {}
    for m in mine:
        by_status.setdefault(m.status, []).append(m.identity_id)
    own = {m.identity_id: m for m in mine}
    identities = sorted(access.caller.identity_set)
    group = access.group
    return {
        "add": managers,
        "invite": managers,
        "remove": managers,
        "approve": managers,
        "reject": managers,
        "change_role": access.admin_ids,
        "join": [i for i in identities if joining.may_join(group, own.get(i))],
        "request_join": [i for i in identities if joining.may_request_join(group, own.get(i))],
        "accept": by_status.get(MembershipStatus.INVITED, []),
        "decline": by_status.get(MembershipStatus.INVITED, []),
        "leave": by_status.get(MembershipStatus.ACTIVE, []),
    }
