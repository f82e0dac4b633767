"""Example "API Authorization", run verbatim against the platform.

The tokens the snippets start from come from an Authorization Code login of a
confidential app (with refresh tokens), done through the platform's login form.
"""

from __future__ import annotations

import typing as t

import pytest

import globus_sdk
from tests.globus_sdk.services.auth.live import (
    code_from_redirect,
    require_transfer_client,
    run_snippet,
)

ACCESS_TOKEN_AUTHORIZATION = """
from globus_sdk import AuthClient, TransferClient, AccessTokenAuthorizer

AUTH_ACCESS_TOKEN = "..."
TRANSFER_ACCESS_TOKEN = "..."

# note that we don't provide the client ID in this case
# if you're using an Access Token you can't do the OAuth2 flows
auth_client = AuthClient(authorizer=AccessTokenAuthorizer(AUTH_ACCESS_TOKEN))

transfer_client = TransferClient(
    authorizer=AccessTokenAuthorizer(TRANSFER_ACCESS_TOKEN)
)
"""

REFRESH_TOKEN_AUTHORIZATION = """
from globus_sdk import (
    AuthClient,
    TransferClient,
    ConfidentialAppAuthClient,
    RefreshTokenAuthorizer,
)

# for doing the refresh
CLIENT_ID = "..."
CLIENT_SECRET = "..."

# the actual tokens
AUTH_REFRESH_TOKEN = "..."
TRANSFER_REFRESH_TOKEN = "..."

# making the authorizer requires that we have an AuthClient which can talk
# OAuth2 to Globus Auth
internal_auth_client = ConfidentialAppAuthClient(CLIENT_ID, CLIENT_SECRET)

# now let's bake a couple of authorizers
auth_authorizer = RefreshTokenAuthorizer(AUTH_REFRESH_TOKEN, internal_auth_client)
transfer_authorizer = RefreshTokenAuthorizer(
    TRANSFER_REFRESH_TOKEN, internal_auth_client
)

# auth_client here is totally different from "internal_auth_client" above
# the former is being used to request new tokens periodically, while this
# one represents a user authenticated with those tokens
auth_client = AuthClient(authorizer=auth_authorizer)
# transfer_client doesn't have to contend with this duality -- it's always
# representing a user
transfer_client = TransferClient(authorizer=transfer_authorizer)
"""

BASIC_AUTH = """
from globus_sdk import ConfidentialAppAuthClient

CLIENT_ID = "..."
CLIENT_SECRET = "..."

client = ConfidentialAppAuthClient(CLIENT_ID, CLIENT_SECRET)
"""


@pytest.fixture
def user_tokens(globus_local_server, confidential_app, globus_local_user) -> dict[str, t.Any]:
    client = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    client.oauth2_start_flow("http://localhost:5000/login", refresh_tokens=True)
    redirect = globus_local_server.login(
        client.oauth2_get_authorize_url(),
        globus_local_user["username"],
        globus_local_user["password"],
    )
    return client.oauth2_exchange_code_for_tokens(code_from_redirect(redirect)).by_resource_server


def test_basic_auth_on_an_auth_client(confidential_app, user_tokens) -> None:
    ns = run_snippet(
        BASIC_AUTH,
        {},
        {
            'CLIENT_ID = "..."': f"CLIENT_ID = {confidential_app['client_id']!r}",
            'CLIENT_SECRET = "..."': f"CLIENT_SECRET = {confidential_app['client_secret']!r}",
        },
    )
    client = ns["client"]
    assert isinstance(client.authorizer, globus_sdk.BasicAuthorizer)
    token = user_tokens["auth.globus.org"]["access_token"]
    assert client.oauth2_token_introspect(token)["active"] is True


def test_access_and_refresh_token_authorization(
    confidential_app, user_tokens, globus_local_user
) -> None:
    require_transfer_client()
    ns = run_snippet(
        ACCESS_TOKEN_AUTHORIZATION,
        {},
        {
            'AUTH_ACCESS_TOKEN = "..."': "AUTH_ACCESS_TOKEN = "
            + repr(user_tokens["auth.globus.org"]["access_token"]),
            'TRANSFER_ACCESS_TOKEN = "..."': "TRANSFER_ACCESS_TOKEN = "
            + repr(user_tokens["transfer.api.globus.org"]["access_token"]),
        },
    )
    assert ns["auth_client"].oauth2_userinfo()["sub"] == globus_local_user["id"]

    ns = run_snippet(
        REFRESH_TOKEN_AUTHORIZATION,
        {},
        {
            'CLIENT_ID = "..."': f"CLIENT_ID = {confidential_app['client_id']!r}",
            'CLIENT_SECRET = "..."': f"CLIENT_SECRET = {confidential_app['client_secret']!r}",
            'AUTH_REFRESH_TOKEN = "..."': "AUTH_REFRESH_TOKEN = "
            + repr(user_tokens["auth.globus.org"]["refresh_token"]),
            'TRANSFER_REFRESH_TOKEN = "..."': "TRANSFER_REFRESH_TOKEN = "
            + repr(user_tokens["transfer.api.globus.org"]["refresh_token"]),
        },
    )
    # the authorizer bootstraps an access token from the refresh token alone
    assert ns["auth_client"].oauth2_userinfo()["sub"] == globus_local_user["id"]
    assert ns["auth_authorizer"].access_token != user_tokens["auth.globus.org"]["access_token"]
    assert ns["transfer_authorizer"].get_authorization_header().startswith("Bearer ")
