"""The abstract OAuth2 flow manager and helpers shared by the concrete flows."""

from __future__ import annotations

import abc
import typing as t
import urllib.parse

from globus_sdk import utils
from globus_sdk.services.auth.oauth2_constants import DEFAULT_REQUESTED_SCOPES

if t.TYPE_CHECKING:
    from globus_sdk.services.auth.client.base import AuthClient
    from globus_sdk.services.auth.response import OAuthTokenResponse


def scopes_to_str(scopes: t.Iterable[t.Any] | str | None) -> str:
    """Space-separated scope string from a string or an iterable of scopes (None → the
    default scopes)."""
    if scopes is None:
        scopes = DEFAULT_REQUESTED_SCOPES
    return " ".join(utils.safe_strseq_iter(scopes))


def authorize_url(auth_client: AuthClient, params: t.Mapping[str, t.Any]) -> str:
    """The ``/v2/oauth2/authorize`` URL of ``auth_client``'s Auth service with ``params``
    (None values dropped), ready to show to a user."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return f"{utils.slash_join(auth_client.base_url, '/v2/oauth2/authorize')}?{query}"


class GlobusOAuthFlowManager(abc.ABC):
    """The interface of the Globus Auth flow managers: bundles of parameters for an
    OAuth2 flow plus the two steps that use them (send the user to the authorize URL,
    then exchange the resulting code for tokens)."""

    @abc.abstractmethod
    def get_authorize_url(self, query_params: dict[str, t.Any] | None = None) -> str:
        """The URL of the authorize step, to which the user is sent.

        :param query_params: Additional query parameters to include in the URL
        """

    @abc.abstractmethod
    def exchange_code_for_tokens(self, auth_code: str) -> OAuthTokenResponse:
        """Exchange the ``auth_code`` sent to the redirect URI for tokens.

        :param auth_code: The authorization code produced by the authorize step
        """
