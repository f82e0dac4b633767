"""Groups test helpers: a user calling Groups over raw HTTP or through the SDK's clients."""

from __future__ import annotations

import typing as t

from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS
from globus_local.testing import LocalServer
from globus_sdk import AccessTokenAuthorizer, GroupsClient, GroupsManager
from tests.support.platform import ApiUser, user_factory

MakeUser = t.Callable[..., "GroupsUser"]


class GroupsUser(ApiUser):
    """A user with a Groups token; ``base_url`` ends in ``/groups/v2/``."""

    @property
    def client(self) -> GroupsClient:
        return GroupsClient(base_url=self.base_url, authorizer=AccessTokenAuthorizer(self.token))

    @property
    def manager(self) -> GroupsManager:
        return GroupsManager(self.client)


def groups_user_factory(server: LocalServer) -> MakeUser:
    """``make(prefix="user", scopes=(GROUPS_ALL,))``: fresh users with a Groups token."""
    base_url = server.service_url("groups") + "v2/"
    return user_factory(server, base_url, GROUPS_RS, (GROUPS_ALL,), GroupsUser)
