"""Constants of the Globus Auth OAuth2 flows."""

from __future__ import annotations

#: Scopes requested by flows (and client credentials grants) that do not name any.
DEFAULT_REQUESTED_SCOPES: tuple[str, ...] = (
    "openid",
    "profile",
    "email",
    "urn:globus:auth:scope:transfer.api.globus.org:all",
)

__all__ = ("DEFAULT_REQUESTED_SCOPES",)
