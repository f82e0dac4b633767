"""Settings: identity, consents and registered apps, in a real browser and over the API."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import globus_sdk
from globus_local.testing import LocalServer


def _notice(page: t.Any) -> str:
    return str(page.locator(".notice").inner_text())


def test_register_an_app_and_use_its_secret_then_delete_it(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    browser = open_browser()
    browser.login(make_web_user("dev"), start="/app/settings")
    page = browser.page
    assert "registered no apps" in page.locator("#apps").inner_text()
    browser.shot("settings-empty")

    page.fill("#app-name", "Nightly sync")
    page.click("#new-app button[type=submit]")
    page.wait_for_selector(".notice.ok")
    found = re.search(r"client id ([0-9a-f-]{36}).*shown only now: (\S+)", _notice(page))
    assert found, _notice(page)
    client_id, secret = found.groups()
    browser.shot("settings-app-registered")

    # the secret works: a client_credentials grant as that app
    auth = globus_sdk.ConfidentialAppAuthClient(client_id, secret)
    tokens = auth.oauth2_client_credentials_tokens(requested_scopes="openid")
    assert tokens.by_resource_server["auth.globus.org"]["access_token"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#app-{client_id} form[action$='/delete'] button")
    page.wait_for_selector(".notice.ok")
    assert "App deleted" in _notice(page)
    with pytest.raises(globus_sdk.AuthAPIError):
        auth.oauth2_client_credentials_tokens(requested_scopes="openid")


def test_a_second_secret_and_deleting_the_first(open_browser: t.Any, make_web_user: t.Any) -> None:
    browser = open_browser()
    browser.login(make_web_user("dev"), start="/app/settings")
    page = browser.page
    page.fill("#app-name", "Two secrets")
    page.click("#new-app button[type=submit]")
    page.wait_for_selector(".notice.ok")
    client_id, first = re.findall(
        r"client id ([0-9a-f-]{36}).*shown only now: (\S+)", _notice(page)
    )[0]
    page.click(f"#app-{client_id} form[action$='/secrets'] button")
    page.wait_for_selector(".notice.ok")
    second = re.findall(r"shown only now: (\S+)", _notice(page))[0]
    rows = page.locator(f"#app-{client_id} tbody tr")
    assert rows.count() == 2
    browser.shot("settings-two-secrets")
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.locator("button").click()
    page.wait_for_selector(".notice.ok")
    assert page.locator(f"#app-{client_id} tbody tr").count() == 1
    with pytest.raises(globus_sdk.AuthAPIError):
        globus_sdk.ConfidentialAppAuthClient(client_id, first).oauth2_client_credentials_tokens()
    ok = globus_sdk.ConfidentialAppAuthClient(client_id, second).oauth2_client_credentials_tokens()
    assert ok.by_resource_server


def test_withdrawing_a_consent_revokes_that_apps_tokens(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    user = make_web_user("consenting")
    app = globus_local_server.create_client("native", "Plotting script")
    native = globus_sdk.NativeAppAuthClient(app["client_id"])
    native.oauth2_start_flow(requested_scopes="openid profile")
    redirect = globus_local_server.login(
        native.oauth2_get_authorize_url(), user.username, user.password
    )
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    token = native.oauth2_exchange_code_for_tokens(code).by_resource_server["auth.globus.org"]
    userinfo = globus_local_server.url + "auth/v2/oauth2/userinfo"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(userinfo, headers=bearer, timeout=30).status_code == 200

    browser = open_browser()
    browser.login(user, start="/app/settings")
    page = browser.page
    consents = page.locator("#consents")
    assert "Plotting script" in consents.inner_text()
    assert "Globus Web App" in consents.inner_text()
    browser.shot("settings-consents")
    page.once("dialog", lambda dialog: dialog.accept())
    consents.locator("tr", has_text="Plotting script").locator("button").click()
    page.wait_for_selector(".notice.ok")
    assert "Plotting script" not in page.locator("#consents").inner_text()
    assert requests.get(userinfo, headers=bearer, timeout=30).status_code == 401


def test_consents_and_apps_are_each_users_own(
    globus_local_server: LocalServer, make_web_user: t.Any, logged_in_http: t.Any
) -> None:
    owner, other = make_web_user("owner"), make_web_user("other")
    owner_http, _ = logged_in_http(owner)
    base = globus_local_server.url.rstrip("/")
    page = owner_http.get(base + "/app/settings", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    made = owner_http.post(
        base + "/app/settings/apps",
        data={"csrf_token": csrf, "name": "Owner's private app", "kind": "confidential"},
        timeout=30,
    )
    assert "Owner&#39;s private app" in made.text or "Owner's private app" in made.text
    client_id = re.search(r'id="app-([0-9a-f-]{36})"', made.text).group(1)  # type: ignore[union-attr]

    other_http, _ = logged_in_http(other)
    theirs = other_http.get(base + "/app/settings", timeout=30).text
    assert "Owner's private app" not in theirs and client_id not in theirs
    csrf_other = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)  # type: ignore[union-attr]
    refused = other_http.post(
        base + f"/app/settings/apps/{client_id}/delete", data={"csrf_token": csrf_other}, timeout=30
    )
    assert "Not allowed to manage this client" in refused.text
    # the API keeps identities' consents to themselves
    token = globus_local_server.token(other.username, "openid")["access_token"]
    answer = requests.get(
        base + f"/auth/v2/api/identities/{owner.id}/consents",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 403
    assert client_id in owner_http.get(base + "/app/settings", timeout=30).text


def test_settings_forms_refuse_a_missing_csrf_token(
    globus_local_server: LocalServer, logged_in_http: t.Any
) -> None:
    http, _user = logged_in_http()
    base = globus_local_server.url.rstrip("/")
    refused = http.post(
        base + "/app/settings/apps", data={"name": "Sneaky", "kind": "confidential"}, timeout=30
    )
    assert refused.status_code == 403
    assert "Sneaky" not in http.get(base + "/app/settings", timeout=30).text
