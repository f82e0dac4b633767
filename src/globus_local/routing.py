"""How a request finds its route: by table lookup on its first path segments, not by
trying every route of the platform in turn.

FastAPI matches a request against routes one by one, and each try under included
routers runs Python of its own: a Transfer request made dozens of tries, which cost more
than the route's own work. So each service's routes are grouped by their
first two path segments (``v0.10/task``, ``v2/oauth2``), each group served by a small
FastAPI app of its own, and a request goes straight to its group. A route with a path
parameter in those segments joins every group, so the order in which routes are tried,
and with it every match, 404 and 405, stays what one app holding all routes would give.

Routes are declared on :class:`ServiceRouter`, which keeps each registration so the
same routes can be registered again in the group apps and in the service's full app
(which serves ``/docs``, the OpenAPI document and any path no group claims).
"""

from __future__ import annotations

import functools
import inspect
import typing as t

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from globus_local.db.database import commit_session, discard_session
from globus_local.kit.errors import ServiceError, request_path
from globus_local.kit.router import Registration, ServiceRouter
from globus_local.kit.text import TextRule, refusal

GroupKey = tuple[str, str]
Scope = t.MutableMapping[str, t.Any]
Receive = t.Callable[[], t.Awaitable[t.Any]]
Send = t.Callable[[t.Any], t.Awaitable[None]]
ASGIApp = t.Callable[[Scope, Receive, Send], t.Awaitable[None]]


def group_key(path: str) -> GroupKey | None:
    """The first two segments of ``path`` (the second may be empty), or None when a path
    parameter stands in either (such a route may match paths of any group)."""
    segments = path.strip("/").split("/", 2)
    first = segments[0]
    second = segments[1] if len(segments) > 1 else ""
    if "{" in first or "{" in second:
        return None
    return first, second


def _request_key(path: str) -> GroupKey:
    segments = path.strip("/").split("/", 2)
    return segments[0], segments[1] if len(segments) > 1 else ""


AppFactory = t.Callable[[str], FastAPI]


def build_service_apps(
    routers: t.Sequence[ServiceRouter],
    *,
    prefix: str,
    make_app: AppFactory,
) -> tuple[FastAPI, dict[GroupKey, FastAPI]]:
    """The service's full app and one app per group, every route registered under
    ``prefix``."""
    registrations = [r for router in routers for r in router.registrations]
    for router in routers:
        if len(router.routes) != len(router.registrations):
            raise TypeError(f"{router!r}: only add_api_route registrations can be grouped")
    full = make_app("full")
    keys: list[GroupKey] = []
    for registration in registrations:
        key = group_key(prefix + registration.path)
        if key is not None and key not in keys:
            keys.append(key)
    groups = {key: make_app("/".join(key)) for key in keys}
    for registration in registrations:
        key = group_key(prefix + registration.path)
        targets = [full, *(groups.values() if key is None else [groups[key]])]
        for app in targets:
            _register(app, registration, prefix)
    return full, groups


def _register(app: FastAPI, registration: Registration, prefix: str) -> None:
    options = dict(registration.options)
    # A route's dict is its document: no model inferred from its return annotation, whose
    # validation would cost a second trip to the thread pool and a pydantic pass.
    if _unset(options.get("response_model")):
        options["response_model"] = None
    endpoint = registration.endpoint
    if not inspect.iscoroutinefunction(endpoint):
        render = (
            options["response_model"] is None
            and _unset(options.get("response_class"))
            and not _takes_response(endpoint)
        )
        endpoint = in_route_thread(endpoint, options.get("status_code") or 200, render)
    app.router.add_api_route(prefix + registration.path, endpoint, **options)


def _unset(option: t.Any) -> bool:
    """An option the route left to FastAPI's default."""
    return option is None or isinstance(option, DefaultPlaceholder)


def _takes_response(endpoint: t.Callable[..., t.Any]) -> bool:
    """Whether the route sets status or headers on an injected ``Response``."""
    hints = inspect.signature(endpoint, eval_str=True).parameters.values()
    return any(inspect.isclass(p.annotation) and issubclass(p.annotation, Response) for p in hints)


def in_route_thread(
    endpoint: t.Callable[..., t.Any], status_code: int, render: bool
) -> t.Callable[..., t.Any]:
    """Wrap a sync route so that, in its own thread, the request sessions it was given
    end (committed when it returns, rolled back when it raises) and, with ``render``, a
    dict or list it returns becomes the JSON response.

    A request then holds a connection (and SQLite's write turn) only while its thread
    runs, takes one trip to the thread pool instead of two, and is encoded off the event
    loop."""

    @functools.wraps(endpoint)
    def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
        sessions = [value for value in kwargs.values() if isinstance(value, Session)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for session in sessions:
                discard_session(session)
            raise
        for session in sessions:
            commit_session(session)
        if render and isinstance(result, (dict, list)):
            try:
                return JSONResponse(result, status_code=status_code)
            except (TypeError, ValueError):  # not plain JSON: FastAPI's encoder takes it
                pass
        return result

    # Annotations evaluated where the route was written, for FastAPI to read.
    run.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    return run


class GroupDispatch:
    """ASGI app sending each request to its group's app, or to ``full`` when no group
    claims its first segments; ``guard``, when given, sees the request first."""

    def __init__(
        self, full: FastAPI, groups: dict[GroupKey, FastAPI], guard: ServiceGuard | None = None
    ) -> None:
        self.full = full
        self.groups = groups
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.full(scope, receive, send)
            return
        path = route_path(scope)
        if self.guard is not None:
            admitted = await self.guard(scope, path, receive, send)
            if admitted is None:
                return
            receive = admitted
        app = self.groups.get(_request_key(path), self.full)
        await app(scope, receive, send)


ErrorResponder = t.Callable[[Request, ServiceError], Response]


class ServiceGuard:
    """What the platform does for every request to a service before its routes run, as
    plain calls rather than FastAPI dependencies (whose solving costs each request more
    than these checks): remember the path for the service's error documents
    (``kit.errors.request_path``) and refuse text no database stores (``kit.text``), in
    the service's error document."""

    def __init__(self, rule: TextRule, respond: ErrorResponder) -> None:
        self.rule = rule
        self.respond = respond

    async def __call__(
        self, scope: Scope, path: str, receive: Receive, send: Send
    ) -> Receive | None:
        """The ``receive`` to serve the request with, or None once it has been answered."""
        request_path.set(path)
        messages: list[t.Any] = []

        async def read_body() -> bytes:
            while not messages or messages[-1].get("more_body", False):
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
            return b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")

        content_type = ""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
        err = await refusal(self.rule, scope, content_type, read_body)
        if err is not None:
            response = self.respond(Request(scope), err)
            await response(scope, receive, send)
            return None
        return _replayed(messages, receive) if messages else receive


def _replayed(messages: list[t.Any], receive: Receive) -> Receive:
    """A ``receive`` giving ``messages`` again, then passing on to ``receive``."""
    pending = list(messages)

    async def replay() -> t.Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def route_path(scope: Scope) -> str:
    """The path below the app's mount point."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class PrefixDispatch:
    """ASGI middleware sending ``/<name>/...`` to the app mounted at that first segment
    (as a Starlette ``Mount`` would: the prefix joins ``root_path``), anything else on to
    the app it wraps. ``router`` names routes for ``url_for``: the platform's, where each
    service's full app is also mounted."""

    def __init__(self, app: ASGIApp, mounts: dict[str, ASGIApp], router: t.Any) -> None:
        self.app = app
        self.mounts = mounts
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        name = path[1:].split("/", 1)[0]
        mounted = self.mounts.get(name)
        # ``/<name>`` itself is the service's too: its 404 is the service's error document
        if mounted is None or (path != "/" + name and not path.startswith("/" + name + "/")):
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        child = dict(scope)
        child["root_path"] = root + "/" + name
        child.setdefault("app_root_path", root)
        child.setdefault("router", self.router)
        await mounted(child, receive, send)
