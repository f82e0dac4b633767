"""Logging in to the web app: the platform's own OAuth2 authorization-code flow with PKCE.

The web app is a registered public client (``WEBAPP_CLIENT_ID``). Login sends the browser to
Auth's authorize page; the callback exchanges the code at Auth's token endpoint and keeps the
tokens in the sealed session cookie. A page that needs a scope the session lacks (a flow's
own scope) sends the browser through the same flow again for it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import typing as t
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from globus_local.services.auth.clients import WEBAPP_CALLBACK_PATH, WEBAPP_CLIENT_ID
from globus_local.webapp import pages
from globus_local.webapp import session as web_session
from globus_local.webapp.platform_api import ApiError
from globus_local.webapp.session import Token, WebSession

TOKEN_PATH = "/auth/v2/oauth2/token"


def _callback_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}{WEBAPP_CALLBACK_PATH}"


def start_login(request: Request, next_path: str, extra_scopes: t.Sequence[str] = ()) -> Response:
    """Redirect to Auth's authorize page, remembering where to come back to."""
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(24)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    current = web_session.load(request)
    wanted = list(pages.LOGIN_SCOPES) + [s for s in extra_scopes if s not in pages.LOGIN_SCOPES]
    query = {
        "client_id": WEBAPP_CLIENT_ID,
        "redirect_uri": _callback_url(request),
        "response_type": "code",
        "scope": " ".join(wanted),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "online",
    }
    response = RedirectResponse(
        "/auth/v2/oauth2/authorize?" + urlencode(query),
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )
    web_session.set_login_state(
        request,
        response,
        {
            "state": state,
            "verifier": verifier,
            "next": pages.safe_next(next_path.split("?", 1)[0], next_path.partition("?")[2]),
            # a session topped up with a new scope keeps the identity it had
            "identity": current.identity_id if current else None,
        },
    )
    return response


async def finish_login(request: Request) -> Response:
    """The callback: check state, trade the code for tokens, open (or extend) the session."""
    saved = web_session.login_state(request)
    params = request.query_params
    if not isinstance(saved, dict) or not secrets.compare_digest(
        str(saved.get("state", "")), params.get("state", "")
    ):
        return _login_failed(request, "The login took too long or came from elsewhere. Try again.")
    if params.get("error"):
        reason = params.get("error_description") or params["error"]
        return _login_failed(request, f"Login was not completed: {reason}")
    code = params.get("code")
    if not code:
        return _login_failed(request, "Auth sent no authorization code. Try again.")
    answer = await pages.api(request).call(
        "POST",
        TOKEN_PATH,
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _callback_url(request),
            "client_id": WEBAPP_CLIENT_ID,
            "code_verifier": saved["verifier"],
        },
    )
    try:
        grant = answer.checked()
        user = await pages.api(request).get("/auth/v2/oauth2/userinfo", grant.get("access_token"))
    except ApiError as err:
        return _login_failed(request, f"Login failed: {pages.error_message(err)}")
    session = _session_from(grant, user, web_session.load(request), saved.get("identity"))
    response = RedirectResponse(
        saved["next"], status_code=303, headers={"Cache-Control": "no-store"}
    )
    response.delete_cookie(web_session.LOGIN_COOKIE, path=web_session.COOKIE_PATH)
    web_session.store(request, response, session)
    return response


def _session_from(
    grant: dict[str, t.Any],
    user: dict[str, t.Any],
    current: WebSession | None,
    identity: str | None,
) -> WebSession:
    now = int(time.time())
    tokens: dict[str, Token] = {}
    if current is not None and identity == user.get("sub") == current.identity_id:
        tokens.update(current.tokens)  # topping up: keep what the session had
    for doc in [grant, *grant.get("other_tokens", [])]:
        tokens[doc["resource_server"]] = Token(
            doc["access_token"], doc.get("scope", ""), now + int(doc.get("expires_in", 0))
        )
    expires = min(
        [now + web_session.MAX_SESSION_SECONDS, *(tok.expires_at for tok in tokens.values())]
    )
    return WebSession(
        identity_id=str(user.get("sub")),
        username=str(user.get("preferred_username") or user.get("sub")),
        name=str(user.get("name") or user.get("preferred_username") or ""),
        email=user.get("email"),
        tokens=tokens,
        csrf=current.csrf
        if current is not None and current.identity_id == user.get("sub")
        else WebSession.new_csrf(),
        expires_at=expires,
    )


def _login_failed(request: Request, message: str) -> HTMLResponse:
    response = pages.render(request, "login_failed.html", None, status=400, message=message)
    response.delete_cookie(web_session.LOGIN_COOKIE, path=web_session.COOKIE_PATH)
    return response


async def logout(request: Request, user: WebSession) -> Response:
    """Revoke the session's tokens, forget the session, and end the Auth login too."""
    api = pages.api(request)
    for token in {tok.access_token for tok in user.tokens.values()}:
        await api.call(
            "POST",
            "/auth/v2/oauth2/token/revoke",
            form={"token": token, "client_id": WEBAPP_CLIENT_ID},
        )
    response = RedirectResponse("/auth/v2/web/logout", status_code=303)
    web_session.clear(request, response)
    return response
