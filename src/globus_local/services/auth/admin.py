"""Administrative operations for the CLI and the test server (no HTTP, plain dicts out)."""

from __future__ import annotations

import os
import secrets
import tempfile
import typing as t
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.auth import clients as _clients
from globus_local.services.auth import consents as _consents
from globus_local.services.auth import tokens as _tokens
from globus_local.services.auth.documents import identity_document
from globus_local.services.auth.hashing import hash_password
from globus_local.services.auth.identities import create_identity, get_identity_by_username
from globus_local.services.auth.models import Client, Identity
from globus_local.services.auth.scopes import requested_scopes

# The client that tokens issued by administrators (``issue_token``) belong to.
ADMIN_CLIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "globus-local:admin-token-client"))
DEMO_USERNAME = "demo"
DEMO_CLIENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "globus-local:demo-native-app"))
# Where, in the data directory, the demo user's password is kept (never in logs or output).
DEMO_PASSWORD_FILE = "demo-password"


def _client_dict(client: Client, secret: str | None = None) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "client_id": client.id,
        "name": client.name,
        "public_client": client.public_client,
        "redirect_uris": list(client.redirect_uris or []),
    }
    if secret is not None:
        doc["client_secret"] = secret
    return doc


def create_user(
    db: Database,
    username: str,
    password: str,
    *,
    name: str | None = None,
    email: str | None = None,
    organization: str | None = None,
) -> dict[str, t.Any]:
    """Create a login identity (the username is kept exactly as given); its identity doc."""
    with db.session() as session:
        identity = create_identity(
            session, username, password=password, name=name, email=email, organization=organization
        )
        return identity_document(identity)


def set_password(db: Database, username: str, password: str) -> None:
    with db.session() as session:
        identity = get_identity_by_username(session, username)
        if identity is None:
            raise LookupError(f"no such user: {username}")
        identity.password_hash = hash_password(password)


def create_client(
    db: Database,
    kind: str,
    name: str,
    redirect_uris: Iterable[str] = (),
    *,
    owner: str | None = None,
) -> dict[str, t.Any]:
    """Register a ``native`` or ``confidential`` client; the secret is only returned here."""
    with db.session() as session:
        client, secret = _clients.create_client(session, kind, name, redirect_uris, owner=owner)
        return _client_dict(client, secret)


def list_users(db: Database) -> list[dict[str, t.Any]]:
    with db.session() as session:
        rows = session.scalars(
            select(Identity).where(Identity.identity_type == "login").order_by(Identity.username)
        )
        return [identity_document(i) for i in rows]


def list_clients(db: Database) -> list[dict[str, t.Any]]:
    with db.session() as session:
        rows = session.scalars(
            select(Client).where(Client.is_template.is_(False)).order_by(Client.created, Client.id)
        )
        return [_client_dict(c) for c in rows]


def _admin_client(session: t.Any) -> Client:
    client = session.get(Client, ADMIN_CLIENT_ID)
    if client is None:
        client, _ = _clients.create_client(
            session, "native", "globus-local admin", (), client_id=ADMIN_CLIENT_ID
        )
    return client


def issue_token(
    db: Database,
    username: str,
    scopes: Iterable[str] | str,
    *,
    client_id: str | None = None,
    settings: Settings | None = None,
) -> dict[str, t.Any]:
    """Mint tokens for a user without a login, as the token endpoint would answer
    (grouped by resource server, ``other_tokens``, refresh tokens). With ``settings`` an
    ``id_token`` is included when ``openid`` is asked for."""
    with db.session() as session:
        identity = get_identity_by_username(session, username)
        if identity is None:
            raise LookupError(f"no such user: {username}")
        if client_id is None:
            client = _admin_client(session)
        else:
            found = _clients.get_client(session, client_id)
            if found is None:
                raise LookupError(f"no such client: {client_id}")
            client = found
        infos, _ = requested_scopes(session, scopes)
        if not infos:
            raise ValueError("no scopes requested")
        return _tokens.token_response(
            session,
            settings or Settings(data_dir=Path(tempfile.gettempdir()), database_url=db.url),
            client_id=client.id,
            identity=identity,
            scopes=infos,
            refresh=True,
            id_token=settings is not None,
        )


def revoke_token(db: Database, token: str) -> bool:
    """Revoke an access or refresh token whoever holds it; False if unknown."""
    with db.session() as session:
        row = _tokens.lookup_token(session, token)
        if row is None:
            return False
        _tokens.revoke(session, row)
        return True


def revoke_consent(db: Database, username: str, client_id: str | None = None) -> int:
    """The user withdraws their consent to a client (the administrators' token client when
    None): its tokens and the dependent tokens services hold for them are revoked."""
    with db.session() as session:
        identity = get_identity_by_username(session, username)
        if identity is None:
            raise LookupError(f"no such user: {username}")
        return _consents.revoke_consent(session, identity.id, client_id or ADMIN_CLIENT_ID)


def ensure_demo(db: Database, settings: Settings) -> dict[str, t.Any] | None:
    """On first start: a ``demo`` user with a random password and a demo native app.

    The password goes only to :data:`DEMO_PASSWORD_FILE` in the data directory, readable by
    its owner alone: server output ends up in shared logs and terminals. Returns the two
    documents (the user's with ``password_file``) only when they were just created.
    """
    with db.session() as session:
        if get_identity_by_username(session, DEMO_USERNAME) is not None:
            return None
        password = secrets.token_urlsafe(12)
        # create_identity flushes: a process racing this one fails here, before any file.
        identity = create_identity(
            session, DEMO_USERNAME, password=password, name="Demo User", email="demo@localhost"
        )
        client = session.get(Client, DEMO_CLIENT_ID)
        if client is None:
            client, _ = _clients.create_client(
                session,
                "native",
                "globus-local demo app",
                [settings.service_url("auth") + "v2/web/auth-code"],
                client_id=DEMO_CLIENT_ID,
                platform_redirects=True,
            )
        # Written before the commit: if it fails, no account exists whose password is lost.
        password_file = Path(settings.data_dir) / DEMO_PASSWORD_FILE
        write_owner_only(password_file, password + "\n")
        return {
            "user": {**identity_document(identity), "password_file": str(password_file)},
            "client": _client_dict(client),
        }


def write_owner_only(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in a file only its owner may read or write (0600).

    The file is created with that mode (never readable by others, whatever the umask),
    filled, then renamed into place, so no reader sees it partial or more open.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
