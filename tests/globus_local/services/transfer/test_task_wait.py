"""The long-poll on a task (``GET /task/<id>/wait``) and our SDK's task_wait using it, over
HTTP against the live server (SQLite and PostgreSQL): answered as soon as the task ends,
the timeout honoured, only the owner served, waiters holding no admission turn."""

from __future__ import annotations

import asyncio
import threading
import typing as t
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

import globus_sdk
from globus_local.services.transfer import task_wait
from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import (
    MakeEndpoint,
    TransferUser,
    submit,
    transfer_doc,
    wait_task,
)
from tests.support.waiting import wait_until

HEADER = "X-Globus-Local-Task-Wait"
# Waiters started at once: more than the server runs requests at once (concurrency 16).
MANY = 24


@pytest.fixture
def slow_mover(monkeypatch: pytest.MonkeyPatch) -> None:
    """Movers started from now on take 50 ms per file, one file at a time (the server runs
    in this process), so a task of many files stays ACTIVE until it is canceled."""
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "0.05")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_THREADS", "1")


@pytest.fixture
def pair(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path, str]:
    src_id, src = make_endpoint(alice, "source")
    dst_id, _ = make_endpoint(alice, "destination")
    (src / "one.txt").write_bytes(b"1")
    (src / "many").mkdir()
    for n in range(400):
        (src / "many" / f"{n:03d}").write_bytes(b"x")
    return src_id, src, dst_id


def _quick(user: TransferUser, pair: tuple[str, Path, str]) -> str:
    src_id, _, dst_id = pair
    item = {"source_path": "/one.txt", "destination_path": "/one.txt"}
    return submit(user, transfer_doc(src_id, dst_id, [item]))


def _slow(user: TransferUser, pair: tuple[str, Path, str]) -> str:
    """A task that stays ACTIVE for long (400 files at 50 ms), until canceled."""
    src_id, _, dst_id = pair
    item = {"source_path": "/many/", "destination_path": "/many/", "recursive": True}
    return submit(user, transfer_doc(src_id, dst_id, [item]))


def _cancel(user: TransferUser, task_id: str) -> None:
    """Cancel the task; a 503 (the database asked to try again) is sent again after its
    Retry-After, as Globus clients do."""
    for _ in range(5):
        response = user.post(f"task/{task_id}/cancel")
        if response.status_code != 503:
            break
        threading.Event().wait(float(response.headers.get("Retry-After", "1")))
    assert response.status_code == 200, response.text


class Counted:
    """Our SDK's TransferClient for ``user``, recording the path of every request it sends."""

    def __init__(
        self, server: LocalServer, user: TransferUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", server.service_url("transfer"))
        self.tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(user.token))
        self.sent: list[str] = []
        session = self.tc.transport.session
        send = session.send

        def counting(prepared: requests.PreparedRequest, **kw: t.Any) -> requests.Response:
            self.sent.append(prepared.path_url)
            return send(prepared, **kw)

        session.send = counting  # type: ignore[method-assign]


# -- the route ----------------------------------------------------------------------------------
def test_task_get_advertises_the_wait(alice: TransferUser, pair: t.Any) -> None:
    task_id = _quick(alice, pair)
    response = alice.get(f"task/{task_id}")
    assert response.status_code == 200
    assert float(response.headers[HEADER]) == task_wait.MAX_WAIT_SECONDS


def test_wait_on_an_ended_task_answers_its_document(alice: TransferUser, pair: t.Any) -> None:
    task_id = _quick(alice, pair)
    ended = wait_task(alice, task_id)
    response = alice.get(f"task/{task_id}/wait", params={"timeout": "20"})
    assert response.status_code == 200, response.text
    assert response.json() == ended
    assert HEADER in response.headers


def test_wait_answers_when_the_task_ends(
    alice: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    task_id = _slow(alice, pair)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(alice.get, f"task/{task_id}/wait", params={"timeout": "20"})
        wait_until(lambda: task_wait.waiting_on(task_id) == 1, "the wait to start", 30)
        _cancel(alice, task_id)
        response = waiting.result()
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["task_id"] == task_id and doc["status"] != "ACTIVE"
    assert task_wait.waiting_on(task_id) == 0


def test_a_task_ended_in_this_process_wakes_its_waiters_at_once(
    alice: TransferUser, pair: t.Any, slow_mover: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check loop slowed to an hour and the wait allowed an hour: only the worker's
    word that the mover ended the task (canceled here, as it ran) answers the wait before
    the client gives up on it."""
    monkeypatch.setattr(task_wait, "TICK_SECONDS", 3600.0)
    monkeypatch.setattr(task_wait, "MAX_WAIT_SECONDS", 3600)
    task_id = _slow(alice, pair)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(
            alice.get, f"task/{task_id}/wait", params={"timeout": "3600"}, timeout=(10, 120)
        )
        wait_until(lambda: task_wait.waiting_on(task_id) == 1, "the wait to start", 30)
        _cancel(alice, task_id)
        response = waiting.result()
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "FAILED"
    assert response.json()["fatal_error"]["code"] == "CANCELED"


def test_a_wait_begun_just_after_its_task_was_told_ended_returns(
    transfer_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wait that begins between its first look at the task and the word of its end (the
    check loop slowed to an hour) still learns of it: the ends lately told are kept."""
    monkeypatch.setattr(task_wait, "TICK_SECONDS", 3600.0)
    db = transfer_server.db
    task_id = str(uuid.uuid4())
    task_wait.task_ended(db.engine.url.render_as_string(hide_password=False), [task_id])

    async def wait() -> None:
        await asyncio.wait_for(task_wait.TaskWatch(db).until_ended(task_id), 60)

    asyncio.run(wait())


def test_wait_runs_out_with_the_task_active(
    alice: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    task_id = _slow(alice, pair)
    try:
        response = alice.get(f"task/{task_id}/wait", params={"timeout": "0.5"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ACTIVE"
        assert task_wait.waiting_on(task_id) == 0
    finally:
        _cancel(alice, task_id)


def test_others_tasks_and_bad_input(
    alice: TransferUser, bob: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    task_id = _slow(alice, pair)
    try:
        theirs = bob.get(f"task/{task_id}/wait", params={"timeout": "5"})
        assert theirs.status_code == 404, theirs.text
        assert theirs.json()["code"] == "TaskNotFound"
        assert HEADER not in theirs.headers
        anonymous = requests.get(alice.base_url + f"task/{task_id}/wait", timeout=30)
        assert anonymous.status_code == 401
        missing = alice.get("task/00000000-0000-0000-0000-000000000000/wait")
        assert missing.status_code == 404
        for bad in ("soon", "-1", "nan", "inf"):
            refused = alice.get(f"task/{task_id}/wait", params={"timeout": bad})
            assert refused.status_code == 400, (bad, refused.text)
            assert refused.json()["code"].startswith("ClientError")
        assert task_wait.waiting_on(task_id) == 0
    finally:
        _cancel(alice, task_id)


def test_many_waiters_leave_the_server_free(
    alice: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    """More waiters than requests may run at once: none holds a turn while it waits, so
    other requests are served meanwhile and every waiter is answered."""
    task_id = _slow(alice, pair)
    with ThreadPoolExecutor(MANY) as pool:
        waits = [
            pool.submit(alice.get, f"task/{task_id}/wait", params={"timeout": "20"})
            for _ in range(MANY)
        ]
        wait_until(lambda: task_wait.waiting_on(task_id) == MANY, "every wait to start", 60)
        for _ in range(3):
            listed = alice.get("task_list")
            assert listed.status_code == 200, listed.text
        _cancel(alice, task_id)
        answers = [w.result() for w in waits]
    assert [a.status_code for a in answers] == [200] * MANY
    assert "ACTIVE" not in {a.json()["status"] for a in answers}


def test_a_client_that_leaves_stops_waiting(
    alice: TransferUser, pair: t.Any, slow_mover: None
) -> None:
    task_id = _slow(alice, pair)
    try:
        with pytest.raises(requests.ReadTimeout):
            requests.get(
                alice.base_url + f"task/{task_id}/wait",
                headers={"Authorization": f"Bearer {alice.token}"},
                params={"timeout": "20"},
                timeout=(10, 0.5),
            )
        wait_until(lambda: task_wait.waiting_on(task_id) == 0, "the wait to end", 30)
    finally:
        _cancel(alice, task_id)


# -- our SDK ------------------------------------------------------------------------------------
def test_sdk_task_wait_returns_once_the_task_ends(
    transfer_server: LocalServer,
    alice: TransferUser,
    pair: t.Any,
    slow_mover: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Counted(transfer_server, alice, monkeypatch)
    task_id = _slow(alice, pair)
    result: list[bool] = []
    waiter = threading.Thread(
        target=lambda: result.append(client.tc.task_wait(task_id, timeout=120, polling_interval=10))
    )
    waiter.start()
    wait_until(lambda: task_wait.waiting_on(task_id) == 1, "the SDK's wait to start", 30)
    _cancel(alice, task_id)
    waiter.join(60)
    assert result == [True]
    # the task GET that learns of the wait, then one wait answered at the end
    assert client.sent == [
        f"/transfer/v0.10/task/{task_id}",
        f"/transfer/v0.10/task/{task_id}/wait?timeout=20.000",
    ]


def test_sdk_task_wait_on_an_ended_task_asks_once(
    transfer_server: LocalServer,
    alice: TransferUser,
    pair: t.Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Counted(transfer_server, alice, monkeypatch)
    task_id = _quick(alice, pair)
    wait_task(alice, task_id)
    assert client.tc.task_wait(task_id, timeout=5, polling_interval=1) is True
    assert client.sent == [f"/transfer/v0.10/task/{task_id}"]


def test_sdk_task_wait_honours_its_timeout(
    transfer_server: LocalServer,
    alice: TransferUser,
    pair: t.Any,
    slow_mover: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Counted(transfer_server, alice, monkeypatch)
    task_id = _slow(alice, pair)
    try:
        assert client.tc.task_wait(task_id, timeout=1, polling_interval=1) is False
        assert client.sent[0] == f"/transfer/v0.10/task/{task_id}"
        assert {path.split("?")[0] for path in client.sent[1:]} == {
            f"/transfer/v0.10/task/{task_id}/wait"
        }
        assert len(client.sent) <= 3
    finally:
        _cancel(alice, task_id)


def test_sdk_task_wait_on_anothers_task_raises(
    transfer_server: LocalServer,
    bob: TransferUser,
    alice: TransferUser,
    pair: t.Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Counted(transfer_server, bob, monkeypatch)
    task_id = _quick(alice, pair)
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        client.tc.task_wait(task_id, timeout=5, polling_interval=1)
    assert caught.value.http_status == 404
