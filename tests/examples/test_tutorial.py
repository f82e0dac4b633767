"""The Tutorial (steps 1-3) and Advanced Tutorial (1-2), run verbatim against the platform.

Steps 1-2 (registering "SDK Tutorial App" and noting its client id) are the
``native_app`` fixture: a Native App registered on the local server with the auth-code
redirect page.
"""

from __future__ import annotations

import time

import globus_sdk
from tests.globus_sdk.services.auth.live import require_transfer_client, run_snippet

STEP_3 = """
import globus_sdk

CLIENT_ID = "<YOUR_ID_HERE>"

client = globus_sdk.NativeAppAuthClient(CLIENT_ID)
client.oauth2_start_flow()

authorize_url = client.oauth2_get_authorize_url()
print("Please go to this URL and login: {0}".format(authorize_url))

auth_code = input("Please enter the code you get after login here: ").strip()
token_response = client.oauth2_exchange_code_for_tokens(auth_code)

globus_auth_data = token_response.by_resource_server["auth.globus.org"]
globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]

# most specifically, you want these tokens as strings
AUTH_TOKEN = globus_auth_data["access_token"]
TRANSFER_TOKEN = globus_transfer_data["access_token"]
"""

ADVANCED_1 = """
client = globus_sdk.NativeAppAuthClient(CLIENT_ID)
client.oauth2_start_flow()

print("Please go to this URL and login: {0}".format(client.oauth2_get_authorize_url()))

auth_code = input("Please enter the code here: ").strip()
token_response = client.oauth2_exchange_code_for_tokens(auth_code)
"""

ADVANCED_2_LOGIN = """
client = globus_sdk.NativeAppAuthClient(CLIENT_ID)
client.oauth2_start_flow(refresh_tokens=True)

print("Please go to this URL and login: {0}".format(client.oauth2_get_authorize_url()))

auth_code = input("Please enter the code here: ").strip()
token_response = client.oauth2_exchange_code_for_tokens(auth_code)
"""

ADVANCED_2_AUTHORIZER = """
# let's get stuff for the Globus Transfer service
globus_transfer_data = token_response.by_resource_server["transfer.api.globus.org"]
# the refresh token and access token, often abbreviated as RT and AT
transfer_rt = globus_transfer_data["refresh_token"]
transfer_at = globus_transfer_data["access_token"]
expires_at_s = globus_transfer_data["expires_at_seconds"]

# Now we've got the data we need, but what do we do?
# That "GlobusAuthorizer" from before is about to come to the rescue

authorizer = globus_sdk.RefreshTokenAuthorizer(
    transfer_rt, client, access_token=transfer_at, expires_at=expires_at_s
)

# and try using `tc` to make TransferClient calls. Everything should just
# work -- for days and days, months and months, even years
tc = globus_sdk.TransferClient(authorizer=authorizer)
"""


def check_tokens_usable(auth_token: str, user: dict) -> None:
    """The Auth token really works with the Auth service, as the logged-in user."""
    ac = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(auth_token))
    assert ac.oauth2_userinfo()["sub"] == user["id"]


def test_step_3_get_some_access_tokens(native_app, keyboard, globus_local_user) -> None:
    ns = run_snippet(STEP_3, {}, {'"<YOUR_ID_HERE>"': repr(native_app["client_id"])})
    assert keyboard.prompts == ["Please enter the code you get after login here: "]
    assert keyboard.urls[0].startswith(globus_sdk.AuthClient().base_url)
    assert ns["AUTH_TOKEN"] != ns["TRANSFER_TOKEN"]
    check_tokens_usable(ns["AUTH_TOKEN"], globus_local_user)
    assert ns["globus_auth_data"]["refresh_token"] is None


def test_advanced_1_token_response(native_app, keyboard, globus_local_user) -> None:
    ns = run_snippet(ADVANCED_1, {"globus_sdk": globus_sdk, "CLIENT_ID": native_app["client_id"]})
    by_rs = ns["token_response"].by_resource_server
    assert set(by_rs) == {"auth.globus.org", "transfer.api.globus.org"}
    now = time.time()
    for rs, data in by_rs.items():
        assert data["token_type"] == "Bearer"
        assert data["refresh_token"] is None
        assert data["expires_at_seconds"] > now
        assert data["resource_server"] == rs
    assert set(by_rs["auth.globus.org"]["scope"].split()) == {"openid", "profile", "email"}
    assert (
        by_rs["transfer.api.globus.org"]["scope"]
        == "urn:globus:auth:scope:transfer.api.globus.org:all"
    )
    assert "auth.globus.org" in str(by_rs)
    check_tokens_usable(by_rs["auth.globus.org"]["access_token"], globus_local_user)


def test_advanced_2_refresh_tokens(native_app, keyboard, globus_local_user) -> None:
    ns = run_snippet(
        ADVANCED_2_LOGIN, {"globus_sdk": globus_sdk, "CLIENT_ID": native_app["client_id"]}
    )
    by_rs = ns["token_response"].by_resource_server
    assert all(data["refresh_token"] for data in by_rs.values())

    require_transfer_client()
    run_snippet(ADVANCED_2_AUTHORIZER, ns)
    authorizer = ns["authorizer"]
    assert isinstance(ns["tc"], globus_sdk.TransferClient)
    assert authorizer.get_authorization_header() == f"Bearer {ns['transfer_at']}"
    # when the access token expires, the refresh token gets a new one
    authorizer.expires_at = int(time.time()) - 1
    assert authorizer.get_authorization_header() != f"Bearer {ns['transfer_at']}"
