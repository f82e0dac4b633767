"""``GlobusAPIError``: an error response from a Globus REST API, parsed defensively.

Error documents differ between services (Transfer ``code``/``message``, Auth ``errors``
lists and OAuth ``error``/``error_description``, Search ``message`` only, GCS ``detail``),
and some errors are not JSON at all. Parsing never raises: whatever cannot be read leaves
the defaults (``code == "Error"``, ``message`` = the body text, or the HTTP reason when the
body is empty).
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

    ``str(err)`` is the tuple of :meth:`_get_args`: HTTP method, URL, authorization scheme
    (never the credential), status, code and message. Subclasses extend the parsing by
    overriding ``MESSAGE_FIELDS`` and/or :meth:`_load_from_json` (calling super) and may
    append details to :meth:`_get_args`. ``_load_from_json`` runs only for JSON object
    bodies, so extra attributes need class-level defaults (or be set before ``super().__init__``).
    """

    #: Fields of the error document searched, in order, for the message.
    MESSAGE_FIELDS: list[str] = ["message", "detail"]

    def __init__(self, r: requests.Response, *args: t.Any, **kw: t.Any) -> None:
        self._underlying_response = r
        self.http_status: int = r.status_code
        self.http_reason: str = r.reason or ""
        self.headers = r.headers
        self.content_type: str = r.headers.get("Content-Type", "") or ""
        self._raw_text = self._read_text(r)
        self.code: str = "Error"
        self.message: str = self._raw_text or self.http_reason
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

        With a non-empty ``errors`` list whose first element is a dict, that element is the
        error; fields it lacks are looked up on the top-level document.
        """
        errors = data.get("errors")
        sub = errors[0] if isinstance(errors, list) and errors else None
        docs = [sub, data] if isinstance(sub, dict) else [data]
        code = self._first_str(docs, ["code"])
        if code is not None:
            self.code = code
        message = self._first_str(docs, self.MESSAGE_FIELDS)
        if message is not None:
            self.message = message
        merged = dict(data)
        if isinstance(sub, dict):
            merged.update(sub)
        self._info = ErrorInfoContainer(merged)

    @staticmethod
    def _first_str(docs: list[dict[str, t.Any]], fields: t.Iterable[str]) -> str | None:
        for doc in docs:
            for field in fields:
                value = doc.get(field)
                if isinstance(value, str) and value:
                    return value
        return None

    # -- presentation -----------------------------------------------------------------

    def _get_args(self) -> list[t.Any]:
        """The values shown by ``str(err)``; subclasses may append service-specific ones."""
        request = getattr(self._underlying_response, "request", None)
        method = getattr(request, "method", None)
        url = getattr(request, "url", None) or self._underlying_response.url
        scheme = None
        if request is not None:
            authz = request.headers.get("Authorization")
            if authz:
                scheme = authz.split(" ", 1)[0]
        return [method, url, scheme, self.http_status, self.code, self.message]

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
