"""Endpoint search (``endpoint_search``): which endpoints the caller can see for a
``filter_scope``, ranked by a full-text query, one page at a time."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest
from globus_local.kit.params import parse_uuid
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.models_endpoints import Endpoint, EndpointUsage

SEARCH_SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
    "hosted-endpoints",
)
MAX_LIMIT = 100
# The real service serves no result past this position, whatever the paging.
MAX_RESULTS = 1000

_FULLTEXT_FIELDS = (
    "display_name",
    "description",
    "organization",
    "department",
    "keywords",
    "owner_string",
    "id",
)


def fulltext_rank(endpoint: Endpoint, text: str) -> float:
    """Score of ``endpoint`` for a full-text query: 0 unless every term matches somewhere."""
    terms = [w for w in text.lower().split() if w]
    if not terms:
        return 1.0
    fields = [str(getattr(endpoint, f) or "").lower() for f in _FULLTEXT_FIELDS]
    fields.append(f"{endpoint.owner_string.split('@', 1)[0]}#{endpoint.id}".lower())
    score = 0.0
    for term in terms:
        hits = [f for f in fields if term in f]
        if not hits:
            return 0.0
        score += sum(3.0 if term == f else (2.0 if f.startswith(term) else 1.0) for f in hits)
    if endpoint.display_name.lower() == text.strip().lower():
        score += 10.0
    return score


def _check_scope(scope: str, fulltext: str | None, owner_id: str | None, host: str | None) -> None:
    if scope not in SEARCH_SCOPES:
        raise BadRequest(
            f"Invalid filter_scope '{scope}'; must be one of {', '.join(SEARCH_SCOPES)}"
        )
    if scope == "all" and not (fulltext and fulltext.strip()) and not host and not owner_id:
        raise BadRequest("filter_fulltext is required when filter_scope is 'all'")
    if scope == "hosted-endpoints" and not host:
        raise BadRequest("filter_host_endpoint is required when filter_scope is 'hosted-endpoints'")


def _recently_used(session: Session, identity_ids: list[str]) -> dict[str, dt.datetime]:
    """When the caller last used each endpoint they used."""
    recent: dict[str, dt.datetime] = {}
    for usage in session.scalars(
        select(EndpointUsage).where(EndpointUsage.identity_id.in_(sorted(identity_ids)))
    ):
        prev = recent.get(usage.endpoint_id)
        recent[usage.endpoint_id] = max(prev, usage.last_used) if prev else usage.last_used
    return recent


def search(
    session: Session,
    ctx: AuthContext,
    *,
    scope: str,
    fulltext: str | None,
    owner_id: str | None,
    host_endpoint: str | None,
    non_functional: bool | None,
    entity_type: str | None,
) -> list[tuple[Endpoint, float]]:
    """Endpoints the caller can see for ``filter_scope`` ``scope``, best first."""
    _check_scope(scope, fulltext, owner_id, host_endpoint)
    ids = set(access.identities(ctx))
    urns = access.principal_urns(session, ctx)
    query = select(Endpoint)
    if owner_id:
        query = query.where(Endpoint.owner_id == parse_uuid(owner_id, "filter_owner_id"))
    if host_endpoint:
        query = query.where(
            Endpoint.host_endpoint_id == parse_uuid(host_endpoint, "filter_host_endpoint")
        )
    if entity_type:
        query = query.where(Endpoint.entity_type == entity_type)
    if non_functional:
        return []  # no endpoint here is a non-functional GCSv5 endpoint
    candidates = list(session.scalars(query.order_by(Endpoint.created, Endpoint.id)))
    recent = _recently_used(session, list(ids)) if scope == "recently-used" else {}
    in_use = access.endpoints_in_use(session, ids) if scope == "in-use" else set()

    found: list[tuple[Endpoint, float]] = []
    for endpoint in candidates:
        owner = endpoint.owner_id in ids
        roles = access.effective_roles(session, ctx, endpoint, urns)
        rules = (
            access.matching_rules(session, ctx, endpoint, urns)
            if endpoint.is_shared and not owner
            else []
        )
        visible = owner or endpoint.public or bool(roles) or bool(rules)
        if not visible:
            continue
        keep = {
            "all": True,
            "hosted-endpoints": True,
            "my-endpoints": owner,
            "my-gcp-endpoints": owner and endpoint.is_globus_connect and not endpoint.is_shared,
            "recently-used": endpoint.id in recent,
            "in-use": endpoint.id in in_use,
            "shared-by-me": owner and endpoint.is_shared,
            "shared-with-me": endpoint.is_shared and not owner and bool(rules),
            "administered-by-me": "administrator" in roles,
        }[scope]
        if not keep:
            continue
        rank = fulltext_rank(endpoint, fulltext or "")
        if rank <= 0:
            continue
        found.append((endpoint, rank))
    if scope == "recently-used":
        found.sort(key=lambda pair: recent[pair[0].id], reverse=True)
    elif fulltext and fulltext.strip():
        found.sort(key=lambda pair: -pair[1])
    return found


def search_page(
    session: Session,
    ctx: AuthContext,
    *,
    limit: int,
    offset: int,
    **criteria: t.Any,
) -> dict[str, t.Any]:
    """One page of :func:`search` as an ``endpoint_list`` document, each with its rank."""
    if limit > MAX_LIMIT:
        raise BadRequest(f"limit must be at most {MAX_LIMIT}")
    if offset + limit > MAX_RESULTS:
        raise BadRequest(f"offset + limit must be at most {MAX_RESULTS}")
    found = search(session, ctx, **criteria)
    page = found[offset : offset + limit]
    data = endpoints.documents(session, ctx, [endpoint for endpoint, _ in page])
    for doc, (_, rank) in zip(data, page, strict=True):
        doc["_rank"] = float(rank)
    return {
        "DATA_TYPE": "endpoint_list",
        "limit": limit,
        "offset": offset,
        "has_next_page": offset + limit < min(len(found), MAX_RESULTS),
        "DATA": data,
    }
