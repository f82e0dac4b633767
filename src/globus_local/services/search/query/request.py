"""Reading a GSearchRequest (POST body, GET parameters, delete_by_query body) into a plan.

Everything a client can get wrong is checked here and answered with a 400 naming the
field, before any SQL is built.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from globus_local.services.search.errors import validation_error
from globus_local.services.search.query.ast import Node
from globus_local.services.search.query.parser import QuerySyntaxError, parse_query

MAX_RESULTS = 10_000  # offset + limit never exceeds this
DEFAULT_LIMIT = 10

FILTER_TYPES = ("match_any", "match_all", "range", "exists", "like", "not", "and", "or")
FACET_TYPES = ("terms", "date_histogram", "numeric_histogram", "sum", "avg")
DATE_INTERVALS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")


@dataclass
class SearchPlan:
    query: Node
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    filters: list[dict[str, t.Any]] = field(default_factory=list)
    facets: list[dict[str, t.Any]] = field(default_factory=list)
    boosts: list[dict[str, t.Any]] = field(default_factory=list)
    sort: list[dict[str, t.Any]] = field(default_factory=list)
    bypass_visible_to: bool = False


def parse_bool(value: t.Any, name: str) -> bool:
    """Booleans as JSON or as query-string text (``true``, ``False``, ``1``...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise validation_error("Not a valid boolean.", name)


def parse_int(value: t.Any, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise validation_error("Not a valid integer.", name)
    try:
        number = int(value) if isinstance(value, (int, str)) else None
    except ValueError:
        number = None
    if number is None:
        raise validation_error("Not a valid integer.", name)
    if number < minimum or (maximum is not None and number > maximum):
        top = f" and at most {maximum}" if maximum is not None else ""
        raise validation_error(f"Must be at least {minimum}{top}.", name)
    return number


def _field_name(item: dict[str, t.Any], path: str) -> str:
    name = item.get("field_name")
    if not isinstance(name, str) or not name:
        raise validation_error("Missing data for required field.", f"{path}.field_name")
    return name


def check_filter(item: t.Any, path: str) -> dict[str, t.Any]:
    if not isinstance(item, dict):
        raise validation_error("Invalid input type: a filter must be an object.", path)
    kind = item.get("type")
    if kind not in FILTER_TYPES:
        raise validation_error(
            f"Unknown filter type {kind!r}; must be one of: {', '.join(FILTER_TYPES)}.",
            f"{path}.type",
        )
    if kind == "not":
        return {"type": kind, "filter": check_filter(item.get("filter"), f"{path}.filter")}
    if kind in ("and", "or"):
        subs = item.get("filters")
        if not isinstance(subs, list) or not subs:
            raise validation_error("Must be a non-empty list.", f"{path}.filters")
        return {
            "type": kind,
            "filters": [check_filter(s, f"{path}.filters.{i}") for i, s in enumerate(subs)],
        }
    out: dict[str, t.Any] = {"type": kind, "field_name": _field_name(item, path)}
    post_filter = item.get("post_filter", kind != "match_all")
    out["post_filter"] = parse_bool(post_filter, f"{path}.post_filter")
    if kind == "exists":
        return out
    if kind == "like":
        value = item.get("value")
        if not isinstance(value, str):
            raise validation_error("Missing data for required field.", f"{path}.value")
        out["value"] = value
        return out
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise validation_error("Must be a non-empty list.", f"{path}.values")
    if kind == "range":
        checked = []
        for i, rng in enumerate(values):
            if not isinstance(rng, dict) or not any(
                k in rng for k in ("from", "to", "gt", "gte", "lt", "lte")
            ):
                raise validation_error(
                    "A range needs 'from'/'to' (or gt, gte, lt, lte).", f"{path}.values.{i}"
                )
            for key, bound in rng.items():
                if bound is not None and not isinstance(bound, (str, int, float)):
                    raise validation_error("Not a valid range bound.", f"{path}.values.{i}.{key}")
            checked.append(rng)
        out["values"] = checked
        return out
    for i, value in enumerate(values):
        if not isinstance(value, (str, int, float, bool)):
            raise validation_error("Filter values must be scalars.", f"{path}.values.{i}")
    out["values"] = values
    return out


def _number(value: t.Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise validation_error("Not a valid number.", path)
    return float(value)


def check_facet(item: t.Any, path: str) -> dict[str, t.Any]:
    if not isinstance(item, dict):
        raise validation_error("Invalid input type: a facet must be an object.", path)
    kind = item.get("type", "terms")
    if kind not in FACET_TYPES:
        raise validation_error(
            f"Unknown facet type {kind!r}; must be one of: {', '.join(FACET_TYPES)}.",
            f"{path}.type",
        )
    name = _field_name(item, path)
    out: dict[str, t.Any] = {"type": kind, "field_name": name, "name": item.get("name") or name}
    if kind in ("terms", "numeric_histogram"):
        out["size"] = parse_int(item.get("size", 10), f"{path}.size", minimum=1, maximum=1000)
    if kind == "date_histogram":
        interval = item.get("date_interval")
        if interval not in DATE_INTERVALS:
            raise validation_error(
                f"Must be one of: {', '.join(DATE_INTERVALS)}.", f"{path}.date_interval"
            )
        out["date_interval"] = interval
    rng = item.get("histogram_range")
    if kind == "numeric_histogram":
        if not isinstance(rng, dict):
            raise validation_error("Missing data for required field.", f"{path}.histogram_range")
        low = _number(rng.get("low"), f"{path}.histogram_range.low")
        high = _number(rng.get("high"), f"{path}.histogram_range.high")
        if high <= low:
            raise validation_error("high must be greater than low.", f"{path}.histogram_range")
        out["histogram_range"] = {"low": low, "high": high}
    elif kind == "date_histogram" and rng is not None:
        if not isinstance(rng, dict):
            raise validation_error("Must be an object.", f"{path}.histogram_range")
        out["histogram_range"] = rng
    if kind in ("sum", "avg") and item.get("missing") is not None:
        out["missing"] = _number(item["missing"], f"{path}.missing")
    return out


def check_boost(item: t.Any, path: str) -> dict[str, t.Any]:
    if not isinstance(item, dict):
        raise validation_error("Invalid input type: a boost must be an object.", path)
    factor = _number(item.get("factor"), f"{path}.factor")
    if not 0 <= factor <= 10:
        raise validation_error("Must be between 0 and 10.", f"{path}.factor")
    return {"field_name": _field_name(item, path), "factor": factor}


def check_sort(item: t.Any, path: str) -> dict[str, t.Any]:
    if not isinstance(item, dict):
        raise validation_error("Invalid input type: a sort must be an object.", path)
    order = item.get("order", "desc")
    if order not in ("asc", "desc"):
        raise validation_error("Must be one of: asc, desc.", f"{path}.order")
    return {"field_name": _field_name(item, path), "order": order}


def _list(body: dict[str, t.Any], key: str) -> list[t.Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise validation_error("Not a valid list.", key)
    return value


def build_plan(body: t.Any, *, paging: bool = True) -> SearchPlan:
    """A plan from a GSearchRequest-shaped dict (``paging=False`` ignores limit/offset)."""
    if not isinstance(body, dict):
        raise validation_error("The search request must be a JSON object.")
    q = body.get("q")
    if q is not None and not isinstance(q, str):
        raise validation_error("Not a valid string.", "q")
    advanced = parse_bool(body.get("advanced", False), "advanced")
    filters = [check_filter(f, f"filters.{i}") for i, f in enumerate(_list(body, "filters"))]
    if (q is None or not q.strip()) and not filters:
        raise validation_error("A query requires 'q' or 'filters'.", "q")
    try:
        query = parse_query(q, advanced)
    except QuerySyntaxError as err:
        raise validation_error(f"Unable to parse the advanced query: {err}", "q")
    plan = SearchPlan(query=query, filters=filters)
    if paging:
        plan.limit = parse_int(body.get("limit", DEFAULT_LIMIT), "limit", maximum=MAX_RESULTS)
        plan.offset = parse_int(body.get("offset", 0), "offset", maximum=MAX_RESULTS)
        if plan.offset + plan.limit > MAX_RESULTS:
            raise validation_error(f"offset + limit must not exceed {MAX_RESULTS}.", "offset")
        plan.facets = [check_facet(f, f"facets.{i}") for i, f in enumerate(_list(body, "facets"))]
        plan.boosts = [check_boost(b, f"boosts.{i}") for i, b in enumerate(_list(body, "boosts"))]
        plan.sort = [check_sort(s, f"sort.{i}") for i, s in enumerate(_list(body, "sort"))]
        plan.bypass_visible_to = parse_bool(
            body.get("bypass_visible_to", False), "bypass_visible_to"
        )
    return plan
