"""ActivationRequirementsResponse: questions about an endpoint's (legacy) activation state."""

from __future__ import annotations

import time
import typing as t

from globus_sdk.response import GlobusHTTPResponse

#: requirement types a user can satisfy in a web browser (delegate_proxy needs local tools);
#: an endpoint activated through OAuth names its ``oauth_server`` instead
_WEB_ACTIVATION_TYPES = frozenset({"myproxy", "delegate_myproxy"})


class ActivationRequirementsResponse(GlobusHTTPResponse):
    """Response class for Activation Requirements responses.

    All Activation Requirements documents refer to a specific Endpoint, from
    whence they were acquired. References to "the Endpoint" implicitly refer to
    that originating Endpoint, and not to some other Endpoint.

    ``expires_in`` is -1 for an endpoint whose activation never expires, 0 when it
    is not (or no longer) activated, otherwise the seconds of activation left.

    :ivar expires_at: when the activation ends, as a POSIX timestamp taken when the
        response arrived (so later questions do not drift); None when it never ends
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        expires_in = self.get("expires_in")
        self.expires_at: int | None = None
        if isinstance(expires_in, (int, float)) and expires_in != -1:
            self.expires_at = int(time.time() + expires_in)

    def _requirement_types(self) -> set[str]:
        items = self.get("DATA") or []
        return {item["type"] for item in items if isinstance(item, dict) and "type" in item}

    @property
    def supports_auto_activation(self) -> bool:
        """True if the document lists Auto-Activation as an available type of activation.

        Typically good to use when you need to catch endpoints that require web
        activation before proceeding.
        """
        return bool(self.get("auto_activation_supported", False))

    @property
    def supports_web_activation(self) -> bool:
        """True if the endpoint can be activated through the web.

        False means the endpoint is of a highly unusual type: inspect ``data`` to see what
        is required. ``supports_auto_activation`` implies this property.
        """
        if self.supports_auto_activation or self.get("oauth_server") is not None:
            return True
        return bool(self._requirement_types() & _WEB_ACTIVATION_TYPES)

    @property
    def always_activated(self) -> bool:
        """True if the endpoint activation never expires (e.g. shared endpoints,
        globus connect personal endpoints)."""
        return bool(self.get("expires_in") == -1)

    def active_until(self, time_seconds: int, relative_time: bool = True) -> bool:
        """Check if the Endpoint will be active until some time in the future, given
        as an integer number of seconds. When ``relative_time=False``, ``time_seconds``
        is interpreted as a POSIX timestamp.

        :param time_seconds: Number of seconds into the future (or a POSIX timestamp)
        :param relative_time: Defaults to True. When False, ``time_seconds`` is treated
            as a POSIX timestamp instead
        :returns: True if the Endpoint will be active until the deadline, False otherwise
        """
        if not self.get("activated"):
            return False
        if self.expires_at is None:
            return True
        deadline = time.time() + time_seconds if relative_time else time_seconds
        return deadline < self.expires_at
