"""Listing flows and runs: role filters, text and time filters, ``orderby`` and marker paging.

A caller's roles are found through the roles tables (``principal IN`` the caller's URNs),
so a list costs one indexed query whatever the number of flows. The marker holds the
offset of the next page and the query it belongs to, so a marker sent with other filters
is refused rather than answering a page of another list.
"""

from __future__ import annotations

import hashlib
import json
import typing as t
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest
from globus_local.kit.paging import decode_marker, encode_marker, split_page
from globus_local.kit.params import parse_csv_values, parse_datetime, query_int
from globus_local.services.flows.access import ALL_AUTHENTICATED, PUBLIC, Caller
from globus_local.services.flows.models import Flow, FlowRole, Run, RunRole, RunStatus

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 50

# filter_roles names (and the singular spellings clients also send) -> role rows.
FLOW_ROLE_FILTERS = {
    "flow_owner": ("flow_owner",),
    "flow_owners": ("flow_owner",),
    "flow_viewer": ("flow_viewers",),
    "flow_viewers": ("flow_viewers",),
    "flow_starter": ("flow_starters",),
    "flow_starters": ("flow_starters",),
    "flow_administrator": ("flow_administrators",),
    "flow_administrators": ("flow_administrators",),
    "run_manager": ("run_managers",),
    "run_managers": ("run_managers",),
    "run_monitor": ("run_monitors",),
    "run_monitors": ("run_monitors",),
}
# The deprecated filter_role is cumulative: a role and every role above it.
_CUMULATIVE = {
    "flow_viewer": ("flow_viewers", "flow_starters", "flow_administrators", "flow_owner"),
    "flow_starter": ("flow_starters", "flow_administrators", "flow_owner"),
    "flow_administrator": ("flow_administrators", "flow_owner"),
    "flow_owner": ("flow_owner",),
}
FLOW_ORDER = {
    "id": Flow.id,
    "scope_string": Flow.scope_string,
    "flow_owner": Flow.owner_id,
    "flow_owners": Flow.owner_id,
    "flow_administrators": cast(Flow.flow_administrators, Text),
    "title": Flow.title,
    "created_at": Flow.created_at,
    "updated_at": Flow.updated_at,
}
RUN_ORDER = {
    "id": Run.id,
    "start_time": Run.start_time,
    "completion_time": Run.completion_time,
    "status": Run.status,
    "label": Run.label,
}
RUN_ROLE_FILTERS = {
    "run_owner": "run_owner",
    "run_manager": "run_managers",
    "run_managers": "run_managers",
    "run_monitor": "run_monitors",
    "run_monitors": "run_monitors",
    "flow_run_manager": "flow_run_managers",
    "flow_run_managers": "flow_run_managers",
    "flow_run_monitor": "flow_run_monitors",
    "flow_run_monitors": "flow_run_monitors",
}


_NOT_IN_FINGERPRINT = frozenset({"marker", "pagination_token", "per_page"})


@dataclass(frozen=True)
class Page:
    offset: int
    per_page: int
    fingerprint: str

    @classmethod
    def from_query(
        cls, query: t.Mapping[str, t.Any], marker: str | None, per_page: str | None
    ) -> Page:
        size = query_int(per_page, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        asked = {k: v for k, v in query.items() if k not in _NOT_IN_FINGERPRINT}
        fingerprint = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16]
        position = decode_marker(marker)
        offset = 0
        if position is not None:
            if position.get("q") != fingerprint or not isinstance(position.get("o"), int):
                raise BadRequest("The marker belongs to a different query")
            offset = max(0, position["o"])
        return cls(offset, size, fingerprint)

    def document(self, key: str, rows: list[t.Any], docs: list[t.Any]) -> dict[str, t.Any]:
        _, more = split_page(rows, self.per_page)
        marker = (
            encode_marker({"q": self.fingerprint, "o": self.offset + self.per_page})
            if more
            else None
        )
        return {key: docs, "limit": self.per_page, "has_next_page": more, "marker": marker}


def order_clauses(values: list[str], columns: t.Mapping[str, t.Any], default: str) -> list[t.Any]:
    """``orderby`` values, ``"<field> ASC|DESC"`` each; a field not sortable is a 400."""
    clauses = []
    for value in values or [default]:
        field, _, direction = value.strip().partition(" ")
        direction = direction.strip().upper() or "ASC"
        if field not in columns or direction not in ("ASC", "DESC"):
            raise BadRequest(
                f"Invalid orderby {value!r}: use '<field> ASC|DESC' with field one of "
                + ", ".join(sorted(columns))
            )
        column = columns[field]
        clauses.append(column.desc() if direction == "DESC" else column.asc())
    return clauses


def _contains(column: t.Any, text: str) -> t.Any:
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return func.lower(column).like(pattern, escape="\\")


def list_flows(
    session: Session, caller: Caller, query: t.Mapping[str, t.Any]
) -> tuple[list[Flow], Page]:
    """The flows the caller holds the asked-for roles on (by default any role), filtered,
    ordered and paged."""
    page = Page.from_query(query, query.get("marker"), query.get("per_page"))
    wanted = parse_csv_values(query.get("filter_roles"))
    roles: set[str] = set()
    for name in wanted:
        if name not in FLOW_ROLE_FILTERS:
            raise BadRequest(f"Invalid filter_roles value {name!r}")
        roles.update(FLOW_ROLE_FILTERS[name])
    legacy = query.get("filter_role")
    if legacy:
        if legacy not in _CUMULATIVE:
            raise BadRequest(f"Invalid filter_role value {legacy!r}")
        roles.update(_CUMULATIVE[legacy])
    principals = set(caller.principals)
    if roles:  # asked for roles: what everyone holds counts too
        principals |= {PUBLIC, ALL_AUTHENTICATED}
    role_query = select(FlowRole.flow_id).where(FlowRole.principal.in_(sorted(principals)))
    if roles:
        role_query = role_query.where(FlowRole.role.in_(sorted(roles)))
    stmt = select(Flow).where(Flow.deleted_at.is_(None), Flow.id.in_(role_query))
    for key, column in (
        ("filter_title", Flow.title),
        ("filter_subtitle", Flow.subtitle),
        ("filter_description", Flow.description),
    ):
        if query.get(key):
            stmt = stmt.where(_contains(column, query[key]))
    if query.get("filter_keywords"):
        for word in parse_csv_values([query["filter_keywords"]]):
            stmt = stmt.where(_contains(cast(Flow.keywords, Text), word))
    if query.get("filter_scope_string"):
        stmt = stmt.where(Flow.scope_string == query["filter_scope_string"])
    if query.get("filter_fulltext"):
        for word in str(query["filter_fulltext"]).split():
            stmt = stmt.where(
                or_(
                    _contains(Flow.title, word),
                    _contains(Flow.subtitle, word),
                    _contains(Flow.description, word),
                    _contains(cast(Flow.keywords, Text), word),
                )
            )
    order = order_clauses(parse_csv_values(query.get("orderby")), FLOW_ORDER, "updated_at DESC")
    rows = list(
        session.scalars(stmt.order_by(*order, Flow.id).offset(page.offset).limit(page.per_page + 1))
    )
    return rows, page


def _time_range(text: str, what: str) -> tuple[t.Any, t.Any]:
    start, sep, end = text.partition(",")
    if not sep:
        raise BadRequest(f"{what} must be 'start,end' (either may be empty)")
    return (
        parse_datetime(start, what) if start.strip() else None,
        parse_datetime(end, what) if end.strip() else None,
    )


def list_runs(
    session: Session, caller: Caller, query: t.Mapping[str, t.Any], flow_id: str | None = None
) -> tuple[list[Run], Page]:
    """Runs the caller holds a role on, by their own roles or through their flow's."""
    page = Page.from_query(
        {**query, "_flow": flow_id},
        query.get("marker") or query.get("pagination_token"),
        query.get("per_page"),
    )
    roles = {RUN_ROLE_FILTERS.get(r, "?" + r) for r in parse_csv_values(query.get("filter_roles"))}
    if query.get("filter_role"):
        roles.add(RUN_ROLE_FILTERS.get(query["filter_role"], "?" + query["filter_role"]))
    bad = sorted(r[1:] for r in roles if r.startswith("?"))
    if bad:
        raise BadRequest(f"Invalid filter_roles value(s): {', '.join(bad)}")
    principals = sorted(caller.principals | {ALL_AUTHENTICATED})
    run_roles = (
        {r for r in roles if not r.startswith("flow_")}
        if roles
        else {"run_owner", "run_managers", "run_monitors"}
    )
    flow_roles = (
        {r.removeprefix("flow_") for r in roles if r.startswith("flow_")}
        if roles
        else {"run_managers", "run_monitors"}
    )
    visible = []
    if run_roles:
        visible.append(
            Run.id.in_(
                select(RunRole.run_id).where(
                    RunRole.principal.in_(principals), RunRole.role.in_(sorted(run_roles))
                )
            )
        )
    if flow_roles:
        visible.append(
            Run.flow_id.in_(
                select(FlowRole.flow_id).where(
                    FlowRole.principal.in_(principals), FlowRole.role.in_(sorted(flow_roles))
                )
            )
        )
    stmt = select(Run).where(Run.released.is_(False), or_(*visible))
    if flow_id is not None:
        stmt = stmt.where(Run.flow_id == flow_id)
    flow_ids = parse_csv_values(query.get("filter_flow_id"))
    if flow_ids:
        stmt = stmt.where(Run.flow_id.in_(flow_ids))
    statuses = [s.upper() for s in parse_csv_values(query.get("filter_status"))]
    unknown = sorted(set(statuses) - {s.value for s in RunStatus})
    if unknown:
        raise BadRequest(f"Invalid filter_status value(s): {', '.join(unknown)}")
    if statuses:
        stmt = stmt.where(Run.status.in_(statuses))
    if query.get("filter_label"):
        stmt = stmt.where(_contains(Run.label, query["filter_label"]))
    if query.get("filter_flow_title"):
        stmt = stmt.where(_contains(Run.flow_title, query["filter_flow_title"]))
    for key, column in (
        ("filter_start_time", Run.start_time),
        ("filter_completion_time", Run.completion_time),
    ):
        if query.get(key):
            start, end = _time_range(query[key], key)
            if start is not None:
                stmt = stmt.where(column >= start)
            if end is not None:
                stmt = stmt.where(column <= end)
    order = order_clauses(parse_csv_values(query.get("orderby")), RUN_ORDER, "start_time DESC")
    rows = list(
        session.scalars(stmt.order_by(*order, Run.id).offset(page.offset).limit(page.per_page + 1))
    )
    return rows, page
