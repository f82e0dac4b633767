"""Logging in to the web app through the platform's OAuth2 flow, in a real browser."""

from __future__ import annotations

import re
import typing as t

import requests

from globus_local.testing import LocalServer


def test_login_shows_the_users_identity_then_logout_ends_it(
    open_browser: t.Any, make_web_user: t.Any
) -> None:
    user = make_web_user("ada", name="Ada Lovelace")
    browser = open_browser()
    browser.login(user, start="/app/settings")
    page = browser.page
    assert page.url.endswith("/app/settings")
    assert page.locator("#identity").inner_text().count(user.id) == 1
    assert "Ada Lovelace" in page.locator(".account").inner_text()
    browser.shot("settings")

    page.click("#logout")
    page.wait_for_url(re.compile(r".*/auth/v2/web/logout"))
    assert "logged out" in page.content().lower()
    browser.goto("/app/settings")  # no session: back to the login page
    assert page.locator("#login-form").count() == 1


def test_keyboard_reaches_every_section_and_phone_width_has_a_menu(
    open_browser: t.Any, make_web_user: t.Any
) -> None:
    user = make_web_user()
    browser = open_browser(width=390, height=844)
    browser.login(user, start="/app/settings")
    page = browser.page
    assert not page.locator("nav.sections").is_visible()  # folded on a phone
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the menu toggle, opened with the space bar
    page.keyboard.press("Space")
    assert page.locator("nav.sections").is_visible()
    browser.shot("settings-phone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "File Manager"


def test_pages_need_a_login_and_refuse_forms_without_the_csrf_token(
    globus_local_server: LocalServer,
) -> None:
    base = globus_local_server.url.rstrip("/")
    answer = requests.get(base + "/app/settings", allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/auth/v2/oauth2/authorize?")
    # a form posted without a session goes to login; with a session but no token: 403
    answer = requests.post(base + "/app/logout", allow_redirects=False, timeout=30)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/app/login")


def test_logout_without_the_csrf_token_is_refused(
    globus_local_server: LocalServer, logged_in_http: t.Any
) -> None:
    http, _user = logged_in_http()
    base = globus_local_server.url.rstrip("/")
    refused = http.post(base + "/app/logout", data={}, allow_redirects=False, timeout=30)
    assert refused.status_code == 403
    assert "Form rejected" in refused.text
    forged = http.post(
        base + "/app/logout", data={"csrf_token": "x" * 32}, allow_redirects=False, timeout=30
    )
    assert forged.status_code == 403
    assert http.get(base + "/app/settings", allow_redirects=False, timeout=30).status_code == 200


def test_a_tampered_session_cookie_is_no_session(
    globus_local_server: LocalServer, logged_in_http: t.Any
) -> None:
    http, _user = logged_in_http()
    base = globus_local_server.url.rstrip("/")
    cookie = http.cookies.get("globus_local_app", path="/app")
    http.cookies.set("globus_local_app", cookie[:-4] + "AAAA", path="/app")
    answer = http.get(base + "/app/settings", allow_redirects=False, timeout=30)
    assert answer.status_code == 303  # sent to log in again


def test_the_callback_refuses_a_state_it_did_not_issue(globus_local_server: LocalServer) -> None:
    base = globus_local_server.url.rstrip("/")
    answer = requests.get(base + "/app/callback?code=abc&state=forged", timeout=30)
    assert answer.status_code == 400
    assert "Login not completed" in answer.text
