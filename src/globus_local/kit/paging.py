"""Paging in the three styles the Globus services speak.

- **offset/limit** (Transfer's task and endpoint lists, Search's queries): the client asks
  for ``offset`` and ``limit``; the page says ``offset``, ``limit``, ``total`` and
  ``has_next_page``.
- **marker** (Flows' and Timers' lists, Search's scroll, Transfer's event lists): the page
  hands back an opaque ``marker`` the client sends to get the next one.
- **last key** (Transfer's endpoint-manager lists): the page hands back ``last_key``, the
  sort key of its last item, and ``has_next_page``.

A page query fetches one row more than the limit; :func:`split_page` tells from it whether
another page follows, at no cost of a count.
"""

from __future__ import annotations

import base64
import binascii
import json
import typing as t
from dataclasses import dataclass

from globus_local.kit.params import InvalidValue, query_int

T = t.TypeVar("T")


def split_page(rows: t.Sequence[T], limit: int) -> tuple[list[T], bool]:
    """``rows`` fetched with ``limit + 1``: the page, and whether more follow."""
    return list(rows[:limit]), len(rows) > limit


@dataclass(frozen=True)
class OffsetPage:
    """A requested offset/limit page."""

    offset: int
    limit: int

    @classmethod
    def from_query(
        cls,
        offset: str | None,
        limit: str | None,
        *,
        default_limit: int,
        max_limit: int,
        max_offset: int | None = None,
    ) -> OffsetPage:
        """Parse query text; a value out of range is a 400 naming it."""
        top = max_offset if max_offset is not None else 2**63 - 1
        return cls(
            offset=query_int(offset, "offset", 0, maximum=top),
            limit=query_int(limit, "limit", default_limit, minimum=1, maximum=max_limit),
        )

    def document(
        self, items_key: str, items: list[t.Any], total: int, **extra: t.Any
    ) -> dict[str, t.Any]:
        """The page document: the items under ``items_key`` and where they sit in the whole."""
        return {
            **extra,
            "offset": self.offset,
            "limit": self.limit,
            "total": total,
            "has_next_page": self.offset + len(items) < total,
            items_key: items,
        }


def encode_marker(position: dict[str, t.Any]) -> str:
    """An opaque marker for ``position`` (JSON-able): URL-safe, no padding."""
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_marker(marker: str | None, what: str = "marker") -> dict[str, t.Any] | None:
    """The position a marker names; None for no marker. A marker this platform did not
    hand out is a 400."""
    if not marker:
        return None
    try:
        raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4))
        position = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict):
        raise InvalidValue(f"Invalid {what}: not one this service handed out", what)
    return position


def marker_document(
    items_key: str, items: list[t.Any], next_position: dict[str, t.Any] | None, **extra: t.Any
) -> dict[str, t.Any]:
    """A marker-paged page: ``marker`` is None on the last page."""
    marker = encode_marker(next_position) if next_position is not None else None
    return {**extra, items_key: items, "marker": marker, "has_next_page": marker is not None}


def last_key_document(
    items_key: str, items: list[t.Any], last_key: str | None, more: bool, **extra: t.Any
) -> dict[str, t.Any]:
    """A last-key page: ``last_key`` names where the next page starts."""
    return {
        **extra,
        items_key: items,
        "last_key": last_key if more else None,
        "has_next_page": more,
    }
