"""What every page shares: templates, the logged-in user, CSRF checks, notices, API access."""

from __future__ import annotations

import datetime as dt
import typing as t
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from globus_local.services.auth import scopes
from globus_local.webapp import session as web_session
from globus_local.webapp.platform_api import ApiError, Origin, PlatformApi
from globus_local.webapp.session import WebSession

# The scopes the web app asks for at login: what its pages call. A flow's own scope is
# asked for when the user first starts that flow.
LOGIN_SCOPES = (
    scopes.OPENID,
    scopes.PROFILE,
    scopes.EMAIL,
    scopes.AUTH_VIEW_IDENTITIES,
    scopes.TRANSFER_ALL,
    scopes.GROUPS_ALL,
    scopes.SEARCH_ALL,
    scopes.FLOWS_MANAGE_FLOWS,
    scopes.FLOWS_VIEW_FLOWS,
    scopes.FLOWS_RUN_STATUS,
    scopes.FLOWS_RUN_MANAGE,
    scopes.TIMER,
)

# Which token each service's calls carry.
RESOURCE_SERVERS = {
    "auth": scopes.AUTH_RS,
    "transfer": scopes.TRANSFER_RS,
    "groups": scopes.GROUPS_RS,
    "search": scopes.SEARCH_RS,
    "flows": scopes.FLOWS_RS,
    "timer": scopes.TIMER_RS,
}

# The sections in the navigation bar: (path below /app, label).
SECTIONS = (
    ("file-manager", "File Manager"),
    ("activity", "Activity"),
    ("collections", "Collections"),
    ("groups", "Groups"),
    ("search", "Search"),
    ("flows", "Flows"),
    ("settings", "Settings"),
)


def _filesize(value: t.Any) -> str:
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return str(value)


def _when(value: t.Any) -> str:
    """A Globus timestamp as a short UTC date and time."""
    if not value:
        return ""
    text = str(value).replace("+00:00", "").replace("Z", "")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


templates = Environment(
    loader=PackageLoader("globus_local.webapp", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["filesize"] = _filesize
templates.filters["when"] = _when
templates.filters["urlquote"] = lambda value: quote(str(value), safe="")

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class LoginRequired(Exception):
    """No live session: the page sends the browser to log in, then back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRejected(Exception):
    """A form came without the logged-in browser's CSRF token (another site, or a stale page)."""


def current_session(request: Request) -> WebSession:
    session = web_session.load(request)
    if session is None:
        raise LoginRequired(safe_next(request.url.path, request.url.query))
    return session


User = t.Annotated[WebSession, Depends(current_session)]


def safe_next(path: str, query: str = "") -> str:
    """A path inside the web app to return to; anything else is the app's start page."""
    if not path.startswith("/app/") or path.startswith("//") or "\\" in path:
        return "/app/"
    return path + ("?" + query if query else "")


def api(request: Request) -> PlatformApi:
    client = request.client
    server = request.scope.get("server")
    origin = Origin(
        scheme=request.url.scheme,
        host=request.headers.get("host", "localhost"),
        server=tuple(server) if server else None,
        client=(client.host, client.port) if client else None,
        request_id=getattr(request.state, "request_id", ""),
    )
    return PlatformApi(request.app.state.service_dispatch, origin)


class Services:
    """A page's API calls as its user: ``await services(request, user).get("transfer", "/endpoint/x")``."""

    def __init__(self, request: Request, user: WebSession) -> None:
        self.api = api(request)
        self.user = user

    def _token(self, service: str) -> str | None:
        return self.user.token(RESOURCE_SERVERS[service])

    @staticmethod
    def _path(service: str, path: str) -> str:
        base = {"transfer": "/transfer/v0.10", "groups": "/groups/v2", "search": "/search/v1"}
        return base.get(service, "/" + service) + path

    async def get(self, service: str, path: str, **params: t.Any) -> t.Any:
        return await self.api.get(self._path(service, path), self._token(service), **params)

    async def post(self, service: str, path: str, document: t.Any = None) -> t.Any:
        return await self.api.post(self._path(service, path), self._token(service), document)

    async def put(self, service: str, path: str, document: t.Any) -> t.Any:
        return await self.api.put(self._path(service, path), self._token(service), document)

    async def delete(self, service: str, path: str, **params: t.Any) -> t.Any:
        return await self.api.delete(self._path(service, path), self._token(service), **params)

    async def call(self, method: str, service: str, path: str, **kw: t.Any) -> t.Any:
        """Any request (``params``, ``json_body``, ``form``, ``body``...); the raw answer."""
        return await self.api.call(
            method, self._path(service, path), token=self._token(service), **kw
        )


def services(request: Request, user: WebSession) -> Services:
    return Services(request, user)


def render(
    request: Request,
    template: str,
    user: WebSession | None,
    *,
    status: int = 200,
    section: str | None = None,
    **context: t.Any,
) -> HTMLResponse:
    notice = web_session.take_flash(request)
    body = templates.get_template(template).render(
        user=user,
        csrf=user.csrf if user else "",
        sections=SECTIONS,
        section=section,
        notice=notice,
        request_path=request.url.path,
        **context,
    )
    response = HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
    if notice is not None:
        response.delete_cookie(web_session.FLASH_COOKIE, path=web_session.COOKIE_PATH)
    return response


def redirect(request: Request, to: str, notice: tuple[str, str] | None = None) -> RedirectResponse:
    """303 to ``to`` (a path in the app), with a notice for the next page to show."""
    response = RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})
    if notice is not None:
        web_session.flash(request, response, *notice)
    return response


async def checked_form(request: Request, user: WebSession) -> dict[str, str]:
    """The posted form's fields (files left out), once its CSRF token is the login's own."""
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not _same(token, user.csrf):
        raise CsrfRejected()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def checked_header(request: Request, user: WebSession) -> None:
    """For script calls that change something: the CSRF token comes in ``X-CSRF-Token``."""
    if not _same(request.headers.get("x-csrf-token", ""), user.csrf):
        raise CsrfRejected()


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def error_message(err: ApiError) -> str:
    """What a page says about a failed API call: the service's own message."""
    return f"{err.message} ({err.code})" if err.code else err.message


def page_error(
    request: Request, user: WebSession | None, err: ApiError, section: str | None = None
) -> HTMLResponse:
    """A page for an API error that leaves nothing to show (a collection that does not
    exist, a group the user may not see)."""
    status = err.status if 400 <= err.status < 500 else 502
    title = {403: "Not allowed", 404: "Not found"}.get(err.status, "Something went wrong")
    return render(
        request,
        "error.html",
        user,
        status=status,
        section=section,
        title=title,
        message=error_message(err),
    )
