"""The web app: the pages a researcher opens in a browser, served at ``/app/``.

Every page is a client of the platform's REST APIs (see :mod:`.platform_api`); the web app
has no tables of its own and no path into the services' data but those APIs. Each section's
pages are one ``routes_<section>.py`` module with a module-level ``router``; :func:`install`
picks them all up.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from globus_local.webapp import login, pages
from globus_local.webapp.pages import CsrfRejected, LoginRequired, User
from globus_local.webapp.platform_api import ApiError

STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def platform_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=307)


@router.get("/app")
@router.get("/app/")
def app_root() -> RedirectResponse:
    return RedirectResponse("/app/file-manager", status_code=307)


@router.get("/app/login")
def login_page(request: Request, next: str = "/app/") -> Response:
    return login.start_login(request, next)


@router.get("/app/callback")
async def callback(request: Request) -> Response:
    return await login.finish_login(request)


@router.post("/app/logout")
async def logout(request: Request, user: User) -> Response:
    await pages.checked_form(request, user)
    return await login.logout(request, user)


def _section_routers() -> list[APIRouter]:
    found = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("routes_"):
            found.append(importlib.import_module(f"{__name__}.{module.name}").router)
    return found


not_found_router = APIRouter(include_in_schema=False)


@not_found_router.api_route("/app/{rest:path}", methods=["GET", "POST"])
def not_found(request: Request, rest: str) -> HTMLResponse:
    from globus_local.webapp import session as web_session

    return pages.render(
        request,
        "error.html",
        web_session.load(request),
        status=404,
        title="Page not found",
        message=f"There is no page at {request.url.path}.",
    )


def install(app: FastAPI) -> None:
    """Serve the web app from ``app``: its pages, static files and the answers to a missing
    login, a rejected form and an API error no page handled."""
    app.include_router(router)
    for section in _section_routers():
        app.include_router(section)
    app.mount("/app/static", StaticFiles(directory=STATIC_DIR), name="webapp-static")
    app.include_router(not_found_router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method != "GET":
            to = "/app/login?" + urlencode({"next": exc.next_path})
            return RedirectResponse(to, status_code=303)
        return login.start_login(request, exc.next_path)

    @app.exception_handler(CsrfRejected)
    async def _csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        from globus_local.webapp import session as web_session

        return pages.render(
            request,
            "error.html",
            web_session.load(request),
            status=403,
            title="Form rejected",
            message="This form was not sent from a page of this web app, or the page is "
            "out of date. Reload the page and try again.",
        )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        from globus_local.webapp import session as web_session

        if exc.status == 401:  # the session's tokens ended or were revoked: log in again
            return login.start_login(request, pages.safe_next(request.url.path))
        return pages.page_error(request, web_session.load(request), exc)
