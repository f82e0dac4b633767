"""Next-token paging (Transfer ``get_shared_endpoint_list``): send back ``next_token``."""

from __future__ import annotations

import typing as t

from globus_sdk.paging.base import Paginator, page_get

if t.TYPE_CHECKING:
    from globus_sdk.response import GlobusHTTPResponse


class NextTokenPaginator(Paginator):
    """Pages by sending ``next_token`` from the previous page until it comes back null."""

    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        token = self.initial_param("next_token")
        while True:
            page = self.call_method({"next_token": token})
            yield page
            next_token = page_get(page, "next_token")
            if next_token in (None, "") or next_token == token:
                return
            token = next_token
