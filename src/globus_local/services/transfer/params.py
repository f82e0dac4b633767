"""Request values Transfer parses in many places (integers, times): a bad one is a 400 in
Transfer's error document, never an exception the platform answers with a 500."""

from __future__ import annotations

import datetime as dt
import re
import typing as t

from globus_local.errors import ServiceError

# Largest value of an INTEGER column on PostgreSQL (task faults, server ids).
SQL_INT_MAX = 2**31 - 1
# Largest BIGINT, and the largest integer SQLite binds (row ids, offsets, file sizes).
SQL_BIGINT_MAX = 2**63 - 1
# Times stored or compared stay a day inside Python's years 1..9999, so reading one back
# in any time zone cannot leave that range.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)

# ASCII digits only: int() also takes other scripts' digits and underscores.
_INTEGER = re.compile(r"[+-]?[0-9]+")


def bad_request(message: str, code: str = "ClientError.BadRequest") -> ServiceError:
    return ServiceError(400, code, message)


def parse_int(text: str, what: str, *, minimum: int = 0, maximum: int = SQL_BIGINT_MAX) -> int:
    """A decimal integer in ``minimum..maximum``."""
    stripped = text.strip()
    try:
        value = int(stripped) if _INTEGER.fullmatch(stripped) else None
    except ValueError:  # more digits than int() reads
        value = None
    if value is None or not minimum <= value <= maximum:
        raise bad_request(
            f"Invalid value for '{what}': expected an integer from {minimum} to {maximum}"
        )
    return value


def query_int(
    raw: str | None,
    what: str,
    default: int,
    *,
    minimum: int = 0,
    maximum: int = SQL_BIGINT_MAX,
) -> int:
    """A query parameter's integer; ``default`` when it is absent or empty."""
    if raw is None or raw == "":
        return default
    return parse_int(raw, what, minimum=minimum, maximum=maximum)


def parse_datetime(value: t.Any, what: str) -> dt.datetime:
    """ISO-8601 with or without seconds/offset (``2017-10-12 09:30Z``), in UTC; naive
    means UTC. Refused outside :data:`EARLIEST`..:data:`LATEST`."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        parsed = _from_iso(value, what)
    else:
        raise bad_request(f"Invalid value for '{what}': expected a date string")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    try:
        moment = parsed.astimezone(dt.timezone.utc)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise bad_request(
            f"Invalid value for '{what}': {value!r} is out of range "
            f"({EARLIEST.date()} to {LATEST.date()})"
        )
    return moment


def _from_iso(value: str, what: str) -> dt.datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    text = re.sub(r"([+-]\d{2})$", r"\1:00", text) if re.search(r"T|\s", text) else text
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(f"Invalid value for '{what}': not an ISO-8601 date: {value!r}")
