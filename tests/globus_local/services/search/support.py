"""Search test helpers: users with Search and Groups tokens, clients, raw HTTP, indices,
ingest and waiting for tasks."""

from __future__ import annotations

import secrets
import typing as t
import uuid
from dataclasses import dataclass

import requests

import globus_sdk
from globus_local.services.auth.scopes import GROUPS_ALL, SEARCH_ALL
from globus_local.testing import LocalServer
from tests.support.platform import call, new_identity
from tests.support.waiting import wait_until


@dataclass
class User:
    username: str
    identity_id: str
    token: str  # a Search token (search:all)
    groups_token: str

    @property
    def urn(self) -> str:
        return f"urn:globus:auth:identity:{self.identity_id}"


class SearchEnv:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.url = server.service_url("search")

    def user(self, scopes: list[str] | None = None) -> User:
        """A fresh user: the first token of ``scopes`` (default search:all), and a Groups token."""
        identity = new_identity(self.server.db, "search")
        username = identity["username"]
        token = self.server.token(username, scopes or [SEARCH_ALL])["access_token"]
        groups = self.server.token(username, [GROUPS_ALL])["access_token"]
        return User(username, identity["id"], token, groups)

    def client(self, user: User | None = None) -> globus_sdk.SearchClient:
        authorizer = globus_sdk.AccessTokenAuthorizer(user.token) if user else None
        return globus_sdk.SearchClient(base_url=self.url, authorizer=authorizer)

    def raw(
        self, method: str, path: str, user: User | None = None, **kw: t.Any
    ) -> requests.Response:
        return call(self.url, method, path, user.token if user else None, **kw)

    def create_index(self, user: User, name: str = "test index") -> str:
        resp = self.raw("POST", "v1/index", user, json={"display_name": name, "description": "d"})
        assert resp.status_code == 200, resp.text
        return t.cast(str, resp.json()["id"])

    def wait(self, user: User, task_id: str, timeout: float = 30.0) -> dict[str, t.Any]:
        """The task's document once it has ended (SUCCESS or FAILED)."""
        sc = self.client(user)

        def ended() -> dict[str, t.Any] | None:
            task = t.cast(dict[str, t.Any], sc.get_task(task_id).data)
            return task if task["state"] in ("SUCCESS", "FAILED") else None

        return wait_until(ended, f"task {task_id} to end", timeout)

    def ingest(self, user: User, index_id: str, entries: list[dict[str, t.Any]]) -> dict:
        for entry in entries:
            entry.setdefault("visible_to", ["public"])
        body = {"ingest_type": "GMetaList", "ingest_data": {"gmeta": entries}}
        task_id = self.client(user).ingest(index_id, body)["task_id"]
        task = self.wait(user, task_id)
        assert task["state"] == "SUCCESS", task
        return task

    # Groups: rows written straight into the Groups tables, so these tests exercise
    # Search's use of group principals (groups.principals) whatever the Groups routes do.
    def create_group(self, owner: User) -> str:
        from globus_local.services.groups.models import Group

        group_id = str(uuid.uuid4())
        with self.server.db.session() as session:
            session.add(Group(id=group_id, name="g-" + secrets.token_hex(4)))
        self.membership(owner, group_id, "add", owner, role="admin")
        return group_id

    def membership(
        self, owner: User, group_id: str, action: str, member: User, role: str = "member"
    ) -> None:
        from sqlalchemy import delete

        from globus_local.services.groups.models import Membership

        with self.server.db.session() as session:
            if action == "add":
                session.add(
                    Membership(
                        group_id=group_id,
                        identity_id=member.identity_id,
                        username=member.username,
                        role=role,
                        status="active",
                    )
                )
            else:
                session.execute(
                    delete(Membership).where(
                        Membership.group_id == group_id,
                        Membership.identity_id == member.identity_id,
                    )
                )


def subjects(result: t.Any) -> list[str]:
    return [g["subject"] for g in result["gmeta"]]
