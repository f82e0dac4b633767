"""Base class for authorizers that fetch fresh Access Tokens as old ones expire."""

from __future__ import annotations

import abc
import hashlib
import logging
import time
import typing as t

from globus_sdk.authorizers.base import GlobusAuthorizer

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import OAuthTokenResponse

log = logging.getLogger(__name__)

#: Renew a token this many seconds before its recorded expiry, so that it does not
#: expire between building the header and the service checking it (or on a clock
#: that runs a little ahead of ours).
EXPIRES_ADJUST_SECONDS = 60


def token_fingerprint(token: str | None) -> str:
    """A short, non-reversible token identifier that is safe to put in logs."""
    if token is None:
        return "None"
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class RenewingAuthorizer(GlobusAuthorizer, metaclass=abc.ABCMeta):
    """Holds an Access Token with its expiry and renews it when needed.

    Subclasses say how to get a token response (``_get_token_response``) and how to
    pick the token data out of it (``_extract_token_data``). An initial token is only
    used together with its ``expires_at``; without one the first header request fetches
    a token.
    """

    def __init__(
        self,
        access_token: str | None = None,
        expires_at: int | None = None,
        on_refresh: t.Callable[[OAuthTokenResponse], t.Any] | None = None,
    ) -> None:
        self.access_token: str | None = None
        self.expires_at: int | None = None
        self.on_refresh = on_refresh
        if access_token is not None and expires_at is not None:
            self.access_token = access_token
            self.expires_at = expires_at
        elif access_token is not None:
            log.warning(
                "%s: access_token given without expires_at; it is ignored and a new "
                "token will be fetched on first use",
                type(self).__name__,
            )
        elif expires_at is not None:
            log.warning(
                "%s: expires_at given without access_token; it is ignored",
                type(self).__name__,
            )

    @abc.abstractmethod
    def _get_token_response(self) -> OAuthTokenResponse:
        """Ask Globus Auth for a new token response."""

    @abc.abstractmethod
    def _extract_token_data(self, res: OAuthTokenResponse) -> dict[str, t.Any]:
        """Return the single token-data dict (``access_token``, ``expires_at_seconds``)."""

    def _get_new_access_token(self) -> None:
        res = self._get_token_response()
        token_data = self._extract_token_data(res)
        self.access_token = token_data["access_token"]
        self.expires_at = token_data["expires_at_seconds"]
        log.debug(
            "%s fetched new access token (%s), expires_at=%s",
            type(self).__name__,
            token_fingerprint(self.access_token),
            self.expires_at,
        )
        if self.on_refresh is not None:
            self.on_refresh(res)

    def _needs_renewal(self) -> bool:
        if self.access_token is None or self.expires_at is None:
            return True
        # read at call time, so a changed module constant takes effect at once
        return time.time() > self.expires_at - EXPIRES_ADJUST_SECONDS

    def ensure_valid_token(self) -> None:
        """Fetch a new Access Token if there is none or it is (nearly) expired.

        ``get_authorization_header`` does this itself; call it directly to have a token
        renewed now, e.g. to receive the new one through ``on_refresh``.
        """
        if self._needs_renewal():
            log.debug("%s: token missing or expiring, fetching a new one", type(self).__name__)
            self._get_new_access_token()

    def check_expiration_time(self) -> None:
        """The older name of :meth:`ensure_valid_token`."""
        self.ensure_valid_token()

    def get_authorization_header(self) -> str:
        """Renew the token if needed and return ``Bearer <access_token>``."""
        self.ensure_valid_token()
        return f"Bearer {self.access_token}"

    def handle_missing_authorization(self) -> bool:
        """Drop the current token after a 401, so the next header uses a fresh one."""
        log.debug(
            "%s: 401 received, invalidating access token (%s)",
            type(self).__name__,
            token_fingerprint(self.access_token),
        )
        # the token stays readable; an unknown expiry is what forces the renewal
        self.expires_at = None
        return True
