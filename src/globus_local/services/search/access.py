"""Who is calling and what they may do: optional tokens, principals, index roles.

Search can be queried anonymously (public entries only). A token, when sent, must be a
live Search token with a suitable scope, as with ``require_token``; its identities and
their groups then become principals for ``visible_to`` and for index roles.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Conflict
from globus_local.kit.tokens import AuthContext, bearer_token, require_token
from globus_local.services.auth.scopes import SEARCH_ALL, SEARCH_INGEST, SEARCH_RS, SEARCH_SEARCH
from globus_local.services.groups.principals import principal_urns_for
from globus_local.services.search.errors import forbidden, no_such_index
from globus_local.services.search.ingest import ALL_AUTHENTICATED, IDENTITY_URN
from globus_local.services.search.models import SearchIndex, SearchRole

READ_SCOPES = (SEARCH_ALL, SEARCH_SEARCH, SEARCH_INGEST)
WRITE_SCOPES = (SEARCH_ALL, SEARCH_INGEST)

ROLE_RANK = {"writer": 1, "admin": 2, "owner": 3}

# Route dependencies: a token is required for these.
require_read = require_token(SEARCH_RS, *READ_SCOPES)
require_write = require_token(SEARCH_RS, *WRITE_SCOPES)
require_manage = require_token(SEARCH_RS, SEARCH_ALL)


async def _optional_read(request: Request) -> AuthContext | None:
    """The caller's context, or None when no token was sent (anonymous search)."""
    if bearer_token(request) is None:
        return None
    return await require_read(request)


optional_read = Depends(_optional_read)


@dataclass
class Caller:
    ctx: AuthContext | None
    principals: list[str]  # identity and group URNs (empty when anonymous)

    @property
    def identity_urn(self) -> str | None:
        return None if self.ctx is None else IDENTITY_URN + self.ctx.identity_id

    def visibility(self) -> list[str]:
        """Principals an entry's ``visible_to`` must share with the caller (besides public)."""
        if self.ctx is None:
            return []
        return [ALL_AUTHENTICATED, *self.principals]


def caller_for(session: Session, ctx: AuthContext | None) -> Caller:
    if ctx is None:
        return Caller(None, [])
    identities = ctx.identity_set or (ctx.identity_id,)
    urns = set(principal_urns_for(session, identities))
    urns.update(IDENTITY_URN + i for i in identities)
    return Caller(ctx, sorted(urns))


def get_index(session: Session, index_id: str) -> SearchIndex:
    # no index id holds a NUL, and PostgreSQL refuses to compare one
    index = None if "\x00" in index_id else session.get(SearchIndex, str(index_id))
    if index is None:
        raise no_such_index(index_id)
    return index


def roles_of(session: Session, index_id: str, caller: Caller) -> set[str]:
    if not caller.principals:
        return set()
    return set(
        session.scalars(
            select(SearchRole.role_name).where(
                SearchRole.index_id == index_id, SearchRole.principal.in_(caller.principals)
            )
        )
    )


def best_role(roles: t.Iterable[str]) -> int:
    return max((ROLE_RANK.get(r, 0) for r in roles), default=0)


def require_role(session: Session, index: SearchIndex, caller: Caller, minimum: str) -> set[str]:
    """The caller's roles on the index; 403 unless one is at least ``minimum``."""
    roles = roles_of(session, index.id, caller)
    if best_role(roles) < ROLE_RANK[minimum]:
        raise forbidden(f"You do not have the '{minimum}' role (or higher) on index {index.id}")
    return roles


def by_rank(roles: t.Iterable[str]) -> list[str]:
    """Role names as an index's ``permissions`` lists them: the highest first."""
    return sorted(roles, key=lambda r: -ROLE_RANK[r])


def require_open(index: SearchIndex) -> None:
    if index.status != "open":
        raise Conflict(
            f"Index {index.id} has status '{index.status}', which does not allow this operation",
            code="Conflict.IncompatibleIndexStatus",
        )


def writable_index(
    session: Session, index_id: str, caller: Caller, minimum: str = "writer"
) -> SearchIndex:
    """The index, open, with the caller holding at least ``minimum`` on it."""
    index = get_index(session, index_id)
    require_role(session, index, caller, minimum)
    require_open(index)
    return index


def visible_principals(
    session: Session, index: SearchIndex, caller: Caller, bypass: bool
) -> list[str] | None:
    """``visible_to`` principals a read of ``index`` sees; None (every entry) for an admin's
    ``bypass_visible_to``."""
    if bypass:
        if best_role(roles_of(session, index.id, caller)) < ROLE_RANK["admin"]:
            raise forbidden("bypass_visible_to requires the 'admin' or 'owner' role")
        return None
    return caller.visibility()
