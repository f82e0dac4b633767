"""The browser side of the authorization-code flow: authorize, login, consent, auth-code page.

The authorize request travels through the forms as its own query string and is validated
again on every step, so no server-side state exists until a code is issued. Problems with
the client or redirect URI are shown as a page (we never redirect to an unregistered URI);
every other problem is reported to the client by redirecting with ``error=...``.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.auth.clients import get_client, redirect_uri_allowed
from globus_local.services.auth.login_throttle import verify_login
from globus_local.services.auth.models import Client, Consent, Identity, LoginSession
from globus_local.services.auth.scopes import (
    ScopeInfo,
    describe_scope,
    resolve_scopes,
    split_scopes,
)
from globus_local.services.auth.tokens import issue_code
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

router = ServiceRouter()

_templates = Environment(
    loader=PackageLoader("globus_local.services.auth", "templates"),
    autoescape=select_autoescape(["html"]),
)

# Query parameters of an authorize request that are carried through the forms.
_AUTHORIZE_KEYS = (
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_type",
    "access_type",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "nonce",
    "session_message",
    "session_required_identities",
    "session_required_single_domain",
    "session_required_mfa",
    "session_required_policies",
    "prefill_named_grant",
)
_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-_]{43,128}$")


class PageError(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class RedirectError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


@dataclass
class AuthorizeRequest:
    params: dict[str, str]
    client: Client
    redirect_uri: str
    scopes: list[ScopeInfo]

    @property
    def state(self) -> str:
        return self.params.get("state") or "_default"

    @property
    def scope_strings(self) -> list[str]:
        return [s.scope_string for s in self.scopes]

    def encoded(self, **overrides: str | None) -> str:
        params = dict(self.params)
        for key, value in overrides.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)


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


def parse_authorize(
    session: Session, request: Request, raw: t.Mapping[str, str]
) -> AuthorizeRequest:
    params = {k: str(raw[k]) for k in _AUTHORIZE_KEYS if raw.get(k) not in (None, "")}
    client = get_client(session, params.get("client_id"))
    if client is None:
        raise PageError(400, "Unknown client", "No client is registered with this client_id.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(client, redirect_uri, _platform_hosts(request)):
        raise PageError(
            400,
            "Invalid redirect_uri",
            "The redirect_uri is missing or not registered for this client.",
        )
    request_with_uri = AuthorizeRequest(params, client, redirect_uri, [])
    if params.get("response_type", "code") != "code":
        raise RedirectError("unsupported_response_type", "Only response_type=code is supported")
    if params.get("access_type", "online") not in ("online", "offline"):
        raise RedirectError("invalid_request", "access_type must be 'online' or 'offline'")
    challenge = params.get("code_challenge")
    if challenge is not None:
        if params.get("code_challenge_method", "plain") != "S256":
            raise RedirectError("invalid_request", "code_challenge_method must be S256")
        if not _CHALLENGE_RE.match(challenge):
            raise RedirectError("invalid_request", "Malformed code_challenge")
    elif client.public_client:
        raise RedirectError("invalid_request", "Native apps must use PKCE (code_challenge, S256)")
    requested = split_scopes(params.get("scope"))
    if not requested:
        raise RedirectError("invalid_scope", "No scope was requested")
    try:
        request_with_uri.scopes = resolve_scopes(session, requested)
    except ServiceError as err:
        raise RedirectError("invalid_scope", err.message)
    return request_with_uri


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
    session: Session, request: Request, raw: t.Mapping[str, str]
) -> AuthorizeRequest | Response:
    try:
        return parse_authorize(session, request, raw)
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
    session: Session,
    request: Request,
    ar: AuthorizeRequest,
    identity: Identity,
    login: LoginSession,
) -> Response:
    """Logged in: skip consent if it was given before for these scopes, else ask."""
    consent = session.get(Consent, (identity.id, ar.client.id))
    if consent is not None and set(ar.scope_strings) <= set(consent.scopes):
        return redirect_with_code(session, ar, identity, login)
    return render(
        request,
        "consent.html",
        csrf_form="consent",
        action=request.url_for("auth_consent_submit").path,
        authorize_request=ar.encoded(prompt=None),
        client_name=ar.client.name,
        username=identity.username,
        scopes=[
            {"scope_string": s.scope_string, "description": describe_scope(s)} for s in ar.scopes
        ],
    )


def redirect_with_code(
    session: Session, ar: AuthorizeRequest, identity: Identity, login: LoginSession
) -> RedirectResponse:
    code = issue_code(
        session,
        client=ar.client,
        identity=identity,
        redirect_uri=ar.redirect_uri,
        scopes=ar.scope_strings,
        code_challenge=ar.params.get("code_challenge"),
        code_challenge_method=ar.params.get("code_challenge_method"),
        access_type=ar.params.get("access_type", "online"),
        state=ar.state,
        session_id=login.id,
        nonce=ar.params.get("nonce"),
    )
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


@router.post("/v2/web/login", name="auth_login_submit", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await _read_form(request)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_login_submit, request, form)


def _login_submit(request: Request, form: dict[str, str]) -> Response:
    with request.app.state.db.session() as db:
        if not csrf_valid(request, "login", form.get("csrf_token")):
            return error_page(
                request,
                PageError(
                    400, "Form expired", "Invalid or missing CSRF token; go back and try again."
                ),
            )
        ar = _handle(db, request, _form_request(form))
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
async def consent_submit(request: Request) -> Response:
    form = await _read_form(request)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_consent_submit, request, form)


def _consent_submit(request: Request, form: dict[str, str]) -> Response:
    with request.app.state.db.session() as db:
        if not csrf_valid(request, "consent", form.get("csrf_token")):
            return error_page(
                request,
                PageError(
                    400, "Form expired", "Invalid or missing CSRF token; go back and try again."
                ),
            )
        ar = _handle(db, request, _form_request(form))
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
        consent = db.get(Consent, (identity.id, ar.client.id))
        if consent is None:
            db.add(
                Consent(identity_id=identity.id, client_id=ar.client.id, scopes=ar.scope_strings)
            )
        else:
            consent.scopes = list(dict.fromkeys([*consent.scopes, *ar.scope_strings]))
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
