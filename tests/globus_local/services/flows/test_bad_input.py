"""Whatever a client sends, Flows answers with a 2xx or a 4xx in its own error document,
never a 5xx: arbitrary JSON in each field of the bodies it reads, and arbitrary text in each
query parameter of its lists."""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import FlowsUser, MakeUser, pass_chain

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FLOW_FIELDS = (
    "title",
    "subtitle",
    "description",
    "definition",
    "input_schema",
    "keywords",
    "flow_viewers",
    "flow_starters",
    "flow_administrators",
    "run_managers",
    "run_monitors",
    "subscription_id",
    "flow_owner",
)
RUN_FIELDS = (
    "body",
    "label",
    "tags",
    "run_managers",
    "run_monitors",
    "request_id",
    "activity_notification_policy",
)
FLOW_QUERY = (
    "filter_roles",
    "filter_role",
    "filter_fulltext",
    "filter_title",
    "filter_keywords",
    "orderby",
    "marker",
    "per_page",
)
RUN_QUERY = (
    "filter_roles",
    "filter_status",
    "filter_flow_id",
    "filter_start_time",
    "filter_completion_time",
    "orderby",
    "marker",
    "per_page",
)
LOG_QUERY = ("limit", "reverse_order", "marker", "per_page")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _answered(r: t.Any) -> None:
    assert r.status_code < 500, (r.status_code, r.text)
    if r.status_code >= 400:
        doc = r.json()
        assert set(doc) == {"error", "debug_id"} and "code" in doc["error"], doc


@pytest.fixture
def seeded(owner: FlowsUser) -> tuple[FlowsUser, dict[str, t.Any], str]:
    flow = owner.create_flow(pass_chain(2), input_schema={"type": "object"})
    run = owner.run(flow, {"start": 1})
    return owner, flow, str(run["run_id"])


@pytest.mark.timeout(300)
@SETTINGS
@given(
    field=st.sampled_from(FLOW_FIELDS),
    value=JSON_VALUES,
    method=st.sampled_from(["POST", "PUT", "VALIDATE"]),
)
def test_flow_bodies(
    seeded: tuple[FlowsUser, dict[str, t.Any], str], field: str, value: t.Any, method: str
) -> None:
    owner, flow, _ = seeded
    body = {"title": "fuzzed", "definition": pass_chain(1), "input_schema": {}, field: value}
    if method == "POST":
        r = owner.post("flows", json=body)
    elif method == "PUT":
        r = owner.put(f"flows/{flow['id']}", json={field: value})
    else:
        r = owner.post("flows/validate", json=body)
    _answered(r)


@pytest.mark.timeout(300)
@SETTINGS
@given(
    field=st.sampled_from(RUN_FIELDS),
    value=JSON_VALUES,
    route=st.sampled_from(["run", "validate_run", "update"]),
)
def test_run_bodies(
    seeded: tuple[FlowsUser, dict[str, t.Any], str], field: str, value: t.Any, route: str
) -> None:
    from tests.support.platform import call

    owner, flow, run_id = seeded
    body = {"body": {"start": 2}, field: value}
    if route == "update":
        r = owner.put(f"runs/{run_id}", json={field: value})
    else:
        r = call(
            owner.base_url, "POST", f"flows/{flow['id']}/{route}", owner.flow_token(flow), json=body
        )
    _answered(r)


@pytest.mark.timeout(300)
@SETTINGS
@given(
    which=st.sampled_from(["flows", "runs", "log"]),
    params=st.dictionaries(
        st.sampled_from(FLOW_QUERY + RUN_QUERY + LOG_QUERY), st.text(max_size=30), max_size=3
    ),
)
def test_list_queries(
    seeded: tuple[FlowsUser, dict[str, t.Any], str], which: str, params: dict[str, str]
) -> None:
    owner, _, run_id = seeded
    path = {"flows": "flows", "runs": "runs", "log": f"runs/{run_id}/log"}[which]
    _answered(owner.get(path, params=params))


def test_whole_bodies_of_other_shapes(make_user: MakeUser) -> None:
    owner = make_user("shapes")
    flow = owner.create_flow(pass_chain(1))
    for body in (None, [], "text", 12, {"definition": None}):
        _answered(owner.post("flows", json=body))
        _answered(owner.put(f"flows/{flow['id']}", json=body))
        _answered(
            owner.start(flow, {})
            if body is None
            else owner.post(f"flows/{flow['id']}/run", json=body)
        )
    r = owner.http("POST", "flows", data=b"{not json", headers={"Content-Type": "application/json"})
    _answered(r)
    assert r.status_code == 400


def test_nul_characters_are_refused(make_user: MakeUser) -> None:
    """PostgreSQL stores and compares no text holding NUL: a 4xx on both databases."""
    owner = make_user("nul")
    flow = owner.create_flow(pass_chain(1))
    for r in (
        owner.post("flows", json={"title": "a\x00b", "definition": pass_chain(1)}),
        owner.put(f"flows/{flow['id']}", json={"description": "d\x00"}),
        owner.get("flows", params={"filter_title": "a\x00b"}),
        owner.get("runs", params={"filter_label": "a\x00b"}),
        owner.start(flow, {"x": 1}, label="l\x00"),
        owner.start(flow, {"x": 1}, request_id="r\x00"),
    ):
        _answered(r)
        assert 400 <= r.status_code < 500
    # NUL inside JSON values is kept as JSON keeps it.
    assert owner.start(flow, {"x": "a\x00"}).status_code == 201
