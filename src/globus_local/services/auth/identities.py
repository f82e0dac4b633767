"""Identities: lookup, creation, provisioning, linking, and their JSON documents (§2.6)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from globus_local.services.auth.hashing import hash_password
from globus_local.services.auth.models import Identity, IdentityStatus

# The platform's own identity provider, and the one confidential clients' identities belong to.
_NS = uuid.UUID("5b0f5a56-2f39-4c55-9e64-3c1f3f6f1d5e")
LOCAL_IDP_ID = str(uuid.uuid5(_NS, "globus-local identity provider"))
LOCAL_IDP_NAME = "globus-local"
CLIENTS_IDP_ID = str(uuid.uuid5(_NS, "globus-local clients"))
CLIENTS_IDP_NAME = "Globus Auth clients"
CLIENT_USERNAME_DOMAIN = "clients.auth.globus.org"

_IDP_NAMES = {LOCAL_IDP_ID: LOCAL_IDP_NAME, CLIENTS_IDP_ID: CLIENTS_IDP_NAME}
_USERNAME_RE = re.compile(r"^[^\s,]{1,255}$")


def idp_display_name(idp_id: str) -> str:
    return _IDP_NAMES.get(idp_id, idp_id)


def valid_username(username: str) -> bool:
    return bool(_USERNAME_RE.match(username))


def get_identity(session: Session, identity_id: str) -> Identity | None:
    try:
        identity_id = str(uuid.UUID(str(identity_id)))
    except ValueError:
        return None
    return session.get(Identity, identity_id)


def get_identity_by_username(session: Session, username: str) -> Identity | None:
    return session.scalar(select(Identity).where(func.lower(Identity.username) == username.lower()))


def find_identities(
    session: Session,
    ids: Iterable[str] | None = None,
    usernames: Iterable[str] | None = None,
) -> list[Identity]:
    """Identities by id or username, in the order asked; unknown ones are simply left out."""
    if ids is not None:
        wanted: list[str] = []
        for raw in ids:
            try:
                wanted.append(str(uuid.UUID(str(raw).strip())))
            except ValueError:
                continue
        wanted = list(dict.fromkeys(wanted))
        if not wanted:
            return []
        rows = {i.id: i for i in session.scalars(select(Identity).where(Identity.id.in_(wanted)))}
        return [rows[i] for i in wanted if i in rows]
    if usernames is not None:
        names = list(dict.fromkeys(u.strip() for u in usernames if u.strip()))
        if not names:
            return []
        lowered = [n.lower() for n in names]
        rows = {
            i.username.lower(): i
            for i in session.scalars(
                select(Identity).where(func.lower(Identity.username).in_(lowered))
            )
        }
        return [rows[n] for n in lowered if n in rows]
    return []


def create_identity(
    session: Session,
    username: str,
    *,
    password: str | None = None,
    name: str | None = None,
    email: str | None = None,
    organization: str | None = None,
    identity_id: str | None = None,
    identity_provider: str = LOCAL_IDP_ID,
    status: str = IdentityStatus.USED,
    identity_type: str = "login",
) -> Identity:
    """Create an identity; a previously provisioned (``unused``) one with that name is claimed."""
    if not valid_username(username):
        raise ValueError(f"invalid username: {username!r}")
    existing = get_identity_by_username(session, username)
    if existing is not None:
        if existing.status != IdentityStatus.UNUSED:
            raise ValueError(f"identity {username!r} already exists")
        identity = existing
        identity.status = status
    else:
        new_id = identity_id or str(uuid.uuid4())
        identity = Identity(
            id=new_id,
            username=username,
            identity_provider=identity_provider,
            identity_type=identity_type,
            status=status,
            account_id=new_id,
        )
        session.add(identity)
    identity.name = name if name is not None else identity.name
    identity.email = email if email is not None else identity.email
    identity.organization = organization if organization is not None else identity.organization
    if password is not None:
        identity.password_hash = hash_password(password)
    session.flush()
    return identity


def create_client_identity(session: Session, client_id: str, name: str) -> Identity:
    """The identity a confidential client acts as (client_credentials tokens stand for it)."""
    return create_identity(
        session,
        f"{client_id}@{CLIENT_USERNAME_DOMAIN}",
        name=name,
        identity_id=client_id,
        identity_provider=CLIENTS_IDP_ID,
        identity_type="client",
    )


def client_identity(session: Session, client_id: str, name: str) -> Identity:
    """A confidential client's identity, created on demand for clients registered without."""
    identity = get_identity(session, client_id)
    return identity if identity is not None else create_client_identity(session, client_id, name)


def requested_identities(
    session: Session,
    caller_id: str,
    ids: list[str] | None,
    usernames: list[str] | None,
    provision: bool,
) -> list[Identity]:
    """What ``GET /v2/api/identities`` answers: the identities named by id or username
    (unknown usernames provisioned when asked), else the caller's own identity set."""
    if ids is not None:
        return find_identities(session, ids=ids)
    if usernames is not None:
        if provision:
            return provision_identities(session, usernames)
        return find_identities(session, usernames=usernames)
    me = get_identity(session, caller_id)
    return identity_set(session, me) if me is not None else []


def provision_identities(session: Session, usernames: Iterable[str]) -> list[Identity]:
    """``provision=true``: usernames not yet known become ``unused`` identities."""
    names = [u.strip() for u in usernames if u.strip()]
    known = {i.username.lower() for i in find_identities(session, usernames=names)}
    for username in dict.fromkeys(names):
        if username.lower() not in known and valid_username(username):
            create_identity(session, username, status=IdentityStatus.UNUSED)
            known.add(username.lower())
    return find_identities(session, usernames=names)


def identity_set(session: Session, identity: Identity) -> list[Identity]:
    """All identities linked with ``identity`` (itself first)."""
    others = session.scalars(
        select(Identity)
        .where(Identity.account_id == identity.account_id, Identity.id != identity.id)
        .order_by(Identity.created, Identity.id)
    )
    return [identity, *others]


def link_identities(session: Session, primary: Identity, other: Identity) -> None:
    """Join ``other`` (and everything linked to it) to ``primary``'s identity set."""
    for row in session.scalars(select(Identity).where(Identity.account_id == other.account_id)):
        row.account_id = primary.account_id
    session.flush()


def oidc_identity_claims(identity: Identity) -> dict[str, Any]:
    """An identity as userinfo / id_token ``identity_set`` entries describe it."""
    return {
        "sub": identity.id,
        "username": identity.username,
        "name": identity.name,
        "email": identity.email,
        "organization": identity.organization,
        "identity_provider": identity.identity_provider,
        "identity_provider_display_name": idp_display_name(identity.identity_provider),
        "last_authentication": identity.last_authentication,
    }
