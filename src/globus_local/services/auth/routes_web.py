"""The browser side of the authorization-code flow: authorize, login, consent, auth-code page.

The authorize request travels through the forms as its own query string and is validated
again on every step, so no server-side state exists until a code is issued. Problems with
the client or redirect URI are shown as a page (we never redirect to an unregistered URI);
every other problem is reported to the client by redirecting with ``error=...``.
"""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.auth import authorize as flow
from globus_local.services.auth.authorize import AuthorizeRequest, PageError, RedirectError
from globus_local.services.auth.login_throttle import verify_login
from globus_local.services.auth.scopes import consent_items
from globus_local.services.auth.web_session import (
    csrf_cookie_value,
    csrf_token,
    csrf_valid,
    current_login,
    end_login,
    set_csrf_cookie,
    set_session_cookie,
    start_login,
)

if t.TYPE_CHECKING:
    from globus_local.services.auth.models import Identity, LoginSession

router = ServiceRouter()

_templates = Environment(
    loader=PackageLoader("globus_local.services.auth", "templates"),
    autoescape=select_autoescape(["html"]),
)


def render(request: Request, template: str, status: int = 200, **context: t.Any) -> HTMLResponse:
    cookie, fresh = csrf_cookie_value(request)
    form = context.pop("csrf_form", None)
    if form:
        context["csrf_token"] = csrf_token(request, cookie, form)
    response = HTMLResponse(_templates.get_template(template).render(**context), status_code=status)
    if fresh and form:
        set_csrf_cookie(request, response, cookie)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def error_page(request: Request, err: PageError) -> HTMLResponse:
    return render(request, "error.html", err.status, title=err.title, message=err.message)


def with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if urlsplit(uri).query else "?") + urlencode(params)


def redirect(uri: str) -> RedirectResponse:
    return RedirectResponse(uri, status_code=302, headers={"Cache-Control": "no-store"})


def _platform_hosts(request: Request) -> set[str]:
    hosts = {urlsplit(request.app.state.settings.root_url).netloc}
    if request.headers.get("host"):
        hosts.add(request.headers["host"])
    return hosts


def _error_redirect(
    ar_params: t.Mapping[str, str], redirect_uri: str, err: RedirectError
) -> RedirectResponse:
    return redirect(
        with_query(
            redirect_uri,
            {
                "error": err.error,
                "error_description": err.description,
                "state": ar_params.get("state") or "_default",
            },
        )
    )


def _handle(
    session: DbSession, request: Request, raw: t.Mapping[str, str]
) -> AuthorizeRequest | Response:
    try:
        return flow.parse_authorize(session, raw, _platform_hosts(request))
    except PageError as err:
        return error_page(request, err)
    except RedirectError as err:
        return _error_redirect(raw, str(raw.get("redirect_uri")), err)


def login_page(
    request: Request,
    ar: AuthorizeRequest,
    *,
    error: str | None = None,
    username: str = "",
    status: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        status or (401 if error else 200),
        csrf_form="login",
        action=request.url_for("auth_login_submit").path,
        authorize_request=ar.encoded(prompt=None),
        client_name=ar.client.name,
        session_message=ar.params.get("session_message"),
        error=error,
        username=username,
    )


def proceed(
    session: DbSession,
    request: Request,
    ar: AuthorizeRequest,
    identity: Identity,
    login: LoginSession,
) -> Response:
    """Logged in: skip consent if it was given before for these scopes, else ask."""
    if flow.consented(session, ar, identity):
        return redirect_with_code(session, ar, identity, login)
    return render(
        request,
        "consent.html",
        csrf_form="consent",
        action=request.url_for("auth_consent_submit").path,
        authorize_request=ar.encoded(prompt=None),
        client_name=ar.client.name,
        username=identity.username,
        scopes=consent_items(session, ar.requests),
    )


def redirect_with_code(
    session: DbSession, ar: AuthorizeRequest, identity: Identity, login: LoginSession
) -> RedirectResponse:
    code = flow.code_for(session, ar, identity, login)
    return redirect(with_query(ar.redirect_uri, {"code": code, "state": ar.state}))


def _form_request(form: t.Mapping[str, t.Any]) -> dict[str, str]:
    return dict(parse_qsl(str(form.get("authorize_request") or ""), keep_blank_values=False))


async def _read_form(request: Request) -> dict[str, str]:
    try:
        form = await request.form()
    except Exception:
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/v2/oauth2/authorize", name="auth_authorize", response_class=HTMLResponse)
def authorize(request: Request, db: DbSession) -> Response:
    ar = _handle(db, request, request.query_params)
    if isinstance(ar, Response):
        return ar
    current = current_login(db, request)
    if current is None or ar.params.get("prompt") == "login":
        return login_page(request, ar, username=current[1].username if current else "")
    login, identity = current
    return proceed(db, request, ar, identity, login)


WebForm = t.Annotated[dict[str, str], Depends(_read_form)]


def _posted_request(
    session: DbSession, request: Request, form: dict[str, str], form_name: str
) -> AuthorizeRequest | Response:
    """The authorize request a login or consent form carries, or the page that answers a
    form whose CSRF token does not hold or whose request does not check."""
    if not csrf_valid(request, form_name, form.get("csrf_token")):
        return error_page(
            request,
            PageError(400, "Form expired", "Invalid or missing CSRF token; go back and try again."),
        )
    return _handle(session, request, _form_request(form))


@router.post("/v2/web/login", name="auth_login_submit", response_class=HTMLResponse)
def login_submit(request: Request, form: WebForm, db: DbSession) -> Response:
    ar = _posted_request(db, request, form, "login")
    if isinstance(ar, Response):
        return ar
    username = (form.get("username") or "").strip()
    password = form.get("password") or ""
    address = request.client.host if request.client else None
    check = verify_login(db, username, password, address)
    if check.retry_after:
        return _throttled_page(request, ar, username, check.retry_after)
    identity = check.identity
    if identity is None:
        return login_page(request, ar, error="Invalid username or password.", username=username)
    login, cookie = start_login(db, request, identity)
    response = proceed(db, request, ar, identity, login)
    set_session_cookie(request, response, cookie)
    return response


def _throttled_page(
    request: Request, ar: AuthorizeRequest, username: str, retry_after: int
) -> HTMLResponse:
    """The login page again, saying (and telling clients in ``Retry-After``) how long to wait.
    Whether this attempt's password was checked at all is not revealed."""
    response = login_page(
        request,
        ar,
        error=f"Too many failed sign-in attempts. Try again in {retry_after} seconds.",
        username=username,
        status=429,
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


@router.post("/v2/web/consent", name="auth_consent_submit", response_class=HTMLResponse)
def consent_submit(request: Request, form: WebForm, db: DbSession) -> Response:
    ar = _posted_request(db, request, form, "consent")
    if isinstance(ar, Response):
        return ar
    current = current_login(db, request)
    if current is None:
        # The login expired meanwhile: start over at the authorize step.
        return RedirectResponse(
            request.url_for("auth_authorize").path + "?" + ar.encoded(), status_code=303
        )
    login, identity = current
    if form.get("decision") != "allow":
        return _error_redirect(
            ar.params,
            ar.redirect_uri,
            RedirectError("access_denied", "The user declined to grant access"),
        )
    flow.record_consent(db, ar, identity)
    return redirect_with_code(db, ar, identity, login)


@router.get("/v2/web/auth-code", response_class=HTMLResponse)
def auth_code_page(request: Request) -> Response:
    q = request.query_params
    return render(
        request,
        "auth_code.html",
        code=q.get("code"),
        state=q.get("state"),
        error=q.get("error"),
        error_description=q.get("error_description"),
    )


def logout(request: Request, db: DbSession) -> Response:
    """End the browser login: GET for a link, POST for the page's form."""
    response = render(request, "logged_out.html")
    end_login(db, request, response)
    return response


# Registered once per method so each has its own OpenAPI operation id.
router.get("/v2/web/logout", response_class=HTMLResponse, operation_id="logout_get")(logout)
router.post("/v2/web/logout", response_class=HTMLResponse, operation_id="logout_post")(logout)
