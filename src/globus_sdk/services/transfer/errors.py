"""The error raised by TransferClient."""

from __future__ import annotations

import typing as t

import requests

from globus_sdk import exc


class TransferAPIError(exc.GlobusAPIError):
    """Error class for the Transfer API client. In addition to the
    inherited ``code`` and ``message`` instance variables, provides ``request_id``.

    :ivar request_id: Unique identifier for the request, which should be
        provided when contacting support@globus.org.
    """

    #: Transfer error documents always carry their text in ``message``.
    MESSAGE_FIELDS = ["message"]

    def __init__(self, r: requests.Response, *args: t.Any, **kw: t.Any) -> None:
        # set before the base class parses the body (it calls _load_from_json)
        self.request_id: str | None = None
        super().__init__(r, *args, **kw)

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        super()._load_from_json(data)
        request_id = data.get("request_id")
        if isinstance(request_id, str):
            self.request_id = request_id

    def _get_args(self) -> list[t.Any]:
        return [*super()._get_args(), self.request_id]
