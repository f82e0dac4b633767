"""Example "Three Legged OAuth with Flask", run verbatim with Flask's test client.

The example's files are written out as the example says (``example_app.conf`` and
``example_app.py`` built from the "Shared Utilities", "Login" and "Logout" sections) and
the app is imported from there. The browser is Flask's test client for the app, and the
platform's login form for Globus Auth.
"""

from __future__ import annotations

import importlib
import sys
import typing as t
import urllib.parse

import pytest

import globus_sdk

flask = pytest.importorskip("flask")

EXAMPLE_APP_CONF = """
SERVER_NAME = "localhost:5000"
# this is the session secret, used to protect the Flask session. You should
# use a longer secret string known only to your application
# details are beyond the scope of this example
SECRET_KEY = "abc123!"

APP_CLIENT_ID = "<CLIENT_ID>"
APP_CLIENT_SECRET = "<CLIENT_SECRET>"
"""

SHARED_UTILITIES = """
from flask import Flask, url_for, session, redirect, request
import globus_sdk

app = Flask(__name__)
app.config.from_pyfile("example_app.conf")

# actually run the app if this is called as a script
if __name__ == "__main__":
    app.run()

def load_app_client():
    return globus_sdk.ConfidentialAppAuthClient(
        app.config["APP_CLIENT_ID"], app.config["APP_CLIENT_SECRET"]
    )
"""

LOGIN = '''
@app.route("/")
def index():
    """
    This could be any page you like, rendered by Flask.
    For this simple example, it will either redirect you to login, or print
    a simple message.
    """
    if not session.get("is_authenticated"):
        return redirect(url_for("login"))
    return "You are successfully logged in!"

@app.route("/login")
def login():
    """
    Login via Globus Auth.
    May be invoked in one of two scenarios:

      1. Login is starting, no state in Globus Auth yet
      2. Returning to application during login, already have short-lived
         code from Globus Auth to exchange for tokens, encoded in a query
         param
    """
    # the redirect URI, as a complete URI (not relative path)
    redirect_uri = url_for("login", _external=True)

    client = load_app_client()
    client.oauth2_start_flow(redirect_uri)

    # If there's no "code" query string parameter, we're in this route
    # starting a Globus Auth login flow.
    # Redirect out to Globus Auth
    if "code" not in request.args:
        auth_uri = client.oauth2_get_authorize_url()
        return redirect(auth_uri)
    # If we do have a "code" param, we're coming back from Globus Auth
    # and can start the process of exchanging an auth code for a token.
    else:
        code = request.args.get("code")
        tokens = client.oauth2_exchange_code_for_tokens(code)

        # store the resulting tokens in the session
        session.update(tokens=tokens.by_resource_server, is_authenticated=True)
        return redirect(url_for("index"))
'''

LOGOUT = '''
@app.route("/logout")
def logout():
    """
    - Revoke the tokens with Globus Auth.
    - Destroy the session state.
    - Redirect the user to the Globus Auth logout page.
    """
    client = load_app_client()

    # Revoke the tokens with Globus Auth
    for token in (
        token_info["access_token"] for token_info in session["tokens"].values()
    ):
        client.oauth2_revoke_token(token)

    # Destroy the session state
    session.clear()

    # the return redirection location to give to Globus AUth
    redirect_uri = url_for("index", _external=True)

    # build the logout URI with query params
    # there is no tool to help build this (yet!)
    globus_logout_url = (
        "https://auth.globus.org/v2/web/logout"
        + "?client={}".format(app.config["PORTAL_CLIENT_ID"])
        + "&redirect_uri={}".format(redirect_uri)
        + "&redirect_name=Globus Example App"
    )

    # Redirect the user to the Globus Auth logout page
    return redirect(globus_logout_url)
'''

# The documented logout reads app.config["PORTAL_CLIENT_ID"], which the documented conf
# file never defines (a slip in the example); the conf gets that one extra line.
CONF_ERRATUM = "PORTAL_CLIENT_ID = APP_CLIENT_ID\n"


@pytest.fixture
def example_app(tmp_path, monkeypatch, confidential_app) -> t.Any:
    conf = EXAMPLE_APP_CONF.replace("<CLIENT_ID>", confidential_app["client_id"]).replace(
        "<CLIENT_SECRET>", confidential_app["client_secret"]
    )
    (tmp_path / "example_app.conf").write_text(conf + CONF_ERRATUM)
    (tmp_path / "example_app.py").write_text(SHARED_UTILITIES + LOGIN + LOGOUT)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "example_app", raising=False)
    module = importlib.import_module("example_app")
    yield module.app
    sys.modules.pop("example_app", None)


def test_three_legged_oauth(example_app, globus_local_server, globus_local_user, confidential_app):
    browser = example_app.test_client()

    # not logged in: the index sends us to /login, which sends us to Globus Auth
    resp = browser.get("/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/login")
    resp = browser.get("/login")
    assert resp.status_code == 302
    authorize_url = resp.headers["Location"]
    assert authorize_url.startswith(globus_sdk.AuthClient().base_url + "v2/oauth2/authorize?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize_url).query)
    assert query["redirect_uri"] == ["http://localhost:5000/login"]
    assert query["client_id"] == [confidential_app["client_id"]]

    # the user logs in at Globus Auth, which redirects back to the app with a code
    back = globus_local_server.login(
        authorize_url, globus_local_user["username"], globus_local_user["password"]
    )
    parts = urllib.parse.urlsplit(back)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://localhost:5000/login"
    resp = browser.get(f"/login?{parts.query}")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/")
    resp = browser.get("/")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "You are successfully logged in!"

    with browser.session_transaction() as session:
        tokens = session["tokens"]
    assert set(tokens) == {"auth.globus.org", "transfer.api.globus.org"}
    auth_token = tokens["auth.globus.org"]["access_token"]
    ac = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(auth_token))
    assert ac.oauth2_userinfo()["sub"] == globus_local_user["id"]

    # logout revokes the tokens and clears the session
    resp = browser.get("/logout")
    assert resp.status_code == 302
    logout = urllib.parse.urlsplit(resp.headers["Location"])
    assert logout.path == "/v2/web/logout"
    assert f"client={confidential_app['client_id']}" in logout.query
    app_client = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    for info in tokens.values():
        assert app_client.oauth2_validate_token(info["access_token"])["active"] is False
    resp = browser.get("/")
    assert resp.status_code == 302  # logged out again
