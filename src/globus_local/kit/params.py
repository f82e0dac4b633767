"""Request values every service parses (booleans, bounded integers, UUIDs, times, CSV lists,
``filter=`` strings): a bad one is an :class:`InvalidValue` (a 400 in the owning service's
error document), never an exception the platform answers with a 500.

Each parser takes ``what``, the name the client used, so the message points at it; a
service whose error document names the field in its own way (Search's ``error_data``)
reads :attr:`InvalidValue.field`.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
import uuid

from globus_local.kit.errors import BadRequest

# Largest value of an INTEGER column on PostgreSQL.
SQL_INT_MAX = 2**31 - 1
# Largest BIGINT, and the largest integer SQLite binds (row ids, offsets, file sizes).
SQL_BIGINT_MAX = 2**63 - 1
# Times stored or compared stay a day inside Python's years 1..9999, so reading one back
# in any time zone cannot leave that range.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)

# ASCII digits only: int() also takes other scripts' digits and underscores.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class InvalidValue(BadRequest):
    """A request value that does not parse; ``field`` is the name the client used."""

    def __init__(self, message: str, field: str, **extra: t.Any) -> None:
        super().__init__(message, **extra)
        self.field = field


def invalid(what: str, expected: str) -> InvalidValue:
    return InvalidValue(f"Invalid value for '{what}': {expected}", what)


def parse_bool(value: t.Any, what: str) -> bool:
    """A JSON boolean, 0/1, or query text ``true``/``false``/``1``/``0`` in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    raise invalid(what, "expected a boolean")


def query_bool(raw: str | None, what: str) -> bool | None:
    """A query parameter's boolean; None when it is absent or empty."""
    if raw is None or raw == "":
        return None
    return parse_bool(raw, what)


def parse_int(value: t.Any, what: str, *, minimum: int = 0, maximum: int = SQL_BIGINT_MAX) -> int:
    """A JSON integer or decimal text in ``minimum..maximum``."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        stripped = value.strip()
        try:
            number = int(stripped) if _INTEGER.fullmatch(stripped) else None
        except ValueError:  # more digits than int() reads
            number = None
    if number is None or not minimum <= number <= maximum:
        raise invalid(what, f"expected an integer from {minimum} to {maximum}")
    return number


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


def parse_uuid(value: t.Any, what: str) -> str:
    """A UUID in its canonical lower-case hyphenated spelling."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise InvalidValue(f"Invalid {what}: {value!r} is not a UUID", what) from None


def path_parameters(*names: str) -> dict[str, t.Any]:
    """``openapi_extra`` for a route that reads its path parameters from the request
    itself (to skip FastAPI's dependency solving on a hot route): documents them as
    required strings, as a ``name: str`` parameter would be."""
    return {
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in names
        ]
    }


def parse_csv(value: str | None) -> list[str]:
    """Comma-separated values, blanks dropped (``a, b,,c`` is three)."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_csv_values(values: t.Iterable[str] | None) -> list[str]:
    """A query list sent comma-joined, repeated (``?k=a,b&k=c``), or both: every value."""
    return [part for value in values or () for part in parse_csv(value)]


def parse_filter(
    text: str, what: str = "filter", *, keys: t.Collection[str] | None = None
) -> dict[str, str]:
    """A Globus ``filter=`` string, ``key:value/key:value``, into ``{key: value}``.

    A value may itself hold colons (``request_time:2020-01-01T00:00:00,``); a key named
    twice, or one outside ``keys`` when given, is refused."""
    found: dict[str, str] = {}
    for clause in text.split("/"):
        if not clause.strip():
            continue
        key, sep, rest = clause.partition(":")
        key = key.strip()
        if not sep or not key or (keys is not None and key not in keys):
            raise InvalidValue(f"Invalid {what} clause {clause!r}", what)
        if key in found:
            raise InvalidValue(f"Invalid {what}: '{key}' given more than once", what)
        found[key] = rest
    return found


def parse_datetime(value: t.Any, what: str) -> dt.datetime:
    """ISO-8601 with or without seconds/offset (``2017-10-12 09:30Z``), in UTC; naive
    means UTC. Refused outside :data:`EARLIEST`..:data:`LATEST`."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        parsed = _from_iso(value, what)
    else:
        raise invalid(what, "expected a date string")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    try:
        moment: dt.datetime | None = parsed.astimezone(dt.timezone.utc)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        raise invalid(what, f"{value!r} is out of range ({EARLIEST.date()} to {LATEST.date()})")
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
        raise invalid(what, f"not an ISO-8601 date: {value!r}") from None


def check_fits(value: str | None, column: t.Any, what: str) -> None:
    """Refuse text longer than ``column`` (a model attribute) holds: PostgreSQL refuses it
    at the insert, SQLite would keep it."""
    limit = getattr(column.type, "length", None)
    if value is not None and limit is not None and len(value) > limit:
        raise invalid(what, f"longer than {limit} characters")
