"""Groups test helpers: users with Groups tokens and SDK clients pointed at a live server."""

from __future__ import annotations

import secrets
import typing as t
from dataclasses import dataclass

import pytest
import requests

from globus_local.testing import LocalServer
from globus_sdk import AccessTokenAuthorizer, GroupsClient, GroupsManager

GROUPS_RS = "groups.api.globus.org"
GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
GROUPS_VIEW = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"


def access_token_for(token_response: dict[str, t.Any], resource_server: str) -> str:
    """The access token for one resource server from a token response."""
    for doc in [token_response, *token_response.get("other_tokens", [])]:
        if doc.get("resource_server") == resource_server:
            return str(doc["access_token"])
    raise AssertionError(f"no {resource_server} token in {token_response}")


@dataclass
class GroupsUser:
    id: str
    username: str
    token: str
    base_url: str

    @property
    def client(self) -> GroupsClient:
        return GroupsClient(base_url=self.base_url, authorizer=AccessTokenAuthorizer(self.token))

    @property
    def manager(self) -> GroupsManager:
        return GroupsManager(self.client)

    def http(self, method: str, path: str, **kw: t.Any) -> requests.Response:
        """A raw request (for malformed bodies and exact error documents)."""
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return requests.request(method, self.base_url + path.lstrip("/"), headers=headers, **kw)


def create_identity(server: LocalServer, username: str) -> dict[str, t.Any]:
    """A login identity with no password: tokens are issued directly, and skipping the
    (deliberately slow) password hash keeps these tests fast."""
    from globus_local.services.auth.identities import create_identity, identity_document

    with server.db.session() as session:
        return identity_document(create_identity(session, username))


def make_user_factory(server: LocalServer) -> t.Callable[..., GroupsUser]:
    base_url = server.service_url("groups") + "v2/"

    def make(prefix: str = "user", scopes: t.Sequence[str] = (GROUPS_ALL,)) -> GroupsUser:
        username = f"{prefix}-{secrets.token_hex(4)}@example.org"
        identity = create_identity(server, username)
        token = access_token_for(server.token(username, list(scopes)), GROUPS_RS)
        return GroupsUser(identity["id"], identity["username"], token, base_url)

    return make


@pytest.fixture
def make_user(platform_server: LocalServer) -> t.Callable[..., GroupsUser]:
    """Fresh users on the platform (once on SQLite, once on PostgreSQL)."""
    return make_user_factory(platform_server)


@pytest.fixture
def admin(make_user: t.Callable[..., GroupsUser]) -> GroupsUser:
    return make_user("admin")


@pytest.fixture
def group_id(admin: GroupsUser) -> str:
    """A fresh group with default policies, administered by ``admin``."""
    return str(admin.manager.create_group("Test group", "for tests")["id"])
