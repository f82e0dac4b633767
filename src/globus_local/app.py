"""Compose every service into one ASGI app: shared database, request ids, error documents."""

from __future__ import annotations

import asyncio
import logging
import os
import string
import time
import typing as t
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from globus_local import __version__, webapp
from globus_local.admission import RETRY_AFTER_SECONDS, Admission
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.kit.errors import (
    STATUS_CODES,
    ErrorFormatter,
    ServiceError,
    default_error_document,
)
from globus_local.kit.service import Service, cool_down, load_services, warm_up
from globus_local.routing import GroupDispatch, PrefixDispatch, ServiceGuard, build_service_apps

access_log = logging.getLogger("globus_local.access")
error_log = logging.getLogger("globus_local.error")

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """Short random id, as Globus services put in every error document: nine letters or
    digits from one read of the system's randomness (one per letter cost each request
    nine system calls)."""
    number = int.from_bytes(os.urandom(8), "big")
    letters = []
    for _ in range(9):
        number, digit = divmod(number, len(_REQUEST_ID_ALPHABET))
        letters.append(_REQUEST_ID_ALPHABET[digit])
    return "".join(letters)


class RequestContext:
    """Gives every request its id (``request.state.request_id``, the ``X-Request-Id`` header)
    and writes the access log line.

    Plain ASGI rather than ``@app.middleware("http")``: that wrapper runs every response
    through an extra task and stream, which costs about as much as a cheap route itself.
    """

    def __init__(self, app: t.Any) -> None:
        self.app = app

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message: t.MutableMapping[str, t.Any]) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not answered:
                raise
            # Answered already (a service's handler sent its error document and logged
            # the error): passing it on would only make uvicorn drop the connection.
        finally:
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                access_log.info(
                    '%s "%s %s" %s %.1fms %s',
                    client[0] if client else "-",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - start) * 1000,
                    request_id,
                )


def _service_for(services: list[Service], path: str) -> Service | None:
    for service in services:
        if path == service.prefix or path.startswith(service.prefix + "/"):
            return service
    return None


def _error_response(
    request: Request, err: ServiceError, formatter: ErrorFormatter | None = None
) -> JSONResponse:
    """``err`` in ``formatter``'s document; without one, in the document of the service
    owning the path (the plain one outside every service)."""
    if formatter is None:
        services: list[Service] = getattr(request.app.state, "services", [])
        service = _service_for(services, request.url.path)
        formatter = service.format_error if service else default_error_document
    request_id = getattr(request.state, "request_id", None) or new_request_id()
    headers = err.extra.pop("_headers", None) if "_headers" in err.extra else None
    return JSONResponse(formatter(err, request_id), status_code=err.http_status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors()[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
        parts.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
    return "Invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI, formatter: ErrorFormatter | None = None) -> None:
    """Every failure in ``app`` (its own errors, bad input, unknown routes and methods,
    unexpected exceptions) answered in ``formatter``'s document: a service's app passes
    its own, so declaring ``format_error`` is all a service does to get them."""

    def respond(request: Request, err: ServiceError) -> JSONResponse:
        return _error_response(request, err, formatter)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return respond(request, ServiceError(400, "BadRequest", _validation_message(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No such resource: {request.method} {request.url.path}"
        err = ServiceError(exc.status_code, code, detail, _headers=getattr(exc, "headers", None))
        return respond(request, err)

    # Handlers for these classes answer without re-raising (Starlette re-raises what the
    # catch-all handler answers, and uvicorn then drops the keep-alive connection).
    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        return _unexpected_response(request, exc, formatter)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _unexpected_response(request, exc, formatter)


def _unexpected_response(
    request: Request, exc: Exception, formatter: ErrorFormatter | None = None
) -> JSONResponse:
    if _is_overload(exc):
        error_log.warning("busy on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(request, _busy(), formatter)
    error_log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(
        request, ServiceError(500, "InternalServerError", "An unexpected error occurred"), formatter
    )


# PostgreSQL's codes for a transaction it rolled back to let others on: a retry succeeds.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def _is_overload(exc: Exception) -> bool:
    """A pool with no connection free in time, SQLite's write lock not had in time, a
    connection the database dropped, or a transaction the database rolled back for others'
    sake: nothing was stored, and the client may try again."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if exc.connection_invalidated:  # the database went away (restarted): the pool renews
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(exc)


def _busy() -> ServiceError:
    return ServiceError(
        503,
        "ServiceUnavailable",
        "The server is busy; try again shortly",
        _headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the platform. The schema is brought up to date before the app serves."""
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = database or Database(settings.database_url, connections=settings.database_connections)
    services = load_services()
    prepare_schema(db)

    app = FastAPI(
        title="globus-local",
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.services = services

    dispatchers = {service.name: service_app(service, app) for service in services}
    # The web app's way to the services: the same dispatch, below admission (its page's
    # request already holds a turn).
    app.state.service_dispatch = PrefixDispatch(_no_such_service, dict(dispatchers), app.router)
    for service in services:
        # Mounted for url_for and for the paths dispatch leaves to the platform's router.
        app.mount(service.prefix, dispatchers[service.name].full)
    # Innermost first: a request is counted, given its turn, then sent to its service.
    app.add_middleware(PrefixDispatch, mounts=dict(dispatchers), router=app.router)
    app.add_middleware(
        Admission,
        concurrency=settings.concurrency,
        queue_timeout=settings.queue_timeout,
        respond_error=_error_response,
    )
    app.add_middleware(RequestContext)  # outermost: a refused request has its id too
    install_error_handlers(app)
    for service in services:
        if service.root_router is not None:
            app.include_router(service.root_router)
    webapp.install(app)
    return app


async def _no_such_service(scope: t.Any, receive: t.Any, send: t.Any) -> None:
    body = b'{"code":"NotFound","message":"No such service"}'
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def service_app(service: Service, platform: FastAPI) -> GroupDispatch:
    """One service's routes, served under its prefix by small apps that share the
    platform's state and error documents (see :mod:`globus_local.routing`)."""

    def make_app(group: str) -> FastAPI:
        full = group == "full"
        app = FastAPI(
            title=f"globus-local {service.name}",
            version=__version__,
            redoc_url=None,
            docs_url="/docs" if full else None,
            openapi_url="/openapi.json" if full else None,
        )
        app.state = platform.state
        install_error_handlers(app, service.format_error)
        return app

    full, groups = build_service_apps(service.routers, prefix=service.api_prefix, make_app=make_app)

    def respond(request: Request, err: ServiceError) -> JSONResponse:
        return _error_response(request, err, service.format_error)

    return GroupDispatch(full, dict(groups), ServiceGuard(service.text_rule, respond))


def prepare_schema(db: Database) -> None:
    """Bring the schema to the newest Alembic revision (tables straight from the models
    while no revision exists yet); safe when several processes start at once."""
    from globus_local.db.migrate import upgrade_schema
    from globus_local.kit.service import load_models

    load_models()
    upgrade_schema(db)


@asynccontextmanager
async def lifespan(app: FastAPI) -> t.AsyncIterator[None]:
    """Run the job workers for as long as the server serves (unless settings turn them off)."""
    from globus_local.jobs import WorkerPool

    settings: Settings = app.state.settings
    # Every running request may need a thread at once (see globus_local.admission); the
    # rest of the limit is for the few other users of the pool.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.concurrency + 8
    pool: WorkerPool | None = None
    if settings.run_workers and settings.worker_threads > 0:
        pool = WorkerPool(app.state.db, settings.worker_threads).start()
        warm_up(app.state.services)
    app.state.worker_pool = pool
    try:
        yield
    finally:
        if pool is not None:
            await asyncio.to_thread(pool.stop)
            await asyncio.to_thread(cool_down, app.state.services)
