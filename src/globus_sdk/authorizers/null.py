"""An authorizer that guarantees no Authorization header is sent."""

from __future__ import annotations

from globus_sdk.authorizers.base import GlobusAuthorizer


class NullAuthorizer(GlobusAuthorizer):
    """No authentication: requests are sent without an Authorization header."""

    def get_authorization_header(self) -> None:
        return None
