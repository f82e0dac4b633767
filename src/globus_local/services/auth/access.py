"""Who calls Auth's REST API (``/v2/api``): a live auth.globus.org access token, or a
confidential client by HTTP Basic; and which clients that caller may manage."""

from __future__ import annotations

from sqlalchemy.orm import Session

from globus_local.kit.errors import AuthenticationFailed, Forbidden, NotFound, ServiceError
from globus_local.services.auth.clients import check_secret, get_client, parse_basic
from globus_local.services.auth.dependency import find_active_token
from globus_local.services.auth.models import Client, Token
from globus_local.services.auth.scopes import AUTH_RS

ApiCaller = Token | Client


def api_caller(session: Session, authorization: str | None, bearer: str | None) -> ApiCaller:
    """The token or client behind a request's ``Authorization`` header (``bearer`` is its
    Bearer token, if any); 401 when it names no one, 403 for another service's token."""
    try:
        basic = parse_basic(authorization)
    except ServiceError:
        raise AuthenticationFailed("Malformed Basic authorization header") from None
    if basic is not None:
        client = get_client(session, basic[0])
        if client is None or client.public_client or not check_secret(session, client, basic[1]):
            raise AuthenticationFailed("Invalid client credentials")
        return client
    if bearer is None:
        raise AuthenticationFailed("Call must be authenticated")
    token = find_active_token(session, bearer, "access")
    if token is None:
        raise AuthenticationFailed("Token is invalid, expired or revoked")
    if token.resource_server != AUTH_RS:
        raise Forbidden("Token is not for auth.globus.org")
    return token


def caller_identity_id(caller: ApiCaller) -> str:
    """The identity a caller acts as: a token's, or a confidential client's own."""
    return caller.identity_id if isinstance(caller, Token) else caller.id


def managed_client(session: Session, caller: ApiCaller, client_id: str) -> Client:
    """The client itself (Basic auth) or its owner (Bearer) may manage it."""
    client = get_client(session, client_id)
    if client is None or client.is_template:
        raise NotFound(f"No client with id {client_id}")
    allowed = (isinstance(caller, Client) and caller.id == client.id) or (
        isinstance(caller, Token)
        and client.owner_id is not None
        and caller.identity_id == client.owner_id
    )
    if not allowed:
        raise Forbidden("Not allowed to manage this client")
    return client
