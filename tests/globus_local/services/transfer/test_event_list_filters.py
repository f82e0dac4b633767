"""A task's event list filtered to errors: ``filter_is_error=1|0`` (what globus-sdk 3.2's
``endpoint_manager_task_event_list`` sends) and ``filter=is_error:1`` (the REST form), on
the owner's route and the endpoint manager's; a bad value is a Transfer 400."""

from __future__ import annotations

import typing as t

import pytest

import globus_sdk
from tests.globus_local.services.transfer.support import (
    MakeEndpoint,
    TransferUser,
    run_transfer,
)

Task = tuple[str, dict[str, t.Any]]


@pytest.fixture
def failed_task(alice: TransferUser, bob: TransferUser, make_endpoint: MakeEndpoint) -> Task:
    """A task of alice's with error and non-error events; bob monitors its source."""
    src_id, src = make_endpoint(alice, "source")
    dst_id, _ = make_endpoint(alice, "destination")
    (src / "a.txt").write_bytes(b"aaaa")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [
            {"source_path": "/a.txt", "destination_path": "/a"},
            {"source_path": "/missing", "destination_path": "/m"},
        ],
    )
    role = {"DATA_TYPE": "role", "principal_type": "identity", "principal": bob.id}
    response = alice.post(f"endpoint/{src_id}/role", json={**role, "role": "activity_monitor"})
    assert response.status_code in (200, 201), response.text
    task_id = doc["task_id"]
    everything = alice.get(f"task/{task_id}/event_list", params={"limit": 1000}).json()
    flags = {e["is_error"] for e in everything["DATA"]}
    assert flags == {True, False}, everything
    return task_id, everything


def _path(route: str, task_id: str) -> str:
    return f"{route}task/{task_id}/event_list"


def _caller(route: str, alice: TransferUser, bob: TransferUser) -> TransferUser:
    return bob if route else alice


ROUTES = pytest.mark.parametrize("route", ["", "endpoint_manager/"], ids=["owner", "manager"])


@ROUTES
@pytest.mark.parametrize(
    ("params", "want_errors"),
    [
        ({"filter_is_error": "1"}, True),
        ({"filter_is_error": "0"}, False),
        ({"filter_is_error": "TRUE"}, True),
        ({"filter": "is_error:1"}, True),
        ({"filter": "is_error:0"}, False),
        ({"filter_is_error": "1", "filter": "is_error:1"}, True),
        ({"filter_is_error": "false", "filter": "is_error:0"}, False),
    ],
)
def test_error_filters(
    alice: TransferUser,
    bob: TransferUser,
    failed_task: Task,
    route: str,
    params: dict[str, str],
    want_errors: bool,
) -> None:
    task_id, everything = failed_task
    caller = _caller(route, alice, bob)
    response = caller.get(_path(route, task_id), params={**params, "limit": 1000})
    assert response.status_code == 200, response.text
    doc = response.json()
    expected = [e for e in everything["DATA"] if e["is_error"] is want_errors]
    assert doc["DATA"] == expected
    assert doc["total"] == doc["length"] == len(expected) > 0


@ROUTES
def test_no_filter_or_empty_filter_lists_everything(
    alice: TransferUser, bob: TransferUser, failed_task: Task, route: str
) -> None:
    task_id, everything = failed_task
    caller = _caller(route, alice, bob)
    for params in ({}, {"filter_is_error": ""}, {"filter": ""}):
        doc = caller.get(_path(route, task_id), params={**params, "limit": 1000}).json()
        assert doc["total"] == everything["total"], params


@ROUTES
@pytest.mark.parametrize(
    "params",
    [
        {"filter_is_error": "maybe"},
        {"filter_is_error": "2"},
        {"filter": "is_error:2"},
        {"filter": "is_error"},
        {"filter": "status:FAILED"},
        {"filter": "is_error:1/is_error:1"},
        {"filter_is_error": "1", "filter": "is_error:0"},
    ],
)
def test_bad_filters_are_a_transfer_400(
    alice: TransferUser, bob: TransferUser, failed_task: Task, route: str, params: dict[str, str]
) -> None:
    task_id, _ = failed_task
    response = _caller(route, alice, bob).get(_path(route, task_id), params=params)
    assert response.status_code == 400, response.text
    doc = response.json()
    assert doc["code"] == "ClientError.BadRequest"
    assert doc["request_id"] and doc["resource"].startswith("/v0.10/")
    assert doc["message"]


def test_filters_do_not_open_other_tasks(
    bob: TransferUser, make_user: t.Callable[..., TransferUser], failed_task: Task
) -> None:
    task_id, _ = failed_task
    stranger = make_user("carol")
    for route, caller in (("", bob), ("", stranger), ("endpoint_manager/", stranger)):
        response = caller.get(_path(route, task_id), params={"filter_is_error": "1"})
        assert response.status_code in (403, 404), (route, response.text)


def test_sdk_sends_what_the_server_reads(
    transfer_server: t.Any,
    bob: TransferUser,
    failed_task: Task,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our SDK's ``endpoint_manager_task_event_list(filter_is_error=...)`` end to end."""
    task_id, everything = failed_task
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", transfer_server.service_url("transfer"))
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(bob.token))
    errors = tc.endpoint_manager_task_event_list(task_id, limit=1000, filter_is_error=True)
    others = tc.endpoint_manager_task_event_list(task_id, limit=1000, filter_is_error=False)
    assert errors["DATA"] == [e for e in everything["DATA"] if e["is_error"]]
    assert others["DATA"] == [e for e in everything["DATA"] if not e["is_error"]]
