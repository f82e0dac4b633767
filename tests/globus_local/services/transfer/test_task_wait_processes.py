"""The long-poll on a task across processes, as an operator runs them: `serve` with no job
workers learns of a task that a `globus-local worker` process ran, and SIGTERM answers a
waiting request at once instead of cutting it off after the graceful stop."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

import globus_sdk
from tests.support.processes import free_port, serve, start, stop, wait_ready

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
FILES = 400


def _admin(data_dir: Path, *args: str) -> t.Any:
    out = subprocess.run(
        [sys.executable, "-m", "globus_local.cli", "admin", "--data-dir", str(data_dir), *args],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


def _transfer(src: str, dst: str, path: str) -> dict[str, t.Any]:
    item = {"DATA_TYPE": "transfer_item", "source_path": path, "destination_path": path}
    return {
        "DATA_TYPE": "transfer",
        "source_endpoint": src,
        "destination_endpoint": dst,
        "DATA": [{**item, "recursive": path.endswith("/")}],
    }


@pytest.mark.live
def test_wait_sees_another_process_finish_and_sigterm_answers_waiters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, src, dst = tmp_path / "state", tmp_path / "src", tmp_path / "dst"
    (src / "many").mkdir(parents=True)
    dst.mkdir()
    (src / "one.txt").write_bytes(b"1")
    for n in range(FILES):
        (src / "many" / f"{n:03d}").write_bytes(b"x")
    _admin(data_dir, "create-user", "waiter", "--password", "pw")
    ids = [
        _admin(data_dir, "create-endpoint", "--owner", "waiter", "--name", n, "--path", str(p))[
            "id"
        ]
        for n, p in (("s", src), ("d", dst))
    ]
    token = _admin(data_dir, "token", "--user", "waiter", "--scope", TRANSFER_ALL)["access_token"]
    port = free_port()
    base = f"http://127.0.0.1:{port}/transfer/"
    headers = {"Authorization": f"Bearer {token}"}

    # The server runs no jobs: a worker process runs them, one slow file at a time.
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "0.05")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_THREADS", "1")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_PROCESSES", "0")
    proc, _, err = serve(tmp_path, data_dir, port, "server", "--workers", "0")
    worker, _, worker_err = start(
        ["worker", "--data-dir", str(data_dir), "--threads", "1"], tmp_path, "worker"
    )
    try:
        monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", base)
        tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
        sent: list[str] = []
        send = tc.transport.session.send

        def counting(prepared: requests.PreparedRequest, **kw: t.Any) -> requests.Response:
            sent.append(prepared.path_url.split("?")[0])
            return send(prepared, **kw)

        tc.transport.session.send = counting  # type: ignore[method-assign]
        quick = tc.post("transfer", data=_transfer(ids[0], ids[1], "/one.txt"))["task_id"]
        sent.clear()
        assert tc.task_wait(quick, timeout=120, polling_interval=60)
        assert tc.get_task(quick)["status"] == "SUCCEEDED"
        # the task GET, then waits (one, unless the worker took longer than a whole wait)
        assert sent[0] == f"/transfer/v0.10/task/{quick}", sent
        assert set(sent[1:-1]) == {f"/transfer/v0.10/task/{quick}/wait"}, sent
        assert len(sent) <= 5, sent

        slow = tc.post("transfer", data=_transfer(ids[0], ids[1], "/many/"))["task_id"]
        wait_ready(lambda: tc.get_task(slow)["files_transferred"] > 0, worker, worker_err)
        # A first short wait warms the route's path (token, connections) in the server.
        warm = requests.get(
            base + f"v0.10/task/{slow}/wait", params={"timeout": "0.1"}, headers=headers
        )
        assert warm.status_code == 200, warm.text
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(
                requests.get,
                base + f"v0.10/task/{slow}/wait",
                params={"timeout": "20"},
                headers=headers,
                timeout=60,
            )
            time.sleep(3)  # for the request to reach the server; not a measurement
            assert stop(proc) == 0, err.read_text()
            answered = waiting.result()
        # Answered with the task as it stands, not cut off when the graceful stop ran out.
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "ACTIVE"
        assert "Traceback" not in err.read_text()
    finally:
        for process in (proc, worker):
            if process.poll() is None:
                stop(process)
