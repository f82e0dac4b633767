"""Globus Groups: the low-level client, the high-level manager, payload helpers and enums."""

from globus_sdk.services.groups.client import GroupsClient
from globus_sdk.services.groups.data import (
    BatchMembershipActions,
    GroupMemberVisibility,
    GroupPolicies,
    GroupRequiredSignupFields,
    GroupRole,
    GroupVisibility,
)
from globus_sdk.services.groups.errors import GroupsAPIError
from globus_sdk.services.groups.manager import GroupsManager

__all__ = (
    "GroupsClient",
    "GroupsManager",
    "GroupsAPIError",
    "BatchMembershipActions",
    "GroupPolicies",
    "GroupMemberVisibility",
    "GroupRequiredSignupFields",
    "GroupRole",
    "GroupVisibility",
)
