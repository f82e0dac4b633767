"""GCS list paging: ``page_size`` and an opaque ``marker`` naming where the next page starts."""

from __future__ import annotations

import typing as t

from globus_local.kit.paging import decode_marker, encode_marker
from globus_local.kit.params import parse_int

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
T = t.TypeVar("T")


def page(items: list[T], page_size: str | None, marker: str | None) -> tuple[list[T], str | None]:
    """One page of ``items`` and the marker of the next one (None on the last)."""
    size = (
        DEFAULT_PAGE_SIZE
        if page_size is None
        else parse_int(page_size, "page_size", minimum=1, maximum=MAX_PAGE_SIZE)
    )
    position = decode_marker(marker) or {}
    start = position.get("offset", 0)
    if not isinstance(start, int) or start < 0:
        start = 0
    chunk = items[start : start + size]
    more = start + size < len(items)
    return chunk, encode_marker({"offset": start + size}) if more else None
