from __future__ import annotations

import uuid

import pytest

from globus_sdk.scopes import (
    AuthScopes,
    GCSCollectionScopeBuilder,
    GCSEndpointScopeBuilder,
    GroupsScopes,
    NexusScopes,
    ScopeBuilder,
    SearchScopes,
    TransferScopes,
)


def test_scope_string_formats():
    sb = ScopeBuilder("transfer.api.globus.org")
    assert sb.resource_server == "transfer.api.globus.org"
    assert sb.urn_scope_string("all") == "urn:globus:auth:scope:transfer.api.globus.org:all"
    assert (
        ScopeBuilder("actions.globus.org").url_scope_string("hello_world")
        == "https://auth.globus.org/scopes/actions.globus.org/hello_world"
    )


def test_known_scopes_become_attributes():
    sb = ScopeBuilder("rs.example.org", known_scopes=["read", "write"])
    assert sb.read == "urn:globus:auth:scope:rs.example.org:read"
    assert sb.write == "urn:globus:auth:scope:rs.example.org:write"
    with pytest.raises(AttributeError):
        _ = sb.delete
    assert not hasattr(sb, "delete")


def test_known_url_scopes_become_attributes():
    sb = ScopeBuilder("abc", known_scopes=["a"], known_url_scopes=["b"])
    assert sb.a == "urn:globus:auth:scope:abc:a"
    assert sb.b == "https://auth.globus.org/scopes/abc/b"


def test_str_lists_resource_server_and_scopes():
    text = str(ScopeBuilder("rs.example.org", known_scopes=["read"]))
    assert "rs.example.org" in text
    assert "read" in text
    assert "urn:globus:auth:scope:rs.example.org:read" in text
    assert "rs.example.org" in repr(ScopeBuilder("rs.example.org"))


def test_gcs_endpoint_scope_builder():
    sb = GCSEndpointScopeBuilder("xyz")
    assert isinstance(sb, ScopeBuilder)
    assert sb.manage_collections == "urn:globus:auth:scope:xyz:manage_collections"
    assert "manage_collections" in str(sb)


def test_gcs_collection_scope_builder_accepts_uuid():
    cid = uuid.UUID("5f3a4a5e-1111-4222-8333-444455556666")
    sb = GCSCollectionScopeBuilder(cid)
    assert sb.resource_server == str(cid)
    assert sb.data_access == f"https://auth.globus.org/scopes/{cid}/data_access"
    assert sb.https == f"https://auth.globus.org/scopes/{cid}/https"
    assert "data_access" in str(sb)


def test_auth_scopes():
    assert AuthScopes.resource_server == "auth.globus.org"
    assert AuthScopes.openid == "openid"
    assert AuthScopes.email == "email"
    assert AuthScopes.profile == "profile"
    prefix = "urn:globus:auth:scope:auth.globus.org:"
    for name in [
        "view_authentications",
        "view_clients",
        "view_clients_and_scopes",
        "view_identities",
        "view_identity_set",
    ]:
        assert getattr(AuthScopes, name) == prefix + name
    assert "openid" in str(AuthScopes)


@pytest.mark.parametrize(
    "builder, resource_server, names",
    [
        (GroupsScopes, "groups.api.globus.org", ["all", "view_my_groups_and_memberships"]),
        (NexusScopes, "nexus.api.globus.org", ["groups"]),
        (
            SearchScopes,
            "search.api.globus.org",
            ["all", "globus_connect_server", "ingest", "search"],
        ),
        (TransferScopes, "transfer.api.globus.org", ["all", "gcp_install", "monitor_ongoing"]),
    ],
)
def test_service_scope_constants(builder, resource_server, names):
    assert builder.resource_server == resource_server
    for name in names:
        assert getattr(builder, name) == f"urn:globus:auth:scope:{resource_server}:{name}"


def test_transfer_all_exact():
    assert TransferScopes.all == "urn:globus:auth:scope:transfer.api.globus.org:all"
