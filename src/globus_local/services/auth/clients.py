"""OAuth clients: registration, secrets, redirect-URI policy and client authentication."""

from __future__ import annotations

import base64
import binascii
import threading
import time
import typing as t
import uuid
import weakref
from collections.abc import Iterable, Mapping
from urllib.parse import SplitResult, unquote

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from globus_local.services.auth import redirect_uris as uri_policy
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.hashing import matches_hash, new_secret, sha256_hex
from globus_local.services.auth.identities import create_client_identity
from globus_local.services.auth.models import Client, ClientCredential, Consent, Identity
from globus_local.services.auth.tokens import revoke_client_tokens

# globus-cli's native template client: anyone may mint a confidential "instance" client from it.
TEMPLATE_CLIENT_ID = "95fdeba8-fac2-42bd-a357-e068d82ff78e"
AUTH_CODE_PAGE_PATH = "/v2/web/auth-code"
# Native clients that Globus's own tools ship with and every Auth server knows: their users
# log in without registering anything (the automate CLI and its create_*_client helpers).
AUTOMATE_CLI_CLIENT_ID = "e6c75d97-532a-4c88-b031-8584a319fa3e"
# The platform's own web app: a public client (PKCE, no secret) whose one redirect is the
# callback page on this platform's own host.
WEBAPP_CLIENT_ID = "7f3c0e51-2b9d-4c55-9a57-0c7f2e6b1a10"
WEBAPP_CALLBACK_PATH = "/app/callback"
WELL_KNOWN_NATIVE_CLIENTS = {
    AUTOMATE_CLI_CLIENT_ID: "Globus Automate Command Line Interface",
    WEBAPP_CLIENT_ID: "Globus Web App",
}


def get_client(session: Session, client_id: str | None) -> Client | None:
    if not client_id:
        return None
    try:
        client_id = str(uuid.UUID(str(client_id)))
    except ValueError:
        return None
    client = session.get(Client, client_id)
    if client is None and client_id == TEMPLATE_CLIENT_ID:
        client = ensure_template_client(session)
    elif client is None and client_id in WELL_KNOWN_NATIVE_CLIENTS:
        client = _ensure_builtin_client(session, client_id, WELL_KNOWN_NATIVE_CLIENTS[client_id])
    return client


def _ensure_builtin_client(
    session: Session, client_id: str, name: str, *, is_template: bool = False
) -> Client:
    """One of Globus's own public clients, registered at its first use: no secret, and
    (like any native app) allowed loopback redirects and the auth-code page."""
    client = session.get(Client, client_id)
    if client is None:
        client = Client(
            id=client_id,
            name=name,
            public_client=True,
            redirect_uris=[],
            is_template=is_template,
        )
        session.add(client)
        session.flush()
    return client


def ensure_template_client(session: Session) -> Client:
    return _ensure_builtin_client(
        session, TEMPLATE_CLIENT_ID, "Globus CLI (template)", is_template=True
    )


def create_client(
    session: Session,
    kind: str,
    name: str,
    redirect_uris: Iterable[str] = (),
    *,
    owner: str | None = None,
    parent_client: str | None = None,
    client_id: str | None = None,
    platform_redirects: bool = False,
) -> tuple[Client, str | None]:
    """Register a client; confidential ones get a secret (returned once) and an identity.

    Redirect URIs must pass :func:`.redirect_uris.check` (``InvalidRedirectURI`` otherwise),
    unless ``platform_redirects`` says the platform chose them itself (its own pages, which
    may be plain http when the platform is served that way)."""
    if kind not in ("native", "confidential"):
        raise ValueError(f"client kind must be 'native' or 'confidential', not {kind!r}")
    uris = (
        list(dict.fromkeys(redirect_uris))
        if platform_redirects
        else uri_policy.check(redirect_uris, native=kind == "native")
    )
    client = Client(
        id=client_id or str(uuid.uuid4()),
        name=name,
        public_client=kind == "native",
        redirect_uris=uris,
        owner_id=owner,
        parent_client=parent_client,
    )
    session.add(client)
    secret = None
    if kind == "confidential":
        create_client_identity(session, client.id, name)
        _, secret = add_credential(session, client, "Auto-created at client creation")
    session.flush()
    return client, secret


def add_credential(session: Session, client: Client, name: str) -> tuple[ClientCredential, str]:
    secret = new_secret(32)
    cred = ClientCredential(
        id=str(uuid.uuid4()), client_id=client.id, name=name, secret_hash=sha256_hex(secret)
    )
    session.add(cred)
    session.flush()
    return cred, secret


def delete_client(session: Session, client: Client) -> None:
    """Remove a client, its secrets, consents and its own identity (tokens then fail to refresh)."""
    revoke_client_tokens(session, client.id)
    session.execute(delete(ClientCredential).where(ClientCredential.client_id == client.id))
    session.execute(delete(Consent).where(Consent.client_id == client.id))
    identity = session.get(Identity, client.id)
    if identity is not None and identity.identity_type == "client":
        session.delete(identity)
    session.delete(client)
    session.flush()
    forget_client_secrets(session, client.id)


def forget_client_secrets(session: Session, client_id: str) -> None:
    """Drop cached verifications of ``client_id``'s secrets now and again once ``session``
    commits (a request racing the delete may re-cache them in between). Call it whenever a
    client or one of its credentials is deleted."""
    engine = session.get_bind()
    _forget(engine, client_id)
    event.listen(session, "after_commit", lambda _s: _forget(engine, client_id), once=True)


# ---------------------------------------------------------------- verified-secret cache
#
# Resource servers authenticate on every introspection, so a secret verified against the
# database is remembered for SECRET_CACHE_TTL seconds, keyed by (client id, sha256 of the
# secret) per database engine; only successes are cached and no plaintext is kept. Deleting
# a client (or a credential) through this module clears its entries at once in this
# process; another process sharing the database keeps accepting a deleted secret for at most
# SECRET_CACHE_TTL seconds.

SECRET_CACHE_TTL = 30.0
_SECRET_CACHE_MAX = 10_000
_secret_cache: weakref.WeakKeyDictionary[t.Any, dict[tuple[str, str], float]] = (
    weakref.WeakKeyDictionary()
)
_secret_cache_lock = threading.Lock()


def _cache_for(session: Session) -> dict[tuple[str, str], float]:
    return _engine_cache(session.get_bind())


def _engine_cache(engine: t.Any) -> dict[tuple[str, str], float]:
    with _secret_cache_lock:
        cache = _secret_cache.get(engine)
        if cache is None:
            cache = _secret_cache[engine] = {}
        return cache


def _secret_cached(session: Session, client_id: str, secret: str) -> bool:
    return _verified_in(_cache_for(session), client_id, secret)


def _verified_in(cache: dict[tuple[str, str], float], client_id: str, secret: str) -> bool:
    expires = cache.get((client_id, sha256_hex(secret)))
    return expires is not None and expires > time.monotonic()


def cached_confidential_id(
    engine: t.Any, authorization: str | None, form: Mapping[str, str]
) -> str | None:
    """The calling confidential client's id if its secret was verified in the last
    ``SECRET_CACHE_TTL`` seconds, else None; no I/O, so it runs on the event loop."""
    presented = presented_secret(authorization, form)
    if presented is None:
        return None
    try:
        client_id = str(uuid.UUID(str(presented[0])))
    except ValueError:
        return None
    return client_id if _verified_in(_engine_cache(engine), client_id, presented[1]) else None


def _remember_secret(session: Session, client_id: str, secret: str) -> None:
    cache = _cache_for(session)
    now = time.monotonic()
    with _secret_cache_lock:
        if len(cache) >= _SECRET_CACHE_MAX:
            for key in [k for k, exp in cache.items() if exp <= now] or list(cache):
                del cache[key]
        cache[(client_id, sha256_hex(secret))] = now + SECRET_CACHE_TTL


def _forget(engine: t.Any, client_id: str) -> None:
    """Forget the client's verified secrets, and who its client_credentials tokens stand
    for (the grant's brief cache)."""
    from globus_local.services.auth.tokens import client_principals

    with _secret_cache_lock:
        cache = _secret_cache.get(engine, {})
        for key in [k for k in cache if k[0] == client_id]:
            del cache[key]
    client_principals.forget(engine, client_id)


def check_secret(session: Session, client: Client, secret: str) -> bool:
    if _secret_cached(session, client.id, secret):
        return True
    hashes = session.scalars(
        select(ClientCredential.secret_hash).where(ClientCredential.client_id == client.id)
    ).all()
    ok = False
    for stored in hashes:  # no early exit: every credential is compared
        ok = matches_hash(secret, stored) or ok
    if ok:
        _remember_secret(session, client.id, secret)
    return ok


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic base64(id:secret)`` → (id, secret); None if absent or not Basic."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise oauth_error("invalid_client", "Malformed Basic authorization header")
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise oauth_error("invalid_client", "Malformed Basic authorization header")
    return unquote(client_id), unquote(secret)


def presented_secret(authorization: str | None, form: Mapping[str, str]) -> tuple[str, str] | None:
    """The (client id, secret) a request authenticates with, or None for none.

    RFC 6749 §2.3 allows one method per request: with Basic auth, a ``client_secret`` in the
    body, or a body ``client_id`` naming another client, is ``invalid_request``; otherwise
    which credential won would depend on the order we happened to read them in.
    """
    basic = parse_basic(authorization)
    if basic is None:
        if form.get("client_id") and form.get("client_secret"):
            return form["client_id"], form["client_secret"]
        return None
    if "client_secret" in form or form.get("client_id", basic[0]) != basic[0]:
        raise oauth_error(
            "invalid_request",
            "Use one client authentication method per request: HTTP Basic or"
            " client_id/client_secret in the body, not both",
        )
    return basic


def authenticate_client(
    session: Session,
    authorization: str | None,
    form: Mapping[str, str],
    *,
    allow_public: bool = True,
) -> Client:
    """The calling client: Basic auth (or ``client_secret`` in the form) for confidential
    clients, a bare ``client_id`` for native ones. Failure is ``invalid_client`` (401);
    two authentication methods at once are ``invalid_request`` (see :func:`presented_secret`)."""
    basic = presented_secret(authorization, form)
    if basic is not None:
        client_id, secret = basic
        client = get_client(session, client_id)
        if client is None or client.public_client or not check_secret(session, client, secret):
            raise oauth_error("invalid_client", "Invalid client credentials")
        return client
    client = get_client(session, form.get("client_id"))
    if client is None:
        raise oauth_error("invalid_client", "Client authentication is required")
    if not client.public_client:
        raise oauth_error("invalid_client", "This client must authenticate with its secret")
    if not allow_public:
        raise oauth_error("unauthorized_client", "This operation requires a confidential client")
    return client


def authenticate_confidential_id(
    session: Session, authorization: str | None, form: Mapping[str, str]
) -> str:
    """The id of the calling confidential client, like ``authenticate_client(...,
    allow_public=False)`` but answered from the verified-secret cache without touching the
    database when this secret was checked in the last ``SECRET_CACHE_TTL`` seconds (only
    confidential clients' secrets are ever cached, and clients never change kind)."""
    basic = presented_secret(authorization, form)
    if basic is not None:
        try:
            client_id = str(uuid.UUID(str(basic[0])))
        except ValueError:
            client_id = ""
        if client_id and _secret_cached(session, client_id, basic[1]):
            return client_id
    return authenticate_client(session, authorization, form, allow_public=False).id


def acts_natively(client: Client) -> bool:
    """Native apps and globus-cli's instance clients (confidential in type, but running on
    the user's machine): they receive codes on loopback ports or the auth-code page."""
    return client.public_client or client.parent_client == TEMPLATE_CLIENT_ID


def update_client(
    session: Session,
    client: Client,
    *,
    name: str | None = None,
    redirect_uris: Iterable[str] | None = None,
) -> Client:
    """Change a client's name or redirect URIs (checked as at registration)."""
    if name is not None:
        client.name = name
    if redirect_uris is not None:
        client.redirect_uris = uri_policy.check(redirect_uris, native=client.public_client)
    session.flush()
    return client


def redirect_uri_allowed(client: Client, redirect_uri: str, platform_hosts: set[str]) -> bool:
    """Whether the authorize page may send a code to ``redirect_uri``.

    A registered URI that the registration policy accepts today (rows from before it are
    not trusted), matched as :func:`.redirect_uris.matches_registered` does. Native apps may
    also use this platform's auth-code page, and, when they registered no loopback URI,
    any loopback URI: globus-cli's instance clients and SDK local-server logins register
    none and pick a free port at run time (RFC 8252 §7.3).
    """
    native = acts_natively(client)
    parts = uri_policy.split(redirect_uri)
    if parts is None or "#" in redirect_uri:
        return False
    if native and _is_auth_code_page(parts, platform_hosts):
        return True
    if client.id == WEBAPP_CLIENT_ID:
        return _is_webapp_callback(parts, platform_hosts)
    if uri_policy.problem(redirect_uri, native=native) is not None:
        return False
    registered = list(client.redirect_uris or [])
    if uri_policy.matches_registered(redirect_uri, registered, native=native):
        return True
    return native and uri_policy.is_loopback(parts) and not _has_loopback(registered)


def _has_loopback(uris: Iterable[str]) -> bool:
    return any(
        (parts := uri_policy.split(uri)) is not None and uri_policy.is_loopback(parts)
        for uri in uris
    )


def _is_webapp_callback(parts: SplitResult, platform_hosts: set[str]) -> bool:
    """The web app's callback page on this platform's own host, and nothing else."""
    return (
        parts.scheme in ("http", "https")
        and parts.netloc in platform_hosts
        and parts.path == WEBAPP_CALLBACK_PATH
        and not parts.query
    )


def _is_auth_code_page(parts: SplitResult, platform_hosts: set[str]) -> bool:
    """This platform's own page that shows a code to copy (it may be served over http)."""
    return (
        parts.scheme in ("http", "https")
        and parts.netloc in platform_hosts
        and parts.path.rstrip("/").endswith("/auth" + AUTH_CODE_PAGE_PATH)
    )
