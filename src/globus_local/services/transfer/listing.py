"""``ls`` filters and ordering (§1.8): ``name:~*.txt/type:dir``, ``size:1,100``,
``last_modified:2021-01-01,``, ``orderby=size DESC,name``."""

from __future__ import annotations

import datetime as dt
import fnmatch
import operator
import typing as t
from collections.abc import Callable, Iterable

from globus_local.kit.errors import BadRequest
from globus_local.kit.params import parse_datetime, parse_int

FileDoc = dict[str, t.Any]
Predicate = Callable[[FileDoc], bool]
ORDER_FIELDS = ("name", "type", "size", "last_modified", "permissions", "user", "group")
FILE_TYPES = ("file", "dir", "invalid_symlink")


def _string_predicate(key: str, value: str) -> Predicate:
    """``=a,b`` (default) any equal; ``!a,b`` none equal; ``~glob`` any match
    (case-insensitive); ``!~glob`` none match."""
    if value.startswith("!~"):
        negate, glob, body = True, True, value[2:]
    elif value.startswith("~"):
        negate, glob, body = False, True, value[1:]
    elif value.startswith("!"):
        negate, glob, body = True, False, value[1:]
    else:
        negate, glob, body = False, False, value[1:] if value.startswith("=") else value
    options = [o for o in body.split(",") if o]
    if not options:
        raise BadRequest(f"Invalid filter on {key!r}: no value to compare with")

    def matches(doc: FileDoc) -> bool:
        actual = str(doc.get(key) or "")
        if glob:
            hit = any(fnmatch.fnmatchcase(actual.lower(), o.lower()) for o in options)
        else:
            hit = actual in options
        return hit != negate

    return matches


def _parse_time(text: str) -> float:
    return parse_datetime(text, "last_modified filter").timestamp()


def _doc_time(doc: FileDoc) -> float:
    return dt.datetime.fromisoformat(str(doc["last_modified"])).timestamp()


_OPERATORS: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
    (">=", operator.ge),
    ("<=", operator.le),
    ("!=", operator.ne),
    (">", operator.gt),
    ("<", operator.lt),
    ("=", operator.eq),
)


def _range_predicate(
    value: str, parse: Callable[[str], float], get: Callable[[FileDoc], float]
) -> Predicate:
    """``start,end`` (inclusive, either side may be empty), ``op value`` with
    ``>= <= > < = !=``, or a single value (equality)."""
    for symbol, compare in _OPERATORS:
        if value.startswith(symbol):
            bound = parse(value[len(symbol) :])
            return lambda doc: compare(get(doc), bound)
    if "," in value:
        low_text, _, high_text = value.partition(",")
        if not (low_text.strip() or high_text.strip()):
            raise BadRequest(f"Invalid range {value!r} in filter: give a start, an end or both")
        low = parse(low_text) if low_text.strip() else None
        high = parse(high_text) if high_text.strip() else None
        return lambda doc: (low is None or get(doc) >= low) and (high is None or get(doc) <= high)
    exact = parse(value)
    return lambda doc: get(doc) == exact


def _parse_size(text: str) -> float:
    """A size bound; sizes are whole bytes a 64-bit signed count can hold."""
    return parse_int(text, "size filter")


def _type_predicate(value: str) -> Predicate:
    """``file,dir`` any of; ``!dir`` none of."""
    negate = value.startswith("!")
    wanted = {v.strip().lstrip("!") for v in value.split(",") if v.strip().lstrip("!")}
    unknown = wanted - set(FILE_TYPES)
    if not wanted or unknown:
        raise BadRequest(f"Invalid type filter {value!r}: types are {', '.join(FILE_TYPES)}")
    return lambda doc: (doc["type"] in wanted) != negate


def _clause(clause: str) -> Predicate:
    key, sep, value = clause.partition(":")
    key = key.strip()
    if not sep:
        raise BadRequest(f"Invalid filter clause {clause!r}: expected key:value")
    if key in ("name", "permissions", "user", "group"):
        return _string_predicate(key, value)
    if key == "type":
        return _type_predicate(value)
    if key == "size":
        return _range_predicate(value, _parse_size, lambda doc: int(doc["size"]))
    if key == "last_modified":
        return _range_predicate(value, _parse_time, _doc_time)
    raise BadRequest(f"Unknown filter field {key!r}")


def parse_filters(filters: Iterable[str]) -> list[Predicate]:
    """All clauses of every ``filter`` parameter (clauses split on ``/``), ANDed."""
    predicates: list[Predicate] = []
    for text in filters:
        for clause in text.split("/"):
            if clause.strip():
                predicates.append(_clause(clause))
    return predicates


def parse_orderby(orderby: Iterable[str]) -> list[tuple[str, bool]]:
    """``[(field, descending), ...]`` from ``"size DESC,name"`` (several params allowed)."""
    keys: list[tuple[str, bool]] = []
    for text in orderby:
        for part in text.split(","):
            words = part.split()
            if not words:
                continue
            field = words[0]
            if field not in ORDER_FIELDS:
                raise BadRequest(f"Invalid orderby field {field!r}")
            direction = words[1].upper() if len(words) > 1 else "ASC"
            if direction not in ("ASC", "DESC") or len(words) > 2:
                raise BadRequest(f"Invalid orderby {part.strip()!r}")
            keys.append((field, direction == "DESC"))
    return keys


def _sort_key(field: str) -> Callable[[FileDoc], t.Any]:
    if field == "size":
        return lambda doc: int(doc.get("size") or 0)
    if field == "last_modified":
        return _doc_time
    return lambda doc: str(doc.get(field) or "")


def order(docs: list[FileDoc], keys: list[tuple[str, bool]]) -> list[FileDoc]:
    """Stable multi-key sort, default by name."""
    result = sorted(docs, key=lambda d: str(d["name"]))
    for field, descending in reversed(keys):
        result.sort(key=_sort_key(field), reverse=descending)
    return result
