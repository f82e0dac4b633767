"""task_wait: polls GET /task/<id> until the task leaves ACTIVE or time runs out."""

from __future__ import annotations

import pytest

import globus_sdk
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub, StubResponse

TASK = "42277910-0c18-11ec-ba76-138ac5bdb19f"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    import globus_sdk.services.transfer.client as client_module

    delays: list[float] = []
    monkeypatch.setattr(client_module.time, "sleep", delays.append)
    return delays


def _statuses(http_stub: HTTPStub, *statuses: str) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/task/{TASK}",
        *[StubResponse(200, {"task_id": TASK, "status": s}) for s in statuses],
    )


@pytest.mark.parametrize("final", ["SUCCEEDED", "FAILED", "INACTIVE"])
def test_returns_true_once_task_is_not_active(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float], final: str
) -> None:
    _statuses(http_stub, "ACTIVE", "ACTIVE", final)
    assert tc.task_wait(TASK, timeout=60, polling_interval=5) is True
    assert len(http_stub.requests) == 3
    assert sleeps == [5, 5]


def test_returns_false_when_time_runs_out(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    _statuses(http_stub, "ACTIVE")
    assert tc.task_wait(TASK, timeout=10, polling_interval=3) is False
    assert sum(sleeps) >= 10
    assert all(s == 3 for s in sleeps)
    assert len(http_stub.requests) == len(sleeps) + 1


def test_interval_is_capped_at_timeout(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    _statuses(http_stub, "ACTIVE")
    assert tc.task_wait(TASK, timeout=1, polling_interval=10) is False
    assert sleeps == [1]


def test_no_sleep_when_already_done(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    _statuses(http_stub, "SUCCEEDED")
    assert tc.task_wait(TASK) is True
    assert sleeps == []


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"polling_interval": 0}, {"timeout": -5, "polling_interval": 1}]
)
def test_validation(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float], kwargs
) -> None:
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        tc.task_wait(TASK, **kwargs)
    assert http_stub.requests == []


def test_api_errors_propagate(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/task/{TASK}",
        status=404,
        body={"code": "TaskNotFound", "message": "no such task", "request_id": "r1"},
    )
    with pytest.raises(globus_sdk.TransferAPIError) as err:
        tc.task_wait(TASK, timeout=5, polling_interval=1)
    assert err.value.code == "TaskNotFound"
