"""Token responses from Globus Auth's token endpoint, indexed the ways apps need them.

Auth issues one token per resource server: the first at the top level of the response and
the rest under ``other_tokens`` (or, for the dependent token grant, a plain list). Apps
want them by resource server or by scope, with absolute expiry times, so these views are
computed once when the response arrives.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
import typing as t
from collections.abc import Mapping

import jwt
from jwt.algorithms import RSAAlgorithm

from globus_sdk.exc import GlobusSDKUsageError
from globus_sdk.response import GlobusHTTPResponse

if t.TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from globus_sdk.services.auth.client.base import AuthClient

log = logging.getLogger(__name__)

#: Allowed clock skew (seconds) when checking an ID token's time claims.
ID_TOKEN_LEEWAY_SECONDS = 0.5


def _token_entry(token: t.Mapping[str, t.Any], now: float) -> dict[str, t.Any]:
    """One ``by_resource_server`` value: the token's fields plus its absolute expiry."""
    expires_in = token.get("expires_in")
    expires_at = int(now + expires_in) if isinstance(expires_in, (int, float)) else None
    return {
        "scope": token.get("scope"),
        "access_token": token.get("access_token"),
        "refresh_token": token.get("refresh_token"),
        "token_type": token.get("token_type"),
        "expires_at_seconds": expires_at,
        "resource_server": token.get("resource_server"),
    }


class _ByScopesGetter(Mapping[str, dict[str, t.Any]]):
    """Token data looked up by scope name, or by several space-separated scope names
    that are all granted on the same token."""

    def __init__(self, by_resource_server: t.Mapping[str, dict[str, t.Any]]) -> None:
        self._scope_map: dict[str, dict[str, t.Any]] = {}
        for token_data in by_resource_server.values():
            for scope in (token_data.get("scope") or "").split():
                self._scope_map[scope] = token_data

    def __getitem__(self, scopename: str) -> dict[str, t.Any]:
        if not isinstance(scopename, str):
            raise KeyError(f"by_scopes is indexed by scope strings, not {scopename!r}")
        scopes = scopename.split()
        tokens = []
        for scope in scopes:
            if scope not in self._scope_map:
                raise KeyError(
                    f'Scope specifier "{scopename}" contains scope "{scope}" which was not found'
                )
            tokens.append(self._scope_map[scope])
        if not tokens or any(tok is not tokens[0] for tok in tokens[1:]):
            raise KeyError(f'Scope specifier "{scopename}" did not match exactly one token')
        return tokens[0]

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._scope_map)

    def __len__(self) -> int:
        return len(self._scope_map)

    def __str__(self) -> str:
        return json.dumps(self._scope_map)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({sorted(self._scope_map)!r})"


class OAuthTokenResponse(GlobusHTTPResponse):
    """Class for responses from the OAuth2 code for tokens exchange used in
    3-legged OAuth flows (and the other grants of the token endpoint)."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._by_resource_server = self._build_by_resource_server(time.time())
        self._by_scopes = _ByScopesGetter(self._by_resource_server)

    def _token_documents(self) -> list[t.Mapping[str, t.Any]]:
        data = self.data
        if not isinstance(data, dict):
            return []
        others = data.get("other_tokens") or []
        return [data, *(tok for tok in others if isinstance(tok, dict))]

    def _build_by_resource_server(self, now: float) -> dict[str, dict[str, t.Any]]:
        return {
            tok["resource_server"]: _token_entry(tok, now)
            for tok in self._token_documents()
            if "resource_server" in tok
        }

    @property
    def by_resource_server(self) -> dict[str, dict[str, t.Any]]:
        """Representation of the token response in a dict indexed by resource server.

        Each value has ``scope``, ``access_token``, ``refresh_token``, ``token_type``,
        ``expires_at_seconds`` (POSIX time, from ``expires_in``) and ``resource_server``.
        """
        return self._by_resource_server

    @property
    def by_scopes(self) -> _ByScopesGetter:
        """Representation of the token response in a dict-like object indexed by
        scope name (or space-delimited scope names granted on the same token)."""
        return self._by_scopes

    def __str__(self) -> str:
        """The tokens by resource server: what a printed token response is read for."""
        return json.dumps(self.by_resource_server, indent=2)

    def _auth_client(self) -> AuthClient:
        client = self.client
        if client is None or not hasattr(client, "get_openid_configuration"):
            raise GlobusSDKUsageError(
                "this token response has no AuthClient to fetch the OpenID configuration "
                "and keys with"
            )
        return t.cast("AuthClient", client)

    def decode_id_token(
        self,
        openid_configuration: GlobusHTTPResponse | dict[str, t.Any] | None = None,
        jwk: RSAPublicKey | None = None,
        jwt_params: dict[str, t.Any] | None = None,
    ) -> dict[str, t.Any]:
        """Parse the included ID Token (OIDC) as a dict and return it, after verifying
        its signature, audience (this client's id) and expiry.

        If you provide the jwk, you must also provide openid_configuration.

        :param openid_configuration: The OIDC config as a GlobusHTTPResponse or dict.
            When not provided, it will be fetched automatically.
        :param jwk: The JWK as a cryptography public key object. When not provided, it
            will be fetched and parsed automatically.
        :param jwt_params: An optional dict of parameters to pass to the jwt decode
            step: PyJWT's options (``{"verify_exp": False}``), its keyword arguments
            (``leeway``, by default ``ID_TOKEN_LEEWAY_SECONDS``; ``issuer``) or an
            ``options`` dict.
        """
        if jwk is not None and openid_configuration is None:
            raise GlobusSDKUsageError(
                "decode_id_token: a jwk was given without openid_configuration; "
                "pass both or neither"
            )
        id_token = self.get("id_token")
        if not isinstance(id_token, str):
            raise GlobusSDKUsageError(
                "this token response has no id_token (request the 'openid' scope in a "
                "login flow to get one)"
            )
        client = self._auth_client()
        if openid_configuration is None:
            openid_configuration = client.get_openid_configuration()
        oidc_config = (
            openid_configuration.data
            if isinstance(openid_configuration, GlobusHTTPResponse)
            else openid_configuration
        )
        algorithms = oidc_config["id_token_signing_alg_values_supported"]
        if jwk is None:
            jwk = _signing_key(client, oidc_config, id_token)
        decode_kwargs: dict[str, t.Any] = {
            "key": jwk,
            "algorithms": algorithms,
            "audience": client.client_id,
            "leeway": ID_TOKEN_LEEWAY_SECONDS,
        }
        options = _split_jwt_params(jwt_params or {}, decode_kwargs)
        log.debug("decoding id_token with algorithms=%s", algorithms)
        return jwt.decode(id_token, options=t.cast(t.Any, options or None), **decode_kwargs)


#: ``jwt.decode`` keyword arguments a ``jwt_params`` entry may set (``leeway``,
#: ``issuer``...); read from PyJWT itself so its newer arguments are known too.
_DECODE_KEYWORDS = frozenset(
    name
    for name, param in inspect.signature(jwt.decode).parameters.items()
    if param.kind is inspect.Parameter.KEYWORD_ONLY
    or (param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name not in ("jwt", "options"))
)


def _split_jwt_params(
    jwt_params: t.Mapping[str, t.Any], decode_kwargs: dict[str, t.Any]
) -> dict[str, t.Any]:
    """Sort ``jwt_params`` for ``jwt.decode``: its keyword arguments go into
    ``decode_kwargs``, ``options`` and every other entry (``verify_exp``, ``require``...)
    into the returned options dict, as PyJWT 2 reads them."""
    options: dict[str, t.Any] = {}
    for name, value in jwt_params.items():
        if name == "options":
            options.update(value or {})
        elif name in _DECODE_KEYWORDS:
            decode_kwargs[name] = value
        else:
            options[name] = value
    return options


def _signing_key(client: AuthClient, oidc_config: dict[str, t.Any], id_token: str) -> t.Any:
    """The public key named by the token's ``kid`` header, else the first key of the set."""
    jwk_set = client.get_jwk(oidc_config, as_pem=False)
    keys = jwk_set.get("keys") or []
    if not keys:
        raise GlobusSDKUsageError("Globus Auth's JWK set has no keys")
    kid = jwt.get_unverified_header(id_token).get("kid")
    chosen = next((k for k in keys if kid is not None and k.get("kid") == kid), keys[0])
    return RSAAlgorithm.from_jwk(json.dumps(chosen))


class OAuthDependentTokenResponse(OAuthTokenResponse):
    """Class for responses from the OAuth2 code for tokens retrieved by the
    OAuth2 Dependent Token Extension Grant. Its body is a list of token documents."""

    def _token_documents(self) -> list[t.Mapping[str, t.Any]]:
        data = self.data
        if not isinstance(data, list):
            return []
        return [tok for tok in data if isinstance(tok, dict)]

    def decode_id_token(
        self,
        openid_configuration: GlobusHTTPResponse | dict[str, t.Any] | None = None,
        jwk: RSAPublicKey | None = None,
        jwt_params: dict[str, t.Any] | None = None,
    ) -> dict[str, t.Any]:
        """Dependent token responses never carry an ID token; this always fails."""
        raise NotImplementedError(
            "OAuthDependentTokenResponse.decode_id_token() cannot work: dependent token "
            "responses do not include an id_token"
        )
