"""Routes found by table lookup reach the same route as trying every route in turn."""

from __future__ import annotations

import re
import threading
import typing as t

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session
from starlette.routing import Match

from globus_local.app import service_app
from globus_local.db import Database
from globus_local.kit.router import ServiceRouter
from globus_local.kit.service import Service, load_services
from globus_local.kit.session import DbSession
from globus_local.routing import group_key, route_path


def test_group_key() -> None:
    assert group_key("/v0.10/task/{task_id}") == ("v0.10", "task")
    assert group_key("/v0.10/submission_id") == ("v0.10", "submission_id")
    assert group_key("/jwk.json") == ("jwk.json", "")
    assert group_key("/v1/{index_id}/search") is None
    assert group_key("/{anything:path}") is None


def test_route_path_strips_the_mount() -> None:
    assert route_path({"path": "/transfer/v0.10/task", "root_path": "/transfer"}) == "/v0.10/task"
    assert route_path({"path": "/x", "root_path": ""}) == "/x"


def _first_match(routes: list[APIRoute], scope: dict[str, object]) -> APIRoute | None:
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


def _endpoint(route: APIRoute) -> object:
    return getattr(route.endpoint, "__wrapped__", route.endpoint)


def _api_routes(app: t.Any) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute)]


@pytest.mark.parametrize("service", load_services(), ids=lambda s: s.name)
def test_every_path_reaches_the_route_the_full_app_would(service: Service) -> None:
    dispatch = service_app(service, FastAPI())
    full_routes = _api_routes(dispatch.full)
    assert full_routes
    for route in full_routes:
        for sample in ("x1", "0123-abc", "v0.10"):
            path = re.sub(r"\{[^}]+\}", sample, route.path)
            segments = path.strip("/").split("/", 2)
            key = (segments[0], segments[1] if len(segments) > 1 else "")
            group = dispatch.groups.get(key, dispatch.full)
            for method in route.methods:
                scope = {"type": "http", "path": path, "method": method, "root_path": ""}
                expected = _first_match(full_routes, scope)
                found = _first_match(_api_routes(group), scope)
                assert found is not None and expected is not None, (method, path)
                assert (found.path, found.methods, _endpoint(found)) == (
                    expected.path,
                    expected.methods,
                    _endpoint(expected),
                ), (method, path)


def test_a_sync_route_commits_its_session_in_its_own_thread(
    tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit happens in the route's thread: no second trip to the thread pool."""
    import globus_local.kit.session as database

    router = ServiceRouter()
    threads: dict[str, int] = {}
    trips: list[object] = []

    @router.post("/v1/write")
    def write(db: DbSession) -> dict[str, bool]:
        threads["route"] = threading.get_ident()
        db.execute(text("INSERT INTO t VALUES (1)"))
        return {"ok": True}

    def committed(session: Session) -> None:
        threads.setdefault("commit", threading.get_ident())

    async def counting_trip(func: t.Any, *args: t.Any) -> t.Any:
        trips.append(func)
        return func(*args)

    monkeypatch.setattr(database, "run_in_threadpool", counting_trip)
    platform = FastAPI()
    platform.state.db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with platform.state.db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    dispatch = service_app(Service("demo", (router,)), platform)
    event.listen(Session, "after_commit", committed)
    try:
        with TestClient(dispatch) as client:
            assert client.post("/v1/write").json() == {"ok": True}
    finally:
        event.remove(Session, "after_commit", committed)
    assert trips == []
    assert threads["commit"] == threads["route"]
    with platform.state.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
