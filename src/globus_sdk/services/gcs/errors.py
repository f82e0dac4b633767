"""GCSAPIError: the GCS Manager's result documents carry ``code``, ``message`` and ``detail``."""

from __future__ import annotations

import typing as t

import requests

from globus_sdk import exc


class GCSAPIError(exc.GlobusAPIError):
    """Error class for the GCS Manager API client.

    :ivar detail: the document's ``detail`` (a string, or a typed document such as
        ``missing_required_role#1.0.0``), when there is one
    :ivar detail_data_type: the ``DATA_TYPE`` of a typed ``detail``, else None
    """

    def __init__(self, r: requests.Response) -> None:
        # set before the base class parses the body (which fills them in)
        self.detail_data_type: str | None = None
        self.detail: t.Any = None
        super().__init__(r)

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        super()._load_from_json(data)
        detail = data.get("detail")
        if isinstance(detail, (str, dict)):
            self.detail = detail
        if isinstance(detail, dict) and isinstance(detail.get("DATA_TYPE"), str):
            self.detail_data_type = detail["DATA_TYPE"]
