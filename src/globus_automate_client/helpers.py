"""Argument spellings the automate client has accepted over time.

Principal lists took several names as the services' roles were renamed (``monitor_by``
and ``run_monitors``; ``visible_to``, ``viewers`` and ``flow_viewers``). Run roles merge
every spelling given; flow roles accept one spelling, warning when it is an old one.
"""

from __future__ import annotations

import typing as t
import warnings
from collections.abc import Iterable


def as_list(value: Iterable[str] | str | None) -> list[str] | None:
    """A principal list as a list; a lone string is one principal."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def merge_lists(
    value: Iterable[str] | str | None, kwargs: dict[str, t.Any], alias: str
) -> list[str] | None:
    """``value`` together with the principals passed under ``alias`` (taken out of
    ``kwargs``); None when neither was given."""
    merged: list[str] | None = None
    for part in (as_list(value), as_list(kwargs.pop(alias, None))):
        if part is not None:
            merged = [*(merged or []), *(p for p in part if p not in (merged or []))]
    return merged


def one_spelling(canonical: tuple[str, t.Any], kwargs: dict[str, t.Any], *aliases: str) -> t.Any:
    """The value given for an argument under its canonical name or one of its old
    ``aliases`` (taken out of ``kwargs``).

    An old name works with a ``DeprecationWarning``; giving more than one spelling is a
    ``ValueError``. An empty canonical value counts as not given.
    """
    name, value = canonical
    given = [(name, value)] if value not in (None, (), []) else []
    for alias in aliases:
        alias_value = kwargs.pop(alias, None)
        if alias_value is not None:
            given.append((alias, alias_value))
    if len(given) > 1:
        names = ", ".join(f"`{n}`" for n, _ in given)
        raise ValueError(f"{names} are aliases of one argument; use only `{name}`")
    if not given:
        return value
    used, result = given[0]
    if used != name:
        warnings.warn(
            f"`{used}` is deprecated; use `{name}` instead", DeprecationWarning, stacklevel=3
        )
    return result
