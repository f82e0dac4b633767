"""Routes found by table lookup reach the same route as trying every route in turn."""

from __future__ import annotations

import re
import threading
import typing as t

import pytest
import requests
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session
from starlette.routing import Match

from globus_local.app import service_app
from globus_local.db import Database
from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.service import Service, load_services
from globus_local.kit.session import DbSession
from globus_local.routing import group_key, route_path
from globus_local.testing import LocalServer


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
        # Only this app's sessions: the session server's job workers commit too.
        if str(session.get_bind().url).endswith("x.sqlite3"):
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


# -- errors of paths no route serves ----------------------------------------------------------

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _document_keys(service: Service, status: int, code: str) -> tuple[set[str], t.Any]:
    """The top-level keys and code of the service's own document for such an error."""
    doc = service.format_error(ServiceError(status, code, "m"), "rid")
    assert isinstance(doc, dict)
    return set(doc), _code(doc)


def _code(doc: dict[str, t.Any]) -> t.Any:
    if "errors" in doc:
        return doc["errors"][0]["code"]
    if isinstance(doc.get("error"), dict):
        return doc["error"]["code"]
    return doc.get("code")


@pytest.mark.parametrize("service", load_services(), ids=lambda s: s.name)
def test_unknown_paths_answer_in_the_service_s_own_document(
    service: Service, globus_local_server: LocalServer
) -> None:
    root = globus_local_server.url.rstrip("/")
    keys, code = _document_keys(service, 404, "NotFound")
    prefix = service.prefix + service.api_prefix
    for path in (
        service.prefix,
        service.prefix + "/",
        service.prefix + "/no-such-thing",
        prefix + "/no/such/route/at/all",
        prefix + "/v2/x/y/z",
    ):
        for method in ("GET", "POST", "DELETE"):
            resp = requests.request(method, root + path, timeout=30)
            if resp.status_code in (401, 405) and path == service.prefix + "/no-such-thing":
                # Flows serves /flows/<flow_id> at its root too (for older clients): a
                # name there is a flow, which takes a token first and has only GET/DELETE.
                expected = _document_keys(service, resp.status_code, "x")[0]
                assert set(resp.json()) == expected, resp.text
                continue
            assert resp.status_code == 404, (method, path, resp.text)
            doc = resp.json()
            assert set(doc) == keys, (method, path, doc)
            assert _code(doc) == code, (method, path, doc)
            assert resp.headers["x-request-id"] in resp.text


@pytest.mark.parametrize("service", load_services(), ids=lambda s: s.name)
def test_a_method_no_route_takes_answers_405_in_the_service_s_own_document(
    service: Service, globus_local_server: LocalServer
) -> None:
    routes = _api_routes(service_app(service, FastAPI()).full)
    root = globus_local_server.url.rstrip("/")
    keys, code = _document_keys(service, 405, "MethodNotAllowed")
    tried = 0
    # a service whose every path starts with a parameter (GCS's endpoint id) is tried with
    # the parameters filled in
    literal = [r for r in routes if "{" not in r.path] or routes
    for route in literal:
        path = re.sub(r"\{[^}/]+\}", "0", route.path)
        for method in _METHODS:
            scope = {"type": "http", "path": path, "method": method, "root_path": ""}
            found = _first_match(routes, scope)
            if found is None or method in found.methods:
                continue  # some route takes it (or none has the path): not a 405
            resp = requests.request(method, root + service.prefix + path, timeout=30)
            assert resp.status_code == 405, (method, route.path, resp.text)
            assert set(resp.json()) == keys, (method, route.path, resp.text)
            assert _code(resp.json()) == code
            assert "allow" in {h.lower() for h in resp.headers}
            tried += 1
            if tried >= 3:
                return
    assert tried, f"no route of {service.name} has a method to refuse"


def test_an_unknown_top_level_prefix_is_a_plain_json_404(globus_local_server: LocalServer) -> None:
    root = globus_local_server.url.rstrip("/")
    for path in ("/no-such-service/v1/things", "/nope", "/transferx/v0.10/task_list"):
        resp = requests.get(root + path, timeout=30)
        assert resp.status_code == 404
        assert resp.headers["content-type"].startswith("application/json")
        doc = resp.json()
        assert doc == {
            "code": "NotFound",
            "message": f"No such resource: GET {path}",
            "request_id": resp.headers["x-request-id"],
        }


def test_a_service_gets_every_error_in_its_document_by_declaring_its_formatter() -> None:
    """A service to come declares ``format_error``: its unknown routes, refused methods,
    bad input and unexpected failures all answer in that document."""
    router = ServiceRouter()

    @router.get("/v1/things/{thing_id}")
    def get_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise RuntimeError("boom")
        return {"id": thing_id}

    def formatter(err: ServiceError, request_id: str) -> dict[str, t.Any]:
        return {
            "error": {"code": f"DEMO_{err.code}", "detail": err.message},
            "debug_id": request_id,
        }

    dispatch = service_app(Service("demo", (router,), formatter), FastAPI())
    with TestClient(dispatch, raise_server_exceptions=False) as client:
        assert client.get("/v1/things/3").json() == {"id": 3}
        cases = [
            ("GET", "/v1/nothing", 404, "DEMO_NotFound"),
            ("GET", "/elsewhere", 404, "DEMO_NotFound"),
            ("DELETE", "/v1/things/3", 405, "DEMO_MethodNotAllowed"),
            ("GET", "/v1/things/not-a-number", 400, "DEMO_BadRequest"),
            ("GET", "/v1/things/0", 500, "DEMO_InternalServerError"),
        ]
        for method, path, status, code in cases:
            resp = client.request(method, path)
            assert resp.status_code == status, (method, path, resp.text)
            assert resp.json()["error"]["code"] == code
            assert set(resp.json()) == {"error", "debug_id"}
