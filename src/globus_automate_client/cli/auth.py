"""Logging in for the command line and the ``create_*_client`` helpers, with a token cache.

Tokens live in ``~/.globus_automate_tokens.json`` (mode 0600), one entry per scope:
``{"access_token", "refresh_token", "expiration_time", "dependent_scopes"}``. Tokens for
an SDK environment other than production sit under the key ``"__<environment>"``, so
switching ``GLOBUS_SDK_ENVIRONMENT`` never sends one environment's tokens to another.
A scope with dependencies (``scope[dep]``) is served from the cache only if it was
granted with them. A missing token starts a Native App login on the terminal: the
authorize URL goes to stderr and the code is read from stdin.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import platform
import sys
import typing as t
from collections.abc import Callable, Iterable

from globus_automate_client.action_client import ActionClient
from globus_sdk.authorizers import AccessTokenAuthorizer, GlobusAuthorizer, RefreshTokenAuthorizer
from globus_sdk.exc import GlobusAPIError, GlobusSDKUsageError
from globus_sdk.services.auth import AuthClient, NativeAppAuthClient, OAuthTokenResponse

CLIENT_ID = "e6c75d97-532a-4c88-b031-8584a319fa3e"
CLIENT_NAME = "Globus Automate Command Line Interface"
AUTH_SCOPES = ["openid", "email", "profile"]
DEFAULT_TOKEN_FILE = pathlib.Path.home() / ".globus_automate_tokens.json"

_ENVIRONMENT_PREFIX = "__"
_PRODUCTION_NAMES = frozenset({"production", "prod", "default"})


def _base_scope(scope: str) -> str:
    return scope.split("[", 1)[0]


class TokenSet(t.NamedTuple):
    """The tokens granted for one scope, with the dependent scope strings they cover."""

    access_token: str
    refresh_token: str | None
    expiration_time: int | None
    dependent_scopes: set[str]


TokensByScope = dict[str, t.Any]  # scope -> TokenSet, or "__env" -> {scope -> TokenSet}


class TokenCache:
    """The token file, read and written whole."""

    def __init__(self, token_store: pathlib.Path | str) -> None:
        self.token_store = pathlib.Path(token_store)
        self.tokens: TokensByScope = {}
        self.modified = False

    @property
    def tokens_for_environment(self) -> dict[str, t.Any]:
        """The part of the cache for the current ``GLOBUS_SDK_ENVIRONMENT``."""
        environment = os.environ.get("GLOBUS_SDK_ENVIRONMENT")
        if environment is None or environment in _PRODUCTION_NAMES:
            return self.tokens
        section: dict[str, t.Any] = self.tokens.setdefault(_ENVIRONMENT_PREFIX + environment, {})
        return section

    def get_tokens(self, scope: str) -> TokenSet | None:
        tokens = self.tokens_for_environment.get(_base_scope(scope))
        if not isinstance(tokens, TokenSet):
            return None
        if "[" in scope and scope not in tokens.dependent_scopes:
            return None  # granted without these dependencies: a new consent is needed
        return tokens

    def set_tokens(self, scope: str, tokens: TokenSet) -> TokenSet:
        section = self.tokens_for_environment
        previous = section.get(scope)
        if isinstance(previous, TokenSet):
            tokens = tokens._replace(
                dependent_scopes=set(tokens.dependent_scopes) | previous.dependent_scopes
            )
        section[scope] = tokens
        self.modified = True
        return tokens

    def load_tokens(self) -> None:
        """Read the file (a missing file is an empty cache)."""
        try:
            contents = json.loads(self.token_store.read_text())
        except FileNotFoundError:
            return
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise OSError(
                f"The token cache {self.token_store} is corrupted; "
                "run `globus-automate session revoke` and try again"
            ) from None
        self.tokens = _from_file(contents)

    def save_tokens(self) -> None:
        """Write the file if anything changed, readable by its owner only."""
        if not self.modified:
            return
        fd = os.open(self.token_store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.chmod(self.token_store, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(_to_file(self.tokens), f, indent=2, sort_keys=True)
        self.modified = False

    def clear_tokens(
        self,
        environment_aware: bool = True,
        callback: Callable[[str, TokenSet], bool] | None = None,
    ) -> None:
        """Forget tokens (of this environment, unless told otherwise) for which
        ``callback`` (if given) returns True."""
        tokens = self.tokens_for_environment if environment_aware else self.tokens
        for scope, token_set in copy.copy(tokens).items():
            if scope.startswith(_ENVIRONMENT_PREFIX) or not isinstance(token_set, TokenSet):
                continue
            if callback is None or callback(scope, token_set):
                del tokens[scope]
                self.modified = True

    def update_from_oauth_token_response(
        self, token_response: OAuthTokenResponse, original_scopes: Iterable[str]
    ) -> dict[str, TokenSet]:
        """Store every token of a token response under each scope it was granted for."""
        dependent = {s for s in original_scopes if "[" in s}
        stored: dict[str, TokenSet] = {}
        for scope in token_response.by_scopes:
            data = token_response.by_scopes[scope]
            stored[scope] = self.set_tokens(
                scope,
                TokenSet(
                    access_token=data["access_token"],
                    refresh_token=data.get("refresh_token"),
                    expiration_time=data.get("expires_at_seconds"),
                    dependent_scopes=set(dependent),
                ),
            )
        self.save_tokens()
        return stored


def _from_file(contents: dict[str, t.Any]) -> TokensByScope:
    tokens: TokensByScope = {}
    for key, value in contents.items():
        if key.startswith(_ENVIRONMENT_PREFIX):
            tokens[key] = _from_file(value)
        else:
            tokens[key] = TokenSet(
                access_token=value["access_token"],
                refresh_token=value.get("refresh_token"),
                expiration_time=value.get("expiration_time"),
                dependent_scopes=set(value.get("dependent_scopes") or ()),
            )
    return tokens


def _to_file(tokens: TokensByScope) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    for key, value in tokens.items():
        if isinstance(value, TokenSet):
            out[key] = {**value._asdict(), "dependent_scopes": sorted(value.dependent_scopes)}
        else:
            out[key] = _to_file(value)
    return out


def _native_client(
    client_id: str = CLIENT_ID, client_name: str = CLIENT_NAME
) -> NativeAppAuthClient:
    return NativeAppAuthClient(client_id, app_name=client_name)


def _do_login_for_scopes(
    native_client: NativeAppAuthClient, scopes: list[str]
) -> OAuthTokenResponse:
    """Log in on the terminal: print the authorize URL to stderr, read the code on stdin."""
    host = platform.node()
    native_client.oauth2_start_flow(
        requested_scopes=scopes,
        refresh_tokens=True,
        prefill_named_grant=f"{CLIENT_NAME} on {host}" if host else CLIENT_NAME,
    )
    sys.stderr.write(
        "Please log into Globus here:\n"
        "----------------------------\n"
        f"{native_client.oauth2_get_authorize_url()}\n"
        "----------------------------\n"
        "Enter the resulting Authorization Code here: "
    )
    sys.stderr.flush()
    code = sys.stdin.readline().strip()
    if not code:
        raise GlobusSDKUsageError("No authorization code was entered; not logged in")
    return native_client.oauth2_exchange_code_for_tokens(code)


def get_authorizers_for_scopes(
    scopes: list[str],
    token_store: pathlib.Path | str | None = None,
    client_id: str = CLIENT_ID,
    client_name: str = CLIENT_NAME,
    no_login: bool = False,
) -> dict[str, GlobusAuthorizer]:
    """Authorizers for ``scopes`` from the cache, logging in once for all that are missing
    (unless ``no_login``); keyed by each scope and by its base scope."""
    cache = TokenCache(token_store or DEFAULT_TOKEN_FILE)
    cache.load_tokens()
    native_client = _native_client(client_id, client_name)
    token_sets: dict[str, TokenSet] = {}
    needed: list[str] = []
    for scope in scopes:
        found = cache.get_tokens(scope)
        if found is None:
            needed.append(scope)
        else:
            token_sets[scope] = found
    if needed and not no_login:
        response = _do_login_for_scopes(native_client, needed)
        token_sets.update(cache.update_from_oauth_token_response(response, scopes))

    authorizers: dict[str, GlobusAuthorizer] = {}
    for scope, token_set in token_sets.items():
        authorizer = _authorizer_for(token_set, scope, cache, native_client)
        authorizers[_base_scope(scope)] = authorizer
        authorizers[scope] = authorizer
    return authorizers


def _authorizer_for(
    token_set: TokenSet, scope: str, cache: TokenCache, native_client: NativeAppAuthClient
) -> GlobusAuthorizer:
    if token_set.refresh_token is None:
        return AccessTokenAuthorizer(token_set.access_token)

    def on_refresh(response: OAuthTokenResponse) -> None:
        cache.update_from_oauth_token_response(response, {scope})

    return RefreshTokenAuthorizer(
        token_set.refresh_token,
        native_client,
        access_token=token_set.access_token,
        expires_at=token_set.expiration_time,
        on_refresh=on_refresh,
    )


def get_authorizer_for_scope(scope: str, client_id: str = CLIENT_ID) -> GlobusAuthorizer | None:
    return get_authorizers_for_scopes([scope], client_id=client_id).get(_base_scope(scope))


def get_access_token_for_scope(scope: str) -> str | None:
    authorizer = get_authorizers_for_scopes([scope]).get(_base_scope(scope))
    token = getattr(authorizer, "access_token", None)
    return token if isinstance(token, str) else None


def logout(token_store: pathlib.Path | str = DEFAULT_TOKEN_FILE) -> bool:
    """Forget this environment's cached tokens."""
    cache = TokenCache(token_store)
    cache.load_tokens()
    cache.clear_tokens()
    cache.save_tokens()
    return True


def revoke_login(token_store: pathlib.Path | str = DEFAULT_TOKEN_FILE) -> bool:
    """Revoke this environment's cached tokens with Globus Auth, then forget them."""
    client = _native_client()
    cache = TokenCache(token_store)
    cache.load_tokens()

    def revoke(scope: str, token_set: TokenSet) -> bool:
        client.oauth2_revoke_token(token_set.access_token)
        if token_set.refresh_token:
            client.oauth2_revoke_token(token_set.refresh_token)
        return True

    cache.clear_tokens(callback=revoke)
    cache.save_tokens()
    return True


def get_current_user(
    no_login: bool = False, token_store: pathlib.Path | str = DEFAULT_TOKEN_FILE
) -> dict[str, t.Any] | None:
    """The logged-in user's userinfo, or None when ``no_login`` and nobody is logged in."""
    authorizers = get_authorizers_for_scopes(
        AUTH_SCOPES, token_store=token_store, no_login=no_login
    )
    if "openid" not in authorizers:
        return None
    info = AuthClient(authorizer=authorizers["openid"]).oauth2_userinfo().data
    return info if isinstance(info, dict) else None


def get_cli_authorizer(
    action_url: str, action_scope: str | None, client_id: str = CLIENT_ID
) -> GlobusAuthorizer | None:
    """An authorizer for ``action_scope`` from the cache or a login; with no scope, the
    provider is introspected for it (which works if it is visible to the public)."""
    if action_scope is None:
        try:
            action_scope = ActionClient.new_client(action_url, None).action_scope
        except GlobusAPIError:
            action_scope = None
    if not action_scope:
        return None
    return get_authorizer_for_scope(action_scope, client_id)
