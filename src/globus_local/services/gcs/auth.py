"""The token every GCS Manager call needs: one for
``urn:globus:auth:scope:<endpoint_id>:manage_collections`` (resource server: the endpoint)."""

from __future__ import annotations

import typing as t

from fastapi import Depends, Request

from globus_local.kit.errors import AuthenticationFailed
from globus_local.kit.tokens import AuthContext, authenticate_request


def manage_collections_scope(endpoint_id: str) -> str:
    return f"urn:globus:auth:scope:{endpoint_id}:manage_collections"


async def _gcs_auth(request: Request, endpoint_id: str) -> AuthContext:
    ctx = await authenticate_request(request)
    if ctx is None:
        raise AuthenticationFailed("Token is invalid, expired or revoked")
    scope = manage_collections_scope(endpoint_id)
    if ctx.resource_server != endpoint_id or scope not in ctx.scopes:
        raise AuthenticationFailed(
            f"Missing required scopes: {scope}",
            detail={"DATA_TYPE": "missing_required_scopes#1.0.0", "required_scopes": [scope]},
        )
    request.state.auth = ctx
    return ctx


GCSAuth = t.Annotated[AuthContext, Depends(_gcs_auth)]
