"""Browser state for the login pages: the login-session cookie and CSRF form tokens.

The session cookie is a random value; only its sha256 is stored. Each form carries a token
that is an HMAC of a random per-browser CSRF cookie and the form's name, so a form posted
from another site (which can neither read the cookie nor compute the HMAC) is rejected.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from fastapi import Request, Response
from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from globus_local.services.auth import oidc
from globus_local.services.auth.hashing import new_secret, sha256_hex
from globus_local.services.auth.identities import get_identity
from globus_local.services.auth.models import Identity, LoginSession

SESSION_COOKIE = "globus_local_auth_session"
CSRF_COOKIE = "globus_local_auth_csrf"
SESSION_LIFETIME = 24 * 3600


def _hmac_key(request: Request) -> bytes:
    return oidc.signing_key(request.app.state.settings.data_dir).hmac_secret


def _cookie_path(request: Request) -> str:
    return "/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def csrf_cookie_value(request: Request) -> tuple[str, bool]:
    """The browser's CSRF cookie, or a fresh one (second item True when it must be set)."""
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return new_secret(32), True


def csrf_token(request: Request, cookie_value: str, form: str) -> str:
    mac = hmac.new(_hmac_key(request), f"{cookie_value}\0{form}".encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_valid(request: Request, form: str, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(csrf_token(request, cookie, form), submitted)


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=_cookie_path(request),
    )


def current_login(session: Session, request: Request) -> tuple[LoginSession, Identity] | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    login = session.get(LoginSession, sha256_hex(value))
    if login is None or login.expires_at <= int(time.time()):
        return None
    identity = get_identity(session, login.identity_id)
    if identity is None:
        return None
    return login, identity


def start_login(session: Session, request: Request, identity: Identity) -> tuple[LoginSession, str]:
    """Record a fresh login (ending this browser's earlier one); returns it and the cookie
    value to hand out with :func:`set_session_cookie`."""
    auth_time = int(time.time())
    ended = LoginSession.expires_at < auth_time
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        ended = or_(ended, LoginSession.cookie_hash == sha256_hex(old))
    session.execute(delete(LoginSession).where(ended))
    value = new_secret(32)
    login = LoginSession(
        cookie_hash=sha256_hex(value),
        id=str(uuid.uuid4()),
        identity_id=identity.id,
        auth_time=auth_time,
        expires_at=auth_time + SESSION_LIFETIME,
    )
    session.add(login)
    identity.last_authentication = auth_time
    session.flush()
    return login, value


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_LIFETIME,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=_cookie_path(request),
    )


def end_login(session: Session, request: Request, response: Response) -> None:
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        session.execute(delete(LoginSession).where(LoginSession.cookie_hash == sha256_hex(value)))
    response.delete_cookie(SESSION_COOKIE, path=_cookie_path(request))
