"""Tokenizing and flattening: one definition of "a word" and "a field" for every backend.

Text is tokenized here, in Python, and the backends index the resulting space-separated
tokens verbatim. So SQLite FTS5 and PostgreSQL agree exactly on what matches.

Every scalar in an entry's ``content`` is indexed twice: its tokens go into the entry's
full text, and the same tokens prefixed by a short hash of the field path go in too, so
that ``field:value`` queries are answered by the full-text index as well. Scalars also
become rows of ``search_fields`` (exact value, number, date) for filters, facets and sort.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import math
import re
import typing as t
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")
# Longest keyword value kept for exact matching / terms facets.
MAX_VALUE_TEXT = 1000
# Bound on the tokens one entry contributes to the full-text index.
MAX_TOKENS = 50_000


def tokenize(value: str) -> list[str]:
    """Lower-cased alphanumeric runs, with diacritics removed (``"Café-Bar"`` → cafe, bar)."""
    if value.isascii():
        return _WORD.findall(value.lower())
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped.casefold())


@functools.lru_cache(maxsize=4096)
def field_prefix(path: str) -> str:
    """The token prefix for a field path: ``f`` + 8 hex digits (alphanumeric, fixed length)."""
    return "f" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:8]


_FIELDED = re.compile(r"f[0-9a-f]{8}")


def may_be_fielded(token: str) -> bool:
    """Whether a token could be a field-prefixed one (``field_prefix`` + a token)."""
    return _FIELDED.match(token) is not None


def plain_tokens(text: str) -> list[str]:
    """The plain tokens of a ``flatten`` text, without their field-prefixed copies:
    ``flatten`` writes each token twice, plain in the first half, prefixed in the second."""
    tokens = text.split()
    return tokens[: len(tokens) // 2]


def escape_key(key: str) -> str:
    """A content key as one path component: literal dots are written ``\\.``."""
    return key.replace("\\", "\\\\").replace(".", "\\.")


def scalar_text(value: t.Any) -> str:
    """The canonical string of a JSON scalar (``5.0`` → ``"5"``, ``True`` → ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)


def parse_date(value: str) -> float | None:
    """Epoch seconds (UTC) of an ISO-8601 date/datetime string, or None if it is not one.

    Accepts ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` and date-times with ``T`` or a space,
    optional seconds, fraction and offset (naive means UTC). A date whose offset takes it
    outside years 1-9999 is not one: every stored date must convert back to a datetime.
    """
    m = _DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    try:
        when = dt.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hh or 0),
            int(mm or 0),
            int(ss or 0),
            int((frac or "0").ljust(6, "0")[:6]),
            tzinfo=dt.timezone.utc,
        )
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            when -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):
        return None
    return when.timestamp()


def parse_number(value: t.Any) -> float | None:
    """A finite number from a JSON number or numeric string; None otherwise (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


class FieldValue(t.NamedTuple):
    """A field row's values (a tuple: ingest hands these to the driver as they are)."""

    path: str
    value_text: str
    value_num: float | None
    value_date: float | None


@dataclass
class Flattened:
    """What indexing one entry's content produces."""

    text: str
    fields: list[FieldValue]


def _walk(value: t.Any, path: str, out: list[tuple[str, t.Any]]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            part = escape_key(str(key))
            _walk(sub, f"{path}.{part}" if path else part, out)
    elif isinstance(value, list):
        for sub in value:
            _walk(sub, path, out)
    elif value is not None and path:
        out.append((path, value))


def flatten(content: dict[str, t.Any]) -> Flattened:
    """Full-text tokens and field rows of one entry's content."""
    scalars: list[tuple[str, t.Any]] = []
    _walk(content, "", scalars)
    body: list[str] = []
    fielded: list[str] = []
    fields: list[FieldValue] = []
    for path, value in scalars:
        text = scalar_text(value)
        tokens = tokenize(text)
        if len(body) < MAX_TOKENS and tokens:
            body.extend(tokens)
            prefix = field_prefix(path)
            fielded.extend([prefix + tok for tok in tokens])
        if isinstance(value, str):
            number, date = None, parse_date(text)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            number, date = parse_number(value), None
        else:
            number = date = None
        fields.append(FieldValue(path, text[:MAX_VALUE_TEXT], number, date))
    return Flattened(text=" ".join(body + fielded), fields=fields)


def date_span(value: str) -> tuple[float, float] | None:
    """``[start, end)`` in epoch seconds of the period a date string names.

    ``"2014"`` is the whole year, ``"2014-11-07"`` the whole day, a date-time with seconds
    that second: an inclusive upper bound ``lte "2014-11-07"`` then covers the full day.
    The end is reckoned in seconds, not as a datetime, so ``"9999-12-31"`` has one too.
    """
    start = parse_date(value)
    if start is None:
        return None
    m = _DATE.match(value.strip())
    assert m is not None
    year, month, day, hh, _mm, ss, frac, _tz = m.groups()
    return start, start + _period_seconds(int(year), month, day, hh, ss, frac)


def _period_seconds(
    year: int, month: str | None, day: str | None, hh: str | None, ss: str | None, frac: str | None
) -> float:
    """How long the period named by a date string's most precise part lasts."""
    if month is None:
        return (366 if calendar.isleap(year) else 365) * 86400
    if day is None:
        return calendar.monthrange(year, int(month))[1] * 86400
    if hh is None:
        return 86400
    if ss is None:
        return 60
    return 1 if frac is None else 1e-6


def range_bound_problem(value: t.Any) -> str | None:
    """Why a range bound can be compared with nothing stored, or None.

    Numbers must be finite floats; a string that reads as a number must be a finite one,
    and one shaped like a date must be a real date in years 1-9999.
    """
    if value is None or value == "*" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if parse_number(value) is not None else "not a finite number in range"
    if not isinstance(value, str):
        return "not a number, date or string"
    text = value.strip()
    try:
        number: float | None = float(text)
    except ValueError:
        number = None
    if number is not None:
        return None if math.isfinite(number) else "not a finite number in range"
    if _DATE.match(text) and parse_date(text) is None:
        return "not a valid date (years 1-9999)"
    return None
