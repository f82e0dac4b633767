"""The Transfer routers' order only makes the polled routes cheaper to find: every route's
own paths still reach that route first (no path matches routes of two routers)."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import Match

from globus_local.services.transfer import service


def _routes() -> list[APIRoute]:
    return [r for router in service.routers for r in router.routes if isinstance(r, APIRoute)]


def test_every_route_is_the_first_to_match_its_own_paths() -> None:
    routes = _routes()
    assert len(routes) > 60
    for route in routes:
        for sample in ("x1", "0123-abc"):
            path = re.sub(r"\{[^}]+\}", sample, route.path)
            for method in route.methods:
                scope = {"type": "http", "path": path, "method": method, "root_path": ""}
                first = next(r for r in routes if r.matches(scope)[0] == Match.FULL)
                assert first is route, (method, path, first.path)


def test_task_routes_come_first() -> None:
    assert _routes()[0].path == "/submission_id"
