"""Last-key paging (Transfer ``endpoint_manager_task_list``): send back ``last_key``."""

from __future__ import annotations

import typing as t

from globus_sdk.paging.base import Paginator, page_get

if t.TYPE_CHECKING:
    from globus_sdk.response import GlobusHTTPResponse


class LastKeyPaginator(Paginator):
    """Pages by sending ``last_key`` from the previous page, while ``has_next_page`` is true."""

    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        last_key = self.initial_param("last_key")
        while True:
            page = self.call_method({"last_key": last_key})
            yield page
            next_key = page_get(page, "last_key")
            if not page_get(page, "has_next_page", False) or next_key in (None, ""):
                return
            if next_key == last_key:  # no progress
                return
            last_key = next_key
