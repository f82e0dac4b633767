"""Query-parameter formatting shared by TransferClient methods.

Transfer's filters and flags have their own spellings (``k:v1,v2/k2:v``, ``1``/``0``,
``start,end`` ranges); keeping them here keeps the client methods one-liners.
"""

from __future__ import annotations

import datetime
import typing as t

from globus_sdk import utils

FilterValue = t.Union[str, t.List[str]]
FilterDict = t.Dict[str, FilterValue]
FilterArg = t.Union[str, FilterDict]


def _format_filter_item(value: t.Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        clauses = []
        for key, clause_value in value.items():
            if isinstance(clause_value, (str, bytes)):
                rendered = (
                    clause_value.decode() if isinstance(clause_value, bytes) else clause_value
                )
            elif isinstance(clause_value, t.Iterable):
                rendered = utils.commajoin(clause_value)
            else:
                rendered = str(clause_value)
            clauses.append(f"{key}:{rendered}")
        return "/".join(clauses)
    raise TypeError(f"a Transfer filter must be a str or dict, not {type(value).__name__}")


def format_filter(value: FilterArg | list[FilterArg] | None) -> str | list[str] | None:
    """Format a ``filter`` argument: a str is used unchanged; a dict becomes
    ``key:value`` clauses joined by ``/`` (list values comma-joined).

    A list of filters becomes a list of strings, which is sent as repeated ``filter``
    parameters (the service ANDs them).
    """
    if value is None:
        return None
    if isinstance(value, list):
        return [_format_filter_item(item) for item in value]
    return _format_filter_item(value)


def int_flag(value: bool | None) -> int | None:
    """A boolean as the ``1``/``0`` some Transfer query parameters expect."""
    if value is None:
        return None
    return 1 if value else 0


def _format_time(value: str | datetime.datetime) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def format_time_range(
    value: None | str | tuple[str | datetime.datetime, str | datetime.datetime],
) -> str | None:
    """A ``start,end`` range from a string (unchanged) or a (start, end) pair whose
    parts may be datetimes or strings (an empty string leaves that side open)."""
    if value is None or isinstance(value, str):
        return value
    start, end = value
    return f"{_format_time(start)},{_format_time(end)}"


def merge_params(query_params: dict[str, t.Any] | None, **named: t.Any) -> dict[str, t.Any]:
    """The caller's ``query_params`` (copied) with the named, non-None parameters on top.

    The caller's dict is never mutated, so it can be reused across calls and pages.
    """
    merged = dict(query_params or {})
    merged.update({k: v for k, v in named.items() if v is not None})
    return merged
