"""Authorization with one fixed Access Token (no renewal)."""

from __future__ import annotations

from globus_sdk import utils
from globus_sdk.authorizers.base import StaticGlobusAuthorizer


class AccessTokenAuthorizer(StaticGlobusAuthorizer):
    """Sends a single Access Token as a Bearer token; nothing happens when it expires."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token
        #: a digest that names the token in logs without revealing it
        self.access_token_hash = utils.sha256_string(access_token)
        self.header_val = f"Bearer {access_token}"
