"""RFC 3339 timestamps as the Choice and Wait states read them."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})?")

_COLONLESS_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_timestamp(value: object) -> datetime | None:
    """The aware datetime `value` names (UTC when it gives no offset), or None if it is not one."""
    if not isinstance(value, str) or not _SHAPE.fullmatch(value):
        return None
    text = value.replace("z", "Z").replace("Z", "+00:00")
    text = _COLONLESS_OFFSET.sub(r"\1:\2", text)
    main, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{main}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
