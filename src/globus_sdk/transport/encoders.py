"""Request encoders: turn (method, url, params, data, headers) into a ``requests.Request``.

The transport picks one by name ("text", "json", "form" or a custom registered name), so
each body format lives in one small class.
"""

from __future__ import annotations

import typing as t

import requests

from globus_sdk.utils import PayloadWrapper


def _unwrap(data: t.Any) -> t.Any:
    """Payload helper objects are sent as the plain dict they wrap."""
    if isinstance(data, PayloadWrapper):
        return dict(data)
    return data


class RequestEncoder:
    """The "text" encoder: sends ``data`` (str or bytes) as the body unchanged.

    Subclasses override ``_prepare_data`` / ``_prepare_headers`` for other formats;
    ``_body_argument`` names the ``requests.Request`` argument the prepared data goes to.
    """

    _body_argument: t.ClassVar[t.Literal["data", "json"]] = "data"

    def encode(
        self,
        method: str,
        url: str,
        params: dict[str, t.Any] | None,
        data: t.Any,
        headers: dict[str, str],
    ) -> requests.Request:
        data = _unwrap(data)
        body = {self._body_argument: self._prepare_data(data)}
        return requests.Request(
            method,
            url,
            params=self._prepare_params(params),
            headers=self._prepare_headers(headers, data),
            **body,
        )

    def _prepare_params(self, params: dict[str, t.Any] | None) -> dict[str, t.Any]:
        """Drop None-valued parameters: "not given" never reaches the query string."""
        return {k: v for k, v in (params or {}).items() if v is not None}

    def _prepare_headers(self, headers: dict[str, str], data: t.Any) -> dict[str, str]:
        return dict(headers)

    def _prepare_data(self, data: t.Any) -> t.Any:
        if data is not None and not isinstance(data, (str, bytes)):
            raise TypeError(
                f"the text encoder requires str or bytes data, got {type(data).__name__}"
            )
        return data


class JSONRequestEncoder(RequestEncoder):
    """Sends ``data`` as a JSON document with ``Content-Type: application/json``.

    The document goes to ``requests`` as its ``json`` argument, so the body is serialized
    and encoded to UTF-8 bytes once, by ``requests``, exactly as for the real SDK.
    """

    _body_argument = "json"

    def _prepare_headers(self, headers: dict[str, str], data: t.Any) -> dict[str, str]:
        headers = dict(headers)
        if data is not None and not _has_header(headers, "Content-Type"):
            headers["Content-Type"] = "application/json"
        return headers

    def _prepare_data(self, data: t.Any) -> t.Any:
        return data


class FormRequestEncoder(RequestEncoder):
    """Sends a dict as an ``application/x-www-form-urlencoded`` body."""

    def _prepare_headers(self, headers: dict[str, str], data: t.Any) -> dict[str, str]:
        headers = dict(headers)
        if data is not None and not _has_header(headers, "Content-Type"):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def _prepare_data(self, data: t.Any) -> t.Any:
        if data is None:
            return None
        if not isinstance(data, dict):
            raise TypeError(f"the form encoder requires dict data, got {type(data).__name__}")
        return data


def _has_header(headers: t.Mapping[str, str], name: str) -> bool:
    lowered = name.lower()
    return any(k.lower() == lowered for k in headers)
