"""Reads do not write: no GET route of Transfer issues an INSERT, UPDATE or DELETE, so read
traffic never waits for (or holds) SQLite's one writer. Checked on an app of the test's
own, with no job workers, by watching every statement its engine sends."""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from globus_local.db import Database
from globus_local.jobs import FAILED as JOB_FAILED
from globus_local.jobs.models import Job
from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS
from globus_local.services.transfer import (
    routes_acl,
    routes_bookmarks,
    routes_endpoints,
    routes_operations,
    routes_tasks,
)
from globus_local.services.transfer.admin import create_endpoint
from globus_local.services.transfer.models_tasks import TransferTask
from tests.globus_local.services.transfer.support import transfer_doc
from tests.support.platform import bearer, new_user_token

WRITES = ("INSERT", "UPDATE", "DELETE")
BASE = "/transfer/v0.10/"
# Query parameters the routes that require some are called with.
QUERIES: dict[str, dict[str, str]] = {
    "/endpoint_search": {"filter_scope": "recently-used"},
    "/operation/endpoint/{endpoint_id}/stat": {"path": "/file.txt"},
}


@contextmanager
def writes_to(db: Database) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements ``db``'s engine sends inside the block."""
    seen: list[str] = []

    def record(_conn: t.Any, _cursor: t.Any, statement: str, *_rest: t.Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


class Quiet:
    """An app on its own database with no job workers: every statement is a request's."""

    def __init__(self, client: TestClient, db: Database, username: str, token: str) -> None:
        self.client, self.db, self.username = client, db, username
        self.headers = bearer(token)

    def call(self, method: str, path: str, **kw: t.Any) -> t.Any:
        response = self.client.request(method, BASE + path, headers=self.headers, **kw)
        assert response.status_code < 300, (path, response.text)
        return response.json()


@pytest.fixture
def quiet(tmp_path: Path, own_database_url: str) -> Iterator[Quiet]:
    from globus_local.app import create_app
    from globus_local.config import Settings

    settings = Settings.from_env(
        data_dir=tmp_path / "data", database_url=own_database_url, run_workers=False
    )
    db = Database(settings.database_url)
    app = create_app(settings, database=db)
    identity, token = new_user_token(db, "reader", [TRANSFER_ALL], TRANSFER_RS)
    with TestClient(app) as client:
        yield Quiet(client, db, identity["username"], token)
    db.dispose()


def _fill(quiet: Quiet, root: Path) -> dict[str, str]:
    """One of everything a GET route names: endpoints, a share with a rule, a server, a
    role, a bookmark, a pause rule, an admin cancel, and a task whose job the queue gave
    up on (a read once stored its failure)."""
    (root / "dir").mkdir(parents=True)
    (root / "file.txt").write_bytes(b"data")
    ep = create_endpoint(quiet.db, quiet.username, "reads", str(root))["id"]
    share = quiet.call(
        "POST",
        "shared_endpoint",
        json={"host_endpoint": ep, "host_path": "/dir/", "display_name": "reads share"},
    )["id"]
    me = quiet.call("GET", f"endpoint/{ep}")["owner_id"]
    rule = quiet.call(
        "POST",
        f"endpoint/{share}/access",
        json={"principal_type": "identity", "principal": me, "path": "/", "permissions": "r"},
    )["access_id"]
    server = quiet.call("POST", f"endpoint/{ep}/server", json={"hostname": "h.example.org"})
    role = quiet.call(
        "POST",
        f"endpoint/{ep}/role",
        json={"principal_type": "identity", "principal": me, "role": "activity_monitor"},
    )["id"]
    bookmark = quiet.call(
        "POST", "bookmark", json={"name": "reads", "endpoint_id": ep, "path": "/dir/"}
    )["id"]
    pause_rule = quiet.call(
        "POST", "endpoint_manager/pause_rule", json={"endpoint_id": ep, "pause_ls": False}
    )["id"]
    item = {"source_path": "/file.txt", "destination_path": "/copy.txt"}
    task = quiet.call("POST", "transfer", json=transfer_doc(ep, ep, [item]))["task_id"]
    cancel = quiet.call("POST", "endpoint_manager/admin_cancel", json={"task_id_list": [task]})
    gave_up = quiet.call("POST", "transfer", json=transfer_doc(ep, ep, [item]))["task_id"]
    _give_up(quiet.db, gave_up)
    return {
        "endpoint": ep, "share": share, "rule": rule, "server_id": str(server["id"]),
        "role_id": role, "bookmark_id": bookmark, "pause_rule": pause_rule,
        "cancel_id": cancel["id"], "task_id": gave_up,
    }  # fmt: skip


def _give_up(db: Database, task_id: str) -> None:
    """Fail the task's job as the queue does when its workers keep dying."""
    with db.session() as session:
        job_id = session.get(TransferTask, task_id).job_id  # type: ignore[union-attr]
        ended = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state=JOB_FAILED, error="worker lost", finished_at=ended)
        )


def _get_paths(ids: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Every GET route of Transfer, its path parameters filled from ``ids``, with the
    query parameters it needs."""
    paths = []
    for module in (routes_tasks, routes_endpoints, routes_acl, routes_bookmarks, routes_operations):
        for route in module.router.routes:
            if "GET" not in getattr(route, "methods", ()):
                continue
            path = route.path.lstrip("/")
            acl = "/access" in path and "/endpoint/" in route.path
            path = path.replace("{endpoint_id}", ids["share"] if acl else ids["endpoint"])
            rule = ids["pause_rule"] if "pause_rule" in path else ids["rule"]
            path = path.replace("{rule_id}", rule)
            for name in ("task_id", "server_id", "role_id", "bookmark_id", "cancel_id"):
                path = path.replace("{" + name + "}", ids[name])
            paths.append((path, QUERIES.get(route.path, {})))
    return paths


def test_no_get_route_writes(quiet: Quiet, tmp_path: Path) -> None:
    ids = _fill(quiet, tmp_path / "root")
    paths = _get_paths(ids)
    assert len(paths) >= 36  # every GET route of Transfer
    for path, query in paths:
        with writes_to(quiet.db) as seen:
            quiet.call("GET", path, params=query)
        assert seen == [], (path, seen)


def test_ls_does_not_record_use(quiet: Quiet, tmp_path: Path) -> None:
    """An ``ls`` (the route browsing clients call most) neither writes nor changes what
    ``recently-used`` lists; submitting a task does."""
    root = tmp_path / "root"
    root.mkdir()
    ep = create_endpoint(quiet.db, quiet.username, "browsed", str(root))["id"]

    def recent() -> list[str]:
        found = quiet.call("GET", "endpoint_search", params={"filter_scope": "recently-used"})
        return [doc["id"] for doc in found["DATA"]]

    with writes_to(quiet.db) as seen:
        quiet.call("GET", f"operation/endpoint/{ep}/ls", params={"path": "/"})
        quiet.call("GET", f"operation/endpoint/{ep}/ls")
    assert seen == []
    assert recent() == []
    assert quiet.call("GET", f"endpoint/{ep}")["last_accessed_time"] is None
    doc = {"endpoint": ep, "DATA": [{"DATA_TYPE": "delete_item", "path": "/gone"}]}
    quiet.call("POST", "delete", json={"DATA_TYPE": "delete", "ignore_missing": True, **doc})
    assert recent() == [ep]
    assert quiet.call("GET", f"endpoint/{ep}")["last_accessed_time"] is not None


def test_gave_up_task_is_shown_failed_and_stored_by_a_write(quiet: Quiet, tmp_path: Path) -> None:
    """A task whose job the queue gave up on reads as FAILED at once; its row is stored
    FAILED by the next request that writes anyway (here a cancel)."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "file.txt").write_bytes(b"data")
    ep = create_endpoint(quiet.db, quiet.username, "gave up", str(root))["id"]
    item = {"source_path": "/file.txt", "destination_path": "/copy.txt"}
    task_id = quiet.call("POST", "transfer", json=transfer_doc(ep, ep, [item]))["task_id"]
    _give_up(quiet.db, task_id)
    with writes_to(quiet.db) as seen:
        doc = quiet.call("GET", f"task/{task_id}")
        listed = quiet.call("GET", "task_list", params={"filter": f"task_id:{task_id}"})
    assert seen == []
    assert doc["status"] == "FAILED" and doc["fatal_error"]["code"] == "INTERNAL_ERROR"
    assert doc["fatal_error"]["description"] == "worker lost"
    assert doc["completion_time"] == "2024-05-06T07:08:09+00:00"  # when the job ended
    assert listed["DATA"][0]["status"] == "FAILED"
    with quiet.db.session() as session:
        assert session.get(TransferTask, task_id).status == "ACTIVE"  # type: ignore[union-attr]
    assert quiet.call("POST", f"task/{task_id}/cancel")["code"] == "TaskComplete"
    with quiet.db.session() as session:
        assert session.get(TransferTask, task_id).status == "FAILED"  # type: ignore[union-attr]
    events = quiet.call("GET", f"task/{task_id}/event_list")["DATA"]
    assert [e["code"] for e in events][:1] == ["INTERNAL_ERROR"]
    assert quiet.call("GET", f"task/{task_id}")["completion_time"] == doc["completion_time"]
