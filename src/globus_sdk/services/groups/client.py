"""GroupsClient: one method per Groups API v2 operation the SDK documents."""

from __future__ import annotations

import typing as t
import uuid

from globus_sdk import client, response
from globus_sdk.scopes import GroupsScopes
from globus_sdk.services.groups.data import BatchMembershipActions, GroupPolicies
from globus_sdk.services.groups.errors import GroupsAPIError

UUIDLike = t.Union[uuid.UUID, str]


class GroupsClient(client.BaseClient):
    """Client for the
    `Globus Groups API <https://docs.globus.org/api/groups/>`_.

    This provides a relatively low level client to public groups API endpoints.
    You may also consider looking at the GroupsManager as a simpler interface
    to more common actions.
    """

    base_path = "/v2/"
    error_class = GroupsAPIError
    service_name = "groups"
    scopes = GroupsScopes

    def get_my_groups(
        self, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Return a list of groups your identity belongs to."""
        return self.get("/groups/my_groups", query_params=query_params)

    def get_group(
        self, group_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Get details about a specific group"""
        return self.get(f"/groups/{group_id}", query_params=query_params)

    def delete_group(
        self, group_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Delete a group."""
        return self.delete(f"/groups/{group_id}", query_params=query_params)

    def create_group(
        self, data: dict[str, t.Any], *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Create a group."""
        return self.post("/groups", data=data, query_params=query_params)

    def get_group_policies(
        self, group_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Get policies for the given group"""
        return self.get(f"/groups/{group_id}/policies", query_params=query_params)

    def set_group_policies(
        self,
        group_id: UUIDLike,
        data: dict[str, t.Any] | GroupPolicies,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """Set policies for the group."""
        return self.put(f"/groups/{group_id}/policies", data=data, query_params=query_params)

    def get_identity_preferences(
        self, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Get identity preferences.  Currently this only includes whether the
        user allows themselves to be added to groups."""
        return self.get("/preferences", query_params=query_params)

    def set_identity_preferences(
        self, data: dict[str, t.Any], *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Set identity preferences.  Currently this only includes whether the
        user allows themselves to be added to groups."""
        return self.put("/preferences", data=data, query_params=query_params)

    def get_membership_fields(
        self, group_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """Get membership fields for your identities."""
        return self.get(f"/groups/{group_id}/membership_fields", query_params=query_params)

    def set_membership_fields(
        self,
        group_id: UUIDLike,
        data: dict[t.Any, str],
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """Set membership fields for your identities."""
        return self.put(
            f"/groups/{group_id}/membership_fields", data=data, query_params=query_params
        )

    def batch_membership_action(
        self,
        group_id: UUIDLike,
        actions: dict[str, t.Any] | BatchMembershipActions,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """Execute a batch of actions against several group memberships."""
        return self.post(f"/groups/{group_id}", data=actions, query_params=query_params)
