"""The Action Provider interface, served for every provider at ``/actions/<host>/<path>``:
introspection, run (``/run`` and ``/actions``), status, cancel, release (POST classic,
DELETE new style), resume, log and the listing of one's actions. Each route parses its
request and calls :mod:`.lifecycle`."""

import typing as t

from fastapi import Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from globus_local.kit.paging import decode_marker
from globus_local.kit.params import parse_csv, query_bool, query_int
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext
from globus_local.services.actions import lifecycle
from globus_local.services.actions.access import provider_token
from globus_local.services.actions.documents import description_document
from globus_local.services.actions.errors import bad_request
from globus_local.services.actions.providers import PROVIDERS, Provider

router = ServiceRouter()

AnyBody = t.Annotated[t.Any, Body()]
# Introspection is public, so a web page on any origin may read it (as the Action Provider
# tools allow).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Expose-Headers": "*",
}
LOG_LIMIT = 10
MAX_LOG_LIMIT = 100


def _words(request: Request, name: str, default: str, allowed: t.Iterable[str]) -> list[str]:
    """A comma-separated (or repeated) query parameter of known words, lower-cased."""
    given = [v for raw in request.query_params.getlist(name) for v in parse_csv(raw)]
    words = [w.lower() for w in given] or [default]
    unknown = sorted(set(words) - set(allowed))
    if unknown:
        raise bad_request(f"Invalid value for '{name}': {', '.join(unknown)}")
    return words


def _log_window(request: Request) -> tuple[int, int, bool]:
    params = request.query_params
    raw_limit = params.get("limit") or params.get("per_page")
    limit = query_int(raw_limit, "limit", LOG_LIMIT, maximum=MAX_LOG_LIMIT) or LOG_LIMIT
    position = decode_marker(params.get("marker"))
    offset = query_int(str((position or {}).get("offset", 0)), "marker", 0)
    reverse = bool(query_bool(params.get("reverse_order"), "reverse_order"))
    return limit, offset, reverse


def _register(provider: Provider) -> None:
    """Every route of the interface for one provider."""
    base = "/" + provider.key
    Auth = t.Annotated[AuthContext, Depends(provider_token(provider.scope))]

    def introspect() -> JSONResponse:
        return JSONResponse(description_document(provider), headers=CORS_HEADERS)

    def preflight() -> Response:
        return Response(status_code=204, headers=CORS_HEADERS)

    def run(request: Request, db: DbSession, ctx: Auth, body: AnyBody = None) -> JSONResponse:
        settings = request.app.state.settings
        document, created = lifecycle.run(db, ctx, settings, provider, body)
        return JSONResponse(document, status_code=202 if created else 200)

    def enumerate_actions(request: Request, db: DbSession, ctx: Auth) -> list[dict[str, t.Any]]:
        statuses = _words(request, "status", "active", lifecycle.STATUS_WORDS)
        roles = _words(request, "roles", "creator_id", lifecycle.ROLE_WORDS)
        wanted = [lifecycle.STATUS_WORDS[s] for s in statuses]
        return lifecycle.enumerate_actions(db, ctx, provider, wanted, roles)

    def status(action_id: str, db: DbSession, ctx: Auth) -> dict[str, t.Any]:
        return lifecycle.status(db, ctx, provider, action_id)

    def cancel(action_id: str, db: DbSession, ctx: Auth) -> dict[str, t.Any]:
        return lifecycle.cancel(db, ctx, provider, action_id)

    def release(action_id: str, db: DbSession, ctx: Auth) -> dict[str, t.Any]:
        return lifecycle.release(db, ctx, provider, action_id)

    def resume(action_id: str, db: DbSession, ctx: Auth) -> dict[str, t.Any]:
        return lifecycle.resume(db, ctx, provider, action_id)

    def log(action_id: str, request: Request, db: DbSession, ctx: Auth) -> dict[str, t.Any]:
        limit, offset, reverse = _log_window(request)
        return lifecycle.log(
            db, ctx, provider, action_id, limit=limit, offset=offset, reverse_order=reverse
        )

    routes: list[tuple[str, str, t.Callable[..., t.Any], str]] = [
        ("GET", "", introspect, "introspect"),
        ("GET", "/", introspect, "introspect_slash"),
        ("OPTIONS", "", preflight, "preflight"),
        ("OPTIONS", "/", preflight, "preflight_slash"),
        ("POST", "/run", run, "run"),
        ("POST", "/actions", run, "run_actions"),
        ("GET", "/actions", enumerate_actions, "enumerate"),
        ("GET", "/{action_id}/status", status, "status"),
        ("GET", "/actions/{action_id}", status, "status_actions"),
        ("POST", "/{action_id}/cancel", cancel, "cancel"),
        ("POST", "/actions/{action_id}/cancel", cancel, "cancel_actions"),
        ("POST", "/{action_id}/release", release, "release"),
        ("DELETE", "/actions/{action_id}", release, "release_actions"),
        ("POST", "/{action_id}/resume", resume, "resume"),
        ("POST", "/actions/{action_id}/resume", resume, "resume_actions"),
        ("GET", "/{action_id}/log", log, "log"),
        ("GET", "/actions/{action_id}/log", log, "log_actions"),
    ]
    for method, path, endpoint, name in routes:
        router.add_api_route(
            base + path,
            endpoint,
            methods=[method],
            name=f"{provider.key}:{name}",
            include_in_schema=not name.endswith("_slash"),
        )


for _provider in PROVIDERS.values():
    _register(_provider)
