"""``AuthAPIError``: errors from Globus Auth, in either of its two document shapes.

Auth answers API errors with an ``errors`` list (JSON:API style) and OAuth2 errors with
``error``/``error_description`` (RFC 6749 §5.2). The message is read from ``message``,
``detail`` and then ``error``, as the SDK has always done; ``error_description`` is kept
separately because OAuth2 puts the human-readable explanation there.
"""

from __future__ import annotations

import typing as t

from globus_sdk.exc import GlobusAPIError


class AuthAPIError(GlobusAPIError):
    """Error class for the Globus Auth API.

    :ivar error_description: the OAuth2 ``error_description`` when the server sent one
    """

    MESSAGE_FIELDS = ["message", "detail", "error"]

    error_description: str | None = None

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        description = data.get("error_description")
        if isinstance(description, str) and description:
            self.error_description = description
        super()._load_from_json(data)
