"""The command line's token cache: its file, its environments and dependent scopes."""

from __future__ import annotations

import json
import os
import pathlib
import stat

import pytest

from globus_automate_client.cli.auth import TokenCache, TokenSet, get_authorizers_for_scopes

SCOPE = "https://auth.globus.org/scopes/actions.globus.org/hello_world"


def _tokens(access: str, dependent: set[str] | None = None) -> TokenSet:
    return TokenSet(access, None, 4102444800, dependent or set())


def test_file_format_and_mode(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLOBUS_SDK_ENVIRONMENT", raising=False)
    path = tmp_path / "tokens.json"
    cache = TokenCache(path)
    cache.set_tokens(SCOPE, _tokens("AT1", {f"{SCOPE}[dep]"}))
    cache.save_tokens()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        SCOPE: {
            "access_token": "AT1",
            "refresh_token": None,
            "expiration_time": 4102444800,
            "dependent_scopes": [f"{SCOPE}[dep]"],
        }
    }
    again = TokenCache(path)
    again.load_tokens()
    assert again.get_tokens(SCOPE) == cache.get_tokens(SCOPE)
    # a scope asked for with dependencies it was not granted with needs a new login
    assert again.get_tokens(f"{SCOPE}[dep]") is not None
    assert again.get_tokens(f"{SCOPE}[other]") is None


def test_each_environment_has_its_own_section(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "local")
    cache = TokenCache(path)
    cache.set_tokens(SCOPE, _tokens("LOCAL"))
    cache.save_tokens()
    assert list(json.loads(path.read_text())) == ["__local"]
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "production")
    production = TokenCache(path)
    production.load_tokens()
    assert production.get_tokens(SCOPE) is None
    # cached tokens are served without a login
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "local")
    authorizers = get_authorizers_for_scopes([SCOPE], token_store=path, no_login=True)
    assert authorizers[SCOPE].get_authorization_header() == "Bearer LOCAL"
    assert get_authorizers_for_scopes(["openid"], token_store=path, no_login=True) == {}
    cache.clear_tokens()
    cache.save_tokens()
    assert json.loads(path.read_text()) == {"__local": {}}


def test_a_corrupt_file_says_how_to_recover(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(OSError, match="session revoke"):
        TokenCache(path).load_tokens()
