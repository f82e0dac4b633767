"""``GlobusAPIError``: an error response from a Globus REST API, parsed defensively.

Error documents differ between services (Transfer ``code``/``message``, Auth ``errors``
lists and OAuth ``error``/``error_description``, Search ``message`` only, GCS ``detail``),
and some errors are not JSON at all. Parsing never raises: whatever cannot be read leaves
the defaults (``code == "Error"``, ``message`` = the body text). Code and message are read
as globus-sdk 3.2 reads them: from the first element of a non-empty ``errors`` list of
objects, else from the document itself.
"""

from __future__ import annotations

import logging
import typing as t

import requests

from globus_sdk.exc.base import GlobusError
from globus_sdk.exc.err_info import ErrorInfoContainer

log = logging.getLogger(__name__)


class GlobusAPIError(GlobusError):
    """Wraps an error returned by a REST API.

    :ivar http_status: HTTP status code (int)
    :ivar http_reason: HTTP reason phrase (str)
    :ivar code: error code from the API, or ``"Error"`` for unclassified errors
    :ivar message: error message from the API (or the raw body text)

    ``err.args`` (and so ``str(err)``) is what :meth:`_get_args` returns: HTTP method,
    response URL, authorization scheme (Bearer, Basic or Globus-Goauthtoken as sent, never
    the credential; None for any other), status, code and message. Subclasses extend the parsing by
    overriding ``MESSAGE_FIELDS`` and/or :meth:`_load_from_json` (calling super) and may
    append details to :meth:`_get_args`. ``_load_from_json`` runs only for JSON object
    bodies, so extra attributes need class-level defaults (or be set before ``super().__init__``).
    """

    #: Fields of the error document searched, in order, for the message.
    MESSAGE_FIELDS: list[str] = ["message", "detail"]
    #: Authorization schemes named in ``args``, compared case-insensitively.
    RECOGNIZED_AUTHZ_SCHEMES: list[str] = ["bearer", "basic", "globus-goauthtoken"]

    def __init__(self, r: requests.Response, *args: t.Any, **kw: t.Any) -> None:
        self._underlying_response = r
        self.http_status: int = r.status_code
        self.http_reason: str = r.reason or ""
        self.headers = r.headers
        self.content_type: str = r.headers.get("Content-Type", "") or ""
        self._raw_text = self._read_text(r)
        self.code: str = "Error"
        self.message: str = self._raw_text
        self._info = ErrorInfoContainer(None)
        self._raw_json = self._read_json(r)
        if isinstance(self._raw_json, dict):
            try:
                self._load_from_json(self._raw_json)
            except Exception:  # a strange document must not hide the real error
                log.debug("could not parse error document", exc_info=True)
        super().__init__(*self._get_args())

    # -- reading the body -------------------------------------------------------------

    @staticmethod
    def _read_text(r: requests.Response) -> str:
        try:
            return r.text or ""
        except Exception:
            return ""

    def _read_json(self, r: requests.Response) -> t.Any:
        """The JSON body, or None when not declared as JSON or not valid JSON."""
        if "application/json" not in self.content_type.lower():
            return None
        try:
            return r.json()
        except Exception:
            return None

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        """Read ``code``, ``message`` and ``info`` from a JSON error document.

        With a non-empty ``errors`` list whose first element is an object, code and message
        come from that element alone. ``info`` sees the document with that element's
        fields laid over it, so consent and session requirements are found in either place.
        """
        errors = data.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        doc = first if isinstance(first, dict) else data
        code = doc.get("code")
        if isinstance(code, str):
            self.code = code
        for field in self.MESSAGE_FIELDS:
            message = doc.get(field)
            if isinstance(message, str):
                self.message = message
                break
        self._info = ErrorInfoContainer({**data, **doc})

    # -- presentation -----------------------------------------------------------------

    def _get_args(self) -> list[t.Any]:
        """The exception's args; subclasses may append service-specific values."""
        request = getattr(self._underlying_response, "request", None)
        return [
            getattr(request, "method", None),
            self._underlying_response.url,
            self._authorization_scheme(request),
            self.http_status,
            self.code,
            self.message,
        ]

    def _authorization_scheme(self, request: requests.PreparedRequest | None) -> str | None:
        """The scheme of the request's Authorization header, if it is a recognized one."""
        header = request.headers.get("Authorization") if request is not None else None
        words = header.split() if isinstance(header, str) else []
        if words and words[0].lower() in self.RECOGNIZED_AUTHZ_SCHEMES:
            return words[0]
        return None

    # -- documented properties --------------------------------------------------------

    @property
    def info(self) -> ErrorInfoContainer:
        """Parsed extras (authorization parameters, consent); always present, maybe falsy."""
        return self._info

    @property
    def raw_json(self) -> dict[str, t.Any] | None:
        """The error body as JSON, or None if it is not (declared as) JSON."""
        # typed as the documented API types it; a JSON body that is not an object is
        # still handed back as parsed rather than hidden
        return self._raw_json  # type: ignore[no-any-return]

    @property
    def raw_text(self) -> str:
        """The error body as a string."""
        return self._raw_text
