"""Response types of the GCS Manager API, whose answers wrap documents in a ``data`` list."""

from __future__ import annotations

import typing as t

from globus_sdk.response import GlobusHTTPResponse, IterableResponse


class IterableGCSResponse(IterableResponse):
    """Response class for non-paged list oriented resources. Allows top level
    fields to be accessed normally via standard item access, and also
    provides a convenient way to iterate over the sub-item list in the
    ``data`` key:

    >>> print("Path:", r["path"])
    >>> # Equivalent to: for item in r["data"]
    >>> for item in r:
    >>>     print(item["name"], item["type"])
    """

    default_iter_key = "data"


class UnpackingGCSResponse(GlobusHTTPResponse):
    """An "unpacking" response looks for a ``data`` array in the response data, which is
    expected to have dict elements. The ``data`` is traversed until the first matching
    object is found, and this is presented as the ``data`` property of the response.

    The full response data is available as ``full_data``.

    If the expected datatype is not found in the array, or the array is missing, the
    ``data`` will be the full response data (identical to ``full_data``).

    :param match: a ``DATA_TYPE`` name (``"collection"`` matches ``collection#1.4.0``),
        or a callable that says whether an element of ``data`` is the one wanted
    """

    def __init__(
        self,
        response: GlobusHTTPResponse,
        match: str | t.Callable[[dict[str, t.Any]], bool],
    ) -> None:
        super().__init__(response)
        self._match = _name_matcher(match) if isinstance(match, str) else match
        self._unpacked = self._unpack()

    def _unpack(self) -> t.Any:
        body = self._parsed_json
        items = body.get("data") if isinstance(body, dict) else None
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and self._match(item):
                    return item
        return body

    @property
    def full_data(self) -> t.Any:
        """The whole response body, envelope included."""
        return self._parsed_json

    @property
    def data(self) -> t.Any:
        return self._unpacked

    def get(self, key: str, default: t.Any = None) -> t.Any:
        if self._unpacked is None:
            return default
        return self._unpacked.get(key, default)

    def __getitem__(self, key: t.Any) -> t.Any:
        try:
            return self._unpacked[key]
        except TypeError as err:
            raise ValueError("This type of response data does not support indexing.") from err

    def __contains__(self, item: t.Any) -> bool:
        return self._unpacked is not None and item in self._unpacked


def _name_matcher(name: str) -> t.Callable[[dict[str, t.Any]], bool]:
    """Match documents whose ``DATA_TYPE`` is ``<name>#<version>``."""

    def match(item: dict[str, t.Any]) -> bool:
        data_type = item.get("DATA_TYPE")
        return isinstance(data_type, str) and "#" in data_type and data_type.split("#")[0] == name

    return match
