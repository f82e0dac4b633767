"""Request values Transfer parses in many places (integers, times): a bad one is a 400 in
Transfer's error document, never an exception the platform answers with a 500."""

from __future__ import annotations

import datetime as dt
import json
import re
import typing as t

from fastapi import Request

from globus_local.kit.errors import ServiceError

# Largest value of an INTEGER column on PostgreSQL (task faults, server ids).
SQL_INT_MAX = 2**31 - 1
# Largest BIGINT, and the largest integer SQLite binds (row ids, offsets, file sizes).
SQL_BIGINT_MAX = 2**63 - 1
# Times stored or compared stay a day inside Python's years 1..9999, so reading one back
# in any time zone cannot leave that range.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)

# Methods whose JSON body is looked at for text no database stores.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# How a JSON text spells NUL or a UTF-16 surrogate; a body without these holds neither.
_JSON_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = "Request values must not contain NUL characters or unpaired surrogates"

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


def check_fits(value: str | None, column: t.Any, what: str) -> None:
    """Refuse text longer than ``column`` (a model attribute) holds: PostgreSQL refuses it
    at the insert, SQLite would keep it."""
    limit = getattr(column.type, "length", None)
    if value is not None and limit is not None and len(value) > limit:
        raise bad_request(f"Invalid value for '{what}': longer than {limit} characters")


async def refuse_unstorable_text(request: Request) -> None:
    """Router dependency: refuse NUL characters in the path, the query or the JSON body,
    and unpaired UTF-16 surrogates in the body.

    PostgreSQL text cannot hold NUL, and neither database (nor a file name) takes a string
    that is not valid Unicode: such a value would fail a query or a file operation with a
    500. No Transfer value (ids, paths, names, labels) needs one.
    """
    if "\x00" in request.scope["path"] or b"%00" in request.scope.get("query_string", b""):
        raise bad_request(_UNSTORABLE)
    if request.method not in _BODY_METHODS:
        return
    body = await request.body()
    if _JSON_SUSPECT.search(body) and _holds_unstorable(body):
        raise bad_request(_UNSTORABLE)


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


def _holds_unstorable(body: bytes) -> bool:
    """Whether a string (or key) of the JSON ``body`` is not :func:`_storable`; walked
    without recursion, as deep as the parser allowed."""
    try:
        stack: list[t.Any] = [json.loads(body)]
    except ValueError:  # not JSON: the route's own parsing answers
        return False
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not _storable(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
