"""Globus Auth: OAuth2/OIDC login and tokens, identities, clients, and the scope table.

Other services check tokens with ``globus_local.kit.tokens.require_token`` (Auth's token
store answers it, registered here) and declare their scopes with
:func:`.scopes.register_scope`.
"""

from __future__ import annotations

from fastapi import APIRouter

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.kit.tokens import use_token_lookup
from globus_local.services.auth import (
    models,
    purge,  # noqa: F401  (registers the recurring purge job)
)
from globus_local.services.auth.dependency import lookup_token
from globus_local.services.auth.errors import format_error
from globus_local.services.auth.routes_api import router as api_router
from globus_local.services.auth.routes_oauth import oidc_router
from globus_local.services.auth.routes_oauth import router as oauth_router
from globus_local.services.auth.routes_web import router as web_router

use_token_lookup(lookup_token)

# Discovery is also looked for at the host root by some OIDC clients.
root_router = APIRouter()
root_router.include_router(oidc_router)

# NUL in a query is the routes' to answer: an authorization request's bad scope goes back
# to the client's redirect URI as ``invalid_scope`` (RFC 6749 4.1.2.1), not as a 400 here.
service = Service(
    "auth",
    (oauth_router, web_router, api_router, oidc_router),
    format_error,
    text_rule=TextRule(nul_in_path_and_query=False),
    root_router=root_router,
    models=(models,),
)
