"""Response objects: read-only, dict-style access to a service's JSON answer."""

from __future__ import annotations

import json
import logging
import typing as t

import requests

if t.TYPE_CHECKING:
    from globus_sdk.client import BaseClient

log = logging.getLogger(__name__)


class GlobusHTTPResponse:
    """Wraps an HTTP response; ``data`` is the parsed JSON body, or None if not JSON.

    Item access (``r["id"]``), ``in`` and ``get`` are aliases onto ``data`` so the common
    dict-shaped answer reads like a dict. Item access on non-dict data raises TypeError.

    ``response`` may itself be a GlobusHTTPResponse: subclasses use that to re-wrap a
    generic response in a more specific type.

    :ivar client: The client instance which made the request
    """

    def __init__(
        self,
        response: requests.Response | GlobusHTTPResponse,
        client: BaseClient | None = None,
    ) -> None:
        if isinstance(response, GlobusHTTPResponse):
            self.client: BaseClient | None = client if client is not None else response.client
            self._raw_response: requests.Response = response._raw_response
            self._parsed_json: t.Any = response._parsed_json
            return
        self.client = client
        self._raw_response = response
        self._parsed_json = self._parse_json(response)

    @staticmethod
    def _parse_json(response: requests.Response) -> t.Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            log.debug("response body is not JSON; data is None")
            return None

    @property
    def data(self) -> t.Any:
        """The parsed JSON body, or None when the body is not JSON."""
        return self._parsed_json

    @property
    def http_status(self) -> int:
        """The HTTP response status, as an integer."""
        return self._raw_response.status_code

    @property
    def http_reason(self) -> str:
        """The HTTP reason phrase."""
        return self._raw_response.reason

    @property
    def headers(self) -> t.Mapping[str, str]:
        """The HTTP response headers as a case-insensitive mapping."""
        return self._raw_response.headers

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if any."""
        return self.headers.get("Content-Type")

    @property
    def text(self) -> str:
        """The raw response data as a string."""
        return self._raw_response.text

    def get(self, key: str, default: t.Any = None) -> t.Any:
        """``data.get(key, default)``, returning the default when data is not a dict."""
        if not isinstance(self._parsed_json, dict):
            return default
        return self._parsed_json.get(key, default)

    def __getitem__(self, key: t.Any) -> t.Any:
        """Index the parsed body: a key of a dict document or an index of a list one
        (so a response whose body is a JSON array iterates over its elements)."""
        if isinstance(self._parsed_json, (dict, list)):
            return self._parsed_json[key]
        if self._parsed_json is None:
            raise TypeError(
                f"{type(self).__name__} has no JSON data (the body was not JSON); use .text"
            )
        raise TypeError(
            f"{type(self).__name__} data is a {type(self._parsed_json).__name__}; use .data"
        )

    def __contains__(self, item: t.Any) -> bool:
        if isinstance(self._parsed_json, dict):
            return item in self._parsed_json
        return False

    def __str__(self) -> str:
        if self._parsed_json is not None:
            return json.dumps(self._parsed_json, indent=2, separators=(",", ": "))
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(http_status={self.http_status}, data={self.data!r})"


class IterableResponse(GlobusHTTPResponse):
    """A response whose iteration yields the items (usually dicts) under ``iter_key``.

    Subclasses set ``default_iter_key``; ``iter_key=`` overrides it per instance. A
    missing or null key iterates as empty.
    """

    default_iter_key: t.ClassVar[str | None] = None

    def __init__(
        self,
        response: requests.Response | GlobusHTTPResponse,
        client: BaseClient | None = None,
        *,
        iter_key: str | None = None,
    ) -> None:
        super().__init__(response, client)
        key = iter_key if iter_key is not None else self.default_iter_key
        if key is None:
            raise ValueError(
                f"{type(self).__name__} needs an iter_key (argument or default_iter_key)"
            )
        self.iter_key: str = key

    def __iter__(self) -> t.Iterator[t.Any]:
        if not isinstance(self._parsed_json, dict):
            raise TypeError(f"cannot iterate on {type(self).__name__}: data is not a dict")
        return iter(self._parsed_json.get(self.iter_key) or [])
