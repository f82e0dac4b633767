"""The scope table: parsing, built-ins, run-time registration."""

from __future__ import annotations

import pytest

from globus_local.kit.errors import ServiceError
from globus_local.services.auth import scopes
from globus_local.services.auth.scopes import (
    FLOWS_ALL,
    TRANSFER_ALL,
    group_by_resource_server,
    lookup_scopes,
    register_scope,
    resolve_scopes,
    split_scopes,
)
from tests.support.platform import basic, query_of

from .support import AuthApp


def test_split_scopes() -> None:
    assert split_scopes("openid  profile\topenid") == ["openid", "profile"]
    assert split_scopes(
        f"{TRANSFER_ALL}[*https://auth.globus.org/scopes/x/data_access y] email"
    ) == [
        TRANSFER_ALL,
        "email",
    ]
    assert split_scopes(["a", "b c"]) == ["a", "b", "c"]
    assert split_scopes(None) == [] and split_scopes("") == []


def test_globus_scope_strings() -> None:
    assert scopes.TRANSFER_ALL == "urn:globus:auth:scope:transfer.api.globus.org:all"
    assert scopes.GROUPS_VIEW == (
        "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
    )
    assert scopes.SEARCH_INGEST == "urn:globus:auth:scope:search.api.globus.org:ingest"
    assert scopes.FLOWS_RUN == (
        "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/run"
    )
    assert scopes.BUILTIN_SCOPES[FLOWS_ALL].resource_server == "flows.globus.org"
    assert TRANSFER_ALL in scopes.BUILTIN_SCOPES[FLOWS_ALL].dependencies


def test_register_and_resolve(auth_app: AuthApp) -> None:
    with auth_app.db.session() as s:
        s1 = register_scope(s, "actions.globus.org", "hello_world")
        assert s1 == "https://auth.globus.org/scopes/actions.globus.org/hello_world"
        s2 = register_scope(s, "ep-1", "manage_collections", urn=True)
        assert s2 == "urn:globus:auth:scope:ep-1:manage_collections"
        # Idempotent; dependencies are replaced.
        register_scope(s, "actions.globus.org", "hello_world", dependencies=[TRANSFER_ALL])
        register_scope(s, "actions.globus.org", "hello_world", dependencies=[TRANSFER_ALL])
    with auth_app.db.session() as s:
        found = lookup_scopes(s, [s1, s2, "openid", "urn:nope"])
        assert set(found) == {s1, s2, "openid"}
        assert found[s1].dependencies == (TRANSFER_ALL,)
        infos = resolve_scopes(s, ["openid", s1, TRANSFER_ALL, "email"])
        assert group_by_resource_server(reversed(infos)) == {
            "auth.globus.org": ["email", "openid"],
            "transfer.api.globus.org": [TRANSFER_ALL],
            "actions.globus.org": [s1],
        }
        with pytest.raises(ServiceError) as info:
            resolve_scopes(s, ["openid", "urn:nope"])
        assert info.value.extra["error"] == "invalid_scope" and info.value.http_status == 400


def test_registered_scope_is_grantable(auth_app: AuthApp) -> None:
    with auth_app.db.session() as s:
        scope = register_scope(s, "actions.globus.org", "hello_world")
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"], f"openid {scope}")
    other = tokens["other_tokens"][0]
    assert other["resource_server"] == "actions.globus.org" and other["scope"] == scope


def test_scope_holding_nul_is_invalid_scope(auth_app: AuthApp) -> None:
    """A scope holding a NUL names no scope: ``invalid_scope``, also on PostgreSQL, which
    refuses to compare such text (found by schemathesis)."""
    portal = auth_app.confidential_client()
    headers = basic(portal["client_id"], portal["client_secret"])
    grant = {"grant_type": "client_credentials", "scope": "openid \x00"}
    r = auth_app.token(grant, headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope", r.text
    r = auth_app.authorize(
        client_id=portal["client_id"],
        redirect_uri=portal["redirect_uris"][0],
        scope="openid \x00",
        response_type="code",
    )
    assert r.status_code == 302, r.text
    assert query_of(r.headers["location"])["error"] == "invalid_scope"
