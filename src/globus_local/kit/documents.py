"""Pieces of the documents every service returns: timestamps and ids as Globus writes them."""

from __future__ import annotations

import datetime as dt
import uuid


def iso(value: dt.datetime | None) -> str | None:
    """A stored time as Globus documents write it: ISO-8601 in UTC with ``+00:00``, whole
    seconds (a naive value is UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def new_id() -> str:
    """A new resource id: a random UUID in its canonical spelling."""
    return str(uuid.uuid4())
