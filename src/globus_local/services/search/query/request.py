"""Reading a GSearchRequest (POST body, GET parameters, delete_by_query body) into a plan.

Everything a client can get wrong is checked here and answered with a 400 naming the
field, before any SQL is built.
"""

from __future__ import annotations

import math
import typing as t
from dataclasses import dataclass, field

from globus_local.kit.errors import ServiceError
from globus_local.kit.params import parse_bool, parse_int
from globus_local.services.search.errors import validation_error
from globus_local.services.search.limits import (
    MAX_BOOSTS,
    MAX_BUCKETS,
    MAX_FACET_SIZE,
    MAX_FACETS,
    MAX_FILTER_CLAUSES,
    MAX_FILTER_DEPTH,
    MAX_JSON_DEPTH,
    MAX_LIKE_CHARS,
    MAX_SORT_FIELDS,
)
from globus_local.services.search.query.ast import Node
from globus_local.services.search.query.parser import (
    QueryLimitError,
    QuerySyntaxError,
    parse_query,
)
from globus_local.services.search.shape import check_json
from globus_local.services.search.text import date_span, range_bound_problem

MAX_RESULTS = 10_000  # offset + limit never exceeds this
DEFAULT_LIMIT = 10

FILTER_TYPES = ("match_any", "match_all", "range", "exists", "like", "not", "and", "or")
FACET_TYPES = ("terms", "date_histogram", "numeric_histogram", "sum", "avg")
DATE_INTERVALS = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
# The shortest each interval can be: a date histogram's range over it bounds its buckets.
_INTERVAL_SECONDS = {
    "year": 365 * 86400,
    "quarter": 89 * 86400,
    "month": 28 * 86400,
    "week": 7 * 86400,
    "day": 86400,
    "hour": 3600,
    "minute": 60,
    "second": 1,
}


@dataclass
class SearchPlan:
    query: Node
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    # narrow the results and what the facets count
    filters: list[dict[str, t.Any]] = field(default_factory=list)
    # narrow the results only: facets are counted before these apply
    post_facet_filters: list[dict[str, t.Any]] = field(default_factory=list)
    facets: list[dict[str, t.Any]] = field(default_factory=list)
    boosts: list[dict[str, t.Any]] = field(default_factory=list)
    sort: list[dict[str, t.Any]] = field(default_factory=list)
    bypass_visible_to: bool = False


def _field_name(item: dict[str, t.Any], path: str) -> str:
    name = item.get("field_name")
    if not isinstance(name, str) or not name:
        raise validation_error("Missing data for required field.", f"{path}.field_name")
    return name


class _Clauses:
    """The filters and filter values of one request, counted against MAX_FILTER_CLAUSES."""

    def __init__(self) -> None:
        self.n = 0

    def spend(self, n: int, path: str) -> None:
        self.n += n
        if self.n > MAX_FILTER_CLAUSES:
            raise validation_error(
                f"Too many filters and filter values: at most {MAX_FILTER_CLAUSES} in all.", path
            )


def check_filter(
    item: t.Any, path: str, clauses: _Clauses | None = None, depth: int = 1
) -> dict[str, t.Any]:
    """A GFilter, checked; ``not``/``and``/``or`` nest at most MAX_FILTER_DEPTH deep."""
    clauses = clauses if clauses is not None else _Clauses()
    if not isinstance(item, dict):
        raise validation_error("Invalid input type: a filter must be an object.", path)
    if depth > MAX_FILTER_DEPTH:
        raise validation_error(f"Filters nest more than {MAX_FILTER_DEPTH} levels deep.", path)
    clauses.spend(1, path)
    kind = item.get("type")
    if kind not in FILTER_TYPES:
        raise validation_error(
            f"Unknown filter type {kind!r}; must be one of: {', '.join(FILTER_TYPES)}.",
            f"{path}.type",
        )
    if kind == "not":
        sub = check_filter(item.get("filter"), f"{path}.filter", clauses, depth + 1)
        return {"type": kind, "filter": sub}
    if kind in ("and", "or"):
        subs = item.get("filters")
        if not isinstance(subs, list) or not subs:
            raise validation_error("Must be a non-empty list.", f"{path}.filters")
        return {
            "type": kind,
            "filters": [
                check_filter(s, f"{path}.filters.{i}", clauses, depth + 1)
                for i, s in enumerate(subs)
            ],
        }
    return _field_filter(item, kind, path, clauses)


def _field_filter(
    item: dict[str, t.Any], kind: str, path: str, clauses: _Clauses
) -> dict[str, t.Any]:
    """A filter on one field: exists, like, range, match_any, match_all."""
    out: dict[str, t.Any] = {"type": kind, "field_name": _field_name(item, path)}
    if kind == "exists":
        return out
    if kind == "like":
        value = item.get("value")
        if not isinstance(value, str):
            raise validation_error("Missing data for required field.", f"{path}.value")
        if len(value) > MAX_LIKE_CHARS:
            raise validation_error(
                f"A like pattern may be at most {MAX_LIKE_CHARS} characters long.", f"{path}.value"
            )
        out["value"] = value
        return out
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise validation_error("Must be a non-empty list.", f"{path}.values")
    clauses.spend(len(values), f"{path}.values")
    if kind == "range":
        out["values"] = [_check_range(rng, f"{path}.values.{i}") for i, rng in enumerate(values)]
        return out
    for i, value in enumerate(values):
        if not isinstance(value, (str, int, float, bool)):
            raise validation_error("Filter values must be scalars.", f"{path}.values.{i}")
    out["values"] = values
    return out


def _check_range(rng: t.Any, path: str) -> dict[str, t.Any]:
    """One range of a range filter; a bound nothing stored compares with is a 400."""
    if not isinstance(rng, dict) or not any(
        k in rng for k in ("from", "to", "gt", "gte", "lt", "lte")
    ):
        raise validation_error("A range needs 'from'/'to' (or gt, gte, lt, lte).", path)
    for key, bound in rng.items():
        if bound is not None and not isinstance(bound, (str, int, float)):
            raise validation_error("Not a valid range bound.", f"{path}.{key}")
        problem = range_bound_problem(bound)
        if problem is not None:
            raise validation_error(f"Not a valid range bound: {problem}.", f"{path}.{key}")
    return rng


def _number(value: t.Any, path: str) -> float:
    """A finite float from a JSON number (an int beyond a float's range is refused too)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise validation_error("Not a valid number.", path)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise validation_error("Not a finite number in range.", path)
    return number


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
    label = item.get("name") or name
    if not isinstance(label, str):
        raise validation_error("Not a valid string.", f"{path}.name")
    out: dict[str, t.Any] = {"type": kind, "field_name": name, "name": label}
    if kind in ("terms", "numeric_histogram"):
        out["size"] = parse_int(
            item.get("size", 10), f"{path}.size", minimum=1, maximum=MAX_FACET_SIZE
        )
    if kind == "date_histogram":
        interval = item.get("date_interval")
        if interval not in DATE_INTERVALS:
            raise validation_error(
                f"Must be one of: {', '.join(DATE_INTERVALS)}.", f"{path}.date_interval"
            )
        out["date_interval"] = interval
    rng = item.get("histogram_range")
    if kind == "numeric_histogram":
        out["histogram_range"] = _numeric_range(rng, out["size"], f"{path}.histogram_range")
    elif kind == "date_histogram" and rng is not None:
        out["histogram_range"] = _date_range(rng, f"{path}.histogram_range")
    if kind in ("sum", "avg") and item.get("missing") is not None:
        out["missing"] = _number(item["missing"], f"{path}.missing")
    return out


def _numeric_range(rng: t.Any, size: int, path: str) -> dict[str, float]:
    """``{low, high}`` whose buckets have a finite, non-zero width."""
    if not isinstance(rng, dict):
        raise validation_error("Missing data for required field.", path)
    low = _number(rng.get("low"), f"{path}.low")
    high = _number(rng.get("high"), f"{path}.high")
    if high <= low:
        raise validation_error("high must be greater than low.", path)
    width = (high - low) / size
    if not math.isfinite(width) or width <= 0 or low + width == low:
        raise validation_error("The range is too wide or too narrow to divide in buckets.", path)
    return {"low": low, "high": high}


def _date_range(rng: t.Any, path: str) -> dict[str, t.Any]:
    """``{low, high}`` (either may be absent): dates, as strings or years."""
    if not isinstance(rng, dict):
        raise validation_error("Must be an object.", path)
    for key in ("low", "high"):
        value = rng.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise validation_error("Not a valid date.", f"{path}.{key}")
        if date_span(str(value)) is None:
            raise validation_error("Not a valid date (years 1-9999).", f"{path}.{key}")
    return rng


def facet_buckets(facet: dict[str, t.Any]) -> int:
    """The most buckets a facet can return, as far as the request alone tells."""
    if facet["type"] in ("terms", "numeric_histogram"):
        return int(facet["size"])
    if facet["type"] != "date_histogram":
        return 1
    rng = facet.get("histogram_range") or {}
    if rng.get("low") is None or rng.get("high") is None:
        return 0  # only the data can tell: counted as the buckets are made
    low = date_span(str(rng["low"]))
    high = date_span(str(rng["high"]))
    assert low is not None and high is not None
    span = max(high[1] - low[0], 0.0)
    return int(span // _INTERVAL_SECONDS[facet["date_interval"]]) + 2  # a partial one each end


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


def _list(body: dict[str, t.Any], key: str, maximum: int | None = None) -> list[t.Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise validation_error("Not a valid list.", key)
    if maximum is not None and len(value) > maximum:
        raise validation_error(f"At most {maximum} items are allowed.", key)
    return value


def _check_facets(body: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """The facets; together they may return at most MAX_BUCKETS buckets."""
    facets = [
        check_facet(f, f"facets.{i}") for i, f in enumerate(_list(body, "facets", MAX_FACETS))
    ]
    if sum(facet_buckets(f) for f in facets) > MAX_BUCKETS:
        raise too_many_buckets(MAX_BUCKETS)
    return facets


def too_many_buckets(limit: int) -> ServiceError:
    return validation_error(
        f"The facets would return more than {limit} buckets in all; ask for fewer "
        "(a smaller size, a longer date_interval or a narrower histogram_range).",
        "facets",
    )


def _parse_q(q: str | None, advanced: bool) -> Node:
    try:
        return parse_query(q, advanced)
    except QueryLimitError as err:
        raise validation_error(f"Query too large: {err}.", "q") from None
    except QuerySyntaxError as err:
        raise validation_error(f"Unable to parse the advanced query: {err}", "q") from None


def _is_v1(body: dict[str, t.Any]) -> bool:
    """Whether the request is of the ``#1.0.0`` documents (``query#1.0.0``, ``scroll#1.0.0``
    ...) rather than the 2017-09-01 ones (the default)."""
    version = body.get("@version")
    return isinstance(version, str) and version.endswith("#1.0.0")


def _filters(
    body: dict[str, t.Any], key: str, clauses: _Clauses
) -> tuple[list[dict[str, t.Any]], list[dict[str, t.Any]]]:
    """``body[key]`` checked: (filters the facets see, filters applied after the facets).

    In a ``#1.0.0`` request every filter narrows the facets too. A 2017-09-01 filter
    carries ``post_filter``, true by default except for ``match_all``, as Globus Search
    documents it: a post filter narrows the results only."""
    v1 = _is_v1(body)
    before: list[dict[str, t.Any]] = []
    after: list[dict[str, t.Any]] = []
    for i, item in enumerate(_list(body, key)):
        path = f"{key}.{i}"
        checked = check_filter(item, path, clauses)
        late = False
        if not v1:
            default = checked["type"] != "match_all"
            late = parse_bool(item.get("post_filter", default), f"{path}.post_filter")
        (after if late else before).append(checked)
    return before, after


def _parse_request(body: t.Any) -> tuple[SearchPlan, _Clauses]:
    """The query and filters every kind of request shares (search, scroll, delete)."""
    if not isinstance(body, dict):
        raise validation_error("The search request must be a JSON object.")
    # NaN, ±inf, NUL or absurd nesting anywhere: a 400 now, not a failure in SQL or output
    check_json(body, "", max_objects=MAX_JSON_DEPTH, max_containers=MAX_JSON_DEPTH)
    q = body.get("q")
    if q is not None and not isinstance(q, str):
        raise validation_error("Not a valid string.", "q")
    advanced = parse_bool(body.get("advanced", False), "advanced")
    clauses = _Clauses()
    filters, late = _filters(body, "filters", clauses)
    if (q is None or not q.strip()) and not (filters or late):
        raise validation_error("A query requires 'q' or 'filters'.", "q")
    plan = SearchPlan(query=_parse_q(q, advanced), filters=filters, post_facet_filters=late)
    return plan, clauses


def _bypass(body: dict[str, t.Any]) -> bool:
    return parse_bool(body.get("bypass_visible_to", False), "bypass_visible_to")


def build_plan(body: t.Any, *, paging: bool = True) -> SearchPlan:
    """A plan from a GSearchRequest-shaped dict (``paging=False`` ignores limit/offset)."""
    plan, clauses = _parse_request(body)
    if paging:
        plan.limit = parse_int(body.get("limit", DEFAULT_LIMIT), "limit", maximum=MAX_RESULTS)
        plan.offset = parse_int(body.get("offset", 0), "offset", maximum=MAX_RESULTS)
        if plan.offset + plan.limit > MAX_RESULTS:
            raise validation_error(f"offset + limit must not exceed {MAX_RESULTS}.", "offset")
        before, after = _filters(body, "post_facet_filters", clauses)
        plan.post_facet_filters += before + after
        plan.facets = _check_facets(body)
        plan.boosts = [
            check_boost(b, f"boosts.{i}") for i, b in enumerate(_list(body, "boosts", MAX_BOOSTS))
        ]
        plan.sort = [
            check_sort(s, f"sort.{i}") for i, s in enumerate(_list(body, "sort", MAX_SORT_FIELDS))
        ]
        plan.bypass_visible_to = _bypass(body)
    return plan


# What a scroll request may not hold: its pages follow the subjects' order, and it has no
# facets (as Globus Search documents the scroll API).
_NOT_IN_SCROLL = ("facets", "sort", "boosts", "post_facet_filters", "offset")


def build_scroll_plan(body: t.Any) -> tuple[SearchPlan, str | None]:
    """A plan from a GScrollRequest, and the marker it carries (None on the first page)."""
    plan, _clauses = _parse_request(body)
    for key in _NOT_IN_SCROLL:
        if body.get(key) not in (None, []):
            raise validation_error("Not allowed in a scroll query.", key)
    limit = body.get("limit", DEFAULT_LIMIT)
    plan.limit = parse_int(limit, "limit", minimum=1, maximum=MAX_RESULTS)
    plan.bypass_visible_to = _bypass(body)
    marker = body.get("marker")
    if marker is not None and not isinstance(marker, str):
        raise validation_error("Not a valid string.", "marker")
    return plan, marker
