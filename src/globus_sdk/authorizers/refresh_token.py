"""Authorization with a Refresh Token, renewing Access Tokens through Globus Auth."""

from __future__ import annotations

import typing as t

from globus_sdk.authorizers.renewing import RenewingAuthorizer

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import AuthClient, OAuthTokenResponse


def single_token_data(res: OAuthTokenResponse, what: str, hint: str) -> dict[str, t.Any]:
    """The one entry of ``res.by_resource_server``; a renewal must yield exactly one.

    The error's first sentence keeps the wording code written for Globus matches on."""
    by_rs = res.by_resource_server
    if len(by_rs) != 1:
        raise ValueError(
            f"Attempting {what} didn't return exactly one token. {hint} "
            f"Globus Auth did not return exactly one token but {len(by_rs)}: {sorted(by_rs)}"
        )
    return dict(next(iter(by_rs.values())))


class RefreshTokenAuthorizer(RenewingAuthorizer):
    """Uses a Refresh Token and an AuthClient to fetch Access Tokens as they expire."""

    def __init__(
        self,
        refresh_token: str,
        auth_client: AuthClient,
        *,
        access_token: str | None = None,
        expires_at: int | None = None,
        on_refresh: t.Callable[[OAuthTokenResponse], t.Any] | None = None,
    ) -> None:
        self.refresh_token = refresh_token
        self.auth_client = auth_client
        super().__init__(access_token=access_token, expires_at=expires_at, on_refresh=on_refresh)

    def _get_token_response(self) -> OAuthTokenResponse:
        return self.auth_client.oauth2_refresh_token(self.refresh_token)

    def _extract_token_data(self, res: OAuthTokenResponse) -> dict[str, t.Any]:
        token_data = single_token_data(
            res, "refresh for refresh token authorizer", "Possible service error."
        )
        # Auth may rotate the refresh token; keep using the newest one.
        new_refresh_token = token_data.get("refresh_token")
        if new_refresh_token:
            self.refresh_token = new_refresh_token
        return token_data
