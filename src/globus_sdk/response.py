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
    dict-shaped answer reads like a dict. Item access on data that cannot be indexed (no
    JSON body, a bare number) raises ValueError.

    ``response`` is either the HTTP response, with the ``client`` that made the request,
    or another GlobusHTTPResponse without a client: subclasses use that to re-wrap a
    generic response in a more specific type, and the wrapped response keeps its client.

    :ivar client: The client instance which made the request
    """

    def __init__(
        self,
        response: requests.Response | GlobusHTTPResponse,
        client: BaseClient | None = None,
    ) -> None:
        if isinstance(response, GlobusHTTPResponse):
            if client is not None:
                raise ValueError("Redundant client with wrapped response")
            self._wrapped: GlobusHTTPResponse | None = response
            self._response: requests.Response | None = None
            self.client: BaseClient = response.client
            self._parsed_json: t.Any = response._parsed_json
            return
        if client is None:
            raise ValueError("Missing client with normal response")
        self._wrapped = None
        self._response = response
        self.client = client
        self._parsed_json = self._parse_json(response)

    @staticmethod
    def _parse_json(response: requests.Response) -> t.Any:
        try:
            return response.json()
        except ValueError:
            log.warning("response data did not parse as JSON, data=None")
            return None

    @property
    def _raw_response(self) -> requests.Response:
        """The HTTP response at the bottom of any chain of wrapped responses."""
        if self._response is not None:
            return self._response
        assert self._wrapped is not None
        return self._wrapped._raw_response

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
        """``data.get(key, default)``, except that no data (None) gives the default.

        Data that is not a mapping (a JSON array) has no ``get``: AttributeError.
        """
        if self._parsed_json is None:
            return default
        return self._parsed_json.get(key, default)

    def __getitem__(self, key: t.Any) -> t.Any:
        """Index the parsed body: a key of a dict document or an index of a list one
        (so a response whose body is a JSON array iterates over its elements)."""
        data = self._parsed_json
        try:
            return data[key]
        except TypeError as err:
            log.error("cannot index into response data of type %s", type(data).__name__)
            raise ValueError("This type of response data does not support indexing.") from err

    def __contains__(self, item: t.Any) -> bool:
        """``item in response`` is ``item in response.data`` (False when there is no data)."""
        if self._parsed_json is None:
            return False
        return item in self._parsed_json

    def __str__(self) -> str:
        if self._parsed_json is not None:
            return json.dumps(self._parsed_json, indent=2, separators=(",", ": "))
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text})"


class IterableResponse(GlobusHTTPResponse):
    """A response whose iteration yields the items (usually dicts) under ``iter_key``.

    Subclasses set ``default_iter_key``; ``iter_key=`` overrides it per instance. A class
    without a ``default_iter_key`` cannot be instantiated (TypeError), even with an
    ``iter_key``. A missing or null key iterates as empty.
    """

    default_iter_key: t.ClassVar[str]
    iter_key: str

    def __init__(
        self,
        response: requests.Response | GlobusHTTPResponse,
        client: BaseClient | None = None,
        *,
        iter_key: str | None = None,
    ) -> None:
        if not hasattr(self, "default_iter_key"):
            raise TypeError(
                f"{type(self).__name__} defines no default_iter_key, so it cannot be instantiated"
            )
        self.iter_key = iter_key if iter_key is not None else self.default_iter_key
        super().__init__(response, client)

    def __iter__(self) -> t.Iterator[t.Any]:
        if not isinstance(self._parsed_json, dict):
            raise TypeError(
                f"cannot iterate on {type(self).__name__}: data is a "
                f"{type(self._parsed_json).__name__}, not a dict"
            )
        return iter(self._parsed_json.get(self.iter_key) or [])
