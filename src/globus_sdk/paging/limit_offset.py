"""Paginators for APIs paged with ``limit``/``offset`` query parameters.

Both styles advance ``offset`` by the size of the page just received (``get_page_size``,
by default ``len(page[items_key])``), send ``limit=page_size`` (trimmed so that
``offset + limit`` never passes ``max_total_results``), and stop at ``max_total_results``.
They differ in how a page says "there is more": ``has_next_page`` or ``total``.
A caller-supplied ``limit``/``offset`` sets the page size / starting offset.
"""

from __future__ import annotations

import typing as t

from globus_sdk.paging.base import Paginator, page_get

if t.TYPE_CHECKING:
    from globus_sdk.response import GlobusHTTPResponse


class _LimitOffsetBasedPaginator(Paginator):
    def __init__(
        self,
        method: t.Callable[..., t.Any],
        *,
        items_key: str | None = None,
        get_page_size: t.Callable[[dict[str, t.Any]], int] | None = None,
        max_total_results: int | None = None,
        page_size: int | None = None,
        client_args: list[t.Any],
        client_kwargs: dict[str, t.Any],
    ) -> None:
        super().__init__(
            method, items_key=items_key, client_args=client_args, client_kwargs=client_kwargs
        )
        self.get_page_size = get_page_size or self._count_items
        self.max_total_results = max_total_results
        caller_limit = self.initial_param("limit")
        self.page_size = int(caller_limit) if caller_limit is not None else page_size
        self.start_offset = int(self.initial_param("offset") or 0)

    def _count_items(self, page_data: dict[str, t.Any]) -> int:
        if self.items_key is None:
            raise ValueError(f"{type(self).__name__} needs get_page_size or items_key")
        return len(page_get(page_data, self.items_key) or [])

    def _page_size_of(self, page: GlobusHTTPResponse) -> int:
        data = getattr(page, "data", page)
        return int(self.get_page_size(data if isinstance(data, dict) else {}))

    def _exhausted(self, offset: int) -> bool:
        return self.max_total_results is not None and offset >= self.max_total_results

    def _fetch(self, offset: int) -> GlobusHTTPResponse:
        limit = self.page_size
        if limit is not None and self.max_total_results is not None:
            limit = min(limit, self.max_total_results - offset)
        return self.call_method({"limit": limit, "offset": offset})


class HasNextPaginator(_LimitOffsetBasedPaginator):
    """Limit/offset paging that continues while a page says ``has_next_page: true``."""

    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        offset = self.start_offset
        while not self._exhausted(offset):
            page = self._fetch(offset)
            yield page
            if not page_get(page, "has_next_page", False):
                return
            size = self._page_size_of(page)
            if size <= 0:  # no progress: the server would send this page forever
                return
            offset += size


class LimitOffsetTotalPaginator(_LimitOffsetBasedPaginator):
    """Limit/offset paging that continues until ``offset`` reaches the page's ``total``."""

    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        offset = self.start_offset
        while not self._exhausted(offset):
            page = self._fetch(offset)
            yield page
            size = self._page_size_of(page)
            total = page_get(page, "total")
            offset += size
            if size <= 0 or not isinstance(total, int) or offset >= total:
                return
