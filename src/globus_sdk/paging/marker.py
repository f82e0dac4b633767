"""Marker paging: each page carries the marker to send (as ``marker``) for the next one."""

from __future__ import annotations

import typing as t

from globus_sdk.paging.base import Paginator, page_get

if t.TYPE_CHECKING:
    from globus_sdk.response import GlobusHTTPResponse


class MarkerPaginator(Paginator):
    """Pages by sending the ``marker`` query parameter, read from ``page[marker_key]``.

    The default ``marker_key="marker"`` is the generic (GCS, Flows) style, where pages
    carry ``marker`` and ``has_next_page``. Transfer's task listings carry the next marker
    in ``next_marker`` (null on the last page), so they use ``marker_key="next_marker"``.

    Paging stops when the marker is null, absent or empty, when a page says
    ``has_next_page: false``, or when the server hands back the marker just sent.
    """

    def __init__(
        self,
        method: t.Callable[..., t.Any],
        *,
        items_key: str | None = None,
        marker_key: str = "marker",
        client_args: list[t.Any],
        client_kwargs: dict[str, t.Any],
    ) -> None:
        super().__init__(
            method, items_key=items_key, client_args=client_args, client_kwargs=client_kwargs
        )
        self.marker_key = marker_key

    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        marker = self.initial_param("marker")
        while True:
            page = self.call_method({"marker": marker})
            yield page
            if page_get(page, "has_next_page") is False:
                return
            next_marker = page_get(page, self.marker_key)
            if next_marker is None or next_marker == "" or next_marker == marker:
                return
            marker = next_marker
