"""The authorizer interface: objects that produce an ``Authorization`` header value."""

from __future__ import annotations

import abc


class GlobusAuthorizer(metaclass=abc.ABCMeta):
    """Generates Authorization headers and may react to a 401 caused by its header."""

    @abc.abstractmethod
    def get_authorization_header(self) -> str | None:
        """Return the Authorization header value, or None to send no header."""

    def handle_missing_authorization(self) -> bool:
        """React to a 401; return True only if retrying could now succeed.

        The default authorizer cannot do anything about a 401.
        """
        return False


class StaticGlobusAuthorizer(GlobusAuthorizer):
    """An authorizer whose header value is fixed when it is built (``header_val``)."""

    header_val: str

    def get_authorization_header(self) -> str:
        return self.header_val
