"""Fixtures for Search server tests: users with tokens, clients, and waiting for tasks.

Every test here runs on SQLite and on PostgreSQL through ``platform_server``.
"""

from __future__ import annotations

import secrets
import time
import typing as t
import uuid
from dataclasses import dataclass

import pytest
import requests

import globus_sdk
from globus_local.services.auth.scopes import GROUPS_ALL, SEARCH_ALL
from globus_local.testing import LocalServer


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
        username = f"search-{secrets.token_hex(4)}@example.org"
        identity = self.server.create_user(username, "pw-" + secrets.token_hex(4))
        token = self.server.token(username, scopes or [SEARCH_ALL])["access_token"]
        groups = self.server.token(username, [GROUPS_ALL])["access_token"]
        return User(username, identity["id"], token, groups)

    def client(self, user: User | None = None) -> globus_sdk.SearchClient:
        authorizer = globus_sdk.AccessTokenAuthorizer(user.token) if user else None
        return globus_sdk.SearchClient(base_url=self.url, authorizer=authorizer)

    def raw(
        self, method: str, path: str, user: User | None = None, **kw: t.Any
    ) -> requests.Response:
        headers = kw.pop("headers", {})
        if user is not None:
            headers["Authorization"] = f"Bearer {user.token}"
        return requests.request(
            method, self.url + path.lstrip("/"), headers=headers, timeout=30, **kw
        )

    def create_index(self, user: User, name: str = "test index") -> str:
        resp = self.raw("POST", "v1/index", user, json={"display_name": name, "description": "d"})
        assert resp.status_code == 200, resp.text
        return t.cast(str, resp.json()["id"])

    def wait(self, user: User, task_id: str, timeout: float = 30.0) -> dict[str, t.Any]:
        sc = self.client(user)
        deadline = time.monotonic() + timeout
        while True:
            task = sc.get_task(task_id).data
            if task["state"] in ("SUCCESS", "FAILED"):
                return t.cast(dict, task)
            if time.monotonic() > deadline:
                raise AssertionError(f"task {task_id} still {task['state']}")
            time.sleep(0.02)

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


@pytest.fixture
def env(platform_server: LocalServer) -> SearchEnv:
    return SearchEnv(platform_server)


@pytest.fixture
def owner(env: SearchEnv) -> User:
    return env.user()


@pytest.fixture
def index_id(env: SearchEnv, owner: User) -> str:
    return env.create_index(owner)


def subjects(result: t.Any) -> list[str]:
    return [g["subject"] for g in result["gmeta"]]
