"""The browser's web-app session: who is logged in and their tokens, in one sealed cookie.

The cookie is encrypted and authenticated (Fernet, a key derived from the platform's signing
key), so every API and worker process sharing the data directory can read it and no store is
needed. It holds access tokens only (no refresh tokens): it ends when they do, and logging out
revokes them, so a copied cookie is worth nothing afterwards. Each session carries a random
CSRF value that every form posts back.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import typing as t
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request, Response

from globus_local.services.auth import oidc

SESSION_COOKIE = "globus_local_app"
LOGIN_COOKIE = "globus_local_app_login"
FLASH_COOKIE = "globus_local_app_flash"
COOKIE_PATH = "/app"
LOGIN_LIFETIME = 600
# The longest a session lasts, however long its tokens would (a laptop left logged in).
MAX_SESSION_SECONDS = 12 * 3600
# Browsers keep cookies up to about 4 KB; flow tokens beyond this are dropped oldest first.
MAX_COOKIE_BYTES = 3800

_fernets: dict[bytes, Fernet] = {}


def _fernet(request: Request) -> Fernet:
    secret = oidc.signing_key(request.app.state.settings.data_dir).hmac_secret
    fernet = _fernets.get(secret)
    if fernet is None:
        hkdf = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"globus-local web app session"
        )
        fernet = _fernets[secret] = Fernet(base64.urlsafe_b64encode(hkdf.derive(secret)))
    return fernet


def seal(request: Request, data: t.Any) -> str:
    return _fernet(request).encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()


def unseal(request: Request, value: str | None, max_age: int) -> t.Any:
    if not value:
        return None
    try:
        return json.loads(_fernet(request).decrypt(value.encode(), ttl=max_age))
    except (InvalidToken, ValueError):
        return None


@dataclass
class Token:
    access_token: str
    scope: str
    expires_at: int


@dataclass
class WebSession:
    identity_id: str
    username: str
    name: str
    email: str | None
    tokens: dict[str, Token]  # by resource server
    csrf: str = field(default_factory=lambda: WebSession.new_csrf())
    expires_at: int = 0

    @staticmethod
    def new_csrf() -> str:
        return secrets.token_urlsafe(24)

    def token(self, resource_server: str) -> str | None:
        token = self.tokens.get(resource_server)
        return token.access_token if token else None

    def has_scope(self, scope: str) -> bool:
        return any(scope in tok.scope.split() for tok in self.tokens.values())

    def to_dict(self) -> dict[str, t.Any]:
        return {
            "i": self.identity_id,
            "u": self.username,
            "n": self.name,
            "e": self.email,
            "c": self.csrf,
            "x": self.expires_at,
            "t": {
                rs: [tok.access_token, tok.scope, tok.expires_at] for rs, tok in self.tokens.items()
            },
        }

    @classmethod
    def from_dict(cls, doc: t.Any) -> WebSession | None:
        try:
            tokens = {rs: Token(v[0], v[1], int(v[2])) for rs, v in doc["t"].items()}
            return cls(doc["i"], doc["u"], doc["n"], doc.get("e"), tokens, doc["c"], int(doc["x"]))
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def load(request: Request) -> WebSession | None:
    """The request's live session, or None (absent, tampered with, or expired)."""
    session = WebSession.from_dict(
        unseal(request, request.cookies.get(SESSION_COOKIE), MAX_SESSION_SECONDS)
    )
    if session is None or session.expires_at <= time.time():
        return None
    return session


def store(request: Request, response: Response, session: WebSession) -> None:
    value = seal(request, session.to_dict())
    while len(value) > MAX_COOKIE_BYTES and _drop_one_flow_token(session):
        value = seal(request, session.to_dict())
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max(0, session.expires_at - int(time.time())),
        path=COOKIE_PATH,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )


def _drop_one_flow_token(session: WebSession) -> bool:
    """Forget the soonest-expiring token of a single flow (its scope can be asked for again)."""
    flow_tokens = [rs for rs, tok in session.tokens.items() if "/flow_" in tok.scope]
    if not flow_tokens:
        return False
    oldest = min(flow_tokens, key=lambda rs: session.tokens[rs].expires_at)
    del session.tokens[oldest]
    return True


def clear(request: Request, response: Response) -> None:
    for name in (SESSION_COOKIE, LOGIN_COOKIE):
        response.delete_cookie(name, path=COOKIE_PATH, secure=_secure(request), httponly=True)


def set_login_state(request: Request, response: Response, state: dict[str, t.Any]) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        seal(request, state),
        max_age=LOGIN_LIFETIME,
        path=COOKIE_PATH,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )


def login_state(request: Request) -> t.Any:
    return unseal(request, request.cookies.get(LOGIN_COOKIE), LOGIN_LIFETIME)


def flash(request: Request, response: Response, kind: str, message: str) -> None:
    """A one-time notice the next page shows (``kind``: ``ok`` or ``error``)."""
    response.set_cookie(
        FLASH_COOKIE,
        seal(request, [kind, message[:500]]),
        max_age=60,
        path=COOKIE_PATH,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )


def take_flash(request: Request) -> tuple[str, str] | None:
    value = unseal(request, request.cookies.get(FLASH_COOKIE), 60)
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None
