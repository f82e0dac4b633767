"""Auth's tables: identities, clients, scopes, consents, login sessions, codes, tokens and
failed-login counts.

Secrets of every kind (passwords, client secrets, tokens, codes, session cookies) are stored
only as hashes. Token and code times are integer epoch seconds: cheap to compare and free of
the naive/aware datetime differences between SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, utcnow

UUID_LEN = 36
HASH_LEN = 64  # sha256 hex


class IdentityStatus(StrEnum):
    """Whether an identity has been used to log in (``unused``: provisioned by a lookup)."""

    USED = "used"
    UNUSED = "unused"


class Identity(Base):
    """A person (or a confidential client's own identity, whose id equals the client id)."""

    __tablename__ = "auth_identities"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    username: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    organization: Mapped[str | None] = mapped_column(String(255), default=None)
    identity_provider: Mapped[str] = mapped_column(String(UUID_LEN))
    identity_type: Mapped[str] = mapped_column(String(32), default="login")
    status: Mapped[str] = mapped_column(String(16), default="used")
    # Identities sharing an account_id are linked: they form one identity set.
    account_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    # argon2 hash; None for identities that cannot log in with a password.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_authentication: Mapped[int | None] = mapped_column(Integer, default=None)


class Client(Base):
    """A registered OAuth client: native (public, PKCE) or confidential (has secrets)."""

    __tablename__ = "auth_clients"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    public_client: Mapped[bool] = mapped_column(Boolean, default=False)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    parent_client: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    owner_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    # Template clients only mint other clients (globus-cli's "instance client" scheme).
    is_template: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ClientCredential(Base):
    """A client secret, stored as sha256 (secrets are random and high-entropy)."""

    __tablename__ = "auth_client_credentials"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("auth_clients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    secret_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Scope(Base):
    """A scope registered at run time (built-in Globus scopes live in code, see scopes.py)."""

    __tablename__ = "auth_scopes"

    scope_string: Mapped[str] = mapped_column(String(512), primary_key=True)
    resource_server: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255))
    owner_client_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    # Scope strings a holder of this scope may obtain dependent tokens for.
    dependencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Consent(Base):
    """The scopes a user has approved for one client."""

    __tablename__ = "auth_consents"

    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    """A browser login; the cookie holds a random value, the table its sha256."""

    __tablename__ = "auth_login_sessions"

    cookie_hash: Mapped[str] = mapped_column(String(HASH_LEN), primary_key=True)
    id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN))
    auth_time: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(Integer)


class AuthorizationCode(Base):
    """A pending authorization-code grant: single use, short-lived, bound to its request."""

    __tablename__ = "auth_codes"

    code_hash: Mapped[str] = mapped_column(String(HASH_LEN), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(UUID_LEN))
    client_id: Mapped[str] = mapped_column(String(UUID_LEN))
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN))
    session_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    code_challenge: Mapped[str | None] = mapped_column(String(255), default=None)
    code_challenge_method: Mapped[str | None] = mapped_column(String(16), default=None)
    access_type: Mapped[str] = mapped_column(String(16), default="online")
    state: Mapped[str] = mapped_column(Text, default="_default")
    nonce: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[int] = mapped_column(Integer)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Token(Base):
    """An access or refresh token for one resource server.

    Who it stands for (username, identity set) is copied in when it is minted, so checking a
    bearer token is a single primary-key read.
    """

    __tablename__ = "auth_tokens"
    __table_args__ = (
        Index("ix_auth_tokens_refresh_hash", "refresh_hash"),
        Index("ix_auth_tokens_grant_id", "grant_id"),
    )

    token_hash: Mapped[str] = mapped_column(String(HASH_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "access" | "refresh"
    client_id: Mapped[str] = mapped_column(String(UUID_LEN))
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN))
    username: Mapped[str] = mapped_column(String(255))
    identity_set: Mapped[str] = mapped_column(Text)  # space-joined ids
    resource_server: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(Text)  # space-joined scope strings
    issued_at: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int | None] = mapped_column(Integer, default=None)  # None: until revoked
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # For access tokens: the refresh token they came with / from (revoked together).
    refresh_hash: Mapped[str | None] = mapped_column(String(HASH_LEN), default=None)
    # The code, client-credentials call or dependent grant that produced the token.
    grant_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    session_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    def is_active(self, now: int) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > now)


class LoginThrottle(Base):
    """Recent failed password checks for one account or one client address.

    The key is a sha256 (see ``login_throttle``): people type passwords into the username
    field, and no such text should be stored.
    """

    __tablename__ = "auth_login_throttle"

    key_hash: Mapped[str] = mapped_column(String(HASH_LEN), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure: Mapped[int] = mapped_column(Integer, index=True)
    # No attempt is checked before this time (0: none blocked).
    blocked_until: Mapped[int] = mapped_column(Integer, default=0)


MODELS: tuple[type[t.Any], ...] = (
    Identity,
    Client,
    ClientCredential,
    Scope,
    Consent,
    LoginSession,
    AuthorizationCode,
    Token,
    LoginThrottle,
)
