"""HTTP Basic authentication (used by confidential clients with their id and secret)."""

from __future__ import annotations

import base64

from globus_sdk.authorizers.base import StaticGlobusAuthorizer


class BasicAuthorizer(StaticGlobusAuthorizer):
    """Sends ``username:password`` base64-encoded as a Basic Authorization header."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        encoded = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.header_val = f"Basic {encoded}"
