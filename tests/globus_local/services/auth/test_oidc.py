"""OIDC discovery, JWKS, the persistent signing key and RS512 id_tokens."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.services.auth import oidc

from .support import ROOT, AuthApp


def test_discovery_document_has_absolute_local_urls(auth_app: AuthApp) -> None:
    doc = auth_app.client.get("/auth/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://127.0.0.1:8700/auth"
    assert doc["jwks_uri"] == "http://127.0.0.1:8700/auth/jwk.json"
    assert doc["token_endpoint"] == "http://127.0.0.1:8700/auth/v2/oauth2/token"
    assert doc["authorization_endpoint"] == "http://127.0.0.1:8700/auth/v2/oauth2/authorize"
    assert doc["userinfo_endpoint"].endswith("/auth/v2/oauth2/userinfo")
    assert doc["id_token_signing_alg_values_supported"] == ["RS512"]
    # Also served at the platform root.
    assert auth_app.client.get("/.well-known/openid-configuration").json() == doc


def test_public_url_drives_discovery(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        public_url="https://globus.example.org/base/",
    )
    app = create_app(settings)
    with TestClient(app, base_url=ROOT) as client:
        doc = client.get("/auth/.well-known/openid-configuration").json()
    assert doc["jwks_uri"] == "https://globus.example.org/base/auth/jwk.json"
    app.state.db.dispose()


def test_signing_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app(settings)
    with TestClient(app, base_url=ROOT) as client:
        first = client.get("/auth/jwk.json").json()["keys"][0]
    key_file = tmp_path / oidc.KEY_FILENAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["alg"] == "RS512" and first["kty"] == "RSA" and first["use"] == "sig"
    assert first["e"] == "AQAB"
    # A restarted process (empty cache) reads the same key back.
    oidc._cache.clear()
    assert oidc.jwks(settings)["keys"][0]["n"] == first["n"]
    app.state.db.dispose()


def test_id_token_verifies_against_jwks(auth_app: AuthApp) -> None:
    user = auth_app.user(name="Ida", email="ida@example.org")
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"], "openid profile email")
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS512" and header["typ"] == "JWT"
    jwk = auth_app.client.get("/auth/jwk.json").json()["keys"][0]
    key = jwt.PyJWK.from_dict(jwk).key
    config = auth_app.client.get("/auth/.well-known/openid-configuration").json()
    claims = jwt.decode(
        tokens["id_token"],
        key=key,
        algorithms=config["id_token_signing_alg_values_supported"],
        audience=native["client_id"],
        issuer=config["issuer"],
    )
    assert claims["sub"] == user["id"] and claims["preferred_username"] == user["username"]
    assert claims["name"] == "Ida" and claims["email"] == "ida@example.org"
    assert claims["identity_set"][0]["sub"] == user["id"]
    assert claims["at_hash"] == oidc.at_hash(tokens["access_token"])
    assert claims["exp"] > claims["iat"]
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(tokens["id_token"], key=key, algorithms=["RS512"], audience="someone-else")


def test_no_id_token_without_openid(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"], "profile email")
    assert "id_token" not in tokens
