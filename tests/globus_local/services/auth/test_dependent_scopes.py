"""Dependent scopes in brackets (``scope[dep *optional[nested]]``): one parser for the
authorize request, every token grant and the admin commands; each dependency must be one
its parent declares; the consent page shows them; withdrawing consent revokes what
services hold through them."""

from __future__ import annotations

import pytest

from globus_local.kit.errors import ServiceError
from globus_local.services.auth import admin
from globus_local.services.auth.scope_requests import ScopeRequest, parse_scope_requests
from globus_local.services.auth.scopes import (
    AUTH_VIEW_IDENTITY_SET,
    GROUPS_ALL,
    TIMER,
    TIMER_CLIENT_ID,
    TIMER_RS,
    TRANSFER_ALL,
    TRANSFER_RS,
)
from globus_local.services.auth.service_tokens import acting_client, dependent_tokens, refreshed
from tests.support.platform import basic, query_of, token_document

from .support import AUTH_CODE_PAGE, AuthApp

# What the newest globus-cli asks for at `globus login`.
CLI_LOGIN = (
    f"openid profile email {AUTH_VIEW_IDENTITY_SET} {TRANSFER_ALL} {GROUPS_ALL} "
    f"{TIMER}[{TRANSFER_ALL}]"
)


def test_the_parser_reads_nested_and_optional_dependencies() -> None:
    parsed = parse_scope_requests(f"openid  a[b *c[d e]] a[f] {TIMER}[{TRANSFER_ALL}]")
    assert [r.scope for r in parsed] == ["openid", "a", TIMER]
    a = parsed[1]
    assert [str(d) for d in a.dependencies] == ["b", "*c[d e]", "f"]
    assert a.dependencies[1] == ScopeRequest("c", True, (ScopeRequest("d"), ScopeRequest("e")))
    assert str(parsed[2]) == f"{TIMER}[{TRANSFER_ALL}]"
    assert parse_scope_requests(["x", "y[z]"])[1].dependencies == (ScopeRequest("z"),)


@pytest.mark.parametrize("bad", ["a[b", "a]", "*a", "a[]", "a[*]", "a[b]]", "[a]"])
def test_malformed_brackets_are_invalid_scope(bad: str) -> None:
    with pytest.raises(ServiceError) as caught:
        parse_scope_requests(bad)
    assert caught.value.extra["error"] == "invalid_scope"
    assert caught.value.message.startswith("Malformed scope string")


def test_the_newest_cli_login_through_the_pages(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code_page = auth_app.authorize(
        client_id=client["client_id"],
        redirect_uri=AUTH_CODE_PAGE,
        scope=CLI_LOGIN,
        response_type="code",
        code_challenge="x" * 43,
        code_challenge_method="S256",
    )
    consent = auth_app.submit(
        code_page, "login-form", username=user["username"], password=user["password"]
    )
    assert consent.status_code == 200 and "consent-form" in consent.text
    # The Timers scope is shown with Transfer as what it will use on the user's behalf.
    timer_item = consent.text.split(TIMER, 1)[1]
    assert "which will, on your behalf" in timer_item.split("</li>", 1)[0]
    assert TRANSFER_ALL in timer_item.split("</ul>", 1)[0]

    tokens = auth_app.native_tokens(
        user["username"], client["client_id"], CLI_LOGIN, access_type="offline"
    )
    timer_doc = token_document(tokens, TIMER_RS)
    assert timer_doc["scope"] == TIMER  # the bare scope: dependencies live in the consent
    assert token_document(tokens, TRANSFER_RS)["scope"] == TRANSFER_ALL
    # Timers, as its own client, gets a Transfer refresh token from the user's Timers token.
    with auth_app.db.session() as session:
        docs = dependent_tokens(
            session,
            auth_app.settings,
            acting_client(TIMER_CLIENT_ID, "Timers"),
            timer_doc["access_token"],
            scope=TRANSFER_ALL,
        )
        assert [d["resource_server"] for d in docs] == [TRANSFER_RS] and docs[0]["refresh_token"]
        refreshed(
            session,
            auth_app.settings,
            acting_client(TIMER_CLIENT_ID, "Timers"),
            docs[0]["refresh_token"],
        )
        held = docs[0]["refresh_token"]

    # Withdrawing the consent to the CLI's client revokes Timers' dependent token too.
    assert admin.revoke_consent(auth_app.db, user["username"], client["client_id"]) >= 3
    with auth_app.db.session() as session, pytest.raises(ServiceError):
        refreshed(session, auth_app.settings, acting_client(TIMER_CLIENT_ID, "Timers"), held)


def test_a_remembered_consent_covers_the_same_dependencies_only(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    params = {
        "client_id": client["client_id"],
        "redirect_uri": "https://app.example.org/callback",
        "response_type": "code",
        "scope": f"{TIMER}[{TRANSFER_ALL}]",
    }
    assert "code" in query_of(auth_app.login_and_consent(user["username"], **params))
    # The same request again: no consent page.
    again = auth_app.authorize(**params)
    assert again.status_code == 302 and "code" in query_of(again.headers["location"])


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (f"{TIMER}[{GROUPS_ALL}]", "is not a dependent scope of"),
        (f"{TIMER}[https://auth.globus.org/scopes/nope/data_access]", "Unknown scope"),
        (f"{TIMER}[{TRANSFER_ALL}", "Malformed"),
    ],
)
def test_authorize_refuses_undeclared_unknown_and_malformed_dependencies(
    auth_app: AuthApp, scope: str, message: str
) -> None:
    client = auth_app.confidential_client()
    r = auth_app.authorize(
        client_id=client["client_id"],
        redirect_uri="https://app.example.org/callback",
        response_type="code",
        scope=scope,
    )
    assert r.status_code in (302, 303), r.text
    q = query_of(r.headers["location"])
    assert q["error"] == "invalid_scope" and message in q["error_description"]


def test_client_credentials_take_brackets(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    auth = basic(client["client_id"], client["client_secret"])
    r = auth_app.token(
        {"grant_type": "client_credentials", "scope": f"{TIMER}[{TRANSFER_ALL}]"}, auth
    )
    assert r.status_code == 200, r.text
    assert r.json()["resource_server"] == TIMER_RS and r.json()["scope"] == TIMER
    bad = auth_app.token(
        {"grant_type": "client_credentials", "scope": f"{TIMER}[{GROUPS_ALL}]"}, auth
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_scope"


def test_the_dependent_grant_takes_brackets(auth_app: AuthApp) -> None:
    user = auth_app.user()
    timer_token = admin.issue_token(auth_app.db, user["username"], [TIMER])["access_token"]
    other = auth_app.confidential_client()
    r = auth_app.token(
        {
            "grant_type": "urn:globus:auth:grant_type:dependent_token",
            "token": timer_token,
            "scope": f"{TRANSFER_ALL}",
        },
        basic(other["client_id"], other["client_secret"]),
    )
    # Only the resource server the token was issued for may exchange it.
    assert r.status_code == 401 and r.json()["error"] == "invalid_grant", r.text
    with auth_app.db.session() as session, pytest.raises(ServiceError) as caught:
        dependent_tokens(
            session,
            auth_app.settings,
            acting_client(TIMER_CLIENT_ID, "Timers"),
            timer_token,
            scope=f"{TRANSFER_ALL}[{GROUPS_ALL}]",
        )
    assert caught.value.extra.get("error") == "invalid_scope"
