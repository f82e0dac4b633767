"""Users, tokens and raw HTTP against the platform: what every service's tests need.

Kept in one place so a service's conftest only declares fixtures. Users are made the
quick way (an identity with no password, tokens minted directly); requests carry a
bearer token as any client would send it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import typing as t
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

from globus_local.testing import LocalServer, unique_username

if t.TYPE_CHECKING:
    from globus_local.db import Database

HTTP_TIMEOUT = 30

U = t.TypeVar("U", bound="ApiUser")


# -- token responses ----------------------------------------------------------------------------
def token_document(response: dict[str, t.Any], resource_server: str) -> dict[str, t.Any]:
    """The token for one resource server in a token response (top level or ``other_tokens``)."""
    for doc in [response, *response.get("other_tokens", [])]:
        if doc.get("resource_server") == resource_server:
            return doc
    raise AssertionError(f"no {resource_server} token in {response}")


def access_token(response: dict[str, t.Any], resource_server: str) -> str:
    """The access token for one resource server in a token response."""
    return str(token_document(response, resource_server)["access_token"])


def access_tokens(response: dict[str, t.Any]) -> dict[str, str]:
    """Every access token of a token response, by resource server."""
    docs = [response, *response.get("other_tokens", [])]
    return {d["resource_server"]: d["access_token"] for d in docs}


# -- request pieces -----------------------------------------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def pkce_pair() -> tuple[str, str]:
    """A PKCE (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def call(
    base_url: str, method: str, path: str, token: str | None = None, **kw: t.Any
) -> requests.Response:
    """One raw request to ``base_url + path``; headers given by the caller win over the token's."""
    headers = {**(bearer(token) if token else {}), **kw.pop("headers", {})}
    kw.setdefault("timeout", HTTP_TIMEOUT)
    return requests.request(method, base_url + path.lstrip("/"), headers=headers, **kw)


# -- users --------------------------------------------------------------------------------------
def new_identity(db: Database, prefix: str = "user") -> dict[str, t.Any]:
    """A fresh login identity with no password: its identity document.

    Tokens are minted directly, so the (deliberately slow) password hash is skipped.
    """
    from globus_local.services.auth.documents import identity_document
    from globus_local.services.auth.identities import create_identity

    with db.session() as session:
        return identity_document(create_identity(session, unique_username(prefix)))


def new_user_token(
    db: Database, prefix: str, scopes: t.Sequence[str], resource_server: str
) -> tuple[dict[str, t.Any], str]:
    """A fresh identity on ``db`` and its access token for ``resource_server``, with no
    server running: (identity document, token)."""
    from globus_local.services.auth import admin

    identity = new_identity(db, prefix)
    tokens = admin.issue_token(db, identity["username"], list(scopes))
    return identity, access_token(tokens, resource_server)


@dataclass
class ApiUser:
    """A user holding a token for one service, calling that service over raw HTTP."""

    id: str
    username: str
    token: str
    base_url: str  # the service's URL up to its API version, ending in "/"

    def http(self, method: str, path: str, **kw: t.Any) -> requests.Response:
        return call(self.base_url, method, path, self.token, **kw)

    def get(self, path: str, **kw: t.Any) -> requests.Response:
        return self.http("GET", path, **kw)

    def post(self, path: str, json: t.Any = None, **kw: t.Any) -> requests.Response:
        return self.http("POST", path, json=json, **kw)

    def put(self, path: str, json: t.Any = None, **kw: t.Any) -> requests.Response:
        return self.http("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: t.Any) -> requests.Response:
        return self.http("DELETE", path, **kw)


def user_factory(
    server: LocalServer,
    base_url: str,
    resource_server: str,
    default_scopes: t.Sequence[str],
    user_class: type[U],
) -> t.Callable[..., U]:
    """``make(prefix="user", scopes=default_scopes)``: a fresh user with a token for
    ``resource_server`` (granted ``scopes``), calling ``base_url``."""

    def make(prefix: str = "user", scopes: t.Sequence[str] = default_scopes) -> U:
        identity = new_identity(server.db, prefix)
        token = access_token(server.token(identity["username"], list(scopes)), resource_server)
        return user_class(identity["id"], identity["username"], token, base_url)

    return make
