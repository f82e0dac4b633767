"""Example "Client Credentials Authentication", run verbatim against the platform."""

from __future__ import annotations

import time

import globus_sdk
from tests.globus_sdk.services.auth.live import require_transfer_service, run_snippet

DO_THE_FLOW = """
import globus_sdk

# you must have a client ID
CLIENT_ID = "..."
# the secret, loaded from wherever you store it
CLIENT_SECRET = "..."

client = globus_sdk.ConfidentialAppAuthClient(CLIENT_ID, CLIENT_SECRET)
token_response = client.oauth2_client_credentials_tokens()

# the useful values that you want at the end of this
globus_auth_data = token_response.by_resource_server["auth.globus.org"]
globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]
globus_auth_token = globus_auth_data["access_token"]
globus_transfer_token = globus_transfer_data["access_token"]
"""

USE_THE_RESULTING_TOKENS = """
authorizer = globus_sdk.AccessTokenAuthorizer(globus_transfer_token)
tc = globus_sdk.TransferClient(authorizer=authorizer)
print("Endpoints Belonging to {}@clients.auth.globus.org:".format(CLIENT_ID))
for ep in tc.endpoint_search(filter_scope="my-endpoints"):
    print("[{}] {}".format(ep["id"], ep["display_name"]))
"""

# NB: the documented snippet ends by using ``tc`` (defined by the previous snippet), not the
# ``transfer_client`` it builds; run in one namespace, as a reader would, it works as printed.
USING_CLIENT_CREDENTIALS_AUTHORIZER = """
import globus_sdk

# you must have a client ID
CLIENT_ID = "..."
# the secret, loaded from wherever you store it
CLIENT_SECRET = "..."

confidential_client = globus_sdk.ConfidentialAppAuthClient(
    client_id=CLIENT_ID, client_secret=CLIENT_SECRET
)
scopes = "urn:globus:auth:scope:transfer.api.globus.org:all"
cc_authorizer = globus_sdk.ClientCredentialsAuthorizer(confidential_client, scopes)
# create a new client
transfer_client = globus_sdk.TransferClient(authorizer=cc_authorizer)

# usage is still the same
print("Endpoints Belonging to {}@clients.auth.globus.org:".format(CLIENT_ID))
for ep in tc.endpoint_search(filter_scope="my-endpoints"):
    print("[{}] {}".format(ep["id"], ep["display_name"]))
"""


def credentials(app: dict) -> dict[str, str]:
    return {
        'CLIENT_ID = "..."': f"CLIENT_ID = {app['client_id']!r}",
        'CLIENT_SECRET = "..."': f"CLIENT_SECRET = {app['client_secret']!r}",
    }


def test_client_credentials_flow(confidential_app, capsys) -> None:
    ns = run_snippet(DO_THE_FLOW, {}, credentials(confidential_app))
    now = time.time()
    assert ns["globus_auth_data"]["expires_at_seconds"] > now
    assert ns["globus_transfer_data"]["refresh_token"] is None  # CC grants none
    # the "current user" is the client itself
    ac = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(ns["globus_auth_token"]))
    assert ac.oauth2_userinfo()["sub"] == confidential_app["client_id"]

    require_transfer_service()
    run_snippet(USE_THE_RESULTING_TOKENS, ns)
    out = capsys.readouterr().out
    assert f"Endpoints Belonging to {confidential_app['client_id']}@clients.auth.globus.org:" in out

    run_snippet(USING_CLIENT_CREDENTIALS_AUTHORIZER, ns, credentials(confidential_app))
    transfer_client = ns["transfer_client"]
    list(transfer_client.endpoint_search(filter_scope="my-endpoints"))
    assert ns["cc_authorizer"].access_token is not None
