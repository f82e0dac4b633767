"""Example "Native App Login", run verbatim against the platform."""

from __future__ import annotations

import globus_sdk
from tests.globus_sdk.services.auth.live import run_snippet

SHORTEST_FLOW = """
import globus_sdk

# you must have a client ID
CLIENT_ID = "..."

client = globus_sdk.NativeAppAuthClient(CLIENT_ID)
client.oauth2_start_flow()

authorize_url = client.oauth2_get_authorize_url()
print("Please go to this URL and login: {0}".format(authorize_url))

auth_code = input("Please enter the code you get after login here: ").strip()
token_response = client.oauth2_exchange_code_for_tokens(auth_code)

# the useful values that you want at the end of this
globus_auth_data = token_response.by_resource_server["auth.globus.org"]
globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]
globus_auth_token = globus_auth_data["access_token"]
globus_transfer_token = globus_transfer_data["access_token"]
"""

REFRESH_OPTION = """
client.oauth2_start_flow(refresh_tokens=True)
"""


def test_native_app_login(native_app, keyboard, globus_local_user) -> None:
    ns = run_snippet(
        SHORTEST_FLOW, {}, {'CLIENT_ID = "..."': f"CLIENT_ID = {native_app['client_id']!r}"}
    )
    auth = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(ns["globus_auth_token"])
    )
    info = auth.oauth2_userinfo()
    assert info["sub"] == globus_local_user["id"]
    assert info["preferred_username"] == globus_local_user["username"]
    assert ns["globus_transfer_data"]["refresh_token"] is None
    # the id_token in the response is verifiable and names the user
    assert ns["token_response"].decode_id_token()["sub"] == globus_local_user["id"]


def test_native_app_login_with_refresh_tokens(native_app, keyboard, globus_local_user) -> None:
    # "Simply add this option to the example above"
    flow = SHORTEST_FLOW.replace("client.oauth2_start_flow()\n", REFRESH_OPTION.lstrip("\n"))
    assert flow != SHORTEST_FLOW
    ns = run_snippet(flow, {}, {'CLIENT_ID = "..."': f"CLIENT_ID = {native_app['client_id']!r}"})
    auth_rt = ns["globus_auth_data"]["refresh_token"]
    assert auth_rt and ns["globus_transfer_data"]["refresh_token"]
    # the refresh token works, for the native client that received it
    refreshed = ns["client"].oauth2_refresh_token(auth_rt)
    new_at = refreshed.by_resource_server["auth.globus.org"]["access_token"]
    assert new_at != ns["globus_auth_token"]
    ac = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(new_at))
    assert ac.oauth2_userinfo()["sub"] == globus_local_user["id"]
