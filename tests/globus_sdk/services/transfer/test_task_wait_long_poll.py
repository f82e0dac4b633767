"""task_wait against a server that advertises ``GET /task/<id>/wait`` in a header of the
task document (globus-local): it waits there instead of polling. Without the header (the
real service) it never asks for that route (see test_task_wait.py for the polling)."""

from __future__ import annotations

import threading

import pytest

import globus_sdk
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub, RecordedRequest, StubResponse

TASK = "42277910-0c18-11ec-ba76-138ac5bdb19f"
HEADER = "X-Globus-Local-Task-Wait"
WAIT = f"{PREFIX}/task/{TASK}/wait"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    import globus_sdk.services.transfer.client as client_module

    delays: list[float] = []
    monkeypatch.setattr(client_module.time, "sleep", delays.append)
    return delays


def _task(status: str, advertise: str | None = "20") -> StubResponse:
    headers = {HEADER: advertise} if advertise is not None else {}
    return StubResponse(200, {"task_id": TASK, "status": status}, headers)


def _asked(request: RecordedRequest) -> float:
    return float(request.query["timeout"][0])


def test_waits_on_the_advertised_route(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    http_stub.add("GET", f"{PREFIX}/task/{TASK}", _task("ACTIVE"))
    http_stub.add("GET", WAIT, _task("SUCCEEDED"))
    assert tc.task_wait(TASK, timeout=60, polling_interval=10) is True
    assert [r.path for r in http_stub.requests] == [f"{PREFIX}/task/{TASK}", WAIT]
    assert _asked(http_stub.requests[1]) == 20
    assert sleeps == []


def test_a_wait_is_kept_inside_the_http_timeout(
    http_stub: HTTPStub, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", http_stub.url)
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "8")
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("tok"))
    http_stub.add("GET", f"{PREFIX}/task/{TASK}", _task("ACTIVE"))
    http_stub.add("GET", WAIT, _task("FAILED"))
    assert tc.task_wait(TASK, timeout=60) is True
    assert _asked(http_stub.requests_to(WAIT)[0]) == 4


def test_timeout_is_honoured(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    """Each wait is asked for what is left of the timeout; the server holds it that long."""

    def hold(request: RecordedRequest) -> StubResponse:
        threading.Event().wait(_asked(request))
        return _task("ACTIVE")

    http_stub.add("GET", f"{PREFIX}/task/{TASK}", _task("ACTIVE"))
    http_stub.route("GET", WAIT, hold)
    assert tc.task_wait(TASK, timeout=1, polling_interval=1) is False
    waits = http_stub.requests_to(WAIT)
    assert len(waits) == 1 and 0 < _asked(waits[0]) <= 1
    assert sleeps == []


def test_an_early_answer_is_followed_by_a_poll_pause(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float]
) -> None:
    """A server that stops answers its waiters at once with the task still ACTIVE: the
    client pauses as polling would rather than asking again at once."""
    http_stub.add("GET", f"{PREFIX}/task/{TASK}", _task("ACTIVE"))
    http_stub.add("GET", WAIT, _task("ACTIVE"), _task("SUCCEEDED"))
    assert tc.task_wait(TASK, timeout=60, polling_interval=7) is True
    assert len(http_stub.requests_to(WAIT)) == 2
    assert sleeps == [7]


@pytest.mark.parametrize("advertised", [None, "", "soon", "0", "-3", "nan"])
def test_without_a_valid_advertisement_it_polls(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, sleeps: list[float], advertised: str | None
) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/task/{TASK}",
        _task("ACTIVE", advertised),
        _task("SUCCEEDED", advertised),
    )
    assert tc.task_wait(TASK, timeout=60, polling_interval=5) is True
    assert http_stub.requests_to(WAIT) == []
    assert sleeps == [5]
