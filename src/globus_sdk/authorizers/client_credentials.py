"""Authorization as a confidential client itself, via the client credentials grant."""

from __future__ import annotations

import typing as t

from globus_sdk.authorizers.refresh_token import single_token_data
from globus_sdk.authorizers.renewing import RenewingAuthorizer

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import ConfidentialAppAuthClient, OAuthTokenResponse


class ClientCredentialsAuthorizer(RenewingAuthorizer):
    """Fetches client-credentials Access Tokens for ``scopes`` as they expire.

    The scopes must all belong to one resource server, since a single token is used.
    """

    def __init__(
        self,
        confidential_client: ConfidentialAppAuthClient,
        scopes: str | t.Iterable[str],
        *,
        access_token: str | None = None,
        expires_at: int | None = None,
        on_refresh: t.Callable[[OAuthTokenResponse], t.Any] | None = None,
    ) -> None:
        self.confidential_client = confidential_client
        self.scopes = scopes if isinstance(scopes, str) else " ".join(str(s) for s in scopes)
        super().__init__(access_token=access_token, expires_at=expires_at, on_refresh=on_refresh)

    def _get_token_response(self) -> OAuthTokenResponse:
        return self.confidential_client.oauth2_client_credentials_tokens(
            requested_scopes=self.scopes
        )

    def _extract_token_data(self, res: OAuthTokenResponse) -> dict[str, t.Any]:
        return single_token_data(
            res,
            "get new access token for client credentials authorizer",
            f"Ensure scopes {self.scopes} are for only one resource server.",
        )
