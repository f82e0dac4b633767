"""Payload builders and enumerated constants for the Groups API."""

from __future__ import annotations

import enum
import typing as t
import uuid

from globus_sdk import utils

UUIDLike = t.Union[uuid.UUID, str]


class GroupRole(str, enum.Enum):
    member = "member"
    manager = "manager"
    admin = "admin"


class GroupVisibility(str, enum.Enum):
    authenticated = "authenticated"
    private = "private"


class GroupMemberVisibility(str, enum.Enum):
    members = "members"
    managers = "managers"


class GroupRequiredSignupFields(str, enum.Enum):
    institution = "institution"
    current_project_name = "current_project_name"
    address = "address"
    city = "city"
    state = "state"
    country = "country"
    address1 = "address1"
    address2 = "address2"
    zip = "zip"
    phone = "phone"
    department = "department"
    field_of_science = "field_of_science"


def _value(x: t.Any) -> t.Any:
    """An enum member's value; anything else as given (so plain strings work too)."""
    return x.value if isinstance(x, enum.Enum) else x


class BatchMembershipActions(utils.PayloadWrapper):
    """An object used to represent a batch action on memberships of a group.

    Each method appends to the list under one action key and returns ``self``, so calls
    chain: ``BatchMembershipActions().add_members([a]).remove_members([b])``.
    """

    def _extend(
        self, action: str, identity_ids: t.Iterable[UUIDLike], **extra: t.Any
    ) -> BatchMembershipActions:
        entries = self.setdefault(action, [])
        for identity_id in utils.safe_strseq_iter(identity_ids):
            entries.append({"identity_id": identity_id, **extra})
        return self

    def accept_invites(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Accept invites for identities.  The identities must belong to
        the identity set of authenticated user."""
        return self._extend("accept", identity_ids)

    def add_members(
        self, identity_ids: t.Iterable[UUIDLike], *, role: GroupRole = GroupRole.member
    ) -> BatchMembershipActions:
        """Add a list of identities to a group with the given role."""
        return self._extend("add", identity_ids, role=_value(role))

    def approve_pending(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Approve a list of identities with pending join requests."""
        return self._extend("approve", identity_ids)

    def decline_invites(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Decline an invitation for a given set of identities."""
        return self._extend("decline", identity_ids)

    def invite_members(
        self, identity_ids: t.Iterable[UUIDLike], *, role: GroupRole = GroupRole.member
    ) -> BatchMembershipActions:
        """Invite a list of identities to a group with the given role."""
        return self._extend("invite", identity_ids, role=_value(role))

    def join(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Join a group with the given identities.  The identities must be in the
        authenticated users identity set."""
        return self._extend("join", identity_ids)

    def leave(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Leave a group that one of the identities in the authenticated user's
        identity set is a member of."""
        return self._extend("leave", identity_ids)

    def reject_join_requests(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Reject a members that have requested to join the group."""
        return self._extend("reject", identity_ids)

    def remove_members(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Remove members from a group.  This must be done as an admin or manager
        of the group."""
        return self._extend("remove", identity_ids)

    def request_join(self, identity_ids: t.Iterable[UUIDLike]) -> BatchMembershipActions:
        """Request to join a group."""
        return self._extend("request_join", identity_ids)


class GroupPolicies(utils.PayloadWrapper):
    """An object used to represent the policy settings of a group.
    This may be used to set or modify group settings."""

    def __init__(
        self,
        *,
        is_high_assurance: bool,
        group_visibility: GroupVisibility,
        group_members_visibility: GroupMemberVisibility,
        join_requests: bool,
        signup_fields: t.Iterable[GroupRequiredSignupFields],
        authentication_assurance_timeout: int | None = None,
    ) -> None:
        super().__init__()
        self["is_high_assurance"] = is_high_assurance
        self["group_visibility"] = _value(group_visibility)
        self["group_members_visibility"] = _value(group_members_visibility)
        self["join_requests"] = join_requests
        # a lone field (a member or its string) stands for a list of one
        fields: t.Iterable[t.Any] = (
            [signup_fields] if isinstance(signup_fields, (str, enum.Enum)) else signup_fields
        )
        self["signup_fields"] = [_value(f) for f in fields]
        if authentication_assurance_timeout is not None:
            self["authentication_assurance_timeout"] = authentication_assurance_timeout
