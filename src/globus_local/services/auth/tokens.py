"""Minting, refreshing, revoking and describing tokens.

Access tokens are opaque 256-bit random strings, stored as sha256. One token is minted per
resource server; a response puts one of them at the top level and the rest in
``other_tokens``. Refresh tokens never expire; revoking one revokes the access tokens that
came with or from it. No password hashing happens on any path here.
"""

from __future__ import annotations

import hmac
import re
import time
import typing as t
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.db import Database
from globus_local.db.lean import BriefCache
from globus_local.kit.tokens import CACHE_SECONDS, forget_tokens_after_commit
from globus_local.services.auth import oidc
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.hashing import new_secret, pkce_challenge, sha256_hex
from globus_local.services.auth.identities import (
    client_identity,
    get_identity,
    identity_set,
    idp_display_name,
    oidc_identity_claims,
)
from globus_local.services.auth.models import (
    AuthorizationCode,
    Client,
    Identity,
    LoginSession,
    Token,
)
from globus_local.services.auth.scopes import (
    AUTH_RS,
    AUTH_VIEW_IDENTITY_SET,
    EMAIL,
    OPENID,
    PROFILE,
    ScopeInfo,
    group_by_resource_server,
    lookup_scopes,
    requested_scopes,
    resolve_scopes,
    scope_owner_clients,
)

if t.TYPE_CHECKING:
    from sqlalchemy import CursorResult

CODE_LIFETIME = 600  # seconds an authorization code may wait to be exchanged
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Principal:
    """Who tokens are minted for: an identity and its identity set at minting time."""

    identity_id: str
    username: str
    identity_set: tuple[str, ...]

    @classmethod
    def of(cls, session: Session, identity: Identity) -> Principal:
        ids = tuple(i.id for i in identity_set(session, identity))
        return cls(identity.id, identity.username, ids)


def _token_values(
    *,
    kind: str,
    client_id: str,
    principal: Principal,
    resource_server: str,
    scopes: list[str],
    lifetime: int | None,
    grant_id: str | None,
    session_id: str | None,
    refresh_hash: str | None = None,
) -> tuple[str, dict[str, t.Any]]:
    """A new token's value and the columns of its row."""
    value = new_secret(32)
    issued = now()
    return value, {
        "token_hash": sha256_hex(value),
        "kind": kind,
        "client_id": client_id,
        "identity_id": principal.identity_id,
        "username": principal.username,
        "identity_set": " ".join(principal.identity_set),
        "resource_server": resource_server,
        "scope": " ".join(scopes),
        "issued_at": issued,
        "expires_at": issued + lifetime if lifetime is not None else None,
        "revoked": False,
        "refresh_hash": refresh_hash,
        "grant_id": grant_id,
        "session_id": session_id,
    }


def _mint(session: Session, **fields: t.Any) -> tuple[str, Token]:
    value, columns = _token_values(**fields)
    token = Token(**columns)
    session.add(token)
    return value, token


def _token_doc(
    access: str, rs: str, scopes: list[str], lifetime: int, state: str, refresh: str | None
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "access_token": access,
        "scope": " ".join(scopes),
        "expires_in": lifetime,
        "token_type": "Bearer",
        "resource_server": rs,
        "state": state,
    }
    if refresh is not None:
        doc["refresh_token"] = refresh
    return doc


def mint_tokens(
    session: Session,
    settings: Settings,
    *,
    client_id: str,
    principal: Principal,
    scopes: list[ScopeInfo],
    refresh: bool,
    state: str = "_default",
    grant_id: str | None = None,
    session_id: str | None = None,
) -> list[dict[str, t.Any]]:
    """One token document per resource server, in response order."""
    lifetime = settings.access_token_lifetime
    grant_id = grant_id or str(uuid.uuid4())
    docs = []
    for rs, rs_scopes in group_by_resource_server(scopes).items():
        refresh_value = refresh_hash = None
        if refresh:
            refresh_value, refresh_row = _mint(
                session,
                kind="refresh",
                client_id=client_id,
                principal=principal,
                resource_server=rs,
                scopes=rs_scopes,
                lifetime=None,
                grant_id=grant_id,
                session_id=session_id,
            )
            refresh_hash = refresh_row.token_hash
        access_value, _ = _mint(
            session,
            kind="access",
            client_id=client_id,
            principal=principal,
            resource_server=rs,
            scopes=rs_scopes,
            lifetime=lifetime,
            grant_id=grant_id,
            session_id=session_id,
            refresh_hash=refresh_hash,
        )
        docs.append(_token_doc(access_value, rs, rs_scopes, lifetime, state, refresh_value))
    session.flush()
    return docs


def token_response(
    session: Session,
    settings: Settings,
    *,
    client_id: str,
    identity: Identity,
    scopes: list[ScopeInfo],
    refresh: bool,
    state: str = "_default",
    grant_id: str | None = None,
    session_id: str | None = None,
    id_token: bool = True,
    nonce: str | None = None,
) -> dict[str, t.Any]:
    """The grouped token response: first resource server on top, the rest in other_tokens,
    plus an RS512 ``id_token`` when ``openid`` was granted."""
    principal = Principal.of(session, identity)
    docs = mint_tokens(
        session,
        settings,
        client_id=client_id,
        principal=principal,
        scopes=scopes,
        refresh=refresh,
        state=state,
        grant_id=grant_id,
        session_id=session_id,
    )
    response = dict(docs[0])
    response["other_tokens"] = docs[1:]
    granted = {s.scope_string for s in scopes}
    if id_token and OPENID in granted:
        auth_doc = next(d for d in docs if d["resource_server"] == AUTH_RS)
        response["id_token"] = oidc.make_id_token(
            settings,
            id_token_claims(session, identity, granted),
            audience=client_id,
            access_token=auth_doc["access_token"],
            nonce=nonce,
        )
    return response


def id_token_claims(session: Session, identity: Identity, granted: set[str]) -> dict[str, t.Any]:
    claims = user_claims(session, identity, granted)
    claims.setdefault(
        "identity_set", [oidc_identity_claims(i) for i in identity_set(session, identity)]
    )
    return claims


def user_claims(session: Session, identity: Identity, granted: set[str]) -> dict[str, t.Any]:
    """Userinfo claims, each group gated by the scope that grants it."""
    claims: dict[str, t.Any] = {
        "sub": identity.id,
        "preferred_username": identity.username,
        "identity_provider": identity.identity_provider,
        "identity_provider_display_name": idp_display_name(identity.identity_provider),
        "last_authentication": identity.last_authentication,
    }
    if PROFILE in granted:
        claims["name"] = identity.name
        claims["organization"] = identity.organization
    if EMAIL in granted:
        claims["email"] = identity.email
    if AUTH_VIEW_IDENTITY_SET in granted:
        members = identity_set(session, identity)
        claims["identity_set"] = [oidc_identity_claims(i) for i in members]
    return claims


# ---------------------------------------------------------------- authorization codes


def issue_code(
    session: Session,
    *,
    client: Client,
    identity: Identity,
    redirect_uri: str,
    scopes: list[str],
    code_challenge: str | None,
    code_challenge_method: str | None,
    access_type: str,
    state: str,
    session_id: str | None,
    nonce: str | None = None,
) -> str:
    # Codes long past their lifetime are useless even for replay detection: drop them.
    session.execute(
        delete(AuthorizationCode)
        .where(AuthorizationCode.expires_at < now() - CODE_LIFETIME)
        .execution_options(synchronize_session=False)
    )
    code = new_secret(32)
    session.add(
        AuthorizationCode(
            code_hash=sha256_hex(code),
            grant_id=str(uuid.uuid4()),
            client_id=client.id,
            identity_id=identity.id,
            session_id=session_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            access_type=access_type,
            state=state,
            nonce=nonce,
            expires_at=now() + CODE_LIFETIME,
        )
    )
    session.flush()
    return code


def exchange_code(
    session: Session,
    settings: Settings,
    client: Client,
    form: t.Mapping[str, str],
) -> dict[str, t.Any]:
    code_value = form.get("code") or ""
    redirect_uri = form.get("redirect_uri")
    if not code_value or redirect_uri is None:
        raise oauth_error("invalid_request", "'code' and 'redirect_uri' are required")
    code_hash = sha256_hex(code_value)
    # Claim the code atomically: of two concurrent exchanges only one sees rowcount 1.
    claimed = t.cast(
        "CursorResult[t.Any]",  # an UPDATE's result counts the rows it matched
        session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used.is_(False))
            .values(used=True)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    code = session.get(AuthorizationCode, code_hash)
    if code is None:
        raise oauth_error("invalid_grant", "Invalid authorization code")
    if not claimed:
        # A replayed code: whatever it produced may be in the wrong hands.
        revoke_grant(session, code.grant_id)
        session.commit()
        raise oauth_error("invalid_grant", "Authorization code has already been used")
    if code.expires_at <= now():
        raise oauth_error("invalid_grant", "Authorization code has expired")
    if code.client_id != client.id:
        raise oauth_error("invalid_grant", "Authorization code was issued to another client")
    if redirect_uri != code.redirect_uri:
        raise oauth_error("invalid_grant", "redirect_uri does not match the authorization request")
    if code.code_challenge:
        verifier = form.get("code_verifier") or ""
        if not _VERIFIER_RE.match(verifier):
            raise oauth_error("invalid_grant", "A valid code_verifier is required")
        if not hmac.compare_digest(pkce_challenge(verifier), code.code_challenge):
            raise oauth_error("invalid_grant", "code_verifier does not match the code_challenge")
    identity = get_identity(session, code.identity_id)
    if identity is None:
        raise oauth_error("invalid_grant", "The identity of this grant no longer exists")
    scopes = resolve_scopes(session, code.scopes)
    return token_response(
        session,
        settings,
        client_id=client.id,
        identity=identity,
        scopes=scopes,
        refresh=code.access_type == "offline",
        state=code.state,
        grant_id=code.grant_id,
        session_id=code.session_id,
        nonce=code.nonce,
    )


# ---------------------------------------------------------------- other grants


def refresh_grant(
    session: Session, settings: Settings, client: Client, form: t.Mapping[str, str]
) -> dict[str, t.Any]:
    value = form.get("refresh_token") or ""
    if not value:
        raise oauth_error("invalid_request", "'refresh_token' is required")
    token = session.get(Token, sha256_hex(value))
    if token is None or token.kind != "refresh" or not token.is_active(now()):
        raise oauth_error("invalid_grant", "Invalid refresh token")
    if token.client_id != client.id:
        raise oauth_error("invalid_grant", "Refresh token was issued to another client")
    identity = get_identity(session, token.identity_id)
    if identity is None:
        raise oauth_error("invalid_grant", "The identity of this grant no longer exists")
    principal = Principal.of(session, identity)
    lifetime = settings.access_token_lifetime
    access, _ = _mint(
        session,
        kind="access",
        client_id=client.id,
        principal=principal,
        resource_server=token.resource_server,
        scopes=token.scopes,
        lifetime=lifetime,
        grant_id=token.grant_id,
        session_id=token.session_id,
        refresh_hash=token.token_hash,
    )
    session.flush()
    doc = _token_doc(
        access,
        token.resource_server,
        token.scopes,
        lifetime,
        form.get("state") or "_default",
        value,
    )
    doc["other_tokens"] = []
    return doc


DEFAULT_CLIENT_CREDENTIALS_SCOPES = (
    "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all"
)


def client_credentials_grant(
    session: Session, settings: Settings, client: Client, form: t.Mapping[str, str]
) -> dict[str, t.Any]:
    scopes, _ = requested_scopes(session, form.get("scope") or DEFAULT_CLIENT_CREDENTIALS_SCOPES)
    if not scopes:
        raise oauth_error("invalid_scope", "No scope requested")
    return token_response(
        session,
        settings,
        client_id=client.id,
        identity=client_identity(session, client.id, client.name),
        scopes=scopes,
        refresh=False,
        state=form.get("state") or "_default",
        id_token=False,
    )


# -- the client_credentials grant without the ORM -----------------------------------------
# Services fetch client_credentials tokens often. Who a confidential client's tokens stand
# for is kept briefly per database (an entry also says the client existed, confidential,
# when it was read); deleting the client here drops it at once, another process's delete
# is seen within CLIENT_CACHE_SECONDS.
CLIENT_CACHE_SECONDS = CACHE_SECONDS
client_principals: BriefCache[str, Principal] = BriefCache(CLIENT_CACHE_SECONDS)
_INSERT_TOKENS = insert(Token.__table__)


def client_principal(database: Database, client_id: str) -> Principal | None:
    """Who ``client_id``'s client_credentials tokens stand for, if it is a confidential
    client whose identity exists (else None: the ORM grant decides, and creates it)."""
    engine = database.engine
    principal = client_principals.get(engine, client_id)
    if principal is None:
        generation = client_principals.generation(engine)
        with database.sessionmaker() as session:
            client = session.get(Client, client_id)
            identity = get_identity(session, client_id) if client is not None else None
            if client is None or client.public_client or identity is None:
                return None
            principal = Principal.of(session, identity)
        client_principals.put(engine, client_id, principal, generation)
    return principal


def client_credentials_lean(
    database: Database,
    settings: Settings,
    client_id: str,
    principal: Principal,
    scopes: list[ScopeInfo],
    state: str,
) -> dict[str, t.Any]:
    """What :func:`client_credentials_grant` answers, its rows written in one Core insert."""
    lifetime = settings.access_token_lifetime
    grant_id = str(uuid.uuid4())
    docs, rows = [], []
    for rs, rs_scopes in group_by_resource_server(scopes).items():
        value, row = _token_values(
            kind="access",
            client_id=client_id,
            principal=principal,
            resource_server=rs,
            scopes=rs_scopes,
            lifetime=lifetime,
            grant_id=grant_id,
            session_id=None,
        )
        rows.append(row)
        docs.append(_token_doc(value, rs, rs_scopes, lifetime, state, None))
    with database.engine.begin() as connection:
        connection.execute(_INSERT_TOKENS, rows)
    response = dict(docs[0])
    response["other_tokens"] = docs[1:]
    return response


def dependent_token_grant(
    session: Session, settings: Settings, client: Client, form: t.Mapping[str, str]
) -> list[dict[str, t.Any]]:
    """Tokens for the scopes the incoming token's scopes depend on, as a bare list.

    The caller must be the resource server the incoming token was issued for (its client
    id is the resource server name, or it registered the scope as owner).
    """
    value = form.get("token") or ""
    if not value:
        raise oauth_error("invalid_request", "'token' is required")
    upstream = session.get(Token, sha256_hex(value))
    if upstream is None or upstream.kind != "access" or not upstream.is_active(now()):
        raise oauth_error("invalid_grant", "Invalid token")
    if client.id not in scope_owner_clients(session, upstream.resource_server):
        raise oauth_error("invalid_grant", "Token was not issued for this client's resource server")
    dependencies: list[str] = []
    for info in lookup_scopes(session, upstream.scopes).values():
        dependencies.extend(info.dependencies)
    dependencies = list(dict.fromkeys(dependencies))
    if form.get("scope"):
        scopes, _ = requested_scopes(session, form.get("scope"))
    else:
        scopes = resolve_scopes(session, dependencies)
    not_allowed = [s.scope_string for s in scopes if s.scope_string not in dependencies]
    if not_allowed:
        raise oauth_error(
            "invalid_scope", "Not a dependent scope of this token: " + " ".join(not_allowed)
        )
    if not scopes:
        return []
    principal = Principal(
        upstream.identity_id, upstream.username, tuple(upstream.identity_set.split())
    )
    return mint_tokens(
        session,
        settings,
        client_id=client.id,
        principal=principal,
        scopes=scopes,
        refresh=form.get("access_type") == "offline",
        grant_id=str(uuid.uuid4()),
        session_id=upstream.session_id,
    )


# ---------------------------------------------------------------- revocation & description


def revoke(session: Session, token: Token) -> None:
    forget_tokens_after_commit(session)
    token.revoked = True
    if token.kind == "refresh":
        session.execute(
            update(Token)
            .where(Token.refresh_hash == token.token_hash)
            .values(revoked=True)
            .execution_options(synchronize_session=False)
        )
    session.flush()


def revoke_grant(session: Session, grant_id: str) -> None:
    forget_tokens_after_commit(session)
    session.execute(
        update(Token)
        .where(Token.grant_id == grant_id)
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )


def revoke_client_tokens(session: Session, client_id: str) -> None:
    forget_tokens_after_commit(session)
    session.execute(
        update(Token)
        .where(or_(Token.client_id == client_id, Token.identity_id == client_id))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )


def lookup_token(session: Session, value: str) -> Token | None:
    return session.get(Token, sha256_hex(value)) if value else None


def lookup_token_and_identity(session: Session, value: str) -> tuple[Token | None, Identity | None]:
    """The token row for ``value`` and the identity it stands for, in one joined query."""
    if not value:
        return None, None
    row = session.execute(
        select(Token, Identity)
        .outerjoin(Identity, Identity.id == Token.identity_id)
        .where(Token.token_hash == sha256_hex(value))
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


_UNSET: t.Any = object()


def introspection(
    session: Session,
    settings: Settings,
    token: Token | None,
    include: str | None,
    identity: Identity | None = _UNSET,
) -> dict[str, t.Any]:
    """RFC 7662 document with Globus's extras (identity_set, session_info).

    Pass ``identity`` when it was loaded with the token (``lookup_token_and_identity``).
    """
    if token is None or not token.is_active(now()):
        return {"active": False}
    if identity is _UNSET:
        identity = get_identity(session, token.identity_id)
    doc: dict[str, t.Any] = {
        "active": True,
        "token_type": "Bearer",
        "scope": token.scope,
        "client_id": token.client_id,
        "username": token.username,
        "name": identity.name if identity else None,
        "email": identity.email if identity else None,
        "sub": token.identity_id,
        "aud": list(dict.fromkeys([token.resource_server, token.client_id])),
        "iss": oidc.issuer(settings),
        "iat": token.issued_at,
        "nbf": token.issued_at,
        "dependent_tokens_cache_id": token.token_hash,
    }
    if token.expires_at is not None:
        doc["exp"] = token.expires_at
    wanted = {part.strip() for part in re.split(r"[,\s]+", include or "") if part.strip()}
    members = token.identity_set.split() or [token.identity_id]
    if "identity_set" in wanted:
        doc["identity_set"] = members
    if "identity_set_detail" in wanted:
        rows = [get_identity(session, i) for i in members]
        doc["identity_set_detail"] = [oidc_identity_claims(r) for r in rows if r is not None]
    if "session_info" in wanted:
        doc["session_info"] = session_info(session, token.session_id)
    return doc


def session_info(session: Session, session_id: str | None) -> dict[str, t.Any]:
    login = None
    if session_id:
        login = session.scalar(select(LoginSession).where(LoginSession.id == session_id))
    if login is None:
        return {"session_id": session_id, "authentications": {}}
    identity = get_identity(session, login.identity_id)
    return {
        "session_id": login.id,
        "authentications": {
            login.identity_id: {
                "auth_time": login.auth_time,
                "idp": identity.identity_provider if identity else None,
                "acr": None,
                "amr": ["pwd"],
            }
        },
    }
